package io.vmafx.core.bench;

import com.fasterxml.jackson.jr.ob.JSON;
import io.vmafx.core.job.JobException;
import io.vmafx.core.job.JobRequest;
import io.vmafx.core.job.JobResult;
import io.vmafx.core.node.Node;
import io.vmafx.core.score.ProgressListener;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * {@code bench faults}: {@code --jobs} small jobs per mode through the HTTP API of a real {@code serve} process
 * ({@link ServeProcess}), in http-serve and in mount mode, reading an rclone {@code alias} remote ({@link ScratchRemote}),
 * while faults ({@link FaultKind}) are injected on a schedule: every {@code faultEvery}-th job meets one, the kinds
 * in turn. A fault job reads a private copy of a longer distorted clip, and its fault lands while the job's scoring
 * run reads: the bench finds that ffprobe among the node's children by its graph file (which names the copy), waits
 * until it has done some work, then kills the serving rclone, truncates, replaces or deletes the copy, or fills the
 * mount's cache tmpfs ({@link CacheTmpfs}) and keeps it full until the job ended. Throughout, {@link SlowClients}
 * holds connections that sent half a request header and measures {@code /healthz}.
 *
 * <p>The bench knows every right answer: the true scores of the untouched pairs (computed once, locally, by the
 * node this command started) and, for a replaced source, of the replacement. A job that succeeded must report one
 * of the scores of what it can have read whole (the original, or the replacement read from its start) with the
 * right frame count, else it is a wrong score; a job that failed must name a fault it met (its own, or an rclone
 * kill or a full cache while it ran), else it failed for another cause; a job that has not ended within
 * {@link #HANG_BOUND} is hung. A fault that lands after the job's read is over may let it succeed: it then
 * counts by what it read. After each node stopped: no rclone, ffprobe, mount or temporary file of it may be left.
 */
public final class FaultBench {

    /** A job that has not ended this long after it was submitted is hung (the nodes run with a 60 s job deadline). */
    static final Duration HANG_BOUND = Duration.ofSeconds(120);
    /** The clips: 160x90, clean jobs 2 s (50 frames), fault jobs 8 s (200 frames, long enough to be hit mid-read). */
    static final Clips.Size SIZE = new Clips.Size(160, 90);
    static final int CLEAN_SECONDS = 2;
    static final int FAULT_SECONDS = 8;
    /** After an rclone kill, jobs that start within this long may still meet the dying process. */
    static final long KILL_REACH_NANOS = TimeUnit.SECONDS.toNanos(3);
    /** rclone may log a cache write it could not make, or die of it, a little after the ballast is gone. */
    static final long CACHE_FULL_REACH_NANOS = TimeUnit.SECONDS.toNanos(3);

    /**
     * @param jobs        jobs per mode
     * @param slots       the nodes' slots, and as many jobs in flight
     * @param faultEvery  every n-th job meets a fault
     * @param cancelEvery every n-th job without a fault is cancelled while it runs (0: none)
     * @param slowClients connections holding half a request header
     * @param cacheMb     the mount's cache tmpfs
     * @param modes       the storage modes to run, in order
     * @param keepLogs    where to copy each serve process's stdout and stderr; null: nowhere
     */
    public record Options(int jobs, int slots, int faultEvery, int cancelEvery, int slowClients, int cacheMb, List<String> modes,
                          Path keepLogs) {
        public Options {
            modes = List.copyOf(modes);
            if (modes.isEmpty() || !List.of("http-serve", "mount").containsAll(modes)) {
                throw new IllegalArgumentException("--modes is http-serve, mount or both, got " + modes);
            }
            if (jobs < 1 || jobs > 10_000) {
                throw new IllegalArgumentException("--jobs must be from 1 to 10000, got " + jobs);
            }
            if (slots < 1 || slots > 16) {
                throw new IllegalArgumentException("--slots must be from 1 to 16, got " + slots);
            }
            if (faultEvery < 1) {
                throw new IllegalArgumentException("--fault-every must be 1 or more, got " + faultEvery);
            }
            if (cancelEvery < 0) {
                throw new IllegalArgumentException("--cancel-every must be 0 or more, got " + cancelEvery);
            }
            if (slowClients < 0 || slowClients > 400) {
                throw new IllegalArgumentException("--slow-clients must be from 0 to 400, got " + slowClients);
            }
            if (cacheMb < 16 || cacheMb > 1024) {
                throw new IllegalArgumentException("--cache-mb must be from 16 to 1024, got " + cacheMb);
            }
        }
    }

    /** The true answers. */
    record Truth(double clean, long cleanFrames, double fault, long faultFrames, double replaced) {
    }

    /** A fault that reaches every job its node runs at the time: from {@code from} to {@code to} (nanoTime). */
    record NodeEvent(FaultKind kind, long from, long to) {
    }

    /** What happened to one job. */
    static final class Job {
        final String mode;
        final int index;
        final FaultKind kind;
        final boolean cancel;
        final String reference;
        final String distorted;
        String id;
        long submitted;
        long ended;
        /** When its fault was injected (nanoTime); null when none was. */
        Long faultAt;
        /** Whether its scoring run was still running after the fault was injected. */
        boolean midRead;
        String state;
        String error;
        Double score;
        Long frames;
        boolean hung;
        FaultReport.Outcome outcome;
        String note;

        Job(String mode, int index, FaultKind kind, boolean cancel, String reference, String distorted) {
            this.mode = mode;
            this.index = index;
            this.kind = kind;
            this.cancel = cancel;
            this.reference = reference;
            this.distorted = distorted;
        }

        String describe() {
            return mode + " job " + index + (id == null ? "" : " (" + id + ")") + ", " + kind.label()
                    + (faultAt == null ? "" : midRead ? ", hit mid-read" : ", hit after its read") + ": " + state
                    + (score == null ? "" : ", VMAF " + score + " over " + frames + " frames") + (error == null ? "" : ": " + error);
        }
    }

    /**
     * One fault job at a time per node (clean jobs run beside it): each fault job's failure is then its own fault's,
     * not a neighbour's rclone kill, and the figures per kind say what each kind does.
     */
    private final java.util.concurrent.Semaphore faultJob = new java.util.concurrent.Semaphore(1);
    private final Node local;
    private final Options options;
    private final Map<String, String> env;
    private final BenchProgress progress;

    /**
     * @param local the node this command started: it scores the untouched pairs locally, for the true answers
     * @param env   the environment the serve processes start from (the user's)
     */
    public FaultBench(Node local, Options options, Map<String, String> env, BenchProgress progress) {
        this.local = local;
        this.options = options;
        this.env = env;
        this.progress = progress;
    }

    public FaultReport run() throws IOException, InterruptedException, JobException {
        long t0 = System.nanoTime();
        ScratchRemote scratch = ScratchRemote.create("faults");
        List<FaultReport.ModeResult> modes = new ArrayList<>();
        String unmount = null;
        CacheTmpfs tmpfs = null;
        Truth truth;
        try {
            Path data = scratch.data();
            progress.step("making the clips");
            Clips.make(data.resolve("ref.y4m"), data.resolve("dis.y4m"), SIZE, CLEAN_SECONDS);
            Clips.make(data.resolve("long-ref.y4m"), data.resolve("long-dis.y4m"), SIZE, FAULT_SECONDS);
            truth = truth(data);
            tmpfs = CacheTmpfs.mount(scratch.dir().resolve("cache-tmpfs"), options.cacheMb());
            for (String mode : options.modes()) {
                modes.add(runMode(scratch, mode, truth, tmpfs));
            }
        } finally {
            if (tmpfs != null) {
                unmount = tmpfs.unmount();
            }
            scratch.close();
        }
        return new FaultReport(options, modes, unmount, scratch.cleanup(), (System.nanoTime() - t0) / 1e9);
    }

    /** The true scores, by the local node: the clean pair, the fault pair, and the fault reference against itself (a replaced source). */
    private Truth truth(Path data) throws JobException, InterruptedException {
        progress.step("scoring the untouched pairs locally");
        JobResult clean = local.executor().run(JobRequest.of(data.resolve("ref.y4m").toString(), data.resolve("dis.y4m").toString()),
                ProgressListener.NONE);
        JobResult fault = local.executor().run(JobRequest.of(data.resolve("long-ref.y4m").toString(),
                data.resolve("long-dis.y4m").toString()), ProgressListener.NONE);
        JobResult replaced = local.executor().run(JobRequest.of(data.resolve("long-ref.y4m").toString(),
                data.resolve("long-ref.y4m").toString()), ProgressListener.NONE);
        return new Truth(clean.scores().mean(), clean.scores().frameCount(), fault.scores().mean(), fault.scores().frameCount(),
                replaced.scores().mean());
    }

    private FaultReport.ModeResult runMode(ScratchRemote scratch, String mode, Truth truth, CacheTmpfs tmpfs)
            throws IOException, InterruptedException {
        Path dir = Files.createDirectories(scratch.dir().resolve("node-" + mode));
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path mounts = Files.createDirectories(dir.resolve("mounts"));
        Path cache = mode.equals("mount") ? tmpfs.cacheDir() : Files.createDirectories(dir.resolve("cache"));
        Map<String, String> nodeEnv = new HashMap<>(env);
        nodeEnv.put("VMAFX_RCLONE_CONFIG", scratch.rcloneConfig().toString());
        nodeEnv.put("VMAFX_STORAGE_MODE", mode);
        nodeEnv.put("VMAFX_STORAGE_MOUNT_ROOT", mounts.toString());
        nodeEnv.put("VMAFX_CACHE_DIR", cache.toString());
        nodeEnv.put("VMAFX_EBPF_BYPASS", "0");
        nodeEnv.put("VMAFX_STALL_TIMEOUT", "10s");
        nodeEnv.put("VMAFX_JOB_DEADLINE", "60s");
        nodeEnv.put("VMAFX_NODE_DRAIN", "5s");
        nodeEnv.put("TMPDIR", tmp.toString());
        nodeEnv.putIfAbsent("LC_ALL", "C.UTF-8");
        if (mode.equals("mount")) {
            // Fault jobs read private copies; rclone's cache cleaner (every minute by default) would let them fill the
            // small tmpfs by themselves. A bound below the tmpfs, checked every second, keeps "full" the bench's doing.
            nodeEnv.put("VMAFX_VFS_CACHE_MAX_SIZE", (options.cacheMb() / 2) + "M");
            nodeEnv.put("RCLONE_VFS_CACHE_POLL_INTERVAL", "1s");
        }
        progress.step(mode + ": starting serve");
        long t0 = System.nanoTime();
        List<Job> jobs = plan(mode);
        List<NodeEvent> events = new CopyOnWriteArrayList<>();
        ServeProcess node = ServeProcess.start(nodeEnv, tmp, dir.resolve("logs"), List.of("--slots", Integer.toString(options.slots())));
        String stop;
        List<Double> healthz;
        int healthzFailed;
        int reopened;
        List<String> errors = new CopyOnWriteArrayList<>();
        try {
            SlowClients slow = options.slowClients() > 0 ? SlowClients.start(node.url(), options.slowClients()) : null;
            try {
                AtomicInteger next = new AtomicInteger();
                List<Thread> drivers = new ArrayList<>();
                for (int d = 0; d < options.slots(); d++) {
                    Thread t = new Thread(() -> {
                        int i;
                        while ((i = next.getAndIncrement()) < jobs.size()) {
                            Job job = jobs.get(i);
                            try {
                                drive(scratch, node, tmpfs, job, events);
                            } catch (IOException | RuntimeException e) {
                                errors.add(job.mode + " job " + job.index + ": the bench could not drive it: " + e);
                            } catch (InterruptedException e) {
                                return;
                            }
                            if (job.index % 20 == 0) {
                                progress.step(mode + ": " + job.index + " of " + jobs.size());
                            }
                        }
                    }, "vmafx-bench-driver-" + d);
                    drivers.add(t);
                    t.start();
                }
                for (Thread t : drivers) {
                    t.join();
                }
            } finally {
                if (slow != null) {
                    slow.close();
                }
            }
            healthz = slow == null ? List.of() : slow.healthzMillis();
            healthzFailed = slow == null ? 0 : slow.healthzFailed();
            reopened = slow == null ? 0 : slow.reopened();
        } finally {
            stop = node.stop(60);
            if (options.keepLogs() != null) {
                Files.createDirectories(options.keepLogs());
                for (String log : List.of("stdout", "stderr")) {
                    Files.copy(dir.resolve("logs").resolve(log), options.keepLogs().resolve(mode + "." + log),
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        for (Job job : jobs) {
            classify(job, truth, events);
        }
        List<String> leaks = leaks(scratch, dir, mounts, tmp);
        progress.step(mode + ": done in " + Math.round(wall) + " s");
        return new FaultReport.ModeResult(mode, jobs, events, healthz, healthzFailed, reopened, options.slowClients(), stop, leaks, errors,
                wall);
    }

    /** The jobs of a mode: every {@code faultEvery}-th meets the mode's next fault; every {@code cancelEvery}-th other one is cancelled. */
    private List<Job> plan(String mode) {
        List<FaultKind> kinds = FaultKind.of(mode);
        List<Job> jobs = new ArrayList<>();
        int faults = 0;
        for (int i = 1; i <= options.jobs(); i++) {
            FaultKind kind = i % options.faultEvery() == 0 ? kinds.get(faults++ % kinds.size()) : FaultKind.NONE;
            boolean cancel = kind == FaultKind.NONE && options.cancelEvery() > 0 && i % options.cancelEvery() == 0;
            String victim = "f-" + mode + "-" + i + ".y4m";
            jobs.add(kind == FaultKind.NONE ? new Job(mode, i, kind, cancel, "ref.y4m", "dis.y4m")
                    : new Job(mode, i, kind, false, "long-ref.y4m", victim));
        }
        return jobs;
    }

    /** Submits one job, injects its fault at the right moment, waits for its end (or calls it hung). */
    private void drive(ScratchRemote scratch, ServeProcess node, CacheTmpfs tmpfs, Job job, List<NodeEvent> events)
            throws IOException, InterruptedException {
        if (job.kind == FaultKind.NONE) {
            driveOne(scratch, node, tmpfs, job, events);
            return;
        }
        faultJob.acquire();
        try {
            driveOne(scratch, node, tmpfs, job, events);
        } finally {
            faultJob.release();
        }
    }

    private void driveOne(ScratchRemote scratch, ServeProcess node, CacheTmpfs tmpfs, Job job, List<NodeEvent> events)
            throws IOException, InterruptedException {
        Path data = scratch.data();
        Path victim = data.resolve(job.distorted);
        if (job.kind != FaultKind.NONE) {
            Files.copy(data.resolve("long-dis.y4m"), victim, StandardCopyOption.REPLACE_EXISTING);
        }
        try {
            String body = JSON.std.asString(Map.of("reference_uri", scratch.uri(job.reference), "distorted_uri", scratch.uri(job.distorted)));
            job.submitted = System.nanoTime();
            LoadBench.Answer r = LoadBench.request("POST", node.url() + "/v1/jobs", body);
            if (r.status() != 202) {
                throw new IOException("POST /v1/jobs answered " + r.status() + ": " + r.body());
            }
            job.id = (String) r.json().get("id");
            if (job.kind != FaultKind.NONE) {
                injectMidRead(node, tmpfs, job, victim, events);
            } else if (job.cancel) {
                if (awaitState(node, job, "running")) {
                    LoadBench.Answer d = LoadBench.request("DELETE", node.url() + "/v1/jobs/" + job.id, null);
                    if (d.status() != 200 && d.status() != 202 && d.status() != 409) {
                        throw new IOException("DELETE /v1/jobs/" + job.id + " answered " + d.status() + ": " + d.body());
                    }
                }
            }
            awaitEnd(node, job);
        } finally {
            if (job.kind == FaultKind.CACHE_FULL && job.faultAt != null) {
                tmpfs.drain();
                events.add(new NodeEvent(FaultKind.CACHE_FULL, job.faultAt, System.nanoTime()));
            }
            if (job.kind != FaultKind.NONE) {
                Files.deleteIfExists(victim);
            }
        }
    }

    /**
     * Waits for the job's scoring run (an ffprobe of the node whose graph file names the job's distorted copy) to have
     * done some work, then injects the fault; records whether the run was still going after it.
     */
    private static void injectMidRead(ServeProcess node, CacheTmpfs tmpfs, Job job, Path victim, List<NodeEvent> events)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Optional<ProcessHandle> run = Optional.empty();
        while (run.isEmpty() && System.nanoTime() < deadline) {
            run = scoringRun(node, job.distorted);
            if (run.isEmpty()) {
                if (ended(node, job)) {
                    job.note = "ended before its scoring run was seen: no fault injected";
                    return;
                }
                Thread.sleep(5);
            }
        }
        if (run.isEmpty()) {
            job.note = "no scoring run seen within 60 s: no fault injected";
            return;
        }
        ProcessHandle scoring = run.get();
        // Some frames compared, most still to read: 40 ms of CPU (or 80 ms of waiting) into a run of ~300 ms.
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(80);
        while (scoring.isAlive() && System.nanoTime() < until
                && scoring.info().totalCpuDuration().orElse(Duration.ZERO).toMillis() < 40) {
            Thread.sleep(2);
        }
        job.faultAt = System.nanoTime();
        switch (job.kind) {
            case KILL_RCLONE -> {
                List<ProcessHandle> serving = node.descendants("rclone").stream().filter(FaultBench::serving).toList();
                serving.forEach(ProcessHandle::destroyForcibly);
                if (serving.isEmpty()) {
                    job.note = "no serving rclone found to kill";
                }
                events.add(new NodeEvent(FaultKind.KILL_RCLONE, job.faultAt, job.faultAt));
            }
            case TRUNCATE -> {
                try (FileChannel c = FileChannel.open(victim, StandardOpenOption.WRITE)) {
                    c.truncate(c.size() / 2 + 37);
                }
            }
            case REPLACE -> {
                Path tmp = victim.resolveSibling(".tmp-" + victim.getFileName());
                Files.copy(victim.resolveSibling("long-ref.y4m"), tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, victim, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            case DELETE -> Files.delete(victim);
            case CACHE_FULL -> tmpfs.fill(); // kept full until the job ended
            default -> throw new IllegalStateException("not injected mid-read: " + job.kind);
        }
        job.midRead = scoring.isAlive();
    }

    /** {@code rclone serve http} or {@code rclone mount}: the processes that serve a remote, not a one-off {@code lsjson}. */
    private static boolean serving(ProcessHandle h) {
        List<String> args = List.of(h.info().arguments().orElse(new String[0]));
        return args.contains("serve") || args.contains("mount");
    }

    /** The node's ffprobe that scores (its {@code -show_entries} asks for packets) and whose graph file names {@code distorted}. */
    static Optional<ProcessHandle> scoringRun(ServeProcess node, String distorted) {
        for (ProcessHandle h : node.descendants("ffprobe")) {
            List<String> args = List.of(h.info().arguments().orElse(new String[0]));
            int g = args.indexOf("-graph_file");
            if (g < 0 || g + 1 >= args.size() || args.stream().noneMatch(a -> a.startsWith("packet=stream_index,pts"))) {
                continue;
            }
            try {
                if (Files.readString(Path.of(args.get(g + 1)), StandardCharsets.UTF_8).contains(distorted)) {
                    return Optional.of(h);
                }
            } catch (IOException | RuntimeException e) {
                // gone meanwhile
            }
        }
        return Optional.empty();
    }

    private static boolean ended(ServeProcess node, Job job) throws IOException {
        String state = (String) get(node, job).get("state");
        return !state.equals("queued") && !state.equals("running");
    }

    private static Map<String, Object> get(ServeProcess node, Job job) throws IOException {
        LoadBench.Answer r = LoadBench.request("GET", node.url() + "/v1/jobs/" + job.id, null);
        if (r.status() != 200) {
            throw new IOException("GET /v1/jobs/" + job.id + " answered " + r.status() + ": " + r.body());
        }
        return r.json();
    }

    /** Waits for the job to be in {@code state}; false when it ended first. */
    private static boolean awaitState(ServeProcess node, Job job, String state) throws IOException, InterruptedException {
        long deadline = job.submitted + HANG_BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            String now = (String) get(node, job).get("state");
            if (now.equals(state)) {
                return true;
            }
            if (!now.equals("queued") && !now.equals("running")) {
                return false;
            }
            Thread.sleep(5);
        }
        return false;
    }

    /** Waits for the end; past {@link #HANG_BOUND} the job is hung, cancelled, and waited for a little longer. */
    @SuppressWarnings("unchecked")
    private static void awaitEnd(ServeProcess node, Job job) throws IOException, InterruptedException {
        long deadline = job.submitted + HANG_BOUND.toNanos();
        Map<String, Object> j;
        while (true) {
            j = get(node, job);
            String state = (String) j.get("state");
            if (!state.equals("queued") && !state.equals("running")) {
                break;
            }
            if (System.nanoTime() > deadline) {
                if (!job.hung) {
                    job.hung = true;
                    LoadBench.request("DELETE", node.url() + "/v1/jobs/" + job.id, null);
                    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                } else {
                    job.state = state + " (still, after it was cancelled)";
                    job.ended = System.nanoTime();
                    return;
                }
            }
            Thread.sleep(20);
        }
        job.ended = System.nanoTime();
        job.state = (String) j.get("state");
        job.error = (String) j.get("error");
        Object result = j.get("result");
        if (result instanceof Map<?, ?> m) {
            Object vmaf = m.get("vmaf");
            if (vmaf instanceof Map<?, ?> v && v.get("mean") instanceof Number mean) {
                job.score = mean.doubleValue();
            }
            if (m.get("frames") instanceof Number frames) {
                job.frames = frames.longValue();
            }
        }
    }

    /** The job's outcome against the truth and the faults it met. */
    static void classify(Job job, Truth truth, List<NodeEvent> events) {
        if (job.hung) {
            job.outcome = FaultReport.Outcome.HUNG;
            return;
        }
        switch (job.state) {
            case "succeeded" -> {
                boolean clean = job.kind == FaultKind.NONE;
                long frames = clean ? truth.cleanFrames() : truth.faultFrames();
                List<Double> right = clean ? List.of(truth.clean())
                        : job.kind == FaultKind.REPLACE ? List.of(truth.fault(), truth.replaced()) : List.of(truth.fault());
                boolean ok = job.score != null && job.frames != null && job.frames == frames
                        && right.stream().anyMatch(s -> Math.abs(s - job.score) < 1e-6);
                job.outcome = ok ? FaultReport.Outcome.SUCCEEDED : FaultReport.Outcome.WRONG_SCORE;
            }
            case "failed" -> {
                List<FaultKind> met = met(job, events);
                String error = job.error == null ? "" : job.error;
                job.outcome = met.stream().anyMatch(k -> k.cause().matcher(error).find())
                        ? FaultReport.Outcome.FAILED_RIGHT_CAUSE : FaultReport.Outcome.FAILED_OTHER_CAUSE;
            }
            case "cancelled" -> job.outcome = job.cancel ? FaultReport.Outcome.CANCELLED : FaultReport.Outcome.FAILED_OTHER_CAUSE;
            default -> job.outcome = FaultReport.Outcome.HUNG;
        }
    }

    /** The faults a job met: its own (when injected) and the node-wide ones while it was in the node. */
    static List<FaultKind> met(Job job, List<NodeEvent> events) {
        List<FaultKind> met = new ArrayList<>();
        if (job.faultAt != null) {
            met.add(job.kind);
        }
        for (NodeEvent e : events) {
            long reach = e.kind() == FaultKind.KILL_RCLONE ? KILL_REACH_NANOS : CACHE_FULL_REACH_NANOS;
            if (job.submitted <= e.to() + reach && job.ended >= e.from()) {
                met.add(e.kind());
            }
        }
        return met;
    }

    /** What the stopped node left: processes naming its directory or the scratch config, mounts, temporary files. */
    private static List<String> leaks(ScratchRemote scratch, Path dir, Path mounts, Path tmp) throws InterruptedException {
        List<String> leaks = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        List<String> processes = processesMentioning(List.of(dir.toString(), scratch.rcloneConfig().toString()));
        while (!processes.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100); // a node that just exited may still be reaping
            processes = processesMentioning(List.of(dir.toString(), scratch.rcloneConfig().toString()));
        }
        processes.forEach(p -> leaks.add("process " + p));
        MountInfo.read().stream().filter(m -> m.mountPoint().startsWith(dir) || m.source().startsWith(scratch.remote() + ":"))
                .forEach(m -> leaks.add("mount " + m.mountPoint() + " (" + m.fsType() + ")"));
        for (Path d : List.of(mounts, tmp)) {
            try (Stream<Path> s = Files.walk(d)) {
                s.filter(p -> !p.equals(d)).filter(p -> !nativeLibraryCache(d, p))
                        .forEach(p -> leaks.add("temporary file " + p));
            } catch (IOException e) {
                leaks.add("cannot list " + d + ": " + e.getMessage());
            }
        }
        return leaks;
    }

    /** The bypass's native library cache ({@code vmafx-native-<uid>/...so}) stays on purpose, for the next start. */
    private static boolean nativeLibraryCache(Path root, Path p) {
        Path rel = root.relativize(p);
        return rel.getName(0).toString().matches("vmafx-native-\\d+") && (rel.getNameCount() == 1 || p.toString().endsWith(".so"));
    }

    /** Live processes whose command line contains one of {@code markers}: {@code pid argv}. */
    static List<String> processesMentioning(List<String> markers) {
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : proc) {
                String cmdline;
                try {
                    cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ').strip();
                } catch (IOException e) {
                    continue; // gone meanwhile
                }
                if (markers.stream().anyMatch(cmdline::contains)) {
                    found.add(p.getFileName() + " " + (cmdline.length() > 200 ? cmdline.substring(0, 200) + "..." : cmdline));
                }
            }
        } catch (IOException e) {
            found.add("cannot list /proc: " + e.getMessage());
        }
        return found;
    }
}
