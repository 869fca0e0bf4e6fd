package concbench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The /proc readers, and getrusage through java.lang.foreign against what /proc says. */
final class ProcFsTest {
    private ProcFsTest() {}

    static final String STATUS = """
            Name:\tjava
            VmPeak:\t 3000000 kB
            VmSize:\t 2900000 kB
            VmHWM:\t   60000 kB
            VmRSS:\t   50000 kB
            Threads:\t17
            Cpus_allowed_list:\t0-1
            voluntary_ctxt_switches:\t3
            """;

    static void testParseStatus() {
        ProcFs.Status st = ProcFs.parseStatus(STATUS);
        Check.equal(st, new ProcFs.Status(50000L * 1024, 60000L * 1024, 3000000L * 1024, 17, "0-1"), "status");
        Check.isTrue(st.complete(), "complete");
        Check.isTrue(!ProcFs.parseStatus("Name:\tjava\nVmRSS:\t1 kB\n").complete(), "lacking VmHWM and Threads");
        Check.equal(ProcFs.kbBytes("12 kB"), 12288L, "kB");
        Check.equal(ProcFs.kbBytes("x kB"), -1L, "malformed");
    }

    static void testReadStatusSelf() {
        ProcFs.Status st = ProcFs.readStatus();
        Check.isTrue(st != null && st.vmRss() > 0 && st.vmHwm() >= st.vmRss() && st.threads() >= 2, "own status: " + st);
        Check.isTrue(ProcFs.readThreads() >= 2, "a JVM runs several threads");
    }

    /**
     * peakRss: VmHWM, but never below an exact VmRSS reading of the window (the kernel keeps VmHWM from
     * its approximate RSS counter; on kernel 6.18 it can read a few pages below the baseline VmRSS).
     */
    static void testPeakRssNeverBelowExactRss() {
        final long page = 4096;
        long[][] cases = { // VmHWM after, baseline VmRSS, VmRSS after, want
            {900 * page, 800 * page, 850 * page, 900 * page}, // VmHWM above both readings: VmHWM
            {780 * page, 800 * page, 790 * page, 800 * page}, // VmHWM below the baseline: the baseline
            {800 * page, 790 * page, 812 * page, 812 * page}, // VmHWM below the reading after: that reading
            {800 * page, 800 * page, 800 * page, 800 * page}, // all equal
        };
        for (long[] c : cases) {
            long got = ProcFs.peakRss(c[0], c[1], c[2]);
            String what = "peakRss(" + c[0] + ", " + c[1] + ", " + c[2] + ")";
            Check.equal(got, c[3], what);
            Check.isTrue(got >= c[0] && got >= c[1] && got >= c[2], what + " = " + got + " is below one of its readings");
        }
    }

    /** A sysctl file answers a read at a nonzero offset with end-of-file: the whole value comes in one read. */
    static void testReadStringReadsSysctlsWhole() throws IOException {
        for (String name : List.of("/proc/sys/kernel/pid_max", "/proc/sys/kernel/threads-max", "/proc/sys/vm/max_map_count")) {
            Path p = Path.of(name);
            if (!Files.isReadable(p)) {
                continue;
            }
            String whole = Files.readAllLines(p, StandardCharsets.ISO_8859_1).get(0).strip();
            Check.equal(ProcFs.readLongFile(p), Long.parseLong(whole), name);
        }
        Check.isTrue(ProcFs.readString(Path.of("/nonexistent/file")) == null, "unreadable: null");
        Path big = Files.createTempFile("procfs", ".txt");
        String text = "x".repeat(100_000) + "\n";
        Files.writeString(big, text);
        Check.equal(ProcFs.readString(big), text, "a file larger than the buffer");
    }

