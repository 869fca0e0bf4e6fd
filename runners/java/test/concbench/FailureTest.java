package concbench;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Failures the runner catches become a status error document (exit 1) with error.at_failure read
 * where they were handled: a task the JVM cannot start, a task that throws, the heap running out
 * in a task, an impossible N.
 */
final class FailureTest {
    private FailureTest() {}

    static final String NATIVE_THREAD =
            "unable to create native thread: possibly out of memory or process/resource limits reached";

    static void checkErrorDocument(Result res, String kind) {
        Check.isTrue(!res.ok(), "status error");
        Check.equal(res.error.get("kind"), kind, "error.kind");
        Map<String, Object> doc = JsonParser.object(JsonParser.parse(Json.write(res.toMap())));
        List<String> errors = RunTest.VALIDATOR.errors(doc);
        Check.isTrue(errors.isEmpty(), "error document not valid: " + errors);
        for (String absent : List.of("concurrency", "wakeup_ms", "checks")) {
            Check.isTrue(!doc.containsKey(absent), absent + " in an error document");
        }
        for (String nulled : List.of("total_ms", "throughput_per_s", "latency_ms", "memory", "cpu", "checksum")) {
            Check.isTrue(doc.containsKey(nulled) && doc.get(nulled) == null, nulled + " not null in an error document");
        }
        Map<String, Object> at = JsonParser.object(JsonParser.object(doc.get("error")).get("at_failure"));
        Check.isTrue(((Number) at.get("threads")).longValue() >= 1 && ((Number) at.get("rss_bytes")).longValue() > 0,
                "at_failure counts: " + at);
        Map<String, Object> limits = JsonParser.object(at.get("limits"));
        Check.isTrue(((Number) limits.get("pid_max")).longValue() >= 10, "pid_max read whole: " + limits);
    }

    static void testKindOf() {
        Check.equal(Benchmark.kindOf(new OutOfMemoryError(NATIVE_THREAD)), Benchmark.ERR_KIND_RESOURCE_EXHAUSTED, "native thread");
        Check.equal(Benchmark.kindOf(new OutOfMemoryError("unable to create new native thread")),
                Benchmark.ERR_KIND_RESOURCE_EXHAUSTED, "older JVMs' wording");
        Check.equal(Benchmark.kindOf(new OutOfMemoryError("Java heap space")), Benchmark.ERR_KIND_OUT_OF_MEMORY, "heap");
        Check.equal(Benchmark.kindOf(new OutOfMemoryError()), Benchmark.ERR_KIND_OUT_OF_MEMORY, "no message");
        Check.equal(Benchmark.kindOf(new IllegalStateException("x")), Benchmark.ERR_KIND_INTERNAL, "anything else");
    }

    /** The JVM refuses a platform thread at task 3: submission stops there and the counts are read. */
    static void testSubmissionFailure() throws Exception {
        Config cfg = Config.parse(new String[] {"--approach", "threads", "--tasks", "10", "--io-ms", "5"});
        Benchmark.Window w = new Benchmark.Window(10, Workloads.of(cfg), Cgroup.self());
        ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor();
        Benchmark.Launcher refusing = new Benchmark.Launcher() {
            int started;

            @Override
            public void submit(Benchmark.Window window, int i) {
                if (started == 3) {
                    throw new OutOfMemoryError(NATIVE_THREAD);
                }
                started++;
                ex.execute(new Benchmark.Task(window, i));
            }

            @Override
            public void close() {
                ex.close();
            }
        };
        w.t0 = System.nanoTime();
        Check.equal(Benchmark.launch(w, refusing), 3, "submitted before the refusal");
        Benchmark.Failure f = w.failure.get();
        Check.isTrue(f != null && f.message().endsWith("(after 3 of 10 tasks)"), "failure: " + f);
        Result res = new Result(cfg, Benchmark.environment(Cgroup.self()), JvmView.runtime());
        res.fail(f.kind(), f.message(), f.atFailure(), f.cause());
        checkErrorDocument(res, Benchmark.ERR_KIND_RESOURCE_EXHAUSTED);
        refusing.close();
    }

    /** Every task throws (payload_bytes * repeat beyond one Java array): internal, through the real entry point. */
    static void testTaskFailureThroughMain() {
        ConfigTest.Outcome o = ConfigTest.realMain("--workload", "cpu", "--approach", "virtual-threads", "--tasks", "3",
                "--payload-bytes", "1048576", "--repeat", "4096");
        Check.equal(o.code(), Main.EXIT_RUN_FAILED, "exit code");
        Check.isTrue(o.stdout().endsWith("\n") && o.stdout().indexOf('\n') == o.stdout().length() - 1, "one document line");
        Map<String, Object> doc = JsonParser.object(JsonParser.parse(o.stdout()));
        Check.equal(JsonParser.object(doc.get("error")).get("kind"), Benchmark.ERR_KIND_INTERNAL, "kind");
        Check.isTrue(((String) JsonParser.object(doc.get("error")).get("message")).contains("more than one Java array holds"),
                "message names the cause: " + doc.get("error"));
        Check.isTrue(RunTest.VALIDATOR.errors(doc).isEmpty(), "schema: " + RunTest.VALIDATOR.errors(doc));
        Check.isTrue(o.stderr().startsWith("runner: internal: task "), "stderr: " + o.stderr());
    }

