package io.vmafx.core.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * What attaching the probe costs a read, from interleaved runs without ({@code detached}) and with it
 * ({@code attached}), both times in the same unit: {@code attached / detached - 1} in percent, from the p50s, from
 * the p99s, and as the median of the per-round ratios (the runs of one round ran back to back, so drift over the
 * whole bench cancels in each pair), with their interquartile range: how much the pairs scatter, so how small an
 * overhead the runs can tell from noise, and a distribution-free confidence interval of that median (order statistics
 * of the sorted ratios, binomial; about 95 %, its exact coverage given). Positive: reads are slower with the probe.
 */
record Overhead(double p50Percent, double p99Percent, double pairedMedianPercent, double pairedQ1Percent, double pairedQ3Percent,
                double ciLowPercent, double ciHighPercent, double ciCoverage) {

    /**
     * @param detached times of the runs without the probe, in round order
     * @param attached times of the runs with it, in round order (paired with {@code detached} by index)
     * @throws IllegalArgumentException when either is empty or a time is not positive
     */
    static Overhead of(List<Double> detached, List<Double> attached) {
        if (detached.isEmpty() || attached.isEmpty()) {
            throw new IllegalArgumentException("no runs");
        }
        for (List<Double> l : List.of(detached, attached)) {
            for (double v : l) {
                if (!(v > 0)) {
                    throw new IllegalArgumentException("a time is not positive: " + v);
                }
            }
        }
        Percentiles.Summary d = Percentiles.Summary.of(detached);
        Percentiles.Summary a = Percentiles.Summary.of(attached);
        int pairs = Math.min(detached.size(), attached.size());
        List<Double> ratios = new ArrayList<>(pairs);
        for (int i = 0; i < pairs; i++) {
            ratios.add(attached.get(i) / detached.get(i));
        }
        ratios.sort(null);
        int k = ciRank(ratios.size());
        return new Overhead(percent(a.p50(), d.p50()), percent(a.p99(), d.p99()), (median(ratios) - 1) * 100,
                (quantile(ratios, 0.25) - 1) * 100, (quantile(ratios, 0.75) - 1) * 100,
                (ratios.get(k - 1) - 1) * 100, (ratios.get(ratios.size() - k) - 1) * 100, ciCoverage(ratios.size(), k));
    }

    /**
     * The rank {@code k} (1-based) such that the {@code k}-th smallest and {@code k}-th largest of {@code n} samples bound
     * the median with at least 95 % confidence: the largest {@code k} with {@code P(Binomial(n, 1/2) < k) <= 2.5 %};
     * 1 (the whole range, less than 95 %) for fewer than 6 samples.
     */
    static int ciRank(int n) {
        int k = 1;
        while (k + 1 <= (n + 1) / 2 && binomialBelow(n, k + 1) <= 0.025) {
            k++;
        }
        return k;
    }

    /** The confidence that the {@code k}-th smallest and largest of {@code n} samples bound the median. */
    static double ciCoverage(int n, int k) {
        return 1 - 2 * binomialBelow(n, k);
    }

    /** {@code P(Binomial(n, 1/2) < k)}. */
    private static double binomialBelow(int n, int k) {
        double p = 0;
        double c = 1; // C(n, 0)
        for (int i = 0; i < k; i++) {
            p += c;
            c = c * (n - i) / (i + 1);
        }
        return p / Math.pow(2, n);
    }

    private static double percent(double attached, double detached) {
        return (attached / detached - 1) * 100;
    }

    /** The {@code q} quantile of sorted values, linearly interpolated between ranks (type 7, as R and NumPy default). */
    static double quantile(List<Double> sorted, double q) {
        double pos = q * (sorted.size() - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.size() - 1);
        return sorted.get(lo) + (pos - lo) * (sorted.get(hi) - sorted.get(lo));
    }

    /** The median proper (the mean of the middle two for an even count), unlike the nearest-rank p50. */
    static double median(List<Double> values) {
        List<Double> s = new ArrayList<>(values);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
