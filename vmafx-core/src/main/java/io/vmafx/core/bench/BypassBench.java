package io.vmafx.core.bench;

import io.vmafx.api.uri.AssetUri;
import io.vmafx.core.config.ConfigException;
import io.vmafx.core.config.NodeConfig;
import io.vmafx.core.config.RcloneRemotes;
import io.vmafx.core.config.Variable;
import io.vmafx.core.discovery.DiscoveryException;
import io.vmafx.core.discovery.ProviderRegistry;
import io.vmafx.core.job.JobException;
import io.vmafx.core.job.JobRequest;
import io.vmafx.core.job.JobResult;
import io.vmafx.core.node.Node;
import io.vmafx.core.score.ProgressListener;
import io.vmafx.spi.Availability;
import io.vmafx.spi.bypass.BypassDecision;
import io.vmafx.spi.bypass.BypassException;
import io.vmafx.spi.bypass.BypassProvider;
import io.vmafx.spi.bypass.FuseTraffic;
import io.vmafx.spi.bypass.TrafficWatch;
import io.vmafx.spi.storage.PreparedInput;
import io.vmafx.spi.storage.StorageException;
import io.vmafx.spi.storage.StorageProvider;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code vmafx-node bench bypass}: what the eBPF FUSE bypass gives and costs on this machine, measured against a
 * random asset on local disk served by a real rclone mount through an {@code alias} remote (see {@link ScratchRemote}),
 * with the bypass reached only through the node's {@link ProviderRegistry} and the SPI:
 * <ol type="a">
 *   <li><b>read latency, warm</b>: whole-file sequential reads (64 KiB buffer) through the mount, through the
 *       path a {@link BypassDecision} gives (one decision held through the runs, and a new decision per read: offer,
 *       read, close), and of the source file directly, interleaved round by round, each path first read once
 *       untimed with its content checked;</li>
 *   <li><b>the probe's overhead</b>: reads through a mount with no probe attached and with the {@code ebpf} provider
 *       started (a fresh instance per run, closed after it, its traffic watch confirming it counted the read),
 *       alternating;</li>
 *   <li><b>scoring a pair</b>: a y4m pair made by {@link Clips}, scored by the node's {@code JobExecutor} from
 *       local paths, through the mount without the bypass, and through the mount with it, warm, interleaved.</li>
 * </ol>
 *
 * <p>Two mount nodes, each with its own mount root and VFS cache directory inside the scratch directory (one mount of
 * a remote root per mount root): the <i>plain</i> node (bypass off) and the <i>bypass</i> node (bypass on, its
 * {@code VMAFX_EBPF_MOUNT_PREFIX} its mount root). (b) runs before the bypass node starts, so that "detached" means no
 * probe of this process is attached. A part whose provider is not usable here is skipped with the reason; the
 * cleanup then checks that no rclone, mount, link directory or BPF descriptor is left.
 */
public final class BypassBench {

    static final String LOCAL = "local";
    static final String MOUNT = "mount";
    static final String MOUNT_BYPASS = "mount + bypass";
    /** The bypass provider measured. */
    static final String PROVIDER = "ebpf";
    /** How long the bypass gets to accept a file after a full read through the mount (rclone saves its metadata asynchronously). */
    static final Duration ACCEPT_TIMEOUT = Duration.ofSeconds(30);
    private static final long ACCEPT_POLL_MILLIS = 100;
    /** (b): the pause before each run's untimed read, in both arms. */
    static final long SETTLE_MILLIS = 1000;
    static final String CACHE_MODE = "VMAFX_VFS_CACHE_MODE";
    /** Means from the same bytes must be the same; this only absorbs printing and summing differences. */
    static final double MEAN_TOLERANCE = 1e-9;

    /** What to measure. */
    public record Options(int sizeMib, int runs, int overheadRuns, int scoreRuns, Clips.Size clip, int clipSeconds) {
        /** @throws IllegalArgumentException with a one-line message naming the option */
        public Options {
            if (sizeMib < 1 || sizeMib > 16384) {
                throw new IllegalArgumentException("--size-mib must be from 1 to 16384, got " + sizeMib);
            }
            if (runs < 1 || runs > 10000) {
                throw new IllegalArgumentException("--runs must be from 1 to 10000, got " + runs);
            }
            if (overheadRuns < 1 || overheadRuns > 1000) {
                throw new IllegalArgumentException("--overhead-runs must be from 1 to 1000, got " + overheadRuns);
            }
            if (scoreRuns < 1 || scoreRuns > 100) {
                throw new IllegalArgumentException("--score-runs must be from 1 to 100, got " + scoreRuns);
            }
            if (clipSeconds < 1 || clipSeconds > 60) {
                throw new IllegalArgumentException("--clip-seconds must be from 1 to 60, got " + clipSeconds);
            }
            java.util.Objects.requireNonNull(clip, "clip");
        }

