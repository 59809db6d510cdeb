package io.vmafx.core.score;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One VMAF comparison for a {@link Scorer}: built by the executor (from the storage providers' prepared
 * inputs) or by the CLI.
 *
 * @param reference    what to open for the reference: a local path or a URL ({@code scheme://...}, possibly
 *                     with credentials, which never appear in messages)
 * @param distorted    what to open for the distorted video, likewise
 * @param raw          the layout of the inputs flagged raw; required when either flag is set, else ignored
 *                     (may be null)
 * @param referenceRaw whether the reference is a headerless raw video in the {@code raw} layout
 * @param distortedRaw whether the distorted video is a headerless raw video in the {@code raw} layout
 * @param model        the VMAF model file (for ffmpeg's libvmaf 1.x a {@code .pkl} with its {@code .pkl.model}
 *                     beside it; for libvmaf 2.x's {@code vmaf} tool a {@code .json})
 * @param progress     told how far scoring has got; {@link ProgressListener#NONE} to ignore
 */
public record ScoreRequest(String reference, String distorted, RawVideoFormat raw, boolean referenceRaw,
                           boolean distortedRaw, Path model, ProgressListener progress) {

    /**
     * @throws NullPointerException     if a location, the model or the listener is null
     * @throws IllegalArgumentException if a location is blank, or an input is flagged raw without a {@code raw}
     *                                  layout
     */
    public ScoreRequest {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(distorted, "distorted");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(progress, "progress (use ProgressListener.NONE)");
        if (reference.isBlank() || distorted.isBlank()) {
            throw new IllegalArgumentException("reference and distorted locations must not be blank");
        }
        if ((referenceRaw || distortedRaw) && raw == null) {
            throw new IllegalArgumentException("an input is flagged raw but no RawVideoFormat was given");
        }
    }

    /** A request for two self-describing inputs (.y4m, .mp4, ...), without progress reporting. */
    public static ScoreRequest of(String reference, String distorted, Path model) {
        return new ScoreRequest(reference, distorted, null, false, false, model, ProgressListener.NONE);
    }

    /** This request reporting to {@code listener}. */
    public ScoreRequest withProgress(ProgressListener listener) {
        return new ScoreRequest(reference, distorted, raw, referenceRaw, distortedRaw, model, listener);
    }

    /** This request with {@code side} read as raw video in {@code format} (which replaces any previous one). */
    public ScoreRequest withRaw(InputSide side, RawVideoFormat format) {
        Objects.requireNonNull(format, "format");
        return new ScoreRequest(reference, distorted, format, referenceRaw || side == InputSide.REFERENCE,
                distortedRaw || side == InputSide.DISTORTED, model, progress);
    }

    /** The location of {@code side}. */
    public String location(InputSide side) {
        return side == InputSide.REFERENCE ? reference : distorted;
    }

    /** Whether {@code side} is flagged raw. */
    public boolean isRaw(InputSide side) {
        return side == InputSide.REFERENCE ? referenceRaw : distortedRaw;
    }

    /** Like the record's, with URL credentials redacted: safe to log. */
    @Override
    public String toString() {
        return "ScoreRequest[reference=" + CredentialRedactor.redact(reference)
                + ", distorted=" + CredentialRedactor.redact(distorted)
                + ", raw=" + raw + ", referenceRaw=" + referenceRaw + ", distortedRaw=" + distortedRaw
                + ", model=" + model + "]";
    }
}
