package io.vmafx.spi.jobstore;

import java.util.Objects;

/**
 * How a claimed job ended on the node that ran it.
 *
 * @param state       {@code succeeded}, {@code failed} or {@code cancelled}
 * @param resultJson  {@code score --json}'s object when it succeeded, else null
 * @param error       one line when it did not succeed, else null; null for a cancelled job: the store gives it the
 *                    reason {@link JobStore#cancel} recorded
 * @param timingsJson the node's timings (JSON object of milliseconds: queued, run, scorer, overhead), or null
 */
public record Outcome(JobState state, String resultJson, String error, String timingsJson) {
    public Outcome {
        Objects.requireNonNull(state, "state");
        if (!state.ended()) {
            throw new IllegalArgumentException("an outcome is an ended state, not " + state.label());
        }
    }
}
