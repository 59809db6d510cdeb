package io.vmafx.core.score;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of one {@link Scorer} run: every metric asked for, per frame and pooled, how many frames each input
 * held, and what each input decoded to. Immutable.
 *
 * @param scorer    the {@link Scorer#name()} that produced it
 * @param metrics   by name, in the order of {@link ScoreOptions#metricNames()}; always holds {@code vmaf}
 * @param counts    frames of each input, compared and scored
 * @param reference what the reference decoded to; null when the scorer cannot tell
 * @param distorted what the distorted video decoded to; null when the scorer cannot tell
 * @param scaledWith how the distorted video was scaled to the reference's size, or null when it was not
 */
public record VmafScores(String scorer, Map<String, MetricScores> metrics, FrameCounts counts,
                         VideoFormat reference, VideoFormat distorted, Scaling scaledWith) {

    /** @throws IllegalArgumentException if there is no {@code vmaf} metric */
    public VmafScores {
        Objects.requireNonNull(scorer, "scorer");
        metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        Objects.requireNonNull(counts, "counts");
        if (!metrics.containsKey("vmaf")) {
            throw new IllegalArgumentException("scores without a vmaf metric");
        }
    }

    /** The job's VMAF: the first model's. */
    public MetricScores vmaf() {
        return metrics.get("vmaf");
    }

    /** A metric by name. */
    public Optional<MetricScores> metric(String name) {
        return Optional.ofNullable(metrics.get(name));
    }

    /** Per-frame VMAF. */
    public List<Double> frames() {
        return vmaf().perFrame();
    }

    public double mean() {
        return vmaf().pooled().mean();
    }

    public double min() {
        return vmaf().pooled().min();
    }

    public double max() {
        return vmaf().pooled().max();
    }

    public double harmonicMean() {
        return vmaf().pooled().harmonicMean();
    }

    /** Frames with scores. */
    public int frameCount() {
        return vmaf().perFrame().size();
    }

    /** Scores of VMAF alone from per-frame values, for scorers and tests that know nothing else. */
    public static VmafScores fromFrames(String scorer, List<Double> frames) {
        MetricScores vmaf = MetricScores.of("vmaf", frames);
        return new VmafScores(scorer, Map.of("vmaf", vmaf),
                new FrameCounts(frames.size(), frames.size(), frames.size(), frames.size()), null, null, null);
    }
}
