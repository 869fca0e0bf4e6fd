package concbench;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One measured window (runners/README.md, "Measurement rules"): the stamps, the window from just
 * before the first submission to the moment the last task completed, and everything else before
 * or after it.
 */
final class Benchmark {
    private Benchmark() {}

    // Every error.kind this runner produces is one of the ERR_KIND constants; ContractTest finds
    // them all in the source and checks each against the contract's runner kinds.
    static final String ERR_KIND_RESOURCE_EXHAUSTED = "resource_exhausted";
    static final String ERR_KIND_OUT_OF_MEMORY = "out_of_memory";
    static final String ERR_KIND_INTERNAL = "internal";

    /** A failure the runner caught, with error.at_failure read where it was handled. */
    record Failure(String kind, String message, Map<String, Object> atFailure, Throwable cause) {}

    /**
     * error.kind of a Throwable: the JVM reports a thread the OS refused as an OutOfMemoryError
     * ("unable to create native thread"), which is a resource, not the heap.
     */
    static String kindOf(Throwable e) {
        if (e instanceof OutOfMemoryError) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("unable to create native thread") || m.contains("unable to create new native thread")) {
                return ERR_KIND_RESOURCE_EXHAUSTED;
            }
            return ERR_KIND_OUT_OF_MEMORY;
        }
        return ERR_KIND_INTERNAL;
    }

    /**
     * The state the tasks share: three preallocated stamp arrays (offsets in ns from t0 on the
     * monotonic clock, 24 bytes per task, each slot written by its own task only; a fourth, woke,
     * for mixed only), the latch the window waits on and the first failure. It is also the
     * uncaught-exception handler of every task thread (uncaughtException).
     */
    static final class Window implements Thread.UncaughtExceptionHandler {
        final long[] submitted, started, finished;
        final long[] woke; // mixed: right after the task's wait returned, before its CPU work; else null
        final Workloads.Body body;
        final Workloads.Mixed mixed; // body, when the workload is mixed
        final CountDownLatch done;
        final Cgroup cg;
        final int tasks;
        final AtomicReference<Failure> failure = new AtomicReference<>();
        /** Task indices from thread ids, for the approaches that give each task a thread of its own. */
        final ThreadIndex threadIndex = new ThreadIndex();
        /** One Runnable for every thread-per-task task: it finds its index from its thread's id. */
        final Runnable taskOfThread;
        long t0; // set before the first submission; Thread.start / Executor.execute publish it

        Window(int tasks, Workloads.Body body, Cgroup cg) {
            this.tasks = tasks;
            this.submitted = new long[tasks];
            this.started = new long[tasks];
            this.finished = new long[tasks];
            this.mixed = body instanceof Workloads.Mixed m ? m : null;
            this.woke = mixed != null ? new long[tasks] : null;
            this.body = body;
            this.done = new CountDownLatch(tasks);
            this.cg = cg;
            this.taskOfThread = body instanceof Workloads.Io io ? ioTaskOfThread(io.waitDuration())
                    : () -> task(threadIndex.index(Thread.currentThread().threadId()));
        }

        /**
         * Every task thread has its window as its uncaught-exception handler (adoptTaskThread): the failure path
         * for what its task does not catch (the io task of a thread per task catches only InterruptedException),
         * and how the io task's stamps find their window, through a field every Thread has. Records the failure
         * and counts down; never throws. Whatever reaches it escaped its task before the task counted down
         * (after that only the JDK's executor bookkeeping runs on the thread).
         */
        @Override
        public void uncaughtException(Thread thread, Throwable e) {
            taskFailed(threadIndex.index(thread.threadId()), e);
            done.countDown();
        }

        /** The window of the current task thread (see uncaughtException). */
        private static Window ofCurrentThread() {
            return (Window) Thread.currentThread().getUncaughtExceptionHandler();
        }

        /**
         * The io task of a thread per task: the bare program's task (bench/bare/Bare.java), the same lambda
         * over the same two captured values, plus a call before and after the sleep that stamps. A virtual
         * thread that sleeps keeps its frames in a heap stack chunk until it wakes, so every byte of the
         * frame that calls Thread.sleep costs each waiting task (100 bytes are 100 MB at 1M virtual
         * threads), and that frame is then the bare program's:
         * - C1 (tier 3, how the first tens of thousands of tasks park): 112 bytes with Java 21 and 25. The
         *   stamps look their task's index up from the thread, in calls that have returned when it parks
         *   (keeping i across the sleep in a finally made it 208; ParkedFrameTest).
         * - C2, which inlines the whole path from Continuation.enter into one frame: 144 bytes with Java 21
         *   (128 with Java 25; tests/runners/test_java_parked_frame.py). Each of these cost it 16 bytes,
         *   measured: an instance lambda reading the window's fields, a captured window, a catch of
         *   Throwable, any call in the catch but the re-interrupt: 16 MB at 1M sleeping tasks. So the stamps
         *   find the window from their thread (ofCurrentThread), and what the task does not catch goes to
         *   its thread's handler, the window's uncaughtException, which records it and counts down.
         * An interrupted sleep (nothing interrupts the tasks but a test) leaves its task without a finished
         * stamp, which checkStamps reports after the window.
         */
        private Runnable ioTaskOfThread(Duration wait) {
            CountDownLatch latch = done;
            return () -> {
                try {
                    stampStarted();
                    Thread.sleep(wait);
                    stampFinished();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                latch.countDown();
            };
        }

        // The io task's stamps, each larger than C1 inlines (35 bytes of bytecode), so that none of their
        // values takes a slot in the io task's C1 frame: hence two near-copies, not one method taking the
        // array (passing it costs that frame 16 bytes).
        private static void stampStarted() {
            Window w = ofCurrentThread();
            long now = System.nanoTime() - w.t0;
            int i = w.threadIndex.index(Thread.currentThread().threadId());
            w.requireTask(i);
            w.started[i] = now;
        }

        private static void stampFinished() {
            Window w = ofCurrentThread();
            long now = System.nanoTime() - w.t0;
            int i = w.threadIndex.index(Thread.currentThread().threadId());
            w.requireTask(i);
            w.finished[i] = now;
        }

        /** An index outside the window (a ThreadIndex bug) fails the task instead of another array's slot. */
        private void requireTask(int i) {
            if (i < 0 || i >= tasks) {
                throw new IllegalStateException(Thread.currentThread() + " runs no task of this window (index " + i + ")");
            }
        }

        /** One task: its started stamp, the work (mixed: the wait, woke, the CPU part), finished, the latch. */
        void task(int i) {
            started[i] = System.nanoTime() - t0;
            try {
                if (mixed == null) {
                    body.run(i);
                } else {
                    mixed.waitIo();
                    woke[i] = System.nanoTime() - t0;
                    mixed.compute(i);
                }
                finished[i] = System.nanoTime() - t0;
            } catch (Throwable e) {
                taskFailed(i, e);
            } finally {
                done.countDown();
            }
        }

        /**
         * The first failing task reads at_failure now, before the window waits for the others. Never
         * throws, so that its task still counts down: a failure that cannot even be recorded (out of
         * memory) leaves its task without a finished stamp, and checkStamps fails the run.
         */
        private void taskFailed(int i, Throwable e) {
            try {
                if (failure.get() == null) {
                    Map<String, Object> at = AtFailure.collectSafely(cg);
                    failure.compareAndSet(null, new Failure(kindOf(e), "task " + i + " of " + tasks + " failed: " + e, at, e));
                }
            } catch (Throwable recording) {
                // see above
            }
        }

        /** A task could not be submitted: the counts are read before anything else happens. */
        void submitFailed(int i, Throwable e) {
            Map<String, Object> at = AtFailure.collectSafely(cg);
            failure.compareAndSet(null, new Failure(kindOf(e), e + " (after " + i + " of " + tasks + " tasks)", at, e));
        }
    }

    /** A pool's task: a pool thread runs many tasks, so each carries the window and its index (24 bytes). */
    static final class Task implements Runnable {
        private final Window window;
        private final int index;

        Task(Window window, int index) {
            this.window = window;
            this.index = index;
        }

        @Override
        public void run() {
            window.task(index);
        }
    }

    /** How an approach runs a task, made before the window; close() runs after it. */
    interface Launcher {
        /** Starts task i of w; its submitted stamp is already written. */
        void submit(Window w, int i);

        void close();
    }

    /**
     * threads: a platform thread per task ({@code new Thread(task).start()}); virtual-threads and
     * virtual-threads-pool: Executors.newVirtualThreadPerTaskExecutor()'s executor, a virtual thread
     * per task; threadpool / fixed-pool: a fixed pool of started threads (Pools.started).
     */
    static Launcher launcher(Config cfg) {
        return switch (cfg.approach()) {
            case "threads" -> new Launcher() {
                @Override
                public void submit(Window w, int i) {
                    Thread thread = new Thread(w.taskOfThread);
                    adoptTaskThread(w, thread, i);
                    thread.start();
                }

                @Override
                public void close() {}
            };
            // virtual-threads-pool's CPU pool is its body's (Workloads.Mixed)
            case "virtual-threads", "virtual-threads-pool" -> virtualThreadPerTask();
            case "threadpool" -> executor(Pools.started(cfg.poolSize()));
            case "fixed-pool" -> executor(Pools.started(cfg.workers()));
            default -> throw new IllegalArgumentException(cfg.approach());
        };
    }

    /**
     * Makes a new, unstarted thread task i's: records it for its index (it must be the next in creation
     * order) and gives it the window's failure path for what its task does not catch.
     */
    static void adoptTaskThread(Window w, Thread thread, int i) {
        int index = w.threadIndex.add(thread.threadId());
        if (index != i) {
            throw new IllegalStateException("the thread of task " + i + " was numbered as task " + index);
        }
        thread.setUncaughtExceptionHandler(w);
    }

    /**
     * Executors.newVirtualThreadPerTaskExecutor() is newThreadPerTaskExecutor(Thread.ofVirtual().factory());
     * this is the same executor, with a factory that adopts each new thread as its task's (adoptTaskThread;
     * the executor calls it on the submitting thread, before it starts the thread).
     */
    static Launcher virtualThreadPerTask() {
        ThreadFactory virtualThreads = Thread.ofVirtual().factory();
        return new Launcher() {
            private Window window;
            private int task;
            private final ExecutorService executor = Executors.newThreadPerTaskExecutor(runnable -> {
                Thread thread = virtualThreads.newThread(runnable);
                adoptTaskThread(window, thread, task);
                return thread;
            });

            @Override
            public void submit(Window w, int i) {
                window = w;
                task = i;
                executor.execute(w.taskOfThread);
            }

            @Override
            public void close() {
                executor.shutdown(); // every task has completed: the threads end without waiting
            }
        };
    }

    /** Any executor that runs queued tasks on threads it reuses: each task is a Task. */
    static Launcher executor(ExecutorService executor) {
        return new Launcher() {
            @Override
            public void submit(Window w, int i) {
                executor.execute(new Task(w, i));
            }

            @Override
            public void close() {
                executor.shutdown(); // every task has completed: the threads end without waiting
            }
        };
    }

    /** Submits every task without waiting for earlier ones; returns how many were submitted. */
    static int launch(Window w, Launcher launcher) {
        long t0 = w.t0;
        long[] submitted = w.submitted;
        for (int i = 0; i < w.tasks; i++) {
            submitted[i] = System.nanoTime() - t0;
            try {
                launcher.submit(w, i);
            } catch (Throwable e) {
                w.submitFailed(i, e);
                return i;
            }
        }
        return w.tasks;
    }

    /** One measured run; never throws (a bug becomes an internal error document). */
    static Result run(Config cfg) {
        Cgroup cg = Cgroup.self();
        Result res = new Result(cfg, environment(cg), JvmView.runtime());
        try {
            measure(cfg, cg, res);
        } catch (Throwable e) {
            res.fail(kindOf(e), e.toString(), AtFailure.collectSafely(cg), e);
        }
        return res;
    }

    private static void measure(Config cfg, Cgroup cg, Result res) throws InterruptedException {
        if (cfg.tasks() > Workloads.MAX_ARRAY) {
            res.fail(ERR_KIND_INTERNAL, "--tasks " + cfg.tasks() + " is more than the runner's stamp arrays hold ("
                    + Workloads.MAX_ARRAY + " tasks, the largest Java array)", AtFailure.collectSafely(cg), null);
            return;
        }
        int n = (int) cfg.tasks();
        Rusage rusage = Rusage.open(); // links getrusage: its classes and code belong before the baseline
        Window w;
        Launcher launcher;
        try {
            w = new Window(n, Workloads.of(cfg), cg);
            launcher = launcher(cfg);
        } catch (Throwable e) { // the stamps or a pool's threads could not be made
            res.fail(kindOf(e), e + " (before the window)", AtFailure.collectSafely(cg), e);
            return;
        }

        // --- before the window: reset the peaks, baselines. No System.gc() here: a full collection
        // would reshape the heap the window starts from (Serial GC shrinks it), which a user's program
        // does not do, and the window's peak then follows the regrowth (host bench: 8% above a bare
        // program at 100k and 1M virtual threads with it, 1-4% without; in a 4 GiB container the
        // peak follows where Serial GC's steps fall either way: runners/README.md, "Java").
        boolean hwmReset = ProcFs.resetPeakRss();
        ProcFs.Status before = ProcFs.readStatus();
        if (before == null) {
            res.fail(ERR_KIND_INTERNAL, "cannot read " + ProcFs.SELF_STATUS, AtFailure.collectSafely(cg), null);
            return;
        }
        Rusage.Usage ru0 = rusage.process();
        Long cgroupBaseline = cg.memoryUsage();
        ProcFs.Swap swap0 = ProcFs.readSwap();
        String startedAt = Instant.now().toString();

        // --- the window: from just before the first submission to the latch reaching zero.
        w.t0 = System.nanoTime();
        int submitted = launch(w, launcher);
        if (submitted < n) {
            res.startedAt = startedAt;
            Failure f = w.failure.get();
            res.fail(f.kind(), f.message(), f.atFailure(), f.cause());
            return; // the tasks already started are not waited for: the process exits
        }
        int threadsPost = ProcFs.readThreads(); // one read right after the last submission
        w.done.await();
        long total = System.nanoTime() - w.t0;

        // --- after the window.
        ProcFs.Swap swap1 = ProcFs.readSwap();
        Rusage.Usage ru1 = rusage.process();
        ProcFs.Status after = ProcFs.readStatus();
        Long cgroupPeak = cg.memoryPeak();
        JvmView.Heap heapAtEnd = JvmView.Heap.now();
        launcher.close();
        w.body.close();

        res.startedAt = startedAt;
        Failure f = w.failure.get();
        if (f != null) {
            res.fail(f.kind(), f.message(), f.atFailure(), f.cause());
            return;
        }
        if (after == null || ru0 == null || ru1 == null) {
            res.fail(ERR_KIND_INTERNAL, after == null ? "cannot read " + ProcFs.SELF_STATUS : "cannot read the CPU usage",
                    AtFailure.collectSafely(cg), null);
            return;
        }
        String bad = checkStamps(w);
        if (bad != null) {
            res.fail(ERR_KIND_INTERNAL, bad, AtFailure.collectSafely(cg), null);
            return;
        }
        // Every figure of the window is read: free its dead tasks before the statistics, the runtime
        // view and the document touch new memory (the process's max RSS stays the window's).
        System.gc();
        Map<String, Object> runtimeView = JvmView.afterWindow(heapAtEnd);

        double totalMs = Stats.ms(total);
        res.totalMs = totalMs;
        res.throughputPerS = total > 0 ? n / (total / 1e9) : 0.0;
        latencies(w, res);
        res.concurrency = concurrency(w); // last: sorts the stamps in place
        res.checksum = w.body.checksum();

        Rusage.Usage ru = ru1.minus(ru0);
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("user_s", Math.max(0, ru.userNs()) / 1e9);
        cpu.put("system_s", Math.max(0, ru.systemNs()) / 1e9);
        cpu.put("voluntary_ctx_switches", Math.max(0, ru.voluntary()));
        cpu.put("involuntary_ctx_switches", Math.max(0, ru.involuntary()));
        cpu.put("peak_threads", Math.max(1, Math.max(before.threads(), Math.max(threadsPost, after.threads()))));
        res.cpu = cpu;

        // VmHWM comes from the kernel's approximate RSS counter, VmRSS is exact: right after the reset
        // VmHWM can read a few pages below the baseline, so the peak is never below either VmRSS.
        long peakRss = ProcFs.peakRss(after.vmHwm(), before.vmRss(), after.vmRss());
        Map<String, Object> mem = new LinkedHashMap<>();
        mem.put("baseline_rss_bytes", before.vmRss());
        mem.put("peak_rss_bytes", peakRss);
        mem.put("per_task_bytes", (double) (peakRss - before.vmRss()) / n);
        mem.put("hwm_reset", hwmReset);
        mem.put("vm_peak_bytes", after.vmPeak() >= 0 ? after.vmPeak() : null);
        mem.put("cgroup_peak_bytes", cgroupPeak);
        mem.put("runtime", runtimeView);
        Map<String, Object> processes = new LinkedHashMap<>();
        processes.put("count", 1); // threads only: the runner's own VmHWM is the sum
        processes.put("peak_rss_sum_bytes", peakRss);
        mem.put("processes", processes);
        mem.put("cgroup_baseline_bytes", cgroupBaseline);
        res.memory = mem;

        Long[] swap = ProcFs.swapDelta(swap0, swap1);
        Rusage.Usage whole = rusage.process();
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("cgroup_cpu_s", cg.cpuUsageSeconds());
        checks.put("process_cpu_s", whole == null ? null : whole.cpuSeconds());
        checks.put("throttled_periods", cg.throttledPeriods());
        checks.put("throttled_s", cg.throttledSeconds());
        checks.put("swap_in_pages", swap[0]);
        checks.put("swap_out_pages", swap[1]);
        res.checks = checks;
    }

    /**
     * While the stamps are paired by task: every task that started has a finished stamp, and ends after
     * it started and after it was submitted; for mixed, it woke between its start and its end.
     */
    static String checkStamps(Window w) {
        for (int i = 0; i < w.tasks; i++) {
            if (w.finished[i] == 0 && w.started[i] > 0) { // a finished stamp is never 0 once the start's is not
                return "task " + i + " of " + w.tasks + " has no finished stamp: it was interrupted, or its failure"
                        + " could not be recorded";
            }
        }
        String bad = Stats.checkIntervals(w.started, w.finished);
        if (bad != null) {
            return "peak_running: " + bad;
        }
        if (w.woke != null) {
            bad = Stats.checkIntervals(w.started, w.woke);
            if (bad == null) {
                bad = Stats.checkIntervals(w.woke, w.finished);
            }
            if (bad != null) {
                return "woke: " + bad;
            }
        }
        bad = Stats.checkIntervals(w.submitted, w.finished);
        return bad == null ? null : "peak_in_flight: " + bad;
    }

    /**
     * latency_ms and wakeup_ms from the stamps still paired by task: one long[] of N holds each
     * latency in turn, sorted in place (for io the wake-up error comes from the sorted service times).
     */
    static void latencies(Window w, Result res) {
        int n = w.tasks;
        long[] lat = new long[n];
        long d = w.body.waitNs();
        if (w.woke != null) { // mixed: the wait is woke - started, apart from the CPU work after it
            for (int i = 0; i < n; i++) {
                lat[i] = w.woke[i] - w.started[i];
            }
            Arrays.sort(lat);
            res.wakeupMs = Stats.wakeupFromSorted(lat, d);
        }
        for (int i = 0; i < n; i++) {
            lat[i] = w.finished[i] - w.started[i];
        }
        Arrays.sort(lat);
        Stats.Summary service = Stats.summarizeSorted(lat);
        if (w.woke == null) { // for io, woke is the finished stamp
            res.wakeupMs = d >= 0 ? Stats.wakeupFromSorted(lat, d) : null;
        }
        for (int i = 0; i < n; i++) {
            lat[i] = w.finished[i] - w.submitted[i];
        }
        Arrays.sort(lat);
        Stats.Summary endToEnd = Stats.summarizeSorted(lat);
        Map<String, Object> cdf = new LinkedHashMap<>();
        cdf.put("service", service.cdf());
        cdf.put("end_to_end", endToEnd.cdf());
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("service", service.distribution());
        latency.put("end_to_end", endToEnd.distribution());
        latency.put("cdf", cdf);
        res.latencyMs = latency;
    }

    /** The concurrency block; sorts the stamps in place, so it comes after everything paired. */
    static Map<String, Object> concurrency(Window w) {
        long first = Long.MAX_VALUE, last = Long.MIN_VALUE;
        for (long s : w.submitted) {
            first = Math.min(first, s);
            last = Math.max(last, s);
        }
        if (first < 0) {
            throw new IllegalStateException("a task was submitted before the window opened (" + first + ")");
        }
        Arrays.sort(w.submitted);
        Arrays.sort(w.started);
        Arrays.sort(w.finished);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("peak_running", Stats.sweepPeak(w.started, w.finished));
        c.put("peak_in_flight", Stats.sweepPeak(w.submitted, w.finished));
        c.put("submit_ms", Stats.ms(last));
        return c;
    }

    /** environment: what the runner sees of its machine, read before the window. */
    static Map<String, Object> environment(Cgroup cg) {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("cpu_count", Runtime.getRuntime().availableProcessors());
        env.put("parallelism", JvmView.virtualThreadParallelism());
        ProcFs.Status st = ProcFs.readStatus();
        env.put("affinity", st == null ? null : st.cpusAllowed());
        String host = ProcFs.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname"));
        env.put("hostname", host == null || host.isBlank() ? null : host.strip());
        env.put("cgroup", cg.info());
        return env;
    }
}
