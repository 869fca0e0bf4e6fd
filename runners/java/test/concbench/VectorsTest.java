package concbench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Every shared vector file of schema/, replayed exactly through the runner's own code. */
final class VectorsTest {
    private VectorsTest() {}

    static Map<String, Object> vectors(String name) {
        return JsonParser.object(JsonParser.parse(TestPaths.REPO.resolve("schema").resolve(name)));
    }

    static void testPercentileVectors() {
        List<Object> cases = JsonParser.list(vectors("percentile_vectors.json").get("cases"));
        Check.isTrue(!cases.isEmpty(), "no cases in percentile_vectors.json");
        for (Object raw : cases) {
            Map<String, Object> c = JsonParser.object(raw);
            List<Object> samples = JsonParser.list(c.get("samples"));
            double[] sorted = new double[samples.size()];
            for (int i = 0; i < sorted.length; i++) {
                sorted[i] = JsonParser.num(samples.get(i));
            }
            Arrays.sort(sorted);
            Stats.Summary s = Stats.summarizeSorted(sorted);
            Map<String, Object> d = s.distribution();
            Map<String, Double> got = Map.of("p50", (Double) d.get("p50"), "p90", (Double) d.get("p90"),
                    "p99", (Double) d.get("p99"), "max", (Double) d.get("max"), "min", s.cdf()[0]);
            for (Map.Entry<String, Object> e : JsonParser.object(c.get("expected")).entrySet()) {
                Check.isTrue(got.containsKey(e.getKey()), c.get("name") + ": vector key " + e.getKey() + " is not produced");
                Check.equal(got.get(e.getKey()), JsonParser.num(e.getValue()), c.get("name") + " " + e.getKey());
            }
            Check.equal(s.cdf().length, 101, "cdf points");
            for (int p = 0; p <= 100; p++) {
                Check.equal(s.cdf()[p], sorted[Stats.nearestRankIndex(p, sorted.length)], c.get("name") + " cdf p" + p);
            }
            Check.equal(s.cdf()[100], d.get("max"), c.get("name") + ": cdf p100 is the max");
        }
    }

    static void testNearestRankIndex() {
        int[][] cases = {{0, 1, 0}, {50, 1, 0}, {100, 1, 0}, {0, 10, 0}, {1, 10, 0}, {10, 10, 0}, {11, 10, 1},
            {50, 10, 4}, {90, 10, 8}, {99, 10, 9}, {100, 10, 9}, {50, 101, 50}, {99, 101, 99}, {100, 101, 100},
            {50, 1000, 499}, {99, 1000, 989}, {99, 999, 989}, {99, Integer.MAX_VALUE, 2126008810}};
        for (int[] c : cases) {
            Check.equal(Stats.nearestRankIndex(c[0], c[1]), c[2], "nearestRankIndex(" + c[0] + ", " + c[1] + ")");
        }
    }

    /** The runner's path, integer ns to float ms: the same order statistics as float ms, an exact mean. */
    static void testSummarizeNanoseconds() {
        Stats.Summary ns = Stats.summarizeSorted(new long[] {10_000_001, 10_250_000, 12_000_002});
        Stats.Summary ms = Stats.summarizeSorted(new double[] {10.000001, 10.25, 12.000002});
        for (String k : List.of("p50", "p90", "p99", "max")) {
            Check.equal(ns.distribution().get(k), ms.distribution().get(k), k);
        }
        Check.equal(ns.cdf()[0], 10.000001, "min");
        Check.equal(ns.distribution().get("mean"), 10.750001, "mean");
        Check.equal(Stats.ms(10_123_456), 10.123456, "sub-millisecond kept");
    }

    static void testConcurrencyVectors() {
        List<Object> cases = JsonParser.list(vectors("concurrency_vectors.json").get("cases"));
        Check.isTrue(cases.size() >= 8, "only " + cases.size() + " cases in concurrency_vectors.json");
        for (Object raw : cases) {
            Map<String, Object> c = JsonParser.object(raw);
            List<Object> intervals = JsonParser.list(c.get("intervals"));
            long[] begins = new long[intervals.size()], ends = new long[intervals.size()];
            for (int i = 0; i < begins.length; i++) {
                List<Object> iv = JsonParser.list(intervals.get(i));
                begins[i] = ((Number) iv.get(0)).longValue();
                ends[i] = ((Number) iv.get(1)).longValue();
            }
            long[] revBegins = reversed(begins), revEnds = reversed(ends);
            long want = ((Number) c.get("expected")).longValue();
            Check.equal((long) Stats.peakOverlap(begins, ends), want, (String) c.get("name"));
            Check.equal((long) Stats.peakOverlap(revBegins, revEnds), want, c.get("name") + " (reversed input)");
        }
    }

