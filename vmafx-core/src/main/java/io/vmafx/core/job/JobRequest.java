package io.vmafx.core.job;

import io.vmafx.core.score.RawVideoFormat;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One scoring job: two inputs as the user wrote them, the raw-video format when an input is raw
 * {@code .yuv}, and the model (null: the node's configured model).
 */
public record JobRequest(String reference, String distorted, RawVideoFormat raw, Path model) {
    public JobRequest {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(distorted, "distorted");
    }

    public static JobRequest of(String reference, String distorted) {
        return new JobRequest(reference, distorted, null, null);
    }
}
