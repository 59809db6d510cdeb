package io.vmafx.core.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A figure of the bypass bench beside the target it should meet: decided on the p50 value (the p99 value is
 * shown for the tail), "-" when the figure could not be measured (a part skipped or failed).
 *
 * @param name      what is compared ("bypass read speed vs direct")
 * @param p50       the figure from the p50s, NaN when not measured
 * @param p99       the figure from the p99s, NaN when not measured or not meaningful
 * @param kind      how the figure reads: a speed ratio ({@code 0.97x}) or a percentage ({@code +1.3%})
 * @param atLeast   true: the figure must be at least {@code threshold}; false: at most
 * @param threshold the target
 * @param binding   false for a figure shown for information, with no verdict
 * @param ciLow     the low end of a confidence interval of the figure, NaN when there is none
 * @param ciHigh    its high end
 * @param ciCoverage its confidence (0.979), NaN when there is none
 */
public record Target(String name, double p50, double p99, Kind kind, boolean atLeast, double threshold, boolean binding,
                     double ciLow, double ciHigh, double ciCoverage) {

    /** How a figure is written. */
    public enum Kind {
        /** a ratio, {@code 20.00x} */
        RATIO,
        /** a percentage with its sign, {@code +1.3%} */
        PERCENT
    }

    /** A speed ratio that must be at least {@code threshold}. */
    static Target atLeast(String name, double p50, double p99, double threshold) {
        return new Target(name, p50, p99, Kind.RATIO, true, threshold, true, Double.NaN, Double.NaN, Double.NaN);
    }

    /**
     * A percentage that must be at most {@code threshold}, judged on its confidence interval: met when the whole
     * interval is at most the target, missed when the whole interval is above it, unresolved otherwise.
     */
    static Target percentAtMost(String name, double value, double p99, double threshold, double ciLow, double ciHigh, double ciCoverage) {
        return new Target(name, value, p99, Kind.PERCENT, false, threshold, true, ciLow, ciHigh, ciCoverage);
    }

    /** A ratio shown beside a target it is not judged by. */
    static Target info(String name, double p50, double p99, double threshold) {
        return new Target(name, p50, p99, Kind.RATIO, true, threshold, false, Double.NaN, Double.NaN, Double.NaN);
    }

    /** The confidence an interval needs for a verdict: with fewer runs a figure is left unresolved. */
    static final double MIN_COVERAGE = 0.95;

    /** Whether the figure has a confidence interval (and is judged on it). */
    public boolean hasInterval() {
        return !Double.isNaN(ciLow) && !Double.isNaN(ciHigh);
    }

    /**
     * {@code reference / value} (how many times faster {@code value} is, when both are times), NaN when either is
     * missing or not positive.
     */
    static double speedup(double time, double referenceTime) {
        return time > 0 && referenceTime > 0 && !Double.isNaN(time) && !Double.isNaN(referenceTime) ? referenceTime / time : Double.NaN;
    }

    /** Whether the figure was measured. */
    public boolean measured() {
        return !Double.isNaN(p50);
    }

    /** Whether the figure meets the target: its whole interval when it has one, else its p50 value; false when not measured. */
    public boolean met() {
        if (!measured()) {
            return false;
        }
        return hasInterval() ? ciCoverage >= MIN_COVERAGE && meets(atLeast ? ciLow : ciHigh) : meets(p50);
    }

    /** Whether the figure surely misses the target: its whole interval when it has one, else its p50 value. */
    public boolean missed() {
        if (!measured()) {
            return false;
        }
        return hasInterval() ? ciCoverage >= MIN_COVERAGE && !meets(atLeast ? ciHigh : ciLow) : !meets(p50);
    }

    private boolean meets(double v) {
        return atLeast ? v >= threshold : v <= threshold;
    }

    /**
     * {@code yes}, {@code NO}, {@code unresolved} (the interval holds the target, or has less than 95 % confidence:
     * too few runs), {@code -} (not measured) or {@code (info)}.
     */
    public String verdict() {
        if (!binding) {
            return "(info)";
        }
        if (!measured()) {
            return "-";
        }
        return met() ? "yes" : missed() ? "NO" : "unresolved";
    }

    /** {@code -3.1%..+6.8% (98%)}, or {@code -} without an interval. */
    public String intervalText() {
        return hasInterval() ? format(ciLow) + ".." + format(ciHigh) + String.format(Locale.ROOT, " (%.0f%%)", ciCoverage * 100) : "-";
    }

    /** {@code >= 0.90x} or {@code <= 2.0%}. */
    public String targetText() {
        return (atLeast ? ">= " : "<= ") + format(threshold);
    }

    /** A figure as this target writes it; {@code -} for NaN. */
    public String format(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return kind == Kind.RATIO ? String.format(Locale.ROOT, "%.2fx", v) : String.format(Locale.ROOT, "%+.1f%%", v);
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("p50", measured() ? Percentiles.round3(p50) : null);
        m.put("p99", Double.isNaN(p99) ? null : Percentiles.round3(p99));
        m.put("unit", kind == Kind.RATIO ? "x" : "%");
        m.put("target", targetText());
        if (hasInterval()) {
            m.put("ci_low", Percentiles.round3(ciLow));
            m.put("ci_high", Percentiles.round3(ciHigh));
            m.put("ci_coverage", Percentiles.round3(ciCoverage));
        }
        m.put("binding", binding);
        m.put("verdict", verdict());
        m.put("met", binding && measured() && (met() || missed()) ? met() : null);
        return m;
    }
}
