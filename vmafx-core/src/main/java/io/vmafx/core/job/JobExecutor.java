package io.vmafx.core.job;

import io.vmafx.api.uri.AssetUri;
import io.vmafx.api.uri.InvalidAssetUriException;
import io.vmafx.api.uri.UriRules;
import io.vmafx.core.score.InputSide;
import io.vmafx.core.score.ProgressListener;
import io.vmafx.core.score.ScoreRequest;
import io.vmafx.core.score.Scorer;
import io.vmafx.core.score.ScoringException;
import io.vmafx.core.score.VmafScores;
import io.vmafx.spi.NodeSettings;
import io.vmafx.spi.bypass.BypassDecision;
import io.vmafx.spi.bypass.BypassProvider;
import io.vmafx.spi.bypass.FuseTraffic;
import io.vmafx.spi.bypass.TrafficWatch;
import io.vmafx.spi.storage.PreparedInput;
import io.vmafx.spi.storage.StorageException;
import io.vmafx.spi.storage.StorageProvider;
import io.vmafx.core.score.ScoreOptions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs scoring jobs: parses both inputs, prepares them in parallel through their storage, offers each to the
 * bypass, runs the scorer, and releases both inputs on every path out (success, scorer failure, one side
 * failing to prepare, cancellation by interrupt).
 *
 * <p>Thread-safe; one instance serves every job of a node.
 */
public final class JobExecutor implements AutoCloseable {

    private final StorageRouter router;
    private final NodeSettings settings;
    private final UriRules rules;
    private final Scorer scorer;
    private final ScoreOptions defaultOptions;
    private final Duration stallTimeout;
    private final Duration jobDeadline;
    private final java.util.concurrent.ScheduledExecutorService watchdogClock = JobWatchdog.clock();
    private final BypassProvider bypass;
    private final ExecutorService preparers;
    private final String noBypassReason;

    /** How long scoring may compare no frame before the job fails ({@link JobWatchdog}). */
    public static final String STALL_TIMEOUT = "VMAFX_STALL_TIMEOUT";
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(60);
    /** The longest a job's scoring may run, counted from the job's start; 0: no limit. */
    public static final String JOB_DEADLINE = "VMAFX_JOB_DEADLINE";

    /** The reason an input was not bypassed when the node runs without the bypass switched on. */
    public static final String BYPASS_OFF = "bypass is off (VMAFX_EBPF_BYPASS=1 turns it on)";

    /** With no bypass: every input's reason says the bypass is off. */
    public JobExecutor(StorageRouter router, NodeSettings settings, UriRules rules, Scorer scorer, ScoreOptions defaultOptions,
                       BypassProvider bypass) {
        this(router, settings, rules, scorer, defaultOptions, bypass, BYPASS_OFF);
    }

