package concbench;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.time.Duration;

/**
 * Real runs in this JVM, every approach on its workloads: each document is schema-valid and keeps
 * the logical bounds, never absolute times (service p50 >= D, total < N*D/10 for the unbounded io
 * approaches, a pool's peak_running <= its size, end-to-end p99 >= (N/P)*D - submit_ms...).
 */
final class RunTest {
    private RunTest() {}

    static final SchemaValidator VALIDATOR = SchemaValidator.composed();

    static Map<String, Object> run(String... args) throws Exception {
        Config cfg = Config.parse(args);
        Result res = Benchmark.run(cfg);
        Check.isTrue(res.ok(), List.of(args) + ": " + res.error);
        Map<String, Object> doc = JsonParser.object(JsonParser.parse(Json.write(res.toMap())));
        checkCommon(doc, cfg.tasks());
        return doc;
    }

    static Map<String, Object> obj(Map<String, Object> m, String... path) {
        Map<String, Object> cur = m;
        for (String p : path) {
            cur = JsonParser.object(cur.get(p));
        }
        return cur;
    }

    static double num(Map<String, Object> m, String key) {
        return JsonParser.num(m.get(key));
    }

    static double[] cdf(Map<String, Object> doc, String view) {
        List<Object> l = JsonParser.list(obj(doc, "latency_ms", "cdf").get(view));
        double[] out = new double[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = JsonParser.num(l.get(i));
        }
        return out;
    }

    /** What holds for every ok run, whatever the machine. */
    static void checkCommon(Map<String, Object> doc, long n) {
        List<String> errors = VALIDATOR.errors(doc);
        Check.isTrue(errors.isEmpty(), "not valid against the composed schema: " + errors);
        Check.equal(doc.get("status"), "ok", "status");
        double total = num(doc, "total_ms");
        Check.isTrue(total > 0 && num(doc, "throughput_per_s") > 0, "total and throughput positive");
        Check.isTrue(Math.abs(n / (total / 1000) - num(doc, "throughput_per_s")) <= 1e-6 * num(doc, "throughput_per_s"),
                "throughput = N / total");
        double[] service = cdf(doc, "service"), e2e = cdf(doc, "end_to_end");
        Check.equal(service.length, 101, "cdf points");
        for (int p = 0; p <= 100; p++) {
            Check.isTrue(e2e[p] >= service[p], "cdf p" + p + ": end_to_end " + e2e[p] + " < service " + service[p]);
            Check.isTrue(p == 0 || service[p] >= service[p - 1], "service cdf not monotonic at p" + p);
        }
        Check.isTrue(num(obj(doc, "latency_ms", "end_to_end"), "max") <= total, "the window holds every task");
        Map<String, Object> mem = obj(doc, "memory");
        long baseline = ((Number) mem.get("baseline_rss_bytes")).longValue(), peak = ((Number) mem.get("peak_rss_bytes")).longValue();
        // peak_rss is never below the baseline by construction (ProcFs.peakRss).
        Check.isTrue(baseline > 0 && peak >= baseline, "peak_rss " + peak + " < baseline_rss " + baseline);
        Check.equal(num(mem, "per_task_bytes"), (double) (peak - baseline) / n, "per_task_bytes");
        Check.equal(obj(mem, "processes").get("count"), 1L, "one process");
        Check.equal(((Number) obj(mem, "processes").get("peak_rss_sum_bytes")).longValue(), peak, "the sum is the own peak");
        Check.equal(mem.get("cgroup_baseline_bytes") == null, mem.get("cgroup_peak_bytes") == null,
                "cgroup baseline there exactly when the cgroup peak is");
        Map<String, Object> rt = obj(mem, "runtime");
        Check.isTrue(num(rt, "maxMemory") > 0 && num(rt, "heapPeak") > 0 && num(rt, "heapCommitted") > 0, "runtime view: " + rt);
        Check.isTrue(rt.get("gc") instanceof String && rt.get("jvmFlags") instanceof List, "gc and flags recorded: " + rt);
        for (Map.Entry<String, Object> e : rt.entrySet()) {
            Check.isTrue(!(e.getValue() instanceof Number) || num(rt, e.getKey()) >= 0, "runtime." + e.getKey() + " is bytes");
        }
        Map<String, Object> cpu = obj(doc, "cpu");
        double used = num(cpu, "user_s") + num(cpu, "system_s");
        Check.isTrue(used > 0 && num(cpu, "peak_threads") >= 2, "cpu: " + cpu);
        Map<String, Object> c = obj(doc, "concurrency");
        Check.isTrue(1 <= num(c, "peak_running") && num(c, "peak_running") <= num(c, "peak_in_flight") && num(c, "peak_in_flight") <= n,
                "1 <= peak_running <= peak_in_flight <= N: " + c);
        Check.isTrue(0 <= num(c, "submit_ms") && num(c, "submit_ms") <= total, "0 <= submit_ms <= total_ms: " + c);
        Check.equal(obj(doc, "runtime").get("name"), "java", "runtime name");
        Check.equal(obj(doc, "runtime").get("version"), System.getProperty("java.runtime.version"), "runtime version");
        Map<String, Object> env = obj(doc, "environment");
        Check.isTrue(num(env, "cpu_count") >= 1 && num(env, "parallelism") >= 1, "environment: " + env);
        Object processCpu = obj(doc, "checks").get("process_cpu_s");
        Check.isTrue(processCpu != null && JsonParser.num(processCpu) >= used, "process_cpu_s covers the window's CPU");
    }

