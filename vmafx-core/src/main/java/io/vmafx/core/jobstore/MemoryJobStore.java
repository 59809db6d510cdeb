package io.vmafx.core.jobstore;

import io.vmafx.spi.jobstore.Cancellation;
import io.vmafx.spi.jobstore.JobPage;
import io.vmafx.spi.jobstore.JobQuery;
import io.vmafx.spi.jobstore.JobState;
import io.vmafx.spi.jobstore.JobStore;
import io.vmafx.spi.jobstore.NewJob;
import io.vmafx.spi.jobstore.Outcome;
import io.vmafx.spi.jobstore.Renewal;
import io.vmafx.spi.jobstore.StoreEvents;
import io.vmafx.spi.jobstore.StoredJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The embedded default: one node's jobs in its own memory, gone with the process. Remembers the last {@link #KEEP}
 * jobs that ended, none older than {@link #TTL}; jobs that have not ended are always kept. Leases never run out here
 * (the node that holds them is the process that holds the store), so {@link #expireLeases} does nothing.
 */
public final class MemoryJobStore implements JobStore {

    /** How many ended jobs are remembered. */
    public static final int KEEP = 1000;
    /** How long an ended job is remembered. */
    public static final Duration TTL = Duration.ofHours(1);

    private final LinkedHashMap<String, StoredJob> jobs = new LinkedHashMap<>();
    /** Why a running job was asked to stop, for its outcome when the node reports none. */
    private final Map<String, String> cancelReasons = new java.util.HashMap<>();
    private long seq;
    private int queued;
    private volatile StoreEvents events;

    @Override
    public String describe() {
        return "memory";
    }

    @Override
    public boolean shared() {
        return false;
    }

    @Override
    public Optional<StoredJob> submit(NewJob job, int maxQueued) {
        StoredJob stored;
        synchronized (this) {
            if (queued >= maxQueued) {
                return Optional.empty();
            }
            stored = new StoredJob(UUID.randomUUID().toString(), ++seq, JobState.QUEUED, job.submission(), job.referenceUri(),
                    job.distortedUri(), Instant.now(), null, null, null, 0, null, null, null, null);
            jobs.put(stored.id(), stored);
            queued++;
            prune();
        }
        StoreEvents e = events;
        if (e != null) {
            e.queued();
        }
        return Optional.of(stored);
    }

    @Override
    public synchronized Optional<StoredJob> get(String id) {
        prune();
        return Optional.ofNullable(jobs.get(id));
    }

    @Override
    public synchronized JobPage list(JobQuery query) {
        prune();
        List<StoredJob> all = new ArrayList<>(jobs.values());
        List<StoredJob> page = new ArrayList<>();
        boolean more = false;
        for (int i = all.size() - 1; i >= 0; i--) {
            StoredJob j = all.get(i);
            if ((query.before() != 0 && j.seq() >= query.before()) || (query.state() != null && j.state() != query.state())) {
                continue;
            }
            if (page.size() == query.limit()) {
                more = true;
                break;
            }
            page.add(j);
        }
        return new JobPage(page, more);
    }

    @Override
    public synchronized int queued() {
        return queued;
    }

    @Override
    public Optional<Cancellation> cancel(String id, String reason) {
        Cancellation c;
        synchronized (this) {
            StoredJob j = jobs.get(id);
            if (j == null) {
                return Optional.empty();
            }
            if (j.state().ended()) {
                return Optional.of(new Cancellation(Cancellation.Kind.ALREADY_ENDED, j));
            }
            if (j.state() == JobState.QUEUED) {
                StoredJob ended = with(j, JobState.CANCELLED, j.startedAt(), Instant.now(), reason, null, null, null);
                jobs.put(id, ended);
                queued--;
                return Optional.of(new Cancellation(Cancellation.Kind.CANCELLED, ended));
            }
            cancelReasons.putIfAbsent(id, reason);
            c = new Cancellation(Cancellation.Kind.REQUESTED, j);
        }
        StoreEvents e = events;
        if (e != null) {
            e.cancelRequested(id);
        }
        return Optional.of(c);
    }

    @Override
    public synchronized List<StoredJob> claim(String node, int max) {
        List<StoredJob> claimed = new ArrayList<>();
        for (Map.Entry<String, StoredJob> en : jobs.entrySet()) {
            if (claimed.size() >= max) {
                break;
            }
            StoredJob j = en.getValue();
            if (j.state() == JobState.QUEUED) {
                StoredJob running = new StoredJob(j.id(), j.seq(), JobState.RUNNING, j.submission(), j.referenceUri(),
                        j.distortedUri(), j.submittedAt(), Instant.now(), null, node, j.attempts() + 1, null, null, null,
                        UUID.randomUUID().toString());
                en.setValue(running.withLease(null));
                queued--;
                claimed.add(running);
            }
        }
        return claimed;
    }

    @Override
    public Renewal renew(String node, Map<String, String> leases) {
        return Renewal.NONE; // the process that holds the store holds the leases
    }

    @Override
    public synchronized boolean finish(String id, String lease, Outcome outcome) {
        StoredJob j = jobs.get(id);
        if (j == null || j.state() != JobState.RUNNING) {
            return false;
        }
        String reason = cancelReasons.remove(id);
        String error = outcome.error() == null && outcome.state() == JobState.CANCELLED
                ? (reason != null ? reason : "cancelled") : outcome.error();
        jobs.put(id, with(j, outcome.state(), j.startedAt(), Instant.now(), error, outcome.resultJson(),
                outcome.timingsJson(), j.node()));
        prune();
        return true;
    }

    @Override
    public boolean release(String id, String lease) {
        synchronized (this) {
            StoredJob j = jobs.get(id);
            if (j == null || j.state() != JobState.RUNNING) {
                return false;
            }
            cancelReasons.remove(id);
            jobs.put(id, new StoredJob(j.id(), j.seq(), JobState.QUEUED, j.submission(), j.referenceUri(), j.distortedUri(),
                    j.submittedAt(), null, null, null, j.attempts() - 1, null, null, null, null));
            queued++;
        }
        StoreEvents e = events;
        if (e != null) {
            e.queued();
        }
        return true;
    }

    @Override
    public int expireLeases() {
        return 0;
    }

    @Override
    public Duration renewEvery() {
        return Duration.ofMinutes(1);
    }

    @Override
    public Duration pollEvery() {
        return Duration.ofSeconds(1);
    }

    @Override
    public void watch(StoreEvents events) {
        this.events = events;
    }

    @Override
    public void close() {
        events = null;
    }

    private static StoredJob with(StoredJob j, JobState state, Instant started, Instant finished, String error,
                                  String result, String timings, String node) {
        return new StoredJob(j.id(), j.seq(), state, j.submission(), j.referenceUri(), j.distortedUri(), j.submittedAt(),
                started, finished, node, j.attempts(), error, result, timings, null);
    }

    /** Forgets the oldest ended jobs beyond {@link #KEEP} and ended jobs older than {@link #TTL}. Under this lock. */
    private void prune() {
        int ended = 0;
        for (StoredJob j : jobs.values()) {
            if (j.state().ended()) {
                ended++;
            }
        }
        Instant cutoff = Instant.now().minus(TTL);
        for (Iterator<StoredJob> it = jobs.values().iterator(); it.hasNext(); ) {
            StoredJob j = it.next();
            if (!j.state().ended()) {
                continue;
            }
            if (ended > KEEP || (j.finishedAt() != null && j.finishedAt().isBefore(cutoff))) {
                it.remove();
                ended--;
            }
        }
    }
}
