package io.vmafx.rclone;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One job's hold on a pooled member: the member is not stopped for idleness while any lease on it is open.
 * Handed out by {@link LeasePool#acquire}; {@link #close()} gives it back (idempotent, any thread).
 *
 * @param <M> the member type
 */
public final class Lease<M extends PooledMember> implements AutoCloseable {

    private final M member;
    private final boolean fresh;
    private final Runnable release;
    private final AtomicBoolean closed = new AtomicBoolean();

    Lease(M member, boolean fresh, Runnable release) {
        this.member = member;
        this.fresh = fresh;
        this.release = release;
    }

    public M member() {
        return member;
    }

    /** Whether this acquire started the member (a pool miss) rather than finding it running (a hit). */
    public boolean fresh() {
        return fresh;
    }

    /** Gives the lease back; only the first call counts. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            release.run();
        }
    }
}
