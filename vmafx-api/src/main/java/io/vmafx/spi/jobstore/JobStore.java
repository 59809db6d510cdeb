package io.vmafx.spi.jobstore;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Where a node keeps its jobs: the queue every node of a fleet takes work from, and the record of every job's state
 * and result. Opened by {@link JobStoreProvider#open} once per node; used by core's job service from many threads at
 * once (the API's handlers, the node's dispatcher and its lease keeper), so every method is safe to call concurrently.
 *
 * <p>The life of a job: {@link #submit} queues it on any node; a node {@link #claim}s queued jobs up to its free
 * slots and holds each by a lease, which it {@link #renew}s every {@link #renewEvery}; it ends the job with
 * {@link #finish}, or puts it back with {@link #release} when it shuts down. A job whose lease runs out (its node
 * died or lost the store for longer than the lease) is queued again by {@link #expireLeases}, up to the store's
 * number of attempts, then failed with the reason. {@link #finish} and {@link #release} take the claim's token and do
 * nothing when the claim is no longer held, so a job succeeds at most once.
 *
 * <p>Every method that reaches a remote store is bounded in time and throws {@link JobStoreException} when the
 * store is out of reach; the node waits and retries, so a store that restarts costs waiting, not jobs.
 */
public interface JobStore extends AutoCloseable {

    /** Where the store is, without credentials, for logs and {@code /readyz} ({@code memory}, {@code postgresql://db:5432/vmafx}). */
    String describe();

    /** Whether other nodes see the same jobs: true for a database, false for the embedded in-memory store. */
    boolean shared();

    /**
     * Queues {@code job} unless {@code maxQueued} jobs are queued already.
     *
     * @return the job as stored, or empty when the queue is full
     */
    Optional<StoredJob> submit(NewJob job, int maxQueued) throws JobStoreException;

    /** The job {@code id}, or empty when the store does not have it (never had it, or forgot it). */
    Optional<StoredJob> get(String id) throws JobStoreException;

    /** A page of jobs, newest first. */
    JobPage list(JobQuery query) throws JobStoreException;

    /** How many jobs are queued (for metrics and admission). */
    int queued() throws JobStoreException;

    /**
     * Cancels {@code id}: a queued job ends at once; for a running one the cancellation is recorded and the node that
     * runs it is told ({@link StoreEvents#cancelRequested}, and in its next {@link #renew}).
     *
     * @return empty when the store does not have the job
     */
    Optional<Cancellation> cancel(String id, String reason) throws JobStoreException;

    /**
     * Claims up to {@code max} queued jobs, oldest first, for {@code node}: each becomes running on it, its attempts
     * counted, under a lease that runs out after the store's lease time unless renewed. Two nodes never claim one job.
     *
     * @return the claimed jobs, each with its {@link StoredJob#lease} token
     */
    java.util.List<StoredJob> claim(String node, int max) throws JobStoreException;

    /**
     * Renews the leases of the jobs {@code node} runs ({@code job id -> lease token}).
     *
     * @return the jobs whose claim is lost, and those a {@code DELETE} asked to stop
     */
    Renewal renew(String node, Map<String, String> leases) throws JobStoreException;

    /**
     * Ends a claimed job with {@code outcome}, if the claim {@code lease} is still held.
     *
     * @return false when it is not (the job was queued again or ended elsewhere): nothing changed
     */
    boolean finish(String id, String lease, Outcome outcome) throws JobStoreException;

    /** Puts a claimed job back in the queue, its attempt not counted (the node shuts down); false when the claim is lost. */
    boolean release(String id, String lease) throws JobStoreException;

    /**
     * Queues again every running job whose lease ran out, or fails it when it has had every attempt (a cancelled
     * one ends cancelled). Any node may call it; the store makes concurrent calls safe.
     *
     * @return how many jobs it queued again or ended
     */
    int expireLeases() throws JobStoreException;

    /** How often a node renews its leases: well within the lease time. */
    Duration renewEvery();

    /** How often a node polls for queued jobs when no event came: the latency of a lost event. */
    Duration pollEvery();

    /** Starts telling {@code events} what happens; an embedded store calls it from the thread that made the change. */
    void watch(StoreEvents events);

    /** Stops watching and closes every connection. Idempotent. */
    @Override
    void close();
}
