package io.vmafx.core.bench;

import io.vmafx.spi.jobstore.Cancellation;
import io.vmafx.spi.jobstore.JobPage;
import io.vmafx.spi.jobstore.JobQuery;
import io.vmafx.spi.jobstore.JobStore;
import io.vmafx.spi.jobstore.JobStoreException;
import io.vmafx.spi.jobstore.NewJob;
import io.vmafx.spi.jobstore.Outcome;
import io.vmafx.spi.jobstore.Renewal;
import io.vmafx.spi.jobstore.StoreEvents;
import io.vmafx.spi.jobstore.StoredJob;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link JobStore} that measures the one it wraps, for {@code bench fleet}: per job, the time spent in the store on
 * that job's path (its submit, its share of the claim that took it, its finish), and how often each job was claimed
 * and finished, which must be once each. Several nodes' stores may share one {@link Ledger}.
 */
final class TimedJobStore implements JobStore {

    /** What every node's store did, per job. */
    static final class Ledger {
        final Map<String, AtomicLong> storeNanos = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> claims = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> finishes = new ConcurrentHashMap<>();

        void add(String id, long nanos) {
            storeNanos.computeIfAbsent(id, k -> new AtomicLong()).addAndGet(nanos);
        }

        void reset() {
            storeNanos.clear();
            claims.clear();
            finishes.clear();
        }
    }

    private final JobStore store;
    private final Ledger ledger;

    TimedJobStore(JobStore store, Ledger ledger) {
        this.store = store;
        this.ledger = ledger;
    }

    @Override
    public String describe() {
        return store.describe();
    }

    @Override
    public boolean shared() {
        return store.shared();
    }

    @Override
    public Optional<StoredJob> submit(NewJob job, int maxQueued) throws JobStoreException {
        long t0 = System.nanoTime();
        Optional<StoredJob> j = store.submit(job, maxQueued);
        j.ifPresent(s -> ledger.add(s.id(), System.nanoTime() - t0));
        return j;
    }

    @Override
    public Optional<StoredJob> get(String id) throws JobStoreException {
        return store.get(id);
    }

    @Override
    public JobPage list(JobQuery query) throws JobStoreException {
        return store.list(query);
    }

    @Override
    public int queued() throws JobStoreException {
        return store.queued();
    }

    @Override
    public Optional<Cancellation> cancel(String id, String reason) throws JobStoreException {
        return store.cancel(id, reason);
    }

    @Override
    public List<StoredJob> claim(String node, int max) throws JobStoreException {
        long t0 = System.nanoTime();
        List<StoredJob> claimed = store.claim(node, max);
        long each = claimed.isEmpty() ? 0 : (System.nanoTime() - t0) / claimed.size();
        for (StoredJob j : claimed) {
            ledger.add(j.id(), each);
            ledger.claims.computeIfAbsent(j.id(), k -> new AtomicInteger()).incrementAndGet();
        }
        return claimed;
    }

    @Override
    public Renewal renew(String node, Map<String, String> leases) throws JobStoreException {
        return store.renew(node, leases);
    }

    @Override
    public boolean finish(String id, String lease, Outcome outcome) throws JobStoreException {
        long t0 = System.nanoTime();
        boolean taken = store.finish(id, lease, outcome);
        ledger.add(id, System.nanoTime() - t0);
        if (taken) {
            ledger.finishes.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        }
        return taken;
    }

    @Override
    public boolean release(String id, String lease) throws JobStoreException {
        return store.release(id, lease);
    }

    @Override
    public int expireLeases() throws JobStoreException {
        return store.expireLeases();
    }

    @Override
    public Duration renewEvery() {
        return store.renewEvery();
    }

    @Override
    public Duration pollEvery() {
        return store.pollEvery();
    }

    @Override
    public void watch(StoreEvents events) {
        store.watch(events);
    }

    @Override
    public void close() {
        store.close();
    }
}
