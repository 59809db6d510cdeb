package io.vmafx.spi.jobstore;

import java.util.Objects;

/**
 * A job as it is submitted: the body of {@code POST /v1/jobs} as it arrived (the node that claims the job reads
 * it again, with its own models and input policy), and the two inputs, for listing.
 */
public record NewJob(String submission, String referenceUri, String distortedUri) {
    public NewJob {
        Objects.requireNonNull(submission, "submission");
        Objects.requireNonNull(referenceUri, "referenceUri");
        Objects.requireNonNull(distortedUri, "distortedUri");
    }
}
