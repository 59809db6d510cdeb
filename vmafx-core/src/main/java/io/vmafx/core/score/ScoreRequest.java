package io.vmafx.core.score;

import java.util.Objects;

/**
 * One comparison for a {@link Scorer}: built by the executor (from the storage providers' prepared inputs) or by
 * tests.
 *
 * @param reference    what to open for the reference: a local path or a URL ({@code scheme://...}, possibly with
 *                     credentials, which never appear in messages)
 * @param distorted    what to open for the distorted video, likewise
 * @param referenceRaw the reference's layout when it is headerless raw video, else null
 * @param distortedRaw the distorted video's layout when it is headerless raw video, else null
 * @param options      models, features, subsampling, scaling, frame-count rule
 * @param progress     told how far scoring has got; {@link ProgressListener#NONE} to ignore
 */
public record ScoreRequest(String reference, String distorted, RawVideoFormat referenceRaw, RawVideoFormat distortedRaw,
                           ScoreOptions options, ProgressListener progress) {

    /**
     * @throws NullPointerException     if a location, the options or the listener is null
     * @throws IllegalArgumentException if a location is blank
     */
    public ScoreRequest {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(distorted, "distorted");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(progress, "progress (use ProgressListener.NONE)");
        if (reference.isBlank() || distorted.isBlank()) {
            throw new IllegalArgumentException("reference and distorted locations must not be blank");
        }
    }

    /** Two self-describing inputs (.y4m, .mp4, ...) with the default options, without progress reporting. */
    public static ScoreRequest of(String reference, String distorted) {
        return new ScoreRequest(reference, distorted, null, null, ScoreOptions.DEFAULTS, ProgressListener.NONE);
    }

    /** This request reporting to {@code listener}. */
    public ScoreRequest withProgress(ProgressListener listener) {
        return new ScoreRequest(reference, distorted, referenceRaw, distortedRaw, options, listener);
    }

    /** This request with other options. */
    public ScoreRequest withOptions(ScoreOptions other) {
        return new ScoreRequest(reference, distorted, referenceRaw, distortedRaw, other, progress);
    }

    /** This request with {@code side} read as raw video in {@code format}. */
    public ScoreRequest withRaw(InputSide side, RawVideoFormat format) {
        Objects.requireNonNull(format, "format");
        return side == InputSide.REFERENCE
                ? new ScoreRequest(reference, distorted, format, distortedRaw, options, progress)
                : new ScoreRequest(reference, distorted, referenceRaw, format, options, progress);
    }

    /** The location of {@code side}. */
    public String location(InputSide side) {
        return side == InputSide.REFERENCE ? reference : distorted;
    }

    /** The raw layout of {@code side}, or null when it is a container. */
    public RawVideoFormat raw(InputSide side) {
        return side == InputSide.REFERENCE ? referenceRaw : distortedRaw;
    }

    /** Whether {@code side} is raw video. */
    public boolean isRaw(InputSide side) {
        return raw(side) != null;
    }

    /** Like the record's, with URL credentials redacted: safe to log. */
    @Override
    public String toString() {
        return "ScoreRequest[reference=" + CredentialRedactor.redact(reference)
                + ", distorted=" + CredentialRedactor.redact(distorted)
                + ", referenceRaw=" + referenceRaw + ", distortedRaw=" + distortedRaw + ", options=" + options + "]";
    }
}