    static void checkIo(Map<String, Object> doc, double d) {
        double[] service = cdf(doc, "service");
        Check.isTrue(service[0] >= d && num(obj(doc, "latency_ms", "service"), "p50") >= d,
                "Thread.sleep never returns early: service min " + service[0] + " < D " + d);
        Map<String, Object> w = obj(doc, "wakeup_ms");
        Check.equal(w.get("early_tasks"), 0L, "early tasks");
        Check.isTrue(num(w, "earliest") >= 0 && num(w, "earliest") <= num(w, "p50") && num(w, "p50") <= num(w, "p99")
                && num(w, "p99") <= num(w, "latest"), "wakeup_ms ordered: " + w);
        Check.isTrue(Math.abs(num(w, "latest") - (num(obj(doc, "latency_ms", "service"), "max") - d)) < 1e-6,
                "for io, woke is the finished stamp: latest = service max - D");
        Check.equal(doc.get("checksum"), null, "checksum of io");
        Check.equal(num(obj(doc, "workload"), "io_ms"), d, "workload.io_ms");
    }

    /**
     * Concurrent, not sequential: total < N*D/10. Virtual threads at the article's N = 1000, D = 10 ms;
     * platform threads at N = 300, D = 50 ms, since starting a platform thread can take a good part
     * of a millisecond on a busy machine (the bound is the same ratio).
     */
    static void testIoUnbounded() throws Exception {
        for (String[] c : List.of(new String[] {"virtual-threads", "1000", "10"}, new String[] {"threads", "300", "50"})) {
            String approach = c[0];
            int n = Integer.parseInt(c[1]);
            double d = Double.parseDouble(c[2]);
            Map<String, Object> doc = run("--approach", approach, "--tasks", c[1], "--io-ms", c[2]);
            checkIo(doc, d);
            Check.isTrue(num(doc, "total_ms") < n * d / 10.0, approach + ": total " + num(doc, "total_ms")
                    + " >= N*D/10: the tasks did not wait concurrently");
            Check.equal(obj(doc, "workload").get("pool_size"), null, "pool_size");
            Check.equal(obj(doc, "workload").get("workers"), null, "workers");
        }
    }

    static void testIoSubMillisecond() throws Exception {
        checkIo(run("--approach", "virtual-threads", "--tasks", "50", "--io-ms", "0.5"), 0.5);
    }

    /** threadpool(P): at most P running; each thread runs N/P waits in turn. */
    static void testIoThreadpool() throws Exception {
        int n = 200, p = 20;
        double d = 10;
        Map<String, Object> doc = run("--approach", "threadpool", "--tasks", "" + n, "--io-ms", "10", "--pool-size", "" + p);
        checkIo(doc, d);
        Map<String, Object> c = obj(doc, "concurrency");
        Check.isTrue(num(c, "peak_running") <= p, "peak_running " + num(c, "peak_running") + " > pool size " + p);
        Check.isTrue(num(doc, "total_ms") >= (double) n / p * d, "total below (N/P)*D");
        double p99 = num(obj(doc, "latency_ms", "end_to_end"), "p99");
        Check.isTrue(p99 >= (double) n / p * d - num(c, "submit_ms"), "end_to_end p99 " + p99 + " < (N/P)*D - submit_ms");
        Check.isTrue(num(obj(doc, "cpu"), "peak_threads") >= p + 1, "the pool's threads exist");
        Check.equal(obj(doc, "workload").get("pool_size"), (long) p, "pool_size");
        Check.equal(obj(doc, "workload").get("workers"), null, "workers");
    }

