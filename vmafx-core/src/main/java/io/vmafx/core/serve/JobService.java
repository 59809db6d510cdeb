package io.vmafx.core.serve;

import io.vmafx.core.job.JobException;
import io.vmafx.core.job.JobExecutor;
import io.vmafx.core.job.JobRequest;
import io.vmafx.core.job.JobResult;
import io.vmafx.core.score.ProgressListener;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs submitted jobs through the node's executor in {@code slots} threads, with at most {@code queue} jobs
 * waiting; remembers recent jobs (the last {@link #KEEP} that ended, none older than {@link #TTL}; jobs that
 * have not ended are always kept). Cancelling a running job interrupts its thread: the executor kills ffmpeg and
 * releases both inputs before the job counts as ended.
 */
public final class JobService {

    private static final System.Logger LOG = System.getLogger(JobService.class.getName());
    static final int KEEP = 1000;
    static final Duration TTL = Duration.ofHours(1);

    /** A job's state; {@code queued} and {@code running} are not ended. */
    public enum State {
        QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        boolean ended() {
            return this != QUEUED && this != RUNNING;
        }
    }

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

    /** One job. State changes happen under the job's lock; readers get a consistent {@link #toJson} snapshot. */
    public static final class Job {
        private final String id = UUID.randomUUID().toString();
        private final JobRequest request;
        private final Instant submitted = Instant.now();
        private final long submittedNanos = System.nanoTime();
        private final AtomicLong scorerNanos = new AtomicLong();
        private final CountDownLatch ended = new CountDownLatch(1);
        private final java.util.concurrent.CompletableFuture<Void> endedFuture = new java.util.concurrent.CompletableFuture<>();
        private State state = State.QUEUED;
        private Instant started;
        private Instant finished;
        private long startedNanos;
        private long finishedNanos;
        private Map<String, Object> result;
        private String error;
        private String cancelReason;
        private JobTask task;

        Job(JobRequest request) {
            this.request = request;
        }

        public String id() {
            return id;
        }

        public synchronized State state() {
            return state;
        }

        /** Completes when the job has ended (its inputs released, its ffmpeg gone): for answers that must not hold a thread. */
        public java.util.concurrent.CompletionStage<Void> whenEnded() {
            return endedFuture.minimalCompletionStage();
        }

        /** Waits up to {@code timeout} for the job to end (its inputs released, its ffmpeg gone). */
        public boolean awaitEnd(Duration timeout) throws InterruptedException {
            return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        private synchronized boolean start() {
            if (state != State.QUEUED) {
                return false;
            }
            state = State.RUNNING;
            started = Instant.now();
            startedNanos = System.nanoTime();
            return true;
        }

        private synchronized void end(State s, Map<String, Object> result, String error) {
            state = s;
            this.result = result;
            this.error = error;
            finished = Instant.now();
            finishedNanos = System.nanoTime();
            ended.countDown();
            endedFuture.complete(null);
        }

        private synchronized Instant finishedAt() {
            return finished;
        }

        /** The job as the API shows it; with {@code full}, the result too. */
        public synchronized Map<String, Object> toJson(boolean full) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("state", state.label());
            m.put("reference_uri", request.reference());
            m.put("distorted_uri", request.distorted());
            m.put("submitted_at", submitted.toString());
            if (started != null) {
                m.put("started_at", started.toString());
            }
            if (finished != null) {
                m.put("finished_at", finished.toString());
            }
            if (error != null) {
                m.put("error", error);
            }
            if (full && result != null) {
                m.put("result", result);
            }
            if (full) {
                Map<String, Object> t = new LinkedHashMap<>();
                long queuedTo = started != null ? startedNanos : finished != null ? finishedNanos : System.nanoTime();
                t.put("queued", millis(queuedTo - submittedNanos));
                if (started != null) {
                    long run = (finished != null ? finishedNanos : System.nanoTime()) - startedNanos;
                    t.put("run", millis(run));
                    t.put("scorer", millis(scorerNanos.get()));
                    if (state == State.SUCCEEDED) {
                        t.put("overhead", millis(Math.max(0, run - scorerNanos.get())));
                    }
                }
                m.put("timings_ms", t);
            }
            return m;
        }

        private static double millis(long nanos) {
            return Math.round(nanos / 1e4) / 100.0;
        }
    }

    private final class JobTask extends FutureTask<Void> {
        final Job job;

        JobTask(Job job) {
            super(() -> {
                runJob(job);
                return null;
            });
            this.job = job;
        }
    }

    private final JobExecutor executor;
    private final ApiInputPolicy policy;
    private final NodeMetrics[] metrics = new NodeMetrics[1];
    private final ThreadPoolExecutor pool;
    private final int slots;
    private final int queueCapacity;
    private final AtomicInteger running = new AtomicInteger();
    private final LinkedHashMap<String, Job> jobs = new LinkedHashMap<>();
    private volatile boolean draining;

    /** @param policy what API jobs may read, checked again when a queued job starts; null: no check (tests of the service alone) */
    JobService(JobExecutor executor, int slots, int queue, ApiInputPolicy policy) {
        this.executor = executor;
        this.policy = policy;
        this.slots = slots;
        this.queueCapacity = queue;
        BlockingQueue<Runnable> q = queue == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queue);
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(slots, slots, 0, TimeUnit.MILLISECONDS, q, r -> {
            Thread t = new Thread(r, "vmafx-job-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    void metrics(NodeMetrics m) {
        metrics[0] = m;
    }

    int running() {
        return running.get();
    }

    int queued() {
        return pool.getQueue().size();
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

    /** A job from the body of {@code POST /v1/jobs}, with the node's models and models directory. */
    public JobRequest parse(byte[] body) throws BadRequest {
        return JobSubmission.parse(body, executor.defaultOptions(), executor.modelsDir().orElse(null), policy);
    }

    /** Queues {@code request}; refused when the queue is full or the node is shutting down. */
    public Job submit(JobRequest request) throws Refused {
        Job job = new Job(request);
        synchronized (jobs) {
            if (draining) {
                metrics[0].rejected("shutting_down");
                throw new Refused(true, "the node is shutting down and takes no new jobs");
            }
            JobTask task = new JobTask(job);
            job.task = task;
            try {
                pool.execute(task);
            } catch (RejectedExecutionException e) {
                metrics[0].rejected(draining ? "shutting_down" : "queue_full");
                throw new Refused(draining, "all " + slots + " slots are busy and the queue of " + queueCapacity
                        + " is full; retry later");
            }
            jobs.put(job.id, job);
            prune();
        }
        return job;
    }

    public Optional<Job> get(String id) {
        synchronized (jobs) {
            prune();
            return Optional.ofNullable(jobs.get(id));
        }
    }

    /** Recent jobs, newest first. */
    public List<Job> recent() {
        synchronized (jobs) {
            prune();
            List<Job> l = new ArrayList<>(jobs.values());
            java.util.Collections.reverse(l);
            return l;
        }
    }

    /**
     * Cancels {@code job}: a queued job ends at once; a running one is interrupted (ffmpeg killed, inputs
     * released) and this waits up to {@code wait} for it to end. Returns false when the job had already ended.
     */
    public boolean cancel(Job job, String reason, Duration wait) throws InterruptedException {
        synchronized (job) {
            if (job.state.ended()) {
                return false;
            }
            job.cancelReason = reason;
            if (job.state == State.QUEUED) {
                pool.remove(job.task);
                job.task.cancel(false);
                job.end(State.CANCELLED, null, reason);
                metrics[0].cancelledInQueue();
                return true;
            }
        }
        job.task.cancel(true);
        job.awaitEnd(wait);
        return true;
    }

    private void runJob(Job job) {
        if (!job.start()) {
            return; // cancelled while queued
        }
        running.incrementAndGet();
        State outcome = State.FAILED;
        JobResult result = null;
        String error = null;
        try {
            // Again at the start: a queued job's local file may have been replaced by a link out of the roots meanwhile.
            String refused = refusal(job.request);
            if (refused != null) {
                error = refused;
            } else {
                result = executor.run(job.request, ProgressListener.NONE, metrics[0].observer(job.scorerNanos));
                outcome = State.SUCCEEDED;
            }
        } catch (JobException e) {
            error = ApiJobError.of(e);
            if (!error.equals(e.getMessage())) {
                // The client gets the cause; the operator gets what the storage's tools said too.
                LOG.log(System.Logger.Level.WARNING, "job " + job.id + " failed: " + e.getMessage());
            }
        } catch (InterruptedException e) {
            outcome = State.CANCELLED;
            synchronized (job) {
                error = job.cancelReason != null ? job.cancelReason : "cancelled";
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "job " + job.id + " failed unexpectedly", e);
            error = "internal error: " + e;
        } finally {
            running.decrementAndGet();
        }
        long runNanos = System.nanoTime() - job.startedNanos;
        String label = outcome.label();
        metrics[0].jobEnded(label, runNanos, job.scorerNanos.get(), result);
        job.end(outcome, result == null ? null : result.toJson(), error);
        LOG.log(System.Logger.Level.INFO, () -> "job " + job.id + " " + label + " after " + runNanos / 1_000_000 + " ms");
    }

    /** Why the policy now refuses {@code request}'s inputs, or null when it does not (or there is none). */
    private String refusal(JobRequest request) {
        if (policy == null) {
            return null;
        }
        try {
            policy.checkInput("reference_uri", request.reference());
            policy.checkInput("distorted_uri", request.distorted());
            // The model was checked at submission; what the request holds now may be the scorer's resolved name.
            return null;
        } catch (ApiInputPolicy.Refused e) {
            return e.getMessage();
        }
    }

    /** Forgets the oldest ended jobs beyond {@link #KEEP} and ended jobs older than {@link #TTL}. Under {@code jobs}' lock. */
    private void prune() {
        int ended = 0;
        for (Job j : jobs.values()) {
            if (j.state().ended()) {
                ended++;
            }
        }
        Instant cutoff = Instant.now().minus(TTL);
        for (Iterator<Job> it = jobs.values().iterator(); it.hasNext(); ) {
            Job j = it.next();
            if (!j.state().ended()) {
                continue;
            }
            Instant f = j.finishedAt();
            if (ended > KEEP || (f != null && f.isBefore(cutoff))) {
                it.remove();
                ended--;
            }
        }
    }

    /**
     * Shutdown: takes no new jobs, cancels queued ones, lets running ones finish for up to {@code deadline}, then
     * cancels them and waits for them to end. Returns how many ran to their end and how many were cancelled.
     */
    int[] drain(Duration deadline, String cancelReason) throws InterruptedException {
        List<Job> queuedJobs = new ArrayList<>();
        synchronized (jobs) {
            draining = true;
            for (Job j : jobs.values()) {
                if (j.state() == State.QUEUED) {
                    queuedJobs.add(j);
                }
            }
        }
        int cancelled = 0;
        for (Job j : queuedJobs) {
            if (cancel(j, "cancelled: the node shut down before the job started", Duration.ZERO)) {
                cancelled++;
            }
        }
        List<Job> runningJobs = new ArrayList<>();
        synchronized (jobs) {
            for (Job j : jobs.values()) {
                if (j.state() == State.RUNNING) {
                    runningJobs.add(j);
                }
            }
        }
        pool.shutdown();
        int finished = 0;
        if (!pool.awaitTermination(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            for (Job j : runningJobs) {
                if (cancel(j, cancelReason, Duration.ofSeconds(30))) {
                    // cancel() returned after the job ended, or after 30 s
                }
            }
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
        for (Job j : runningJobs) {
            if (j.state() == State.CANCELLED) {
                cancelled++;
            } else {
                finished++;
            }
        }
        return new int[] {finished, cancelled};
    }
}
