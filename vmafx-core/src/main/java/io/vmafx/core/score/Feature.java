package io.vmafx.core.score;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A libvmaf feature extractor a job may ask for beside VMAF, with the metrics it writes to libvmaf's log.
 * Users name them as libvmaf does ({@code --feature psnr}); results list each metric under its log name.
 */
public enum Feature {
    PSNR("psnr", List.of("psnr_y", "psnr_cb", "psnr_cr")),
    FLOAT_SSIM("float_ssim", List.of("float_ssim")),
    FLOAT_MS_SSIM("float_ms_ssim", List.of("float_ms_ssim")),
    CAMBI("cambi", List.of("cambi")),
    CIEDE("ciede", List.of("ciede2000")),
    PSNR_HVS("psnr_hvs", List.of("psnr_hvs", "psnr_hvs_y", "psnr_hvs_cb", "psnr_hvs_cr"));

    private final String libvmafName;
    private final List<String> metrics;

    Feature(String libvmafName, List<String> metrics) {
        this.libvmafName = libvmafName;
        this.metrics = metrics;
    }

    /** The extractor's name in libvmaf's {@code feature=name=...}. */
    public String libvmafName() {
        return libvmafName;
    }

    /** The metrics it writes, as libvmaf's log names them. */
    public List<String> metrics() {
        return metrics;
    }

    /** The names users may give, comma-separated, for messages and help. */
    public static String names() {
        return Arrays.stream(values()).map(Feature::libvmafName).collect(Collectors.joining(", "));
    }

    /**
     * The feature a user named ({@code psnr}, {@code float_ssim}, ... and {@code ssim}/{@code ms_ssim} for the float
     * ones, as ffmpeg's libvmaf filter calls them).
     *
     * @throws IllegalArgumentException naming the text and the known names
     */
    public static Feature parse(String text) {
        String name = text.strip().toLowerCase(Locale.ROOT);
        switch (name) {
            case "ssim" -> name = "float_ssim";
            case "ms_ssim" -> name = "float_ms_ssim";
            case "ciede2000" -> name = "ciede";
            default -> {
                // as written
            }
        }
        for (Feature f : values()) {
            if (f.libvmafName.equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown feature '" + text.strip() + "'; known: " + names());
    }
}
