package io.vmafx.core.score;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One metric's per-frame values pooled over the frames: mean, harmonic mean (libvmaf's {@code n / sum(1 / (x + 1))
 * - 1}), min, max, and the 1st and 5th percentiles (linear interpolation between the closest ranks, as numpy's
 * default), the low tail that a mean hides.
 */
public record Pooled(double mean, double harmonicMean, double min, double max, double p1, double p5) {

    /**
     * @throws IllegalArgumentException if {@code values} is empty or holds a NaN or infinity
     */
    public static Pooled of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values to pool");
        }
        double[] sorted = new double[values.size()];
        double sum = 0;
        double inverse = 0;
        for (int i = 0; i < sorted.length; i++) {
            double x = values.get(i);
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException("frame " + i + " has no finite value: " + x);
            }
            sorted[i] = x;
            sum += x;
            inverse += 1.0 / (x + 1.0);
        }
        Arrays.sort(sorted);
        int n = sorted.length;
        return new Pooled(sum / n, n / inverse - 1.0, sorted[0], sorted[n - 1], percentile(sorted, 1),
                percentile(sorted, 5));
    }

    /** The {@code p}-th percentile of {@code sorted}, interpolated linearly between ranks. */
    static double percentile(double[] sorted, double p) {
        double rank = p / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
    }

    /** As results print it: {@code mean, harmonic_mean, min, max, p1, p5}. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", mean);
        m.put("harmonic_mean", harmonicMean);
        m.put("min", min);
        m.put("max", max);
        m.put("p1", p1);
        m.put("p5", p5);
        return m;
    }
}
