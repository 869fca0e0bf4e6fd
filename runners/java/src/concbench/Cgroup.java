package concbench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runner's own cgroup (v1 or v2), resolved as runners/README.md says (memory step 5): the own
 * path from /proc/self/cgroup joined to the mount, falling back to the mount root when the joined
 * path does not exist; "/" is not the runner's own, except on v2 when the mount root has memory.max
 * (a private cgroup namespace). Every value is null where it cannot be read. Shared vectors:
 * schema/cgroup_vectors.json, replayed on fake trees through this class.
 */
final class Cgroup {
    /** A v1 limit at or above 2^60 is "no limit". */
    static final long UNLIMITED_BYTES = 1L << 60;

    private final Path mountRoot;
    private final String selfCgroup;

    Cgroup(Path mountRoot, String selfCgroup) {
        this.mountRoot = mountRoot;
        this.selfCgroup = selfCgroup;
    }

    static Cgroup self() {
        String text = ProcFs.readString(Path.of("/proc/self/cgroup"));
        return new Cgroup(Path.of("/sys/fs/cgroup"), text == null ? "" : text); // none: every value is null
    }

    /** 2 if cgroup.controllers exists, 1 if memory exists, 0 when neither. */
    int version() {
        if (Files.exists(mountRoot.resolve("cgroup.controllers"))) {
            return 2;
        }
        if (Files.exists(mountRoot.resolve("memory"))) {
            return 1;
        }
        return 0;
    }

    /** The own cgroup's directory for a (v1) controller, null when there is none of its own. */
    Path ownDir(int version, String controller) {
        for (String raw : selfCgroup.split("\n")) {
            String[] parts = raw.strip().split(":", 3);
            if (parts.length != 3) {
                continue;
            }
            String hierarchy = parts[0], controllers = parts[1], path = parts[2];
            List<Path> mounts;
            if (version == 2) {
                if (!hierarchy.equals("0") || !controllers.isEmpty()) {
                    continue;
                }
                mounts = List.of(mountRoot);
            } else if (version == 1) {
                if (!Arrays.asList(controllers.split(",")).contains(controller)) {
                    continue;
                }
                // /sys/fs/cgroup/cpu is usually a link to /sys/fs/cgroup/cpu,cpuacct.
                mounts = List.of(mountRoot.resolve(controller), mountRoot.resolve(controllers));
            } else {
                return null;
            }
            if (path.equals("/") || path.isEmpty()) {
                if (version == 2 && Files.exists(mountRoot.resolve("memory.max"))) {
                    return mountRoot;
                }
                return null;
            }
            String relative = path.replaceFirst("^/+", "");
            for (Path mnt : mounts) {
                if (!Files.isDirectory(mnt)) {
                    continue;
                }
                Path joined = mnt.resolve(relative);
                return Files.isDirectory(joined) ? joined : mnt;
            }
            return null;
        }
        return null;
    }

    /** The trimmed contents of a file of the own cgroup of controller, null when unreadable. */
    String readFile(int version, String controller, String name) {
        Path dir = ownDir(version, controller);
        if (dir == null) {
            return null;
        }
        String text = ProcFs.readString(dir.resolve(name));
        return text == null ? null : text.strip();
    }

    /** A file holding one integer >= 0, null when absent, "max" or anything else. */
    Long nonNegative(int version, String controller, String name) {
        return parseNonNegative(readFile(version, controller, name));
    }