    /** The heap running out inside a task is caught there, and the window still closes. */
    static void testOutOfMemoryInATask() throws Exception {
        Config cfg = Config.parse(new String[] {"--approach", "virtual-threads", "--tasks", "20"});
        Workloads.Body failing = new Workloads.Body() {
            @Override
            public void run(int i) {
                if (i == 7) {
                    throw new OutOfMemoryError("Java heap space");
                }
            }

            @Override
            public String checksum() {
                return null;
            }

            @Override
            public long waitNs() {
                return 0;
            }
        };
        Benchmark.Window w = new Benchmark.Window(20, failing, Cgroup.self());
        ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor();
        w.t0 = System.nanoTime();
        Check.equal(Benchmark.launch(w, Benchmark.executor(ex)), 20, "all submitted");
        w.done.await(); // every task counts down, the failing one too
        ex.close();
        Benchmark.Failure f = w.failure.get();
        Check.isTrue(f != null && f.message().startsWith("task 7 of 20 failed: java.lang.OutOfMemoryError"), "failure: " + f);
        Result res = new Result(cfg, Benchmark.environment(Cgroup.self()), JvmView.runtime());
        res.fail(f.kind(), f.message(), f.atFailure(), f.cause());
        checkErrorDocument(res, Benchmark.ERR_KIND_OUT_OF_MEMORY);
    }

    /** Starts n task threads of w as the launchers make them (adoptTaskThread), numbered 0 to n - 1. */
    static Thread[] startTaskThreads(Benchmark.Window w, int n) {
        Thread[] threads = new Thread[n];
        for (int i = 0; i < n; i++) {
            threads[i] = new Thread(w.taskOfThread);
            Benchmark.adoptTaskThread(w, threads[i], i);
        }
        for (Thread t : threads) {
            t.start();
        }
        return threads;
    }

    /**
     * An interrupted sleep of the io task of a thread per task (task 1 of 3) leaves that task without a
     * finished stamp: it still counts down, and checkStamps fails the run naming it.
     */
    static void testInterruptedIoTaskOfAThread() throws Exception {
        Benchmark.Window w = new Benchmark.Window(3, new Workloads.Io(Stats.waitNs(200)), Cgroup.self());
        w.t0 = System.nanoTime();
        Thread[] threads = startTaskThreads(w, 3);
        threads[1].interrupt();
        Check.isTrue(w.done.await(30, TimeUnit.SECONDS), "the interrupted task counts down too");
        Check.isTrue(w.finished[0] >= w.started[0] + Stats.waitNs(200) && w.finished[2] > 0, "the others finished");
        Check.equal(w.finished[1], 0L, "the interrupted task has no finished stamp");
        String bad = Benchmark.checkStamps(w);
        Check.isTrue(bad != null && bad.startsWith("task 1 of 3 has no finished stamp"), "checkStamps: " + bad);
    }

    /**
     * What the io task of a thread per task does not catch goes to its thread's handler, its window, which
     * records it under the thread's index and counts down: here the second of two threads adopted by a window
     * of one task, whose stamp finds no task of the window; the first is never started, so only the handler
     * can bring the latch to zero.
     */
    static void testIoTaskOfAThreadThatThrows() throws Exception {
        Benchmark.Window w = new Benchmark.Window(1, new Workloads.Io(Stats.waitNs(50)), Cgroup.self());
        w.t0 = System.nanoTime();
        Thread first = new Thread(w.taskOfThread);
        Thread second = new Thread(w.taskOfThread);
        Benchmark.adoptTaskThread(w, first, 0);
        Benchmark.adoptTaskThread(w, second, 1);
        Check.isTrue(second.getUncaughtExceptionHandler() == w, "an adopted thread's handler is its window");
        second.start();
        Check.isTrue(w.done.await(30, TimeUnit.SECONDS), "the failing task counts down through its handler");
        Benchmark.Failure f = w.failure.get();
        Check.isTrue(f != null && f.message().startsWith("task 1 of 1 failed: java.lang.IllegalStateException")
                && f.message().contains("runs no task of this window (index 1)"), "failure: " + f);
    }

    /** An N beyond one Java array is accepted on the command line and refused at run time, with a document. */
    static void testTasksBeyondAnArray() throws Exception {
        Result res = Benchmark.run(Config.parse(new String[] {"--approach", "virtual-threads", "--tasks", "3000000000"}));
        checkErrorDocument(res, Benchmark.ERR_KIND_INTERNAL);
        Check.isTrue(((String) res.error.get("message")).contains("largest Java array"), "message: " + res.error);
    }
}
