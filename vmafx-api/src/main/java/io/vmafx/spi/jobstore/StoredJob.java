package io.vmafx.spi.jobstore;

import java.time.Instant;
import java.util.Objects;

/**
 * One job as the store has it.
 *
 * @param seq         the store's order of submission: larger is newer; list cursors are made of it
 * @param node        the node that runs or last ran it; null when none claimed it
 * @param attempts    how many times a node claimed it
 * @param lease       the claim's token, only in what {@link JobStore#claim} returns; null elsewhere
 * @param resultJson  what {@code score --json} prints, once the job succeeded; null otherwise
 * @param timingsJson the node's own timings (a JSON object of milliseconds), once it ended; null otherwise
 */
public record StoredJob(String id, long seq, JobState state, String submission, String referenceUri, String distortedUri,
                        Instant submittedAt, Instant startedAt, Instant finishedAt, String node, int attempts,
                        String error, String resultJson, String timingsJson, String lease) {
    public StoredJob {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(submittedAt, "submittedAt");
    }

    /** This job with {@code lease} as its claim token. */
    public StoredJob withLease(String lease) {
        return new StoredJob(id, seq, state, submission, referenceUri, distortedUri, submittedAt, startedAt, finishedAt,
                node, attempts, error, resultJson, timingsJson, lease);
    }
}
