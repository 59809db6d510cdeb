package io.vmafx.core.job;

/**
 * What one job reports while it runs, for the service's metrics and per-job timings. Called from the job's
 * threads (prepares run in parallel); implementations must be thread-safe, quick, and must not throw.
 */
public interface JobObserver {

    /** Observes nothing. */
    JobObserver NONE = new JobObserver() {
    };

    /**
     * One input's prepare ended.
     *
     * @param provider  the storage provider's name
     * @param nanos     how long {@code prepare} took
     * @param succeeded false when it threw (a cancelled prepare is not reported)
     */
    default void prepared(String provider, long nanos, boolean succeeded) {
    }

    /** The scorer ran for {@code nanos}, whatever its outcome (a cancelled scorer too). */
    default void scored(long nanos) {
    }
}