        long bytes() {
            return (long) sizeMib << 20;
        }
    }

    private final Options options;
    private final Map<String, String> env;
    private final Map<Variable, String> userFlags;
    private final Path home;
    private final BenchProgress progress;
    /** The links decisions handed out: each must be gone, with its directory, once the nodes are closed. */
    private final Set<Path> links = ConcurrentHashMap.newKeySet();

    /**
     * @param env       the process environment
     * @param userFlags the node flags given on the command line
     * @param home      the installation directory
     */
    public BypassBench(Options options, Map<String, String> env, Map<Variable, String> userFlags, Path home, BenchProgress progress) {
        this.options = options;
        Map<String, String> e = new HashMap<>(env);
        e.put(CACHE_MODE, "full"); // what the bypass serves from, whatever the user's mode
        this.env = Map.copyOf(e);
        this.userFlags = Map.copyOf(userFlags);
        this.home = home;
        this.progress = progress;
    }

    /**
     * Runs the whole bench and cleans up.
     *
     * @throws InterruptedException when interrupted (Ctrl-C); everything is cleaned up first
     * @throws IOException          when the scratch directory or the asset cannot be written, or lacks space
     * @throws ConfigException      when the node configuration with the scratch remote is rejected
     */
    public BypassReport run() throws InterruptedException, IOException, ConfigException, DiscoveryException {
        ScratchRemote scratch = ScratchRemote.create("bench");
        BypassReport.Builder report = new BypassReport.Builder(options, scratch.remote(), scratch.data());
        try {
            measure(scratch, report);
        } finally {
            scratch.close();
            cleanup = scratch.cleanup();
        }
        return report.build(cleanup);
    }

    private volatile ScratchRemote.Cleanup cleanup;

    /** What the cleanup of the last {@link #run()} found, also when it ended with an exception (an interrupt); empty before. */
    public Optional<ScratchRemote.Cleanup> cleanup() {
        return Optional.ofNullable(cleanup);
    }

    /** One mount node's directories: its mount root (also the probe's prefix) and its VFS cache directory. */
    record Layout(Path mountRoot, Path cacheDir) {
        static Layout of(ScratchRemote scratch, String name) {
            return new Layout(scratch.dir().resolve("mounts").resolve(name), scratch.dir().resolve("cache").resolve(name));
        }
    }

    private NodeConfig config(ScratchRemote scratch, Layout layout, boolean bypass) throws ConfigException {
        Map<Variable, String> o = new EnumMap<>(Variable.class);
        o.put(Variable.STORAGE_MODE, MOUNT);
        o.put(Variable.STORAGE_MOUNT_ROOT, layout.mountRoot().toString());
        o.put(Variable.EBPF_MOUNT_PREFIX, layout.mountRoot().toString());
        o.put(Variable.CACHE_DIR, layout.cacheDir().toString());
        o.put(Variable.EBPF_BYPASS, bypass ? "1" : "0");
        return scratch.config(env, userFlags, home, o);
    }

