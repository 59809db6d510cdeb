package io.vmafx.core.score;

import java.util.List;
import java.util.Objects;

/**
 * One metric of a scored pair: its per-frame values in frame order and their {@link Pooled} summary.
 *
 * @param name     as libvmaf's log names it ({@code vmaf}, {@code psnr_y}, {@code float_ssim}, ...)
 * @param perFrame the value of each scored frame
 * @param pooled   pooled over {@code perFrame}
 */
public record MetricScores(String name, List<Double> perFrame, Pooled pooled) {

    public MetricScores {
        Objects.requireNonNull(name, "name");
        perFrame = List.copyOf(perFrame);
        Objects.requireNonNull(pooled, "pooled");
    }

    /** The metric pooled from {@code perFrame}. */
    public static MetricScores of(String name, List<Double> perFrame) {
        return new MetricScores(name, perFrame, Pooled.of(perFrame));
    }
}