    /**
     * @param bypass          a started bypass, or null when the bypass is off or unusable
     * @param noBypassReason  what each input's result says when {@code bypass} is null: off, or on but unusable and why
     */
    public JobExecutor(StorageRouter router, NodeSettings settings, UriRules rules, Scorer scorer, ScoreOptions defaultOptions,
                       BypassProvider bypass, String noBypassReason) {
        this.noBypassReason = noBypassReason;
        this.router = router;
        this.settings = settings;
        this.rules = rules;
        this.scorer = scorer;
        this.defaultOptions = defaultOptions;
        this.stallTimeout = settings.duration(STALL_TIMEOUT, DEFAULT_STALL_TIMEOUT);
        this.jobDeadline = settings.duration(JOB_DEADLINE, Duration.ZERO);
        this.bypass = bypass;
        AtomicInteger n = new AtomicInteger();
        this.preparers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "vmafx-prepare-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Why no job can be scored on this machine (no scorer for its architecture, no tool), or empty. */
    public Optional<String> scorerUnavailable() {
        return scorer.unavailable();
    }

    /** What a job computes when it names nothing else: the node's models, every frame, bicubic scaling. */
    public ScoreOptions defaultOptions() {
        return defaultOptions;
    }

    /** Where model files named by API jobs may come from ({@code VMAFX_MODELS_DIR}), if the operator set one. */
    public Optional<java.nio.file.Path> modelsDir() {
        return settings.get("VMAFX_MODELS_DIR").filter(s -> !s.isBlank()).map(java.nio.file.Path::of);
    }

    /**
     * Runs one job to its end.
     *
     * @throws JobException         the job failed; the message names the input and the cause
     * @throws InterruptedException the job was cancelled; ffmpeg was stopped and both inputs released
     */
    public JobResult run(JobRequest request, ProgressListener progress) throws JobException, InterruptedException {
        return run(request, progress, JobObserver.NONE);
    }

    /**
     * Runs one job to its end like {@link #run(JobRequest, ProgressListener)}, telling {@code observer} how long
     * each prepare and the scorer took.
     */
    public JobResult run(JobRequest request, ProgressListener progress, JobObserver observer)
            throws JobException, InterruptedException {
        long start = System.nanoTime();
        long deadline = jobDeadline.isZero() ? Long.MAX_VALUE : start + jobDeadline.toNanos();
        Optional<String> noScorer = scorer.unavailable();
        if (noScorer.isPresent()) {
            throw new JobException("cannot score: " + noScorer.get());
        }
        AssetUri ref = parse(InputSide.REFERENCE, request.reference());
        AssetUri dis = parse(InputSide.DISTORTED, request.distorted());
        boolean refRaw = isRaw(ref);
        boolean disRaw = isRaw(dis);
        if ((refRaw && request.referenceRaw() == null) || (disRaw && request.distortedRaw() == null)) {
            AssetUri raw = refRaw && request.referenceRaw() == null ? ref : dis;
            throw new JobException(label(raw == ref ? InputSide.REFERENCE : InputSide.DISTORTED) + " " + raw.input()
                    + ": raw .yuv input needs --width, --height and --pix-fmt");
        }
        ScoreOptions options = request.options() != null ? request.options() : defaultOptions;
        StorageProvider refStorage = route(InputSide.REFERENCE, ref);
        StorageProvider disStorage = route(InputSide.DISTORTED, dis);

        PrepareTask refPrepare = new PrepareTask(preparers, () -> prepare(refStorage, ref, observer));
        PrepareTask disPrepare = new PrepareTask(preparers, () -> prepare(disStorage, dis, observer));
        BypassDecision refBypass = null;
        BypassDecision disBypass = null;
        TrafficWatch refWatch = null;
        TrafficWatch disWatch = null;
        try {
            PrepareTask.awaitEither(refPrepare, disPrepare);
            if (disPrepare.failed()) {
                await(InputSide.DISTORTED, dis, disPrepare);
            }
            PreparedInput refInput = await(InputSide.REFERENCE, ref, refPrepare);
            PreparedInput disInput = await(InputSide.DISTORTED, dis, disPrepare);
            long prepared = System.nanoTime();
            // Both offers at once: each may ask the remote for a fresh stat (an rclone run, maybe a hash).
            CompletableFuture<BypassDecision> refOffer = CompletableFuture.supplyAsync(() -> offer(refInput), preparers);
            try {
                disBypass = offer(disInput);
                refBypass = refOffer.get();
            } catch (InterruptedException e) {
                refOffer.thenAccept(JobExecutor::close); // the lease it may still hand out is nobody's
                throw e;
            } catch (ExecutionException e) {
                refBypass = BypassDecision.decline("bypass error: " + e.getCause());
            }
            refWatch = watch(refInput);
            disWatch = watch(disInput);
            ScoreRequest score = new ScoreRequest(
                    refBypass.location().orElse(refInput.location()),
                    disBypass.location().orElse(disInput.location()),
                    refRaw ? request.referenceRaw() : null, disRaw ? request.distortedRaw() : null, options, progress);
            VmafScores scores;
            try {
                scores = score(score, ref, dis, refInput, disInput, observer, deadline);
            } catch (JobException e) {
                // A storage that died under ffmpeg is the cause, whatever ffmpeg made of the cut read.
                checkReads(ref, refInput, refBypass, dis, disInput, disBypass);
                throw e;
            }
            // ffmpeg exits 0 on a read cut short by a dying rclone: only storage can say the bytes were whole.
            checkReads(ref, refInput, refBypass, dis, disInput, disBypass);
            long end = System.nanoTime();
            return new JobResult(scores, options,
                    report(ref, refInput, refBypass, refWatch), report(dis, disInput, disBypass, disWatch),
                    millis(prepared - start), millis(end - prepared), millis(end - start));
        } finally {
            close(refWatch);
            close(disWatch);
            close(refBypass);
            close(disBypass);
            refPrepare.release();
            disPrepare.release();
        }
    }

    private PreparedInput prepare(StorageProvider storage, AssetUri uri, JobObserver observer)
            throws StorageException, InterruptedException {
        long t0 = System.nanoTime();
        // Reported in finally, whatever ended the call: a cancelled prepare was counted by its provider as well,
        // and leaving it out made the providers' prepare count and the latency histogram's count disagree.
        JobObserver.PrepareOutcome outcome = JobObserver.PrepareOutcome.ERROR;
        try {
            PreparedInput input = storage.prepare(uri, settings);
            outcome = JobObserver.PrepareOutcome.OK;
            return input;
        } catch (InterruptedException e) {
            outcome = JobObserver.PrepareOutcome.CANCELLED;
            throw e;
        } finally {
            observer.prepared(storage.name(), System.nanoTime() - t0, outcome);
        }
    }

    private AssetUri parse(InputSide side, String text) throws JobException {
        try {
            return AssetUri.parse(text, rules);
        } catch (InvalidAssetUriException e) {
            throw new JobException(label(side) + ": " + e.getMessage());
        }
    }

    private StorageProvider route(InputSide side, AssetUri uri) throws JobException {
        try {
            return router.route(uri);
        } catch (StorageRouter.RoutingException e) {
            throw new JobException(label(side) + ": " + e.getMessage());
        }
    }

    private static boolean isRaw(AssetUri uri) {
        return uri.fileName().toLowerCase(Locale.ROOT).endsWith(".yuv");
    }

    private static PreparedInput await(InputSide side, AssetUri uri, PrepareTask f)
            throws JobException, InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof StorageException) {
                throw new JobException(label(side) + ": " + c.getMessage(), c);
            }
            if (c instanceof InterruptedException) {
                throw (InterruptedException) c;
            }
            throw new JobException(label(side) + " " + uri.input() + ": storage failed: " + c, c);
        }
    }

    private BypassDecision offer(PreparedInput input) {
        if (bypass == null) {
            return BypassDecision.decline(noBypassReason);
        }
        if (input.vfsCache().isEmpty()) {
            return BypassDecision.decline("not read through an rclone VFS cache");
        }
        try {
            return bypass.offer(input);
        } catch (RuntimeException e) {
            // A bypass never fails a job: read through storage as before.
            return BypassDecision.decline("bypass error: " + e.getMessage());
        }
    }

    private VmafScores score(ScoreRequest request, AssetUri ref, AssetUri dis, PreparedInput refInput, PreparedInput disInput,
                             JobObserver observer, long deadline) throws JobException, InterruptedException {
        long t0 = System.nanoTime();
        JobWatchdog watchdog = new JobWatchdog(watchdogClock, Thread.currentThread(), stallTimeout, deadline,
                List.of(refInput::abortReads, disInput::abortReads));
        try {
            VmafScores scores = scorer.score(request.withProgress(watchdog.watching(request.progress())));
            if (Thread.currentThread().isInterrupted()) {
                // Cancelled (or ended by the watchdog) as the scorer finished: the result is not published.
                throw new InterruptedException("cancelled as scoring ended");
            }
            return scores;
        } catch (InterruptedException e) {
            watchdog.close();
            Optional<String> verdict = watchdog.verdict();
            if (verdict.isPresent()) {
                Thread.interrupted(); // the watchdog's interrupt, answered here: the job fails, it was not cancelled
                throw new JobException("reference " + ref.input() + " and distorted " + dis.input() + ": " + verdict.get(), e);
            }
            throw e;
        } catch (ScoringException e) {
            Optional<InputSide> side = e.side();
            if (side.isPresent()) {
                AssetUri uri = side.get() == InputSide.REFERENCE ? ref : dis;
                PreparedInput in = side.get() == InputSide.REFERENCE ? refInput : disInput;
                String where = in.displayLocation().equals(uri.input()) ? "" : " (read as " + in.displayLocation() + ")";
                throw new JobException(label(side.get()) + " " + uri.input() + where + ": " + e.getMessage(), e);
            }
            throw new JobException("scoring failed: " + e.getMessage(), e);
        } finally {
            watchdog.close();
            observer.scored(System.nanoTime() - t0);
        }
    }

    /**
     * Fails when storage cannot vouch for what was read of either input: both are asked (in parallel, each check may
     * ask the remote), and both problems are named when both have one, since one can be the other's cause (a mount
     * both inputs share, aborted because one of them changed under it).
     */
    private void checkReads(AssetUri ref, PreparedInput refInput, BypassDecision refBypass,
                            AssetUri dis, PreparedInput disInput, BypassDecision disBypass) throws JobException {
        CompletableFuture<Optional<String>> refProblem = CompletableFuture.supplyAsync(() -> readProblem(refInput, refBypass),
                preparers);
        Optional<String> disProblem = readProblem(disInput, disBypass);
        Optional<String> refResult = refProblem.join();
        String line = String.join("; ", java.util.stream.Stream.of(
                refResult.map(p -> label(InputSide.REFERENCE) + " " + ref.input() + ": " + p),
                disProblem.map(p -> label(InputSide.DISTORTED) + " " + dis.input() + ": " + p))
                .flatMap(Optional::stream).toList());
        if (!line.isEmpty()) {
            throw new JobException(line);
        }
    }

    private static Optional<String> readProblem(PreparedInput input, BypassDecision bypass) {
        return bypass.bypassed() ? Optional.empty() : input.readProblem(); // a bypassed input was read from the cache file
    }

    /** What the probe sees of this input from now on, if the bypass can observe it; never fails the job. */
    private TrafficWatch watch(PreparedInput input) {
        if (bypass == null) {
            return null;
        }
        try {
            return bypass.watch(input).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static InputReport report(AssetUri uri, PreparedInput input, BypassDecision decision, TrafficWatch watch) {
        Optional<FuseTraffic> traffic = Optional.empty();
        if (watch != null) {
            try {
                traffic = Optional.of(watch.traffic());
            } catch (RuntimeException e) {
                // An observation that failed is no observation; the job's result stands.
            }
        }
        return new InputReport(uri.input(), input.provider(),
                decision.location().orElse(input.displayLocation()), decision.bypassed(), decision.reason(), traffic);
    }

    private static void close(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // Closing a bypass lease or a watch must not hide the job's own outcome.
                System.getLogger(JobExecutor.class.getName()).log(System.Logger.Level.WARNING, "closing " + c + ": " + e);
            }
        }
    }

    private static String label(InputSide side) {
        return side == InputSide.REFERENCE ? "reference" : "distorted";
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    @Override
    public void close() {
        watchdogClock.shutdownNow();
        preparers.shutdownNow();
    }
}