    private static long[] reversed(long[] a) {
        long[] r = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[a.length - 1 - i];
        }
        return r;
    }

    static void testPeakOverlapEdges() {
        Check.equal(Stats.peakOverlap(new long[0], new long[0]), 0, "no intervals");
        Check.equal(Stats.peakOverlap(new long[] {5, 5}, new long[] {5, 5}), 1, "empty intervals: at least 1");
        try {
            Stats.peakOverlap(new long[] {10}, new long[] {5});
            Check.fail("an interval that ends before it begins was accepted");
        } catch (IllegalArgumentException expected) {
            // refused
        }
    }

    static void testWakeupVectors() {
        List<Object> vectors = JsonParser.list(vectors("wakeup_vectors.json").get("vectors"));
        Check.isTrue(vectors.size() >= 4, "only " + vectors.size() + " wake-up vectors");
        for (Object raw : vectors) {
            Map<String, Object> v = JsonParser.object(raw);
            List<Object> started = JsonParser.list(v.get("started_ns")), woke = JsonParser.list(v.get("woke_ns"));
            long[] waits = new long[started.size()];
            for (int i = 0; i < waits.length; i++) {
                waits[i] = ((Number) woke.get(i)).longValue() - ((Number) started.get(i)).longValue();
            }
            Arrays.sort(waits);
            Map<String, Object> got = Stats.wakeupFromSorted(waits, Stats.waitNs(JsonParser.num(v.get("io_ms"))));
            Map<String, Object> expected = JsonParser.object(v.get("expected"));
            Check.equal(got.keySet(), expected.keySet(), v.get("name") + ": keys");
            for (String k : expected.keySet()) {
                Check.equal(((Number) got.get(k)).doubleValue(), JsonParser.num(expected.get(k)), v.get("name") + " " + k);
            }
        }
    }

    static void testWaitNs() {
        Check.equal(Stats.waitNs(10), 10_000_000L, "10 ms");
        Check.equal(Stats.waitNs(0.5), 500_000L, "0.5 ms");
        Check.equal(Stats.waitNs(0.0000005), 0L, "half a nanosecond rounds to even (0)");
        Check.equal(Stats.waitNs(0.0000015), 2L, "1.5 ns rounds to even (2)");
        Check.equal(Stats.waitNs(Config.MAX_IO_MS), 2147483647_000_000L, "the contract's maximum fits");
    }

    static final Set<String> CGROUP_KEYS = Set.of("version", "cpu_quota_cores", "cpuset", "memory_limit_bytes",
            "cgroup_peak_bytes", "cgroup_usage_bytes", "cpu_usage_s", "throttled_periods", "throttled_s",
            "pids_current", "pids_max");

    static void testCgroupVectors() throws IOException {
        List<Object> cases = JsonParser.list(vectors("cgroup_vectors.json").get("cases"));
        Check.isTrue(cases.size() >= 10, "only " + cases.size() + " cases in cgroup_vectors.json");
        for (Object raw : cases) {
            Map<String, Object> c = JsonParser.object(raw);
            Path scratch = Files.createTempDirectory("cgroup-vector");
            try {
                replayCgroupVector(c, scratch.resolve("fs"));
            } finally {
                deleteTree(scratch);
            }
        }
    }

    static void deleteTree(Path top) throws IOException {
        try (var paths = Files.walk(top)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static void replayCgroupVector(Map<String, Object> c, Path root) throws IOException {
        Files.createDirectories(root);
        for (Map.Entry<String, Object> f : JsonParser.object(c.get("files")).entrySet()) {
            Path p = root.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, (String) f.getValue(), StandardCharsets.UTF_8);
        }
        Cgroup cg = new Cgroup(root, (String) c.get("proc_self_cgroup"));
        Map<String, Object> info = cg.info();
        Map<String, Object> got = new java.util.HashMap<>(info);
        got.put("cgroup_peak_bytes", cg.memoryPeak());
        got.put("cgroup_usage_bytes", cg.memoryUsage());
        got.put("cpu_usage_s", cg.cpuUsageSeconds());
        got.put("throttled_periods", cg.throttledPeriods());
        got.put("throttled_s", cg.throttledSeconds());
        got.put("pids_current", cg.pidsCurrent());
        got.put("pids_max", cg.pidsMax());
        Map<String, Object> expected = JsonParser.object(c.get("expected"));
        for (String k : expected.keySet()) {
            Check.isTrue(CGROUP_KEYS.contains(k), c.get("name") + ": expected key " + k + " is not replayed");
        }
        for (String k : expected.keySet()) {
            Object want = expected.get(k), have = got.get(k);
            String where = c.get("name") + ": " + k;
            if (want == null || have == null) {
                Check.equal(have, want, where);
            } else if (want instanceof String s) {
                Check.equal(have, s, where);
            } else {
                Check.equal(((Number) have).doubleValue(), JsonParser.num(want), where);
            }
        }
    }

    static void testFnv1aVectors() {
        Map<String, Object> v = vectors("fnv1a_vectors.json");
        for (Object raw : JsonParser.list(v.get("known_answers"))) {
            Map<String, Object> k = JsonParser.object(raw);
            int h = Workloads.fnv1a32(((String) k.get("ascii")).getBytes(StandardCharsets.US_ASCII));
            Check.equal(String.format("%08x", h), k.get("hex"), "FNV-1a of '" + k.get("ascii") + "'");
        }
        List<Object> vectors = JsonParser.list(v.get("vectors"));
        Check.isTrue(vectors.size() >= 5, "only " + vectors.size() + " FNV-1a vectors");
        for (Object raw : vectors) {
            Map<String, Object> k = JsonParser.object(raw);
            int index = ((Number) k.get("index")).intValue(), bytes = ((Number) k.get("loop_bytes")).intValue();
            Check.equal(String.format("%08x", Workloads.fnv1a32(Workloads.payload(index, bytes))), k.get("hex"),
                    "task " + index + " of " + bytes + " bytes");
        }
    }

    static void testPayloadWraps() {
        byte[] p = Workloads.payload(250, 10);
        Check.equal(p[5] & 0xff, 255, "byte 5 of payload_250");
        Check.equal(p[6] & 0xff, 0, "byte 6 of payload_250 wraps");
        byte[] big = Workloads.payload(Integer.MAX_VALUE, 3);
        Check.equal(big[0] & 0xff, (int) (((long) Integer.MAX_VALUE) % 256), "payload of the largest index");
        Check.equal(big[1] & 0xff, (int) ((Integer.MAX_VALUE + 1L) % 256), "payload past int overflow");
        byte[] in = Workloads.taskInput(3, 4, 3);
        Check.equal(Arrays.toString(in), "[3, 4, 5, 6, 3, 4, 5, 6, 3, 4, 5, 6]", "payload_3 * 3");
    }
}
