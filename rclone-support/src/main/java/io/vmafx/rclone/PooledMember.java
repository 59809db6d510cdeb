package io.vmafx.rclone;

/**
 * What a {@link LeasePool} holds: one rclone process (and what it set up) for one remote root.
 *
 * <p>The pool calls {@link #isAlive()} on every acquire, so it must be cheap, and {@link #stop()} once, when
 * the member is evicted, found dead, or the pool is closed; never while a thread is inside {@code stop}
 * of the same member.
 */
public interface PooledMember {

    /** Whether the member can still serve (its process runs, its mount is there). */
    boolean isAlive();

    /**
     * Stops the process and removes what it set up. Blocks until done; never throws; keeps, rather than
     * acts on, an interrupt (stopping half-way would leave a process or a mount behind).
     */
    void stop();
}
