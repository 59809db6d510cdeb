package io.vmafx.core.score;

import java.util.List;
import java.util.Objects;

/**
 * The result of one {@link Scorer} run: per-frame VMAF and its pooled values. Immutable.
 *
 * @param scorer       the {@link Scorer#name()} that produced it
 * @param frames       per-frame VMAF, in frame order
 * @param mean         arithmetic mean of {@code frames} (the figure usually quoted as "the VMAF score")
 * @param min          lowest frame score
 * @param max          highest frame score
 * @param harmonicMean libvmaf's harmonic mean, {@code n / sum(1 / (x + 1)) - 1}
 * @param frameCount   number of frames scored, {@code frames.size()}
 */
public record VmafScores(String scorer, List<Double> frames, double mean, double min, double max,
                         double harmonicMean, int frameCount) {

    /**
     * @throws NullPointerException     if {@code scorer}, {@code frames} or a frame score is null
     * @throws IllegalArgumentException if {@code frameCount != frames.size()}
     */
    public VmafScores {
        Objects.requireNonNull(scorer, "scorer");
        frames = List.copyOf(frames);
        if (frameCount != frames.size()) {
            throw new IllegalArgumentException("frameCount " + frameCount + " != " + frames.size() + " frames");
        }
    }

    /**
     * Pools per-frame scores the way libvmaf does.
     *
     * @throws IllegalArgumentException if {@code frames} is empty or holds a NaN or infinite score
     * @throws NullPointerException     if {@code frames} or one of its elements is null
     */
    public static VmafScores fromFrames(String scorer, List<Double> frames) {
        List<Double> copy = List.copyOf(frames);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("no frame scores to pool");
        }
        double sum = 0;
        double inverseSum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < copy.size(); i++) {
            double x = copy.get(i);
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException("frame " + i + " has no finite score: " + x);
            }
            sum += x;
            inverseSum += 1.0 / (x + 1.0);
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        int n = copy.size();
        return new VmafScores(scorer, copy, sum / n, min, max, n / inverseSum - 1.0, n);
    }
}