    /** sha256(payload_i * R), computed independently by streaming the payload R times. */
    static String streamed(int i, int payloadBytes, int repeat) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] p = Workloads.payload(i, payloadBytes);
        for (int r = 0; r < repeat; r++) {
            md.update(p);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static void testCpuChecksum() throws Exception {
        for (String approach : List.of("threads", "virtual-threads", "fixed-pool")) {
            Map<String, Object> doc = run("--workload", "cpu", "--approach", approach, "--tasks", "50", "--repeat", "1000",
                    "--workers", "3");
            Check.equal(doc.get("checksum"), streamed(0, 64, 1000), approach + " checksum");
            Check.equal(doc.get("wakeup_ms"), null, "wakeup_ms of cpu");
            Map<String, Object> w = obj(doc, "workload");
            Check.equal(w.get("repeat"), 1000L, "repeat");
            Check.equal(w.get("payload_bytes"), 64L, "payload_bytes");
            Check.isTrue(!w.containsKey("io_ms") && !w.containsKey("loop_bytes"), "other workloads' options left out");
            Check.equal(w.get("workers"), approach.equals("fixed-pool") ? (Object) 3L : null, "workers");
            if (approach.equals("fixed-pool")) {
                Check.isTrue(num(obj(doc, "concurrency"), "peak_running") <= 3, "a pool of 3 runs at most 3");
            }
        }
    }

    /** The article's cpu case (64 B x 10000): the checksum every language prints. */
    static void testCpuChecksumAcrossLanguages() throws Exception {
        Map<String, Object> doc = run("--workload", "cpu", "--approach", "fixed-pool", "--tasks", "4");
        Check.equal(doc.get("checksum"), "88e129d23f9663e31d2354f0fbbb130ba62777172808fa41ceee626641b4d50d", "checksum");
    }

    /** Task 0's FNV-1a hash of 16,384 bytes, from the shared vectors: the cpu-loop and mixed checksum. */
    static String fnvChecksumOfTask0() throws Exception {
        for (Object raw : JsonParser.list(VectorsTest.vectors("fnv1a_vectors.json").get("vectors"))) {
            Map<String, Object> v = JsonParser.object(raw);
            if (((Number) v.get("index")).intValue() == 0 && ((Number) v.get("loop_bytes")).intValue() == 16384) {
                return (String) v.get("hex");
            }
        }
        throw new AssertionError("no vector for task 0 at 16384 bytes");
    }

    static void testCpuLoop() throws Exception {
        String hex = fnvChecksumOfTask0();
        for (String approach : List.of("threads", "virtual-threads", "fixed-pool")) {
            Map<String, Object> doc = run("--workload", "cpu-loop", "--approach", approach, "--tasks", "40");
            Check.equal(doc.get("checksum"), hex, approach + " checksum");
            Check.equal(obj(doc, "workload").get("loop_bytes"), 16384L, "loop_bytes");
            Check.equal(doc.get("wakeup_ms"), null, "wakeup_ms of cpu-loop");
        }
    }

    /**
     * mixed: each task waits D, wakes, then does cpu-loop's work, in its own thread or (virtual-threads-pool)
     * in the CPU pool: task 0's hash is cpu-loop's, the wait never returns early, and the wake-up error is
     * measured on the wait alone (woke - started), so its latest is below the service time's largest excess over D.
     */
    static void testMixed() throws Exception {
        String hex = fnvChecksumOfTask0();
        for (String approach : List.of("threads", "virtual-threads", "threadpool", "virtual-threads-pool")) {
            Map<String, Object> doc = run("--workload", "mixed", "--approach", approach, "--tasks", "60", "--io-ms", "10",
                    "--pool-size", "10", "--workers", "2");
            Check.equal(doc.get("status"), "ok", approach + " status: " + doc.get("error"));
            Check.equal(doc.get("checksum"), hex, approach + " checksum");
            Map<String, Object> w = obj(doc, "workload");
            Check.equal(num(w, "io_ms"), 10.0, approach + " io_ms");
            Check.equal(w.get("loop_bytes"), 16384L, approach + " loop_bytes");
            Check.equal(w.get("pool_size"), approach.equals("threadpool") ? (Object) 10L : null, approach + " pool_size");
            Check.equal(w.get("workers"), approach.equals("virtual-threads-pool") ? (Object) 2L : null, approach + " workers");
            Map<String, Object> wake = obj(doc, "wakeup_ms");
            Check.equal(wake.get("early_tasks"), 0L, approach + " early tasks");
            Map<String, Object> service = obj(doc, "latency_ms", "service");
            Check.isTrue(cdf(doc, "service")[0] >= 10.0, approach + ": a task's service time includes its whole wait");
            // Every task's CPU part takes time after it woke, so the largest wait is below the largest service time.
            Check.isTrue(num(wake, "latest") < num(service, "max") - 10.0,
                    approach + ": the wake-up error leaves out the CPU work after the wait: " + wake + " vs " + service);
        }
    }

    /** Every task's hash is computed and kept (so the loop cannot be dropped as dead code). */
    static void testCpuLoopKeepsEveryHash() throws Exception {
        Workloads.FnvLoop body = new Workloads.FnvLoop(300, 30);
        Benchmark.Window w = new Benchmark.Window(30, body, Cgroup.self());
        ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor();
        w.t0 = System.nanoTime();
        Check.equal(Benchmark.launch(w, Benchmark.executor(ex)), 30, "submitted");
        w.done.await();
        ex.close();
        for (int i = 0; i < 30; i++) {
            Check.equal(body.hash(i), Workloads.fnv1a32(Workloads.payload(i, 300)), "hash of task " + i);
        }
    }

    /**
     * Bookkeeping: submitting a thread-per-task task allocates what a bare program's submission
     * allocates (bench/bare/Bare.java: one shared Runnable, the thread the approach makes), however
     * large N (runners/README.md, "Runner bookkeeping"): the runner makes no object per task. Measured
     * on the submitting thread, where the threads are made.
     */
    static void testThreadPerTaskSubmissionAllocatesAsABareTask() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Config cfg = Config.parse(new String[] {"--approach", "virtual-threads", "--tasks", "20000", "--io-ms", "200"});
        int n = (int) cfg.tasks();
        // The fewest bytes over the rounds after the first (which loads and compiles both paths): a JIT that
        // deoptimizes during one round's submissions allocates what it had eliminated, an object per task
        // allocates in every round.
        long runner = Long.MAX_VALUE, bare = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            Benchmark.Window w = new Benchmark.Window(n, Workloads.of(cfg), Cgroup.self());
            Benchmark.Launcher launcher = Benchmark.launcher(cfg);
            w.t0 = System.nanoTime();
            long a0 = threads.getCurrentThreadAllocatedBytes();
            Check.equal(Benchmark.launch(w, launcher), n, "submitted");
            long runnerRound = threads.getCurrentThreadAllocatedBytes() - a0;
            w.done.await();
            launcher.close();
            Check.isTrue(w.failure.get() == null, "failure: " + w.failure.get());

            ExecutorService bareEx = Executors.newVirtualThreadPerTaskExecutor();
            CountDownLatch latch = new CountDownLatch(n);
            Duration d = Duration.ofMillis(200);
            Runnable task = () -> {
                try {
                    Thread.sleep(d);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                latch.countDown();
            };
            long b0 = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < n; i++) {
                bareEx.execute(task);
            }
            long bareRound = threads.getCurrentThreadAllocatedBytes() - b0;
            latch.await();
            bareEx.close();
            if (round > 0) {
                runner = Math.min(runner, runnerRound);
                bare = Math.min(bare, bareRound);
            }
        }
        // A 16-byte object per task would be 320,000 bytes over the bare program's.
        Check.isTrue(runner <= bare * 1.01 + 4096, "runner submissions allocate " + (double) runner / n
                + " bytes per task, a bare program " + (double) bare / n);
    }

    /** Every task of a thread-per-task approach finds its own index: each stamp pair is its task's. */
    static void testThreadPerTaskIndicesAreTheTasks() throws Exception {
        for (String approach : List.of("threads", "virtual-threads")) {
            Config cfg = Config.parse(new String[] {"--workload", "cpu-loop", "--approach", approach, "--tasks", "500",
                    "--loop-bytes", "64"});
            Workloads.FnvLoop body = new Workloads.FnvLoop(64, 500);
            Benchmark.Window w = new Benchmark.Window(500, body, Cgroup.self());
            Benchmark.Launcher launcher = Benchmark.launcher(cfg);
            w.t0 = System.nanoTime();
            Check.equal(Benchmark.launch(w, launcher), 500, approach + " submitted");
            w.done.await();
            launcher.close();
            Check.isTrue(w.failure.get() == null, approach + " failure: " + w.failure.get());
            for (int i = 0; i < 500; i++) {
                Check.equal(body.hash(i), Workloads.fnv1a32(Workloads.payload(i, 64)), approach + " hash of task " + i);
                Check.isTrue(w.submitted[i] <= w.started[i] && w.started[i] <= w.finished[i],
                        approach + " stamps of task " + i + ": " + w.submitted[i] + " " + w.started[i] + " " + w.finished[i]);
            }
        }
    }
}
