package io.vmafx.spi.jobstore;

/**
 * What a store tells the node as it happens, so that the node need not wait for its next poll. Called from the
 * store's own thread (or, for an embedded store, the caller's); must return at once. Every event is also found
 * by the node's polls ({@link JobStore#claim}, {@link JobStore#renew}), so a lost event costs time, never a job.
 */
public interface StoreEvents {

    /** A job was queued (or put back in the queue) somewhere in the fleet. */
    void queued();

    /** A {@code DELETE} asked to stop the running job {@code id}. */
    void cancelRequested(String id);
}
