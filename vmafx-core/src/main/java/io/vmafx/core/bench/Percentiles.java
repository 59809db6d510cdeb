package io.vmafx.core.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Nearest-rank percentiles: the {@code p}-th percentile of {@code n} samples is the sample of rank
 * {@code ceil(p/100 * n)} in ascending order. No interpolation, so every reported value is a measured one; with
 * fewer than 100 samples p99 is the slowest sample, with an even count p50 is the lower of the middle two.
 */
public final class Percentiles {

    private Percentiles() {
    }

    /**
     * The nearest-rank {@code p}-th percentile of {@code samples} (any order; not modified).
     *
     * @param p from 0 (exclusive) to 100 (inclusive)
     * @throws IllegalArgumentException for no samples, a NaN sample or {@code p} out of range
     */
    public static double of(double[] samples, double p) {
        double[] sorted = sorted(samples);
        return ofSorted(sorted, p);
    }

    private static double ofSorted(double[] sorted, double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("a percentile is more than 0 and at most 100, got " + p);
        }
        int rank = (int) Math.ceil(p * sorted.length / 100.0);
        return sorted[Math.max(1, Math.min(rank, sorted.length)) - 1];
    }

    private static double[] sorted(double[] samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        double[] sorted = samples.clone();
        for (double s : sorted) {
            if (Double.isNaN(s)) {
                throw new IllegalArgumentException("a sample is NaN");
            }
        }
        Arrays.sort(sorted);
        return sorted;
    }

    /** Count, minimum, p50, p99, maximum and mean of a set of samples, in their unit (milliseconds here). */
    public record Summary(int count, double min, double p50, double p99, double max, double mean) {

        /** @throws IllegalArgumentException for no samples or a NaN sample */
        public static Summary of(double[] samples) {
            double[] s = sorted(samples);
            double sum = 0;
            for (double v : s) {
                sum += v;
            }
            return new Summary(s.length, s[0], ofSorted(s, 50), ofSorted(s, 99), s[s.length - 1], sum / s.length);
        }

        public static Summary of(List<Double> samples) {
            return of(samples.stream().mapToDouble(Double::doubleValue).toArray());
        }

        /** {@code count, p50, p99, min, max, mean}, values rounded to microseconds when in milliseconds. */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("count", count);
            m.put("p50", round3(p50));
            m.put("p99", round3(p99));
            m.put("min", round3(min));
            m.put("max", round3(max));
            m.put("mean", round3(mean));
            return m;
        }
    }

    static double round3(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }
}
