package io.vmafx.core.job;

import io.vmafx.core.score.RawVideoFormat;
import io.vmafx.core.score.ScoreOptions;
import java.util.Objects;

/**
 * One scoring job: two inputs as the user wrote them, the layout of each raw {@code .yuv} input (null for a
 * container, or when the input is not raw), and what to compute (null: the node's defaults, its configured models).
 * Built by the CLI and the job API.
 */
public record JobRequest(String reference, String distorted, RawVideoFormat referenceRaw, RawVideoFormat distortedRaw,
                         ScoreOptions options) {
    public JobRequest {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(distorted, "distorted");
    }

    /** A job with the node's default options and no raw layout. */
    public static JobRequest of(String reference, String distorted) {
        return new JobRequest(reference, distorted, null, null, null);
    }

    /** A job whose raw inputs share one layout. */
    public static JobRequest raw(String reference, String distorted, RawVideoFormat raw) {
        return new JobRequest(reference, distorted, raw, raw, null);
    }
}
