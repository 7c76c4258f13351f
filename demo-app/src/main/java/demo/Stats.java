package demo;

import java.util.Arrays;

/**
 * Latency statistics over a set of samples (milliseconds). Percentiles use the nearest-rank
 * method: the p-th percentile of n sorted samples is the ⌈p/100 · n⌉-th smallest, so it is
 * always one of the samples (p99 of 1000 samples is the 990th smallest, of 100 the 99th).
 */
public record Stats(int count, double min, double p50, double p90, double p99, double max, double mean) {

    public static final Stats EMPTY = new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    public static Stats of(double[] samples) {
        if (samples.length == 0) {
            return EMPTY;
        }
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (double v : sorted) {
            sum += v;
        }
        return new Stats(sorted.length, sorted[0], percentile(sorted, 50), percentile(sorted, 90),
                percentile(sorted, 99), sorted[sorted.length - 1], sum / sorted.length);
    }

    /** Nearest-rank percentile of already sorted samples; {@code p} in (0, 100]. */
    public static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
        }
        // the small epsilon keeps 99 % of 100 at rank 99 despite 0.99 * 100 = 99.00000000000001
        int rank = (int) Math.ceil(p / 100.0 * sorted.length - 1e-9);
        return sorted[Math.max(1, Math.min(rank, sorted.length)) - 1];
    }
}