    private void measure(ScratchRemote scratch, BypassReport.Builder report)
            throws InterruptedException, IOException, ConfigException, DiscoveryException {
        long clipBytes = Clips.y4mBytes(options.clip(), options.clipSeconds());
        report.scoring.clipBytes = clipBytes;
        // The asset and the two clips, each with a copy in both nodes' VFS caches.
        BenchIo.requireSpace(scratch.dir(), 3 * (options.bytes() + 2 * clipBytes) + (64L << 20),
                "a " + options.sizeMib() + " MiB asset and two " + (clipBytes >> 20) + " MiB clips, each with two VFS cache copies",
                "--size-mib, --clip, --clip-seconds");
        Layout plain = Layout.of(scratch, "plain");
        Layout bypass = Layout.of(scratch, "bypass");
        NodeConfig plainConfig = config(scratch, plain, false);
        NodeConfig probeConfig = config(scratch, plain, true); // (b): a probe on the plain node's mounts
        NodeConfig bypassConfig = config(scratch, bypass, true);
        scratch.checkAtClose(() -> leftovers(List.of(plain.cacheDir(), bypass.cacheDir())));
        report.rclone = BenchIo.rcloneVersion(plainConfig);

        String name = "bench-" + options.sizeMib() + "MiB.bin";
        Path asset = scratch.data().resolve(name);
        progress.step("writing a " + options.sizeMib() + " MiB random asset to " + asset);
        long crc = BenchIo.writeRandom(asset, options.bytes());
        AssetUri uri = parse(plainConfig, scratch.uri(name));

        Optional<String> mountProblem = mountProblem(plainConfig);
        Optional<String> bypassProblem = bypassProblem(bypassConfig);
        if (mountProblem.isPresent()) {
            String why = "the mount storage is not usable here: " + mountProblem.get();
            report.bypassStatus = bypassProblem.map(p -> "not usable here: " + p).orElse("usable, but there is no mount to bypass");
            report.reads.skip(why);
            report.probe.skip(why);
            report.scoring.skip(why);
            progress.step("skipping everything: " + why);
            return;
        }
        report.bypassStatus = bypassProblem.map(p -> "not usable here: " + p).orElse("on (provider " + PROVIDER + ")");

        try (Node plainNode = BenchIo.startNode(plainConfig, env)) {
            StorageProvider plainMount = mount(plainNode);
            PreparedInput plainAsset;
            try {
                plainAsset = plainMount.prepare(uri, plainConfig);
            } catch (StorageException e) {
                String why = "the plain node's mount failed: " + e.getMessage();
                report.reads.fail(why);
                report.probe.fail(why);
                report.scoring.fail(why);
                return;
            }
            try (plainAsset) {
                progress.step("warming the plain node's VFS cache: one full read of " + plainAsset.displayLocation());
                BenchIo.check(BenchIo.Opener.file(Path.of(plainAsset.location())), options.bytes(), crc, plainAsset.displayLocation());

                if (bypassProblem.isPresent()) {
                    report.probe.skip("the " + PROVIDER + " bypass is not usable here: " + bypassProblem.get());
                } else {
                    try {
                        measureOverhead(probeConfig, plainAsset, report.probe);
                    } catch (IOException | RuntimeException e) {
                        report.probe.fail(message(e));
                    }
                }

                Node bypassNode = null;
                try {
                    if (bypassProblem.isEmpty()) {
                        progress.step("starting the bypass node (mount root and probe prefix " + bypass.mountRoot() + ")");
                        bypassNode = BenchIo.startNode(bypassConfig, env);
                        if (bypassNode.bypass().isEmpty()) {
                            bypassProblem = Optional.of(bypassNode.bypassStatus().replaceFirst("^on, but not usable: ", ""));
                            report.bypassStatus = bypassNode.bypassStatus();
                            bypassNode.close();
                            bypassNode = null;
                        }
                    }
                    String noBypass = bypassProblem.map(p -> "the " + PROVIDER + " bypass is not usable here: " + p).orElse(null);
                    try {
                        measureReads(plainAsset, bypassNode, uri, asset, crc, noBypass, report.reads);
                    } catch (IOException | StorageException | RuntimeException e) {
                        report.reads.fail(message(e));
                    }
                    try {
                        measureScoring(scratch, plainNode, bypassNode, noBypass, report.scoring);
                    } catch (IOException | StorageException | JobException | RuntimeException e) {
                        report.scoring.fail(message(e));
                    }
                    if (bypassNode != null) {
                        bypassNode.bypass().ifPresent(b -> report.bypassCounters = BenchIo.copy(b.counters()));
                    }
                } finally {
                    if (bypassNode != null) {
                        bypassNode.close();
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // (b) the probe's overhead

    /** bpftool from PATH, or Debian's /usr/sbin/bpftool when PATH lacks sbin. */
    private static String bpftool() {
        Path sbin = Path.of("/usr/sbin/bpftool");
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "bpftool"))) {
                return Path.of(dir, "bpftool").toString();
            }
        }
        return Files.isExecutable(sbin) ? sbin.toString() : "bpftool";
    }

    private void measureOverhead(NodeConfig probeConfig, PreparedInput fuseInput, BypassReport.Probe result)
            throws IOException, InterruptedException, DiscoveryException {
        BenchIo.Opener fuse = BenchIo.Opener.file(Path.of(fuseInput.location()));
        String what = fuseInput.displayLocation();
        result.path = what;
        ByteBuffer buffer = BenchIo.buffer();
        List<Double> detached = new ArrayList<>();
        List<Double> attached = new ArrayList<>();
        long countedMin = Long.MAX_VALUE;
        long countedMax = -1;
        long reads = -1;
        // The kernel's own count of the probe's CPU time: the wall-clock comparison cannot tell 1 % from noise here.
        BpfRunTime bpfStats = null;
        try {
            bpfStats = BpfRunTime.enable(bpftool());
        } catch (IOException e) {
            result.cpuSkipped = e.getMessage();
        }
        List<Long> cpuNanos = new ArrayList<>();
        List<Long> programRuns = new ArrayList<>();
        List<Double> cpuReadMs = new ArrayList<>();
        try {
            for (int round = 0; round < options.overheadRuns(); round++) {
                progress.step("(b) probe overhead: round " + (round + 1) + "/" + options.overheadRuns());
                boolean attachedFirst = round % 2 == 1; // D A, A D, D A, ...: drift cancels in pairs
                for (int k = 0; k < 2; k++) {
                    BenchIo.checkInterrupt();
                    boolean attach = (k == 0) == attachedFirst;
                    // Both arms discover a fresh provider (class loading, JIT and GC work that slows the next reads on a
                    // small machine, measured at +20 % when only one arm did it); only the attached arm starts it.
                    try (ProviderRegistry registry = ProviderRegistry.discover(ProviderRegistry.nodeLayer(), probeConfig.pluginsDir())) {
                        BypassProvider provider = bypassProvider(registry)
                                .orElseThrow(() -> new IllegalStateException("the " + PROVIDER + " bypass module is gone"));
                        try {
                            Set<Long> othersPrograms = attach && bpfStats != null ? bpfStats.programs().keySet() : Set.of();
                            if (attach) {
                                try {
                                    provider.start(probeConfig);
                                } catch (BypassException e) {
                                    if (attached.isEmpty()) {
                                        result.skip("the " + PROVIDER + " probe cannot start: " + e.getMessage());
                                        return;
                                    }
                                    throw new IOException("the " + PROVIDER + " probe did not start in round " + (round + 1) + ": "
                                            + e.getMessage(), e);
                                }
                            }
                            // In both arms, a pause and an untimed read: they absorb what discovering and starting left running
                            // (class loading, JIT, the kernel's work after a probe was attached or detached) and the probe's
                            // first sight of the mount (its device joins the watch list): one-offs at node start, not costs
                            // of every read.
                            Thread.sleep(SETTLE_MILLIS);
                            BenchIo.timedRead(fuse, buffer, options.bytes(), what);
                            Optional<TrafficWatch> watch = attach ? provider.watch(fuseInput) : Optional.empty();
                            Map<Long, BpfRunTime.Counters> cpuStart = attach && bpfStats != null ? bpfStats.programs() : null;
                            double ms = BenchIo.timedRead(fuse, buffer, options.bytes(), what);
                            if (!attach) {
                                detached.add(ms);
                                continue;
                            }
                            attached.add(ms);
                            if (cpuStart != null) {
                                BpfRunTime.Counters c = BpfRunTime.since(othersPrograms, cpuStart, bpfStats.programs());
                                cpuNanos.add(c.runTimeNanos());
                                programRuns.add(c.runs());
                                cpuReadMs.add(ms);
                            }
                            if (watch.isPresent()) {
                                try (TrafficWatch w = watch.get()) {
                                    FuseTraffic t = w.traffic();
                                    countedMin = Math.min(countedMin, t.bytes());
                                    countedMax = Math.max(countedMax, t.bytes());
                                    reads = t.reads();
                                }
                            }
                        } finally {
                            provider.close();
                        }
                    }
                }
            }
        } finally {
            if (bpfStats != null) {
                bpfStats.close();
            }
        }
        if (!cpuNanos.isEmpty()) {
            result.cpu = ProbeCpu.of(cpuNanos, programRuns, cpuReadMs);
        }
        result.detached = Percentiles.Summary.of(detached);
        result.attached = Percentiles.Summary.of(attached);
        result.overhead = Overhead.of(detached, attached);
        if (countedMax >= 0) {
            result.countedMin = countedMin;
            result.countedMax = countedMax;
            result.readsPerRun = reads;
        }
        if (countedMax < 0) {
            result.fail("the probe gave no traffic watch for " + what + ": it did not observe the reads it was meant to slow down");
        } else if (countedMin != options.bytes() || countedMax != options.bytes()) {
            result.fail("the probe counted " + countedMin + " to " + countedMax + " bytes per attached run, the asset has "
                    + options.bytes() + ": it did not observe every read");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // (a) read latency

    /** A path read in the interleaved rounds: its samples, and one timed read per call. */
    private abstract static class ReadPath {
        final String name;
        final String path;
        final String note;
        final List<Double> ms = new ArrayList<>();

        ReadPath(String name, String path, String note) {
            this.name = name;
            this.path = path;
            this.note = note;
        }

        abstract void run(ByteBuffer buffer) throws IOException, InterruptedException;
    }

    private void measureReads(PreparedInput plainAsset, Node bypassNode, AssetUri uri, Path asset, long crc, String noBypass,
                              BypassReport.Reads result) throws IOException, InterruptedException, StorageException {
        long size = options.bytes();
        PreparedInput bypassAsset = bypassNode == null ? null : mount(bypassNode).prepare(uri, bypassNode.config());
        BypassDecision held = null;
        try {
            // The FUSE reads go through the mount whose cache the bypass serves from (the probe is attached there).
            PreparedInput fuseInput = bypassAsset != null ? bypassAsset : plainAsset;
            Path fusePath = Path.of(fuseInput.location());
            BypassProvider bypass = bypassNode == null ? null : bypassNode.bypass().orElseThrow();
            if (bypassAsset != null) {
                progress.step("(a) warming the bypass node's VFS cache: one full read of " + bypassAsset.displayLocation());
                BenchIo.check(BenchIo.Opener.file(fusePath), size, crc, bypassAsset.displayLocation());
                progress.step("(a) waiting for the bypass to accept the asset (rclone saves its cache metadata asynchronously)");
                long t0 = System.nanoTime();
                Accepted a = awaitAccept(bypass, bypassAsset);
                if (a.decision() == null) {
                    result.fail("the bypass still declined the asset " + ACCEPT_TIMEOUT.toSeconds() + " s after a full read through the"
                            + " mount: " + a.lastReason());
                    noBypass = "the bypass did not accept the warm asset";
                } else {
                    held = a.decision();
                    result.acceptedAfterMs = BenchIo.millis(System.nanoTime() - t0);
                }
            }
            if (noBypass != null && result.failed == null) {
                result.bypassSkipped = noBypass;
            }
            List<ReadPath> paths = new ArrayList<>();
            paths.add(file("fuse", fusePath, fuseInput.displayLocation(),
                    bypassAsset != null ? "the bypass node's mount; probe attached" : "the plain node's mount", size, crc));
            if (held != null) {
                Path link = Path.of(held.location().orElseThrow());
                paths.add(file("bypass", link, link.toString(), "hard link to the VFS cache file", size, crc));
                paths.add(new EachDecision(bypass, bypassAsset, size));
            }
            paths.add(file("direct", asset, asset.toString(), "the source file", size, crc));

            ByteBuffer buffer = BenchIo.buffer();
            for (int round = 0; round < options.runs(); round++) {
                progress.step("(a) read latency: round " + (round + 1) + "/" + options.runs());
                for (ReadPath p : rotated(paths, round)) {
                    BenchIo.checkInterrupt();
                    p.run(buffer);
                }
            }
            for (ReadPath p : paths) {
                if (p.ms.isEmpty()) {
                    continue;
                }
                BypassReport.Row row = new BypassReport.Row(p.name, Percentiles.Summary.of(p.ms), p.path, p.note);
                switch (p.name) {
                    case "fuse" -> result.fuse = row;
                    case "bypass" -> result.bypass = row;
                    case "bypass_each" -> {
                        result.bypassEach = new BypassReport.Row(p.name, row.ms(), null, ((EachDecision) p).describe());
                        result.offer = Percentiles.Summary.of(((EachDecision) p).offers);
                    }
                    default -> result.direct = row;
                }
            }
        } finally {
            if (held != null) {
                held.close();
            }
            if (bypassAsset != null) {
                bypassAsset.close();
            }
        }
    }

    /** Reads of a file, after one untimed read that checks its content. */
    private ReadPath file(String name, Path file, String shown, String note, long size, long crc) throws IOException {
        BenchIo.Opener opener = BenchIo.Opener.file(file);
        BenchIo.check(opener, size, crc, shown);
        return new ReadPath(name, shown, note) {
            @Override
            void run(ByteBuffer buffer) throws IOException {
                ms.add(BenchIo.timedRead(opener, buffer, size, shown));
            }
        };
    }

    /** Per run: offer, read the path it gives, close it, timed together; the offer alone too. */
    private final class EachDecision extends ReadPath {
        final BypassProvider bypass;
        final PreparedInput input;
        final long size;
        final List<Double> offers = new ArrayList<>();
        int declined;
        String lastReason;

        EachDecision(BypassProvider bypass, PreparedInput input, long size) {
            super("bypass_each", null, null);
            this.bypass = bypass;
            this.input = input;
            this.size = size;
        }

        @Override
        void run(ByteBuffer buffer) throws IOException {
            long t0 = System.nanoTime();
            long t1;
            try (BypassDecision d = bypass.offer(input)) {
                t1 = System.nanoTime();
                if (!d.bypassed()) {
                    declined++;
                    lastReason = d.reason();
                    return;
                }
                Path link = Path.of(d.location().orElseThrow());
                links.add(link);
                BenchIo.timedRead(BenchIo.Opener.file(link), buffer, size, link.toString());
            }
            ms.add(BenchIo.millis(System.nanoTime() - t0));
            offers.add(BenchIo.millis(t1 - t0));
        }

        String describe() {
            String s = "offer, read the link, close the decision";
            return declined == 0 ? s : s + String.format(Locale.ROOT, "; %d of %d offers declined (%s), not in the figures",
                    declined, declined + ms.size(), lastReason);
        }
    }

    /** The first decision that bypassed, or the last reason after {@link #ACCEPT_TIMEOUT}. */
    record Accepted(BypassDecision decision, String lastReason) {
    }

    private Accepted awaitAccept(BypassProvider bypass, PreparedInput input) throws InterruptedException {
        long deadline = System.nanoTime() + ACCEPT_TIMEOUT.toNanos();
        while (true) {
            BypassDecision d = bypass.offer(input);
            if (d.bypassed()) {
                links.add(Path.of(d.location().orElseThrow()));
                return new Accepted(d, null);
            }
            d.close();
            if (System.nanoTime() > deadline) {
                return new Accepted(null, d.reason());
            }
            Thread.sleep(ACCEPT_POLL_MILLIS);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // (c) scoring

    private void measureScoring(ScratchRemote scratch, Node plainNode, Node bypassNode, String noBypass, BypassReport.Scoring result)
            throws IOException, InterruptedException, StorageException, JobException, ConfigException {
        var noScorer = plainNode.executor().scorerUnavailable();
        if (noScorer.isPresent()) {
            result.skip(noScorer.get());
            return;
        }
        Path reference = scratch.data().resolve("reference.y4m");
        Path distorted = scratch.data().resolve("distorted.y4m");
        progress.step("(c) making a " + options.clipSeconds() + " s " + options.clip() + " reference clip and a degraded copy");
        Clips.make(reference, distorted, options.clip(), options.clipSeconds());

        Map<String, Node> nodes = new LinkedHashMap<>();
        Map<String, JobRequest> requests = new LinkedHashMap<>();
        JobRequest remote = JobRequest.of(scratch.uri(reference.getFileName().toString()), scratch.uri(distorted.getFileName().toString()));
        nodes.put(LOCAL, plainNode);
        requests.put(LOCAL, JobRequest.of(reference.toString(), distorted.toString()));
        nodes.put(MOUNT, plainNode);
        requests.put(MOUNT, remote);
        Map<String, BypassReport.ScoreMode> modes = new LinkedHashMap<>();
        for (String m : List.of(LOCAL, MOUNT, MOUNT_BYPASS)) {
            modes.put(m, result.mode(m));
        }
        if (bypassNode != null && noBypass == null) {
            nodes.put(MOUNT_BYPASS, bypassNode);
            requests.put(MOUNT_BYPASS, remote);
        } else {
            modes.get(MOUNT_BYPASS).skipped = noBypass == null ? "the bypass is not running" : noBypass;
        }

        // Leases held through the part keep both mounts up whatever VMAFX_MOUNT_IDLE says.
        List<PreparedInput> held = new ArrayList<>();
        try {
            Map<String, List<PreparedInput>> clipsOf = new LinkedHashMap<>();
            for (String m : List.of(MOUNT, MOUNT_BYPASS)) {
                Node n = nodes.get(m);
                if (n == null) {
                    continue;
                }
                List<PreparedInput> inputs = new ArrayList<>();
                for (String side : List.of(remote.reference(), remote.distorted())) {
                    PreparedInput in = mount(n).prepare(parse(n.config(), side), n.config());
                    held.add(in);
                    inputs.add(in);
                }
                clipsOf.put(m, inputs);
            }
            List<String> order = new ArrayList<>(nodes.keySet());
            progress.step("(c) untimed run of each mode (warms both VFS caches)");
            for (String m : order) {
                nodes.get(m).executor().run(requests.get(m), ProgressListener.NONE);
            }
            if (nodes.containsKey(MOUNT_BYPASS)) {
                progress.step("(c) waiting for the bypass to accept both clips");
                BypassProvider bypass = bypassNode.bypass().orElseThrow();
                for (PreparedInput in : clipsOf.get(MOUNT_BYPASS)) {
                    Accepted a = awaitAccept(bypass, in);
                    if (a.decision() == null) {
                        throw new IOException("the bypass still declined " + in.displayLocation() + " " + ACCEPT_TIMEOUT.toSeconds()
                                + " s after it was scored through the mount: " + a.lastReason());
                    }
                    a.decision().close();
                }
            }
            Map<String, List<JobResult>> results = new LinkedHashMap<>();
            order.forEach(m -> results.put(m, new ArrayList<>()));
            for (int round = 0; round < options.scoreRuns(); round++) {
                for (String m : rotated(order, round)) {
                    progress.step("(c) round " + (round + 1) + "/" + options.scoreRuns() + ": scoring through " + m);
                    BenchIo.checkInterrupt();
                    try {
                        results.get(m).add(nodes.get(m).executor().run(requests.get(m), ProgressListener.NONE));
                    } catch (JobException e) {
                        throw new JobException(m + ": " + e.getMessage(), e);
                    }
                }
            }
            for (Map.Entry<String, List<JobResult>> e : results.entrySet()) {
                summarize(modes.get(e.getKey()), e.getValue());
            }
            checkMeans(modes.values());
        } finally {
            held.forEach(PreparedInput::close);
        }
    }

    static void summarize(BypassReport.ScoreMode mode, List<JobResult> runs) throws IOException {
        mode.total = Percentiles.Summary.of(runs.stream().map(r -> (double) r.totalMillis()).toList());
        mode.prepare = Percentiles.Summary.of(runs.stream().map(r -> (double) r.prepareMillis()).toList());
        mode.score = Percentiles.Summary.of(runs.stream().map(r -> (double) r.scoreMillis()).toList());
        mode.vmafMean = runs.get(0).scores().mean();
        for (JobResult r : runs) {
            if (Math.abs(r.scores().mean() - mode.vmafMean) > MEAN_TOLERANCE) {
                throw new IOException(String.format(Locale.ROOT, "the VMAF mean through %s changed between runs: %.6f, then %.6f",
                        mode.name, mode.vmafMean, r.scores().mean()));
            }
            long fuse = -1;
            for (var in : List.of(r.reference(), r.distorted())) {
                mode.inputs++;
                if (in.bypass()) {
                    mode.bypassed++;
                } else {
                    mode.lastDecline = in.bypassReason();
                }
                if (in.fuseTraffic().isPresent()) {
                    fuse = Math.max(fuse, 0) + in.fuseTraffic().get().bytes();
                }
            }
            if (fuse >= 0) {
                mode.fuseBytes.add(fuse);
            }
        }
    }

    /** The same pair must score the same through every mode, every run. */
    static void checkMeans(java.util.Collection<BypassReport.ScoreMode> modes) throws IOException {
        BypassReport.ScoreMode first = null;
        for (BypassReport.ScoreMode m : modes) {
            if (m.total == null) {
                continue;
            }
            if (first == null) {
                first = m;
            } else if (Math.abs(m.vmafMean - first.vmafMean) > MEAN_TOLERANCE) {
                throw new IOException(String.format(Locale.ROOT, "the VMAF mean through %s is %.6f, through %s %.6f",
                        m.name, m.vmafMean, first.name, first.vmafMean));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** {@code items} starting at index {@code round} modulo its size: each item leads once per {@code size} rounds. */
    static <T> List<T> rotated(List<T> items, int round) {
        int n = items.size();
        if (n == 0) {
            return List.of();
        }
        int k = Math.floorMod(round, n);
        List<T> r = new ArrayList<>(items.subList(k, n));
        r.addAll(items.subList(0, k));
        return r;
    }

    private AssetUri parse(NodeConfig config, String input) throws ConfigException {
        try {
            return AssetUri.parse(input, config.uriRules(Set.of(), RcloneRemotes.configured(config, env)));
        } catch (io.vmafx.api.uri.InvalidAssetUriException e) {
            throw new ConfigException(input + ": " + e.getMessage());
        }
    }

    private Optional<String> mountProblem(NodeConfig config) throws ConfigException, DiscoveryException {
        try (Node node = BenchIo.startNode(config, env)) {
            if (node.registry().storage(MOUNT).isEmpty()) {
                return Optional.of("the mount storage module is not installed in this node");
            }
            Availability a = node.router().availability(MOUNT);
            return a.usable() ? Optional.empty() : Optional.of(a.reason());
        }
    }

    /** Why the ebpf bypass cannot run here (its preflight: kernel, BTF, tracefs, capabilities, a trial load), or empty. */
    private static Optional<String> bypassProblem(NodeConfig config) throws DiscoveryException {
        try (ProviderRegistry registry = ProviderRegistry.discover(ProviderRegistry.nodeLayer(), config.pluginsDir())) {
            Optional<BypassProvider> p = bypassProvider(registry);
            if (p.isEmpty()) {
                return Optional.of("the " + PROVIDER + " bypass module is not installed in this node");
            }
            Availability a = p.get().availability(config);
            return a.usable() ? Optional.empty() : Optional.of(a.reason());
        }
    }

    private static Optional<BypassProvider> bypassProvider(ProviderRegistry registry) {
        return registry.bypasses().stream().filter(f -> f.name().equals(PROVIDER)).map(ProviderRegistry.Found::provider).findFirst();
    }

    private static StorageProvider mount(Node node) {
        return node.registry().storage(MOUNT).orElseThrow(() -> new IllegalStateException("the mount storage module is not installed"));
    }

    private static String message(Exception e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /**
     * What the bypass must have removed once its nodes are closed: every link a decision handed out and its
     * directory, anything in the VFS cache directories but rclone's {@code vfs/} and {@code vfsMeta/}, and any BPF
     * program, map or link this process still holds.
     */
    private List<String> leftovers(List<Path> cacheDirs) {
        List<String> left = new ArrayList<>();
        for (Path link : links) {
            if (Files.exists(link.getParent(), LinkOption.NOFOLLOW_LINKS)) {
                left.add("the bypass's link directory " + link.getParent() + " is still there");
            }
        }
        for (Path cache : cacheDirs) {
            if (!Files.isDirectory(cache)) {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(cache)) {
                for (Path e : entries) {
                    String n = e.getFileName().toString();
                    if (!n.equals("vfs") && !n.equals("vfsMeta")) {
                        left.add(e + " is still in the VFS cache directory");
                    }
                }
            } catch (IOException e) {
                left.add("cannot list " + cache + ": " + e.getMessage());
            }
        }
        List<String> bpf = bpfDescriptors();
        if (!bpf.isEmpty()) {
            left.add("BPF objects still held by this process: " + String.join(", ", bpf));
        }
        return left;
    }

    /** This process's descriptors of BPF programs, maps and links ({@code /proc/self/fd} → {@code anon_inode:bpf-prog}…). */
    static List<String> bpfDescriptors() {
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("anon_inode:bpf")) {
                        found.add(fd.getFileName() + " " + target);
                    }
                } catch (IOException e) {
                    // closed meanwhile (the directory stream's own descriptor, for one)
                }
            }
        } catch (IOException e) {
            // no /proc: nothing can be said
        }
        return found;
    }
}
