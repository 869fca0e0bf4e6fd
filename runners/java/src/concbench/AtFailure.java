package concbench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * error.at_failure: what the runner counted when the run failed, beside the limits that bind those
 * counts (runners/README.md, "What broke a model"). Read where the failure is handled, before the
 * tasks already started are waited for; every field is null where it cannot be read. The soft
 * resource limits come from /proc/self/limits (Java has no getrlimit).
 */
final class AtFailure {
    private AtFailure() {}

    static Map<String, Object> collect(Cgroup cg) {
        Map<String, Object> at = new LinkedHashMap<>();
        ProcFs.Status st = ProcFs.readStatus();
        at.put("threads", st == null ? null : (long) st.threads());
        at.put("memory_maps", ProcFs.countLines(Path.of("/proc/self/maps")));
        at.put("pids", cg.pidsCurrent());
        at.put("rss_bytes", st == null ? null : st.vmRss());
        String limitsText = ProcFs.readString(Path.of("/proc/self/limits"));
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("pids_max", cg.pidsMax());
        limits.put("pid_max", ProcFs.readLongFile(Path.of("/proc/sys/kernel/pid_max")));
        limits.put("threads_max", ProcFs.readLongFile(Path.of("/proc/sys/kernel/threads-max")));
        limits.put("max_map_count", ProcFs.readLongFile(Path.of("/proc/sys/vm/max_map_count")));
        limits.put("rlimit_nproc", ProcFs.softLimit(limitsText, "Max processes"));
        limits.put("rlimit_as_bytes", ProcFs.softLimit(limitsText, "Max address space"));
        limits.put("memory_limit_bytes", cg.memoryLimit());
        at.put("limits", limits);
        at.put("vm_size_bytes", vmSize());
        return at;
    }

    /** VmSize of /proc/self/status: the virtual size RLIMIT_AS bounds. */
    private static Long vmSize() {
        String text = ProcFs.readString(ProcFs.SELF_STATUS);
        if (text == null) {
            return null;
        }
        for (String line : text.split("\n")) {
            if (line.startsWith("VmSize:")) {
                long b = ProcFs.kbBytes(line.substring("VmSize:".length()).strip());
                return b < 0 ? null : b;
            }
        }
        return null;
    }

    /** The collection, or null when even that fails (a heap with no room left). */
    static Map<String, Object> collectSafely(Cgroup cg) {
        try {
            return collect(cg);
        } catch (Throwable e) {
            return null;
        }
    }
}
