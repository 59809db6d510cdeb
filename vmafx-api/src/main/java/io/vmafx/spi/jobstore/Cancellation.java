package io.vmafx.spi.jobstore;

/**
 * What {@link JobStore#cancel} did.
 *
 * @param kind what happened
 * @param job  the job after it (an ended one as it ended)
 */
public record Cancellation(Kind kind, StoredJob job) {

    public enum Kind {
        /** It was queued: it is cancelled now and never runs. */
        CANCELLED,
        /** It runs: the node that runs it is told to stop it, and records it cancelled once it has. */
        REQUESTED,
        /** It had already ended; nothing changed. */
        ALREADY_ENDED
    }
}
