package io.vmafx.core.serve;

import com.fasterxml.jackson.jr.ob.JSON;
import io.vmafx.core.job.JobException;
import io.vmafx.core.job.JobExecutor;
import io.vmafx.core.job.JobRequest;
import io.vmafx.core.job.JobResult;
import io.vmafx.core.jobstore.MemoryJobStore;
import io.vmafx.core.score.ProgressListener;
import io.vmafx.spi.jobstore.Cancellation;
import io.vmafx.spi.jobstore.JobPage;
import io.vmafx.spi.jobstore.JobQuery;
import io.vmafx.spi.jobstore.JobState;
import io.vmafx.spi.jobstore.JobStore;
import io.vmafx.spi.jobstore.JobStoreException;
import io.vmafx.spi.jobstore.NewJob;
import io.vmafx.spi.jobstore.Outcome;
import io.vmafx.spi.jobstore.Renewal;
import io.vmafx.spi.jobstore.StoreEvents;
import io.vmafx.spi.jobstore.StoredJob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs jobs from a {@link JobStore} in {@code slots} threads. The API queues jobs in the store ({@link #submit});
 * this node's dispatcher claims queued jobs up to its free slots (woken by the store's events, or its poll), runs
 * each through the node's executor and records how it ended ({@link JobStore#finish}); its lease keeper renews the
 * leases of the jobs it runs and stops those whose claim was lost or whose cancellation was asked for, on whichever
 * node the {@code DELETE} came.
 *
 * <p>With the embedded {@link MemoryJobStore} this is one node as before: at most {@code slots + queue} jobs
 * waiting or running, the rest refused (429). With a shared store (a database) every node of the fleet takes jobs
 * from one queue that holds at most {@code queue} jobs; a job whose node died runs again on another.
 *
 * <p>Cancelling a running job interrupts its thread: the executor kills ffmpeg and releases both inputs before the
 * job counts as ended. A store that is out of reach costs waiting: submissions get 503, claims wait, and a job that
 * ended keeps its outcome in memory until the store takes it (or its lease runs out and it runs again elsewhere).
 */
public final class JobService {

    private static final System.Logger LOG = System.getLogger(JobService.class.getName());
    /** The most jobs one page of {@code GET /v1/jobs} holds. */
    static final int MAX_PAGE = 1000;
    /** A page's size when the client names none. */
    static final int DEFAULT_PAGE = 100;
    /** How long a job that ended waits at most for an unreachable store to take its outcome, once the node stops. */
    static final Duration FINISH_PATIENCE = Duration.ofSeconds(10);
    /** How long a job that ended waits at most for an unreachable store to take its outcome. */
    static final Duration RETRY_LIMIT = Duration.ofMinutes(10);

    /** Why a submission was refused. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean shuttingDown;

        Refused(boolean shuttingDown, String message) {
            super(message);
            this.shuttingDown = shuttingDown;
        }

        /** True: the node is shutting down (503); false: the queue is full (429). */
        public boolean shuttingDown() {
            return shuttingDown;
        }
    }

    /** How a drain ended: jobs that finished, jobs cancelled, jobs put back in the queue for other nodes. */
    record Drained(int finished, int cancelled, int released) {
    }

    /** Why this node stops a job it runs. */
    private enum Stop { CANCEL, RELEASE, LOST }

    /** A job this node claimed and runs. */
    private static final class LocalRun {
        final StoredJob job;
        final AtomicLong scorerNanos = new AtomicLong();
        final long startedNanos = System.nanoTime();
        volatile Future<?> future;
        volatile Stop stop;
        volatile String stopReason;

        LocalRun(StoredJob job) {
            this.job = job;
        }

        /** Asks the job's thread to stop (the first reason wins); the executor kills ffmpeg on the interrupt. */
        void stop(Stop why, String reason) {
            synchronized (this) {
                if (stop != null) {
                    return;
                }
                stop = why;
                stopReason = reason;
            }
            Future<?> f = future;
            if (f != null) {
                f.cancel(true);
            }
        }
    }

    private final JobStore store;
    private final JobExecutor executor;
    private final ApiInputPolicy policy;
    private final String nodeId;
    private final NodeMetrics[] metrics = new NodeMetrics[1];
    private final ExecutorService pool;
    private final int slots;
    private final int queueCapacity;
    private final AtomicInteger running = new AtomicInteger();
    private final Map<String, LocalRun> runs = new ConcurrentHashMap<>();
    private final Object wake = new Object();
    private boolean woken;
    private volatile boolean draining;
    private volatile boolean stopped;
    private volatile int lastQueued;
    private volatile String storeProblem;
    private final Thread dispatcher;
    private final Thread keeper;

    /**
     * @param policy what API jobs may read, checked again when a job starts; null: no check (tests of the service alone)
     * @param nodeId this node's name in the store: which node runs a job
     */
    JobService(JobStore store, JobExecutor executor, int slots, int queue, ApiInputPolicy policy, String nodeId) {
        this.store = store;
        this.executor = executor;
        this.policy = policy;
        this.slots = slots;
        this.queueCapacity = queue;
        this.nodeId = nodeId;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(slots, r -> {
            Thread t = new Thread(r, "vmafx-job-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        store.watch(new StoreEvents() {
            @Override
            public void queued() {
                signal();
            }

            @Override
            public void cancelRequested(String id) {
                LocalRun r = runs.get(id);
                if (r != null) {
                    r.stop(Stop.CANCEL, null);
                }
            }
        });
        this.dispatcher = new Thread(this::dispatch, "vmafx-dispatcher");
        this.keeper = new Thread(this::keepLeases, "vmafx-lease-keeper");
        dispatcher.setDaemon(true);
        keeper.setDaemon(true);
    }

    /** Starts claiming; after {@link #metrics}. */
    void start() {
        dispatcher.start();
        keeper.start();
    }

    void metrics(NodeMetrics m) {
        metrics[0] = m;
    }

    int running() {
        return running.get();
    }

    /** Jobs waiting in the store: exact for the embedded store, as of the dispatcher's last look for a shared one. */
    int queued() {
        if (!store.shared()) {
            try {
                return store.queued();
            } catch (JobStoreException e) {
                return lastQueued;
            }
        }
        return lastQueued;
    }

    int slots() {
        return slots;
    }

    int queueCapacity() {
        return queueCapacity;
    }

    boolean accepting() {
        return !draining;
    }

    JobStore store() {
        return store;
    }

    /** This node's name in the store (the {@code node} of the jobs it runs). */
    public String node() {
        return nodeId;
    }

    /** Whether other nodes share this node's queue. */
    public boolean sharedStore() {
        return store.shared();
    }

    /** Why the store is out of reach now, or null when its last call went through. */
    String storeProblem() {
        return storeProblem;
    }

    /** What a 404 says the store forgets. */
    String retention() {
        return store.shared() ? "unknown to the job store " + store.describe()
                : "unknown, or ended more than " + MemoryJobStore.TTL.toMinutes() + " minutes or " + MemoryJobStore.KEEP + " jobs ago";
    }

    /** A job from the body of {@code POST /v1/jobs}, with the node's models and models directory. */
    public JobRequest parse(byte[] body) throws BadRequest {
        return JobSubmission.parse(body, executor.defaultOptions(), executor.modelsDir().orElse(null), policy);
    }

    /**
     * Queues the job {@code body} describes ({@code request} is what {@link #parse} made of it); refused when the
     * queue is full or the node is shutting down.
     */
    public StoredJob submit(byte[] body, JobRequest request) throws Refused, JobStoreException {
        if (draining) {
            metrics[0].rejected("shutting_down");
            throw new Refused(true, "the node is shutting down and takes no new jobs");
        }
        // One node: waiting and running jobs together fit slots + queue, as a pool with a queue would take them.
        // A fleet: the store's queue holds at most `queue` jobs; every node's slots drain it.
        int maxQueued = store.shared() ? queueCapacity : queueCapacity + Math.max(0, slots - runs.size());
        Optional<StoredJob> job = storeCall(() -> store.submit(new NewJob(new String(body, StandardCharsets.UTF_8),
                request.reference(), request.distorted()), maxQueued));
        if (job.isEmpty()) {
            metrics[0].rejected("queue_full");
            throw new Refused(false, store.shared()
                    ? "the fleet's queue of " + queueCapacity + " is full; retry later"
                    : "all " + slots + " slots are busy and the queue of " + queueCapacity + " is full; retry later");
        }
        return job.get();
    }

    public Optional<StoredJob> get(String id) throws JobStoreException {
        return storeCall(() -> store.get(id));
    }

    /** A page of jobs, newest first. */
    public JobPage list(JobQuery query) throws JobStoreException {
        return storeCall(() -> store.list(query));
    }

    /**
     * Cancels {@code id}: a queued job ends at once; a running one, on this node or another, is told to stop (its
     * ffmpeg killed, its inputs released) and ends cancelled once it has.
     */
    public Optional<Cancellation> cancel(String id, String reason) throws JobStoreException {
        Optional<Cancellation> c = storeCall(() -> store.cancel(id, reason));
        if (c.isPresent() && c.get().kind() == Cancellation.Kind.CANCELLED) {
            metrics[0].cancelledInQueue();
        }
        return c;
    }

    private interface StoreCall<T> {
        T call() throws JobStoreException;
    }

    /** A store call, remembering whether the store was reachable (for the log and {@code /readyz}). */
    private <T> T storeCall(StoreCall<T> call) throws JobStoreException {
        try {
            T t = call.call();
            storeUp();
            return t;
        } catch (JobStoreException e) {
            storeDown(e);
            throw e;
        }
    }

    private void storeUp() {
        if (storeProblem != null) {
            storeProblem = null;
            // At the level of the warning it ends, so that whoever saw one sees the other.
            LOG.log(System.Logger.Level.WARNING, "job store " + store.describe() + " is reachable again");
        }
    }

    private void storeDown(JobStoreException e) {
        if (storeProblem == null) {
            LOG.log(System.Logger.Level.WARNING, "job store out of reach, waiting for it: " + e.getMessage());
        }
        storeProblem = e.getMessage();
    }

    private void signal() {
        synchronized (wake) {
            woken = true;
            wake.notifyAll();
        }
    }

    /** Waits up to {@code d} for {@link #signal}; false when interrupted. */
    private boolean pause(Duration d) {
        synchronized (wake) {
            long end = System.nanoTime() + d.toNanos();
            while (!woken && !stopped) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(wake, left);
                } catch (InterruptedException e) {
                    return false;
                }
            }
            woken = false;
            return true;
        }
    }

    /** The dispatcher: claims queued jobs up to the free slots, queues expired leases again, until the node stops. */
    private void dispatch() {
        long nextExpiry = 0;
        long nextCount = 0;
        Duration backoff = Duration.ofMillis(100);
        while (!stopped) {
            Duration wait = store.pollEvery();
            try {
                if (System.nanoTime() >= nextExpiry) {
                    int expired = store.expireLeases();
                    if (expired > 0) {
                        LOG.log(System.Logger.Level.INFO, expired + " job(s) whose node stopped renewing its lease were queued again or ended");
                    }
                    nextExpiry = System.nanoTime() + store.pollEvery().toNanos();
                }
                int free = slots - runs.size();
                if (!draining && free > 0) {
                    List<StoredJob> claimed = store.claim(nodeId, free);
                    for (StoredJob j : claimed) {
                        start(j);
                    }
                    if (claimed.size() == free) {
                        wait = Duration.ZERO; // there may be more: look again as soon as a slot frees
                    }
                }
                if (store.shared() && System.nanoTime() >= nextCount) {
                    // For /metrics only: once a poll period, not at every wake-up (each job's end is one).
                    lastQueued = store.queued();
                    nextCount = System.nanoTime() + store.pollEvery().toNanos();
                }
                storeUp();
                backoff = Duration.ofMillis(100);
            } catch (JobStoreException e) {
                storeDown(e);
                wait = backoff;
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(2)) > 0 ? Duration.ofSeconds(2) : backoff.multipliedBy(2);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "the dispatcher failed; it goes on", e);
                wait = Duration.ofSeconds(1);
            }
            if (wait.isZero() && runs.size() < slots) {
                continue;
            }
            if (!pause(wait.isZero() ? store.pollEvery() : wait)) {
                return;
            }
        }
    }

    private void start(StoredJob job) {
        LocalRun r = new LocalRun(job);
        runs.put(job.id(), r);
        r.future = pool.submit(() -> runJob(r));
        if (r.stop != null) {
            r.future.cancel(true); // stopped before its future was known
        }
    }

    /** The lease keeper: renews what this node runs, stops what it lost and what a DELETE asked to stop. */
    private void keepLeases() {
        while (!stopped) {
            Map<String, String> leases = new LinkedHashMap<>();
            runs.forEach((id, r) -> leases.put(id, r.job.lease()));
            Duration wait = store.renewEvery();
            if (!leases.isEmpty()) {
                try {
                    Renewal renewal = store.renew(nodeId, leases);
                    for (String id : renewal.lost()) {
                        LocalRun r = runs.get(id);
                        if (r != null) {
                            LOG.log(System.Logger.Level.WARNING, "job " + id + ": this node's lease ran out (the job store was out"
                                    + " of reach for longer than the lease); stopping it here, it runs again elsewhere");
                            r.stop(Stop.LOST, null);
                        }
                    }
                    for (String id : renewal.cancelRequested()) {
                        LocalRun r = runs.get(id);
                        if (r != null) {
                            r.stop(Stop.CANCEL, null);
                        }
                    }
                    storeUp();
                } catch (JobStoreException e) {
                    storeDown(e);
                    wait = Duration.ofMillis(Math.min(wait.toMillis(), 500));
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "the lease keeper failed; it goes on", e);
                }
            }
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void runJob(LocalRun r) {
        StoredJob job = r.job;
        running.incrementAndGet();
        JobState outcome = JobState.FAILED;
        JobResult result = null;
        String error = null;
        try {
            if (r.stop != null) {
                throw new InterruptedException("stopped before it started");
            }
            // Read again here: this node's models and input policy apply, and a local file may have been replaced by
            // a link out of the roots since it was submitted.
            JobRequest request = parse(job.submission().getBytes(StandardCharsets.UTF_8));
            result = executor.run(request, ProgressListener.NONE, metrics[0].observer(r.scorerNanos));
            outcome = JobState.SUCCEEDED;
        } catch (BadRequest e) {
            error = e.getMessage();
        } catch (JobException e) {
            error = ApiJobError.of(e);
            if (!error.equals(e.getMessage())) {
                // The client gets the cause; the operator gets what the storage's tools said too.
                LOG.log(System.Logger.Level.WARNING, "job " + job.id() + " failed: " + e.getMessage());
            }
        } catch (InterruptedException e) {
            outcome = JobState.CANCELLED;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "job " + job.id() + " failed unexpectedly", e);
            error = "internal error: " + e;
        } finally {
            running.decrementAndGet();
        }
        Thread.interrupted(); // the cancel's interrupt may arrive after the executor returned: not for the store calls
        Stop stop = r.stop;
        if (stop == Stop.CANCEL && outcome != JobState.SUCCEEDED) {
            // Interrupted by the cancel (a job that succeeded before the cancel reached it stays succeeded).
            outcome = JobState.CANCELLED;
            error = r.stopReason; // null: the reason the store recorded with the cancellation
            result = null;
        } else if (stop == null && outcome == JobState.CANCELLED) {
            error = "cancelled";
        }
        long runNanos = System.nanoTime() - r.startedNanos;
        String label = outcome.label();
        try {
            if (stop == Stop.LOST) {
                LOG.log(System.Logger.Level.INFO, () -> "job " + job.id() + " stopped here after " + runNanos / 1_000_000
                        + " ms: its claim was lost");
                return;
            }
            if (stop == Stop.RELEASE && outcome != JobState.SUCCEEDED) {
                boolean back = retry(() -> store.release(job.id(), job.lease()));
                LOG.log(System.Logger.Level.INFO, () -> "job " + job.id() + (back ? " put back in the queue" : " was no longer this node's")
                        + " after " + runNanos / 1_000_000 + " ms: the node shuts down");
                return;
            }
            metrics[0].jobEnded(label, runNanos, r.scorerNanos.get(), result);
            Outcome o = new Outcome(outcome, result == null ? null : json(result.toJson()), error,
                    json(timings(runNanos, r.scorerNanos.get(), outcome)));
            boolean taken = retry(() -> store.finish(job.id(), job.lease(), o));
            if (!taken) {
                LOG.log(System.Logger.Level.WARNING, "job " + job.id() + " ended " + label + " here, but its claim had been lost:"
                        + " the outcome is dropped (the job was queued again or ended elsewhere)");
            } else {
                LOG.log(System.Logger.Level.INFO, () -> "job " + job.id() + " " + label + " after " + runNanos / 1_000_000 + " ms");
            }
        } finally {
            runs.remove(job.id());
            signal();
        }
    }

    /** {@code call} until the store answers; once the node stops, for up to {@link #FINISH_PATIENCE}; false if it never did. */
    private boolean retry(StoreCall<Boolean> call) {
        // Past this the claim has long run out in any store (its lease is shorter): the job runs again elsewhere.
        long giveUp = System.nanoTime() + RETRY_LIMIT.toNanos();
        long pause = 100;
        while (true) {
            try {
                boolean b = call.call();
                storeUp();
                return b;
            } catch (JobStoreException e) {
                storeDown(e);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "the job store failed to record an outcome", e);
                return false;
            }
            if (stopped) {
                giveUp = Math.min(giveUp, System.nanoTime() + FINISH_PATIENCE.toNanos());
            }
            if (System.nanoTime() > giveUp) {
                LOG.log(System.Logger.Level.WARNING, "the job store stayed out of reach; an outcome is dropped and its job runs"
                        + " again once its lease runs out");
                return false;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            pause = Math.min(pause * 2, 1000);
        }
    }

    private static Map<String, Object> timings(long runNanos, long scorerNanos, JobState outcome) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("run", millis(runNanos));
        t.put("scorer", millis(scorerNanos));
        if (outcome == JobState.SUCCEEDED) {
            t.put("overhead", millis(Math.max(0, runNanos - scorerNanos)));
        }
        return t;
    }

    private static String json(Map<String, Object> m) {
        try {
            return JSON.std.asString(m);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static double millis(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }

    /** The job as the API shows it; with {@code full}, its result and timings too. */
    Map<String, Object> toJson(StoredJob job, boolean full) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", job.id());
        m.put("state", job.state().label());
        m.put("reference_uri", job.referenceUri());
        m.put("distorted_uri", job.distortedUri());
        m.put("submitted_at", job.submittedAt().toString());
        if (job.startedAt() != null) {
            m.put("started_at", job.startedAt().toString());
        }
        if (job.finishedAt() != null) {
            m.put("finished_at", job.finishedAt().toString());
        }
        if (job.error() != null) {
            m.put("error", job.error());
        }
        if (store.shared()) {
            if (job.node() != null) {
                m.put("node", job.node());
            }
            m.put("attempts", job.attempts());
        }
        if (!full) {
            return m;
        }
        if (job.resultJson() != null) {
            try {
                m.put("result", JSON.std.mapFrom(job.resultJson()));
            } catch (IOException e) {
                m.put("result_error", "the stored result is not JSON: " + e.getMessage());
            }
        }
        Map<String, Object> t = new LinkedHashMap<>();
        Instant queuedTo = job.startedAt() != null ? job.startedAt() : job.finishedAt() != null ? job.finishedAt() : Instant.now();
        t.put("queued", millis(Duration.between(job.submittedAt(), queuedTo).toNanos()));
        if (job.timingsJson() != null) {
            try {
                t.putAll(JSON.std.mapFrom(job.timingsJson()));
            } catch (IOException e) {
                // left out: the timings are for information
            }
        } else if (job.startedAt() != null) {
            LocalRun r = runs.get(job.id());
            t.put("run", r != null ? millis(System.nanoTime() - r.startedNanos)
                    : millis(Math.max(0, Duration.between(job.startedAt(), Instant.now()).toNanos())));
            if (r != null) {
                t.put("scorer", millis(r.scorerNanos.get()));
            }
        }
        m.put("timings_ms", t);
        return m;
    }

    /**
     * Shutdown: takes no new jobs and claims none; lets running ones finish for up to {@code deadline}; then stops
     * them: with the embedded store they are cancelled (with {@code cancelReason}) and so are the queued jobs, which no
     * other node would run; with a shared store they go back to the queue, and queued jobs stay there.
     */
    Drained drain(Duration deadline, String cancelReason) throws InterruptedException {
        draining = true;
        signal();
        int cancelled = 0;
        if (!store.shared()) {
            try {
                List<StoredJob> queuedJobs;
                while (!(queuedJobs = store.list(new JobQuery(JobState.QUEUED, MAX_PAGE, 0)).jobs()).isEmpty()) {
                    for (StoredJob j : queuedJobs) {
                        Optional<Cancellation> c = cancel(j.id(), "cancelled: the node shut down before the job started");
                        if (c.isPresent() && c.get().kind() == Cancellation.Kind.CANCELLED) {
                            cancelled++;
                        }
                    }
                }
            } catch (JobStoreException e) {
                // the embedded store does not fail
            }
        }
        List<LocalRun> atStart = new ArrayList<>(runs.values());
        long end = System.nanoTime() + deadline.toNanos();
        while (!runs.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(Math.max(1, Math.min(50, (end - System.nanoTime()) / 1_000_000)));
        }
        for (LocalRun r : runs.values()) {
            if (store.shared()) {
                r.stop(Stop.RELEASE, null);
            } else {
                r.stop(Stop.CANCEL, cancelReason);
            }
        }
        long hard = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!runs.isEmpty() && System.nanoTime() < hard) {
            Thread.sleep(20);
        }
        stopped = true;
        dispatcher.interrupt();
        keeper.interrupt();
        pool.shutdownNow();
        pool.awaitTermination(FINISH_PATIENCE.toSeconds() + 5, TimeUnit.SECONDS);
        dispatcher.join(5000);
        keeper.join(5000);
        int finished = 0;
        int released = 0;
        for (LocalRun r : atStart) {
            if (r.stop == Stop.RELEASE) {
                released++;
            } else if (r.stop == Stop.CANCEL) {
                cancelled++;
            } else {
                finished++;
            }
        }
        return new Drained(finished, cancelled, released);
    }
}