    static Long parseNonNegative(String s) {
        if (s == null || !s.matches("[0-9]+")) {
            return null;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** memory.cgroup_peak_bytes: v2 memory.peak, v1 memory.max_usage_in_bytes. */
    Long memoryPeak() {
        int v = version();
        return switch (v) {
            case 2 -> nonNegative(v, "memory", "memory.peak");
            case 1 -> nonNegative(v, "memory", "memory.max_usage_in_bytes");
            default -> null;
        };
    }

    /** memory.cgroup_baseline_bytes: v2 memory.current, v1 memory.usage_in_bytes. */
    Long memoryUsage() {
        int v = version();
        return switch (v) {
            case 2 -> nonNegative(v, "memory", "memory.current");
            case 1 -> nonNegative(v, "memory", "memory.usage_in_bytes");
            default -> null;
        };
    }

    /** v2 memory.max, v1 memory.limit_in_bytes; null when "max" or >= 2^60. */
    Long memoryLimit() {
        int v = version();
        String s = switch (v) {
            case 2 -> readFile(v, "memory", "memory.max");
            case 1 -> readFile(v, "memory", "memory.limit_in_bytes");
            default -> null;
        };
        Long n = parseNonNegative(s);
        return n == null || n >= UNLIMITED_BYTES ? null : n;
    }

    /** v2 cpu.max "QUOTA PERIOD", v1 cfs_quota_us / cfs_period_us; null when unlimited. */
    Double cpuQuotaCores() {
        int v = version();
        long quota, period;
        if (v == 2) {
            String s = readFile(v, "cpu", "cpu.max");
            if (s == null) {
                return null;
            }
            String[] fields = s.split("\\s+");
            if (fields.length != 2 || fields[0].equals("max")) {
                return null;
            }
            try {
                quota = Long.parseLong(fields[0]);
                period = Long.parseLong(fields[1]);
            } catch (NumberFormatException e) {
                return null;
            }
        } else if (v == 1) {
            Long q = signedLong(readFile(v, "cpu", "cpu.cfs_quota_us"));
            Long p = signedLong(readFile(v, "cpu", "cpu.cfs_period_us"));
            if (q == null || p == null) {
                return null;
            }
            quota = q;
            period = p;
        } else {
            return null;
        }
        if (quota <= 0 || period <= 0) {
            return null;
        }
        return (double) quota / (double) period;
    }

    private static Long signedLong(String s) {
        if (s == null || !s.matches("-?[0-9]+")) {
            return null;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** v2 cpuset.cpus.effective, v1 cpuset.effective_cpus then cpuset.cpus. */
    String cpuset() {
        int v = version();
        List<String> names = switch (v) {
            case 2 -> List.of("cpuset.cpus.effective");
            case 1 -> List.of("cpuset.effective_cpus", "cpuset.cpus");
            default -> List.of();
        };
        for (String name : names) {
            String s = readFile(v, "cpuset", name);
            if (s != null && !s.isEmpty()) {
                return s;
            }
        }
        return null;
    }

    /** environment.cgroup. */
    Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        int v = version();
        m.put("version", v == 0 ? null : v);
        m.put("cpu_quota_cores", cpuQuotaCores());
        m.put("cpuset", cpuset());
        m.put("memory_limit_bytes", memoryLimit());
        return m;
    }

    /** checks.cgroup_cpu_s: v2 cpu.stat usage_usec / 1e6, v1 cpuacct.usage / 1e9. */
    Double cpuUsageSeconds() {
        int v = version();
        return switch (v) {
            case 2 -> scaled(cpuStat(v, "usage_usec"), 1e6);
            case 1 -> scaled(nonNegative(v, "cpuacct", "cpuacct.usage"), 1e9);
            default -> null;
        };
    }

    /** checks.throttled_periods: cpu.stat nr_throttled. */
    Long throttledPeriods() {
        return cpuStat(version(), "nr_throttled");
    }

    /** checks.throttled_s: v2 cpu.stat throttled_usec / 1e6, v1 throttled_time / 1e9. */
    Double throttledSeconds() {
        int v = version();
        return switch (v) {
            case 2 -> scaled(cpuStat(v, "throttled_usec"), 1e6);
            case 1 -> scaled(cpuStat(v, "throttled_time"), 1e9);
            default -> null;
        };
    }

    Long pidsCurrent() {
        return nonNegative(version(), "pids", "pids.current");
    }

    /** pids.max; null when "max". */
    Long pidsMax() {
        return nonNegative(version(), "pids", "pids.max");
    }

    /** One key of the cpu controller's cpu.stat, null when the file or the key is absent. */
    Long cpuStat(int version, String key) {
        String s = readFile(version, "cpu", "cpu.stat");
        if (s == null) {
            return null;
        }
        for (String line : s.split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length == 2 && fields[0].equals(key)) {
                return parseNonNegative(fields[1]);
            }
        }
        return null;
    }

    private static Double scaled(Long n, double unit) {
        return n == null ? null : n / unit;
    }
}
