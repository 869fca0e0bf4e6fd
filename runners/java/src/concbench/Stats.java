package concbench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What is computed from the stamps after the window (runners/README.md, "Measurement rules"):
 * nearest-rank percentiles and the 101-point CDF, the wake-up error, peak concurrency. Samples are
 * integer nanoseconds (the runner) or float milliseconds (the shared vectors); nothing here
 * allocates per task.
 */
final class Stats {
    private Stats() {}

    /** 0-based index of the p-th percentile of n sorted samples: rank = max(1, (p*n + 99) / 100). */
    static int nearestRankIndex(int p, int n) {
        long rank = ((long) p * n + 99) / 100;
        if (rank < 1) {
            rank = 1;
        }
        if (rank > n) {
            rank = n;
        }
        return (int) (rank - 1);
    }

    static double ms(long ns) {
        return ns / 1e6;
    }

    /** A distribution (p50, p90, p99, max, mean) and its CDF p0..p100, all in float ms. */
    record Summary(Map<String, Object> distribution, double[] cdf) {}

    /** Summary of ascending integer-ns samples; the mean is exact (the sum stays far below 2^63). */
    static Summary summarizeSorted(long[] sorted) {
        int n = sorted.length;
        long sum = 0;
        for (long v : sorted) {
            sum += v;
        }
        double[] cdf = new double[101];
        for (int p = 0; p <= 100; p++) {
            cdf[p] = ms(sorted[nearestRankIndex(p, n)]);
        }
        return new Summary(distribution(cdf, ms(sorted[n - 1]), ms(sum) / n), cdf);
    }

    /** Summary of ascending float-ms samples (the shared vectors' form). */
    static Summary summarizeSorted(double[] sorted) {
        int n = sorted.length;
        double sum = 0;
        for (double v : sorted) {
            sum += v;
        }
        double[] cdf = new double[101];
        for (int p = 0; p <= 100; p++) {
            cdf[p] = sorted[nearestRankIndex(p, n)];
        }
        return new Summary(distribution(cdf, sorted[n - 1], sum / n), cdf);
    }

    private static Map<String, Object> distribution(double[] cdf, double max, double mean) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("p50", cdf[50]);
        d.put("p90", cdf[90]);
        d.put("p99", cdf[99]);
        d.put("max", max);
        d.put("mean", mean);
        return d;
    }

    /** D in integer ns as every runner computes it: round(io_ms * 1e6), half to even. */
    static long waitNs(double ioMs) {
        return (long) Math.rint(ioMs * 1e6);
    }

    /**
     * wakeup_ms from the waits (woke - started, ns) sorted ascending: diff = wait - D; early_tasks
     * counts diff < 0; earliest/latest are min/max, p50/p99 nearest rank. Subtracting the same D keeps
     * the order, so the runner passes its sorted service times (for io, woke is the finished stamp).
     */
    static Map<String, Object> wakeupFromSorted(long[] sortedWaits, long d) {
        int n = sortedWaits.length;
        int early = 0;
        while (early < n && sortedWaits[early] < d) {
            early++;
        }
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("early_tasks", early);
        w.put("earliest", ms(sortedWaits[0] - d));
        w.put("p50", ms(sortedWaits[nearestRankIndex(50, n)] - d));
        w.put("p99", ms(sortedWaits[nearestRankIndex(99, n)] - d));
        w.put("latest", ms(sortedWaits[n - 1] - d));
        return w;
    }

    /** Every interval [begins[i], ends[i]) ends at or after it begins; null when so, else why not. */
    static String checkIntervals(long[] begins, long[] ends) {
        if (begins.length != ends.length) {
            return begins.length + " begins but " + ends.length + " ends";
        }
        for (int i = 0; i < begins.length; i++) {
            if (ends[i] < begins[i]) {
                return "interval " + i + " ends before it begins (" + ends[i] + " < " + begins[i] + ")";
            }
        }
        return null;
    }

    /**
     * The largest number of half-open intervals containing one instant: at equal timestamps every
     * end counts before any begin; the peak of one or more intervals is at least 1. Sorts both arrays
     * in place (the pairing is lost). Shared vectors: schema/concurrency_vectors.json.
     */
    static int peakOverlap(long[] begins, long[] ends) {
        String bad = checkIntervals(begins, ends);
        if (bad != null) {
            throw new IllegalArgumentException(bad);
        }
        Arrays.sort(begins);
        Arrays.sort(ends);
        return sweepPeak(begins, ends);
    }

    /** peakOverlap's sweep over begins and ends, each sorted ascending. */
    static int sweepPeak(long[] sortedBegins, long[] sortedEnds) {
        int n = sortedBegins.length;
        if (n == 0) {
            return 0;
        }
        int running = 0, peak = 0, ended = 0;
        for (long begin : sortedBegins) {
            while (ended < n && sortedEnds[ended] <= begin) {
                ended++;
                running--;
            }
            running++;
            peak = Math.max(peak, running);
        }
        return Math.max(peak, 1);
    }
}
