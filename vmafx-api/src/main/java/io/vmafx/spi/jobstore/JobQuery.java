package io.vmafx.spi.jobstore;

/**
 * One page of {@link JobStore#list}: newest first.
 *
 * @param state  only jobs in this state; null: every state
 * @param limit  at most this many (1 or more)
 * @param before only jobs older than the one with this {@link StoredJob#seq}; 0: from the newest
 */
public record JobQuery(JobState state, int limit, long before) {
    public JobQuery {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        if (before < 0) {
            throw new IllegalArgumentException("before must not be negative");
        }
    }
}
