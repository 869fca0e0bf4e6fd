package concbench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JVM's own view, for memory.runtime and runtime: what a Java user needs to read the figures
 * (the JVM, its garbage collector, the flags it was started with and the maximum heap they gave).
 *
 * <p>Everything here is read after the window, and the management beans are first touched then: their
 * classes cost a few MB of RSS, which before the window would sit in every run's baseline (the
 * bookkeeping budget of runners/README.md). The heap at the window's end comes from
 * java.lang.Runtime, read right after the window; the heap pools' peaks are their peaks since the
 * JVM started (resetting them would need the beans before the window).
 */
final class JvmView {
    private JvmView() {}

    static Map<String, Object> runtime() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "java");
        m.put("version", System.getProperty("java.runtime.version", Runtime.version().toString()));
        return m;
    }

    /** The heap as java.lang.Runtime sees it right after the window (committed, used). */
    record Heap(long committed, long used) {
        static Heap now() {
            Runtime rt = Runtime.getRuntime();
            long total = rt.totalMemory();
            return new Heap(total, total - rt.freeMemory());
        }
    }

    /**
     * memory.runtime. Numbers are bytes (the contract's unit for Java); everything else is a string,
     * a list or an object, which reports do not aggregate.
     */
    static Map<String, Object> afterWindow(Heap atWindowEnd) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("maxMemory", Runtime.getRuntime().maxMemory()); // the maximum heap the flags gave
        m.put("heapCommitted", atWindowEnd.committed());
        m.put("heapUsed", atWindowEnd.used());
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage u = pool.getType() == MemoryType.HEAP && pool.isValid() ? pool.getPeakUsage() : null;
            if (u != null) {
                peak += u.getUsed();
            }
        }
        m.put("heapPeak", peak); // sum of the heap pools' peaks since start: at most the heap's peak
        MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
        m.put("nonHeapCommitted", nonHeap.getCommitted());
        m.put("nonHeapUsed", nonHeap.getUsed());
        m.put("physicalMemory", physicalMemory());
        List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
        List<String> names = new ArrayList<>();
        long count = 0, time = 0;
        for (GarbageCollectorMXBean gc : collectors) {
            names.add(gc.getName());
            count += Math.max(0, gc.getCollectionCount());
            time += Math.max(0, gc.getCollectionTime());
        }
        m.put("gc", gcName(names));
        m.put("gcCollectors", names);
        Map<String, Object> sinceStart = new LinkedHashMap<>();
        sinceStart.put("collections", count);
        sinceStart.put("time_ms", time);
        m.put("gcSinceStart", sinceStart); // includes the runner's System.gc() after the window
        m.put("jvmFlags", List.copyOf(ManagementFactory.getRuntimeMXBean().getInputArguments()));
        m.put("vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version") + " ("
                + System.getProperty("java.vm.vendor") + ")");
        return m;
    }

    /**
     * The RAM the JVM sized its heap from (OperatingSystemMXBean.getTotalMemorySize: the cgroup's
     * limit when there is one), null without the jdk.management module.
     */
    static Long physicalMemory() {
        try {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                return os.getTotalMemorySize();
            }
        } catch (Throwable e) {
            // a JRE without jdk.management
        }
        return null;
    }

    /** The collector a Java user names (-XX:+UseSerialGC ...), from the collectors' bean names. */
    static String gcName(List<String> collectors) {
        String s = String.join("|", collectors);
        if (s.contains("G1")) {
            return "G1";
        }
        if (s.contains("PS ")) {
            return "Parallel";
        }
        if (s.contains("Copy") || s.contains("MarkSweepCompact")) {
            return "Serial";
        }
        if (s.contains("ZGC")) {
            return "Z";
        }
        if (s.contains("Shenandoah")) {
            return "Shenandoah";
        }
        if (s.contains("Epsilon") || collectors.isEmpty()) {
            return "Epsilon";
        }
        return s;
    }

    /** The virtual-thread scheduler's carrier threads: its parallelism property, else the CPU count. */
    static int virtualThreadParallelism() {
        Integer p = Integer.getInteger("jdk.virtualThreadScheduler.parallelism");
        return p != null && p > 0 ? p : Runtime.getRuntime().availableProcessors();
    }
}
