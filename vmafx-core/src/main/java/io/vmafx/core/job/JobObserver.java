package io.vmafx.core.job;

/**
 * What one job reports while it runs, for the service's metrics and per-job timings. Called from the job's
 * threads (prepares run in parallel); implementations must be thread-safe, quick, and must not throw.
 */
public interface JobObserver {

    /** Observes nothing. */
    JobObserver NONE = new JobObserver() {
    };

    /** How one prepare call ended. */
    enum PrepareOutcome {
        /** It returned an input. */
        OK,
        /** It threw (a storage error, or anything else). */
        ERROR,
        /** It was interrupted: the job was cancelled, or its other side failed first. */
        CANCELLED;

        /** The metric label: {@code ok}, {@code error}, {@code cancelled}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One input's prepare call ended, whichever way: every call the provider saw is reported exactly once, so that
     * a count of these reports and the provider's own count of prepare calls agree.
     *
     * @param provider the storage provider's name
     * @param nanos    how long {@code prepare} took
     * @param outcome  how it ended
     */
    default void prepared(String provider, long nanos, PrepareOutcome outcome) {
    }

    /** The scorer ran for {@code nanos}, whatever its outcome (a cancelled scorer too). */
    default void scored(long nanos) {
    }
}