    static void testVmstatAndSwapDelta() {
        ProcFs.Swap s = ProcFs.parseVmstat("nr_free_pages 5\npswpin 10\npswpout 20\n");
        Check.equal(s, new ProcFs.Swap(10, 20), "vmstat");
        Check.equal(ProcFs.parseVmstat("pswpin 10\n"), null, "pswpout missing");
        Check.equal(java.util.Arrays.asList(ProcFs.swapDelta(s, new ProcFs.Swap(15, 21))), List.of(5L, 1L), "delta");
        Check.equal(java.util.Arrays.asList(ProcFs.swapDelta(s, null)), java.util.Arrays.asList(null, null), "a failed read");
        Check.equal(java.util.Arrays.asList(ProcFs.swapDelta(s, new ProcFs.Swap(1, 1))), java.util.Arrays.asList(null, null), "counters went back");
    }

    static void testSoftLimits() {
        String limits = """
                Limit                     Soft Limit           Hard Limit           Units
                Max processes             96365                96365                processes
                Max address space         unlimited            unlimited            bytes
                """;
        Check.equal(ProcFs.softLimit(limits, "Max processes"), 96365L, "RLIMIT_NPROC");
        Check.equal(ProcFs.softLimit(limits, "Max address space"), null, "unlimited");
        Check.equal(ProcFs.softLimit(null, "Max processes"), null, "unreadable");
    }

    static void testCountLines() throws IOException {
        Path p = Files.createTempFile("lines", ".txt");
        Files.writeString(p, "a\nb\nc\n");
        Check.equal(ProcFs.countLines(p), 3L, "three lines");
        Files.writeString(p, "a\nb\nc");
        Check.equal(ProcFs.countLines(p), 3L, "a last line without its newline");
        Files.writeString(p, "");
        Check.equal(ProcFs.countLines(p), 0L, "empty");
        Check.equal(ProcFs.countLines(Path.of("/nonexistent")), null, "unreadable");
        Check.isTrue(ProcFs.countLines(Path.of("/proc/self/maps")) > 10, "own mappings");
    }

    static void testStatTimes() {
        String stat = "1234 (a (weird) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 30 7 3 20 0 17 0";
        Check.equal(List.of(ProcFs.parseStatTimes(stat)[0], ProcFs.parseStatTimes(stat)[1],
                ProcFs.parseStatTimes(stat)[2], ProcFs.parseStatTimes(stat)[3]), List.of(250L, 30L, 7L, 3L), "utime stime cutime cstime");
        Check.equal(ProcFs.parseStatTimes("garbage"), null, "malformed");
    }

    /**
     * getrusage is linked (on 64-bit Linux), agrees with /proc/self/stat (10 ms ticks), and, unlike
     * /proc, still counts the context switches of threads that have exited.
     */
    static void testRusageThroughForeignFunctions() throws Exception {
        Rusage r = Rusage.open();
        Check.isTrue(r.unavailable == null, "getrusage not linked: " + r.unavailable);
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        Rusage.Usage before = r.process();
        long x = 0;
        long cpu0 = threads.getCurrentThreadCpuTime();
        while (threads.getCurrentThreadCpuTime() - cpu0 < 200_000_000L) { // 200 ms of this thread's CPU
            x += System.nanoTime() % 7;
        }
        Thread sleeper = new Thread(() -> {
            for (int i = 0; i < 20; i++) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sleeper.start();
        sleeper.join();
        Rusage.Usage after = r.process();
        Rusage.Usage proc = Rusage.fromProc();
        Check.isTrue(x >= 0, "keep the loop");
        Rusage.Usage d = after.minus(before);
        Check.isTrue(d.userNs() + d.systemNs() >= 200_000_000L, "200 ms of this thread's CPU shows in the process: " + d);
        Check.isTrue(d.voluntary() >= 20, "an exited thread's 20 sleeps are counted: " + d);
        double gap = Math.abs(after.cpuSeconds() - proc.cpuSeconds());
        Check.isTrue(gap < 0.1, "getrusage " + after.cpuSeconds() + " s vs /proc/self/stat " + proc.cpuSeconds() + " s");
    }
}
