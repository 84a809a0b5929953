package dev.jfutures.bench;

import java.util.Arrays;
import java.util.List;

/** Medians and percentiles, the same rules as the Python side. */
final class Stats {
    private Stats() {
    }

    static double median(List<Double> samples) {
        if (samples.isEmpty()) {
            return Double.NaN;
        }
        double[] a = samples.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        int m = a.length / 2;
        return a.length % 2 == 1 ? a[m] : (a[m - 1] + a[m]) / 2;
    }

    /** Nearest-rank percentile of sorted values: the smallest value with q% at or below it. */
    static long percentile(long[] sorted, double q) {
        int k = (int) Math.ceil(q / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, k))];
    }

    /** {p50, p99} in microseconds of nanosecond latencies (sorts them). */
    static double[] p50p99Micros(long[] nanos) {
        Arrays.sort(nanos);
        return new double[] {percentile(nanos, 50) / 1e3, percentile(nanos, 99) / 1e3};
    }
}
