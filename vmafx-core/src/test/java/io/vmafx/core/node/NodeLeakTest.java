package io.vmafx.core.node;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.core.config.NodeConfig;
import io.vmafx.core.discovery.ProviderRegistry;
import io.vmafx.core.job.JobException;
import io.vmafx.core.job.JobRequest;
import io.vmafx.core.job.JobResult;
import io.vmafx.core.score.ProgressListener;
import io.vmafx.core.score.VmafScores;
import io.vmafx.core.testing.Leftovers;
import io.vmafx.core.testing.TestMedia;
import io.vmafx.spi.storage.StorageProvider;
import io.vmafx.storage.fuse.MountStorageProvider;
import io.vmafx.storage.httpserve.HttpServeStorageProvider;
import io.vmafx.storage.local.LocalStorageProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many jobs, four at a time, on two nodes built here with the real providers (one in {@code http-serve} mode,
 * one in {@code mount} mode) over a local-directory rclone remote, with failures mixed in: objects that do not
 * exist, a distorted file ffmpeg rejects, and jobs cancelled by interrupt (at a random moment, and while ffmpeg
 * scores). Every success must score exactly what the same pair scores from local disk, every failure must be
 * one line naming the input, every lease must be given back, and once both nodes are closed nothing may be
 * left: no rclone or ffmpeg child, no FUSE mount, no mount directory, no {@code vmafx-*} temporary directory.
 */
class NodeLeakTest {

    static final int JOBS = 200;
    static final int PARALLEL = 4;
    static final int FRAMES = 10;
    static final String IDLE = "30ms";
    /** The prefix of the directory each scoring run gets in java.io.tmpdir ({@code PrivateTempDir}). */
    static final String SCORER_TMP = "vmafx-score-";
    static final String DIR = "clips é";
    static final String REF = "media:" + DIR + "/ref 64.y4m";
    static final String REF_ENCODED = "rclone://media:clips%20%C3%A9/ref%2064.y4m";
    static final String DIS = "media:" + DIR + "/dis 64.y4m";
    static final String CORRUPT = "media:" + DIR + "/corrupt.y4m";

    enum Kind { PAIR, SAME, MISSING, CORRUPT, CANCEL_ANY_TIME, CANCEL_WHILE_SCORING }

    /** Kinds by job index modulo 10: half succeed, the rest fail or are cancelled. */
    static final Kind[] PATTERN = {Kind.PAIR, Kind.SAME, Kind.CANCEL_ANY_TIME, Kind.PAIR, Kind.MISSING,
            Kind.SAME, Kind.CORRUPT, Kind.PAIR, Kind.CANCEL_WHILE_SCORING, Kind.CANCEL_ANY_TIME};

    record Outcome(int index, Kind kind, String mode, JobResult result, Throwable error, long millis) {
        String describe() {
            return "job " + index + " (" + kind + ", " + mode + ", " + millis + " ms): "
                    + (error != null ? error.getClass().getSimpleName() + ": " + error.getMessage() : "VMAF " + result.scores().mean());
        }
    }

    @TempDir
    Path dir;

    @AfterEach
    void safetyNet() {
        Leftovers.cleanUp(dir);
    }

    private Node start(String mode, Path rcloneConfig) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("VMAFX_STORAGE_MODE", mode);
        env.put("VMAFX_RCLONE_CONFIG", rcloneConfig.toString());
        env.put("VMAFX_STORAGE_MOUNT_ROOT", dir.resolve("mounts").toString());
        env.put("VMAFX_CACHE_DIR", dir.resolve("cache").toString());
        // Idle rclone processes and mounts go after 30 ms: between jobs they are stopped and started again, so
        // stops race with starts and with jobs, not only with close().
        env.put("VMAFX_HTTPSERVE_IDLE", IDLE);
        env.put("VMAFX_MOUNT_IDLE", IDLE);
        NodeConfig config = NodeConfig.load(env, Map.of(), TestMedia.root());
        ProviderRegistry registry = ProviderRegistry.of(
                List.of(new LocalStorageProvider(), new HttpServeStorageProvider(), new MountStorageProvider()), List.of());
        return Node.start(config, registry, env);
    }

    @Test
    void twoHundredMixedJobsOnBothModesReleaseEverything() throws Exception {
        Path remote = dir.resolve("remote");
        Path ref = TestMedia.testPattern(remote.resolve(DIR).resolve("ref 64.y4m"), 64, 64, FRAMES);
        Path dis = TestMedia.degradedCopy(ref, remote.resolve(DIR).resolve("dis 64.y4m"), 64, 64);
        byte[] junk = new byte[64 * 1024];
        new Random(7).nextBytes(junk);
        Files.write(remote.resolve(DIR).resolve("corrupt.y4m"), junk);
        Path rcloneConfig = Files.writeString(dir.resolve("rclone.conf"), "[media]\ntype = alias\nremote = " + remote + "\n");
        Path tmpdir = Path.of(System.getProperty("java.io.tmpdir"));
        List<String> tmpBefore = Leftovers.entries(tmpdir, SCORER_TMP);

        Node http = null;
        Node mount = null;
        List<Outcome> outcomes;
        VmafScores pair;
        VmafScores same;
        long t0 = System.nanoTime();
        List<Executable> leaseChecks = new ArrayList<>();
        try {
            http = start("http-serve", rcloneConfig);
            mount = start("mount", rcloneConfig);
            assertEquals("mount", mount.router().remoteMode(), "FUSE is usable on the test machine");
            // The same pairs from local disk: what every remote read must score.
            pair = http.executor().run(JobRequest.of(ref.toString(), dis.toString()), ProgressListener.NONE).scores();
            same = http.executor().run(JobRequest.of(ref.toString(), ref.toString()), ProgressListener.NONE).scores();
            assertEquals(FRAMES, pair.frameCount());
            assertTrue(pair.mean() < same.mean(), "the degraded copy scores lower");
            outcomes = runAll(http, mount);
            for (Node n : List.of(http, mount)) {
                for (ProviderRegistry.Found<StorageProvider> f : n.registry().storages()) {
                    Number leases = f.provider().counters().get("pool_leases");
                    String what = f.name() + " of the " + n.router().remoteMode() + " node";
                    Map<String, Number> pool = new TreeMap<>(f.provider().counters());
                    pool.keySet().removeIf(k -> !k.startsWith("pool_") && !k.equals("prepares") && !k.equals("failures")
                            && !k.equals("interrupted"));
                    if (pool.getOrDefault("prepares", 0).longValue() > 0) {
                        System.out.println("node leak test: " + what + ": " + pool);
                    }
                    leaseChecks.add(() -> assertEquals(0, leases == null ? 0 : leases.intValue(),
                            () -> what + " still holds leases after every job ended: " + f.provider().counters()));
                }
            }
        } finally {
            if (http != null) {
                http.close();
            }
            if (mount != null) {
                mount.close();
            }
        }
        long total = (System.nanoTime() - t0) / 1_000_000;

        Map<String, Long> tally = outcomes.stream().collect(Collectors.groupingBy(
                o -> o.kind() + "/" + o.mode() + "/" + (o.error() == null ? "scored" : o.error().getClass().getSimpleName()),
                TreeMap::new, Collectors.counting()));
        System.out.println("node leak test: " + outcomes.size() + " jobs in " + total + " ms (both nodes started and closed): " + tally);

        List<Executable> checks = new ArrayList<>(leaseChecks);
        for (Outcome o : outcomes) {
            checks.add(() -> check(o, pair, same));
        }
        long cancelled = outcomes.stream().filter(o -> o.error() instanceof InterruptedException).count();
        checks.add(() -> assertTrue(cancelled >= JOBS / 10, "at least the jobs cancelled while scoring end cancelled: " + tally));
        for (String mode : List.of("http-serve", "mount")) {
            checks.add(() -> assertTrue(outcomes.stream().anyMatch(o -> o.mode().equals(mode) && o.error() == null),
                    () -> mode + " scored nothing: " + tally));
        }
        checks.add(() -> assertEquals(List.of(), Leftovers.descendants("rclone"), "rclone children of this JVM after close"));
        checks.add(() -> assertEquals(List.of(), Leftovers.descendants("ffprobe"), "ffprobe children of this JVM after close"));
        checks.add(() -> assertEquals(List.of(), Leftovers.rcloneProcesses(dir.toString()), "rclone processes for this test"));
        checks.add(() -> assertEquals(List.of(), Leftovers.fuseMounts(dir), "FUSE mounts after close"));
        checks.add(() -> assertEquals(List.of(), Leftovers.entries(dir.resolve("mounts"), ""), "mount directories after close"));
        checks.add(() -> assertEquals(List.of(), scorerTempDirsLeft(tmpdir, tmpBefore), "the scorer's temporary directories left in " + tmpdir));
        assertAll(checks);
    }

    /** Runs {@link #JOBS} jobs, {@link #PARALLEL} at a time, alternating the nodes for each kind. */
    private List<Outcome> runAll(Node http, Node mount) throws Exception {
        ExecutorService workers = Executors.newFixedThreadPool(PARALLEL);
        ScheduledExecutorService canceller = Executors.newSingleThreadScheduledExecutor();
        Random random = new Random(42);
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                int index = i;
                Kind kind = PATTERN[i % PATTERN.length];
                Node node = (i / PATTERN.length + i) % 2 == 0 ? http : mount;
                long delay = random.nextInt(150);
                futures.add(workers.submit(() -> runJob(index, kind, node, delay, canceller)));
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> f : futures) {
                outcomes.add(f.get(120, TimeUnit.SECONDS));
            }
            return outcomes;
        } finally {
            workers.shutdownNow();
            canceller.shutdownNow();
            workers.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    private static Outcome runJob(int index, Kind kind, Node node, long delayMillis, ScheduledExecutorService canceller) {
        String mode = node.router().remoteMode();
        JobRequest request = switch (kind) {
            case PAIR, CANCEL_ANY_TIME, CANCEL_WHILE_SCORING -> JobRequest.of(REF, DIS);
            case SAME -> JobRequest.of(REF_ENCODED, REF);
            case MISSING -> JobRequest.of(REF, missing(index));
            case CORRUPT -> JobRequest.of(REF, CORRUPT);
        };
        Thread job = Thread.currentThread();
        Object lock = new Object();
        boolean[] running = {true};
        ScheduledFuture<?> cancel = null;
        ProgressListener progress = ProgressListener.NONE;
        if (kind == Kind.CANCEL_ANY_TIME) {
            cancel = canceller.schedule(() -> {
                synchronized (lock) {
                    if (running[0]) {
                        job.interrupt();
                    }
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        } else if (kind == Kind.CANCEL_WHILE_SCORING) {
            progress = (frames, fps) -> job.interrupt(); // ffmpeg is running: cancel now
        }
        long t0 = System.nanoTime();
        try {
            JobResult r = node.executor().run(request, progress);
            return new Outcome(index, kind, mode, r, null, (System.nanoTime() - t0) / 1_000_000);
        } catch (Throwable t) {
            return new Outcome(index, kind, mode, null, t, (System.nanoTime() - t0) / 1_000_000);
        } finally {
            synchronized (lock) {
                running[0] = false;
            }
            if (cancel != null) {
                cancel.cancel(false);
            }
            Thread.interrupted(); // an interrupt that came after the job ended is not the next job's
        }
    }

    /**
     * The scorer's temporary directories in {@code tmpdir} that were not there before and are still there 3 s
     * later: a scorer in another JVM on the same machine (someone else's tests) has its own, gone when its job is.
     */
    private static List<String> scorerTempDirsLeft(Path tmpdir, List<String> before) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (true) {
            List<String> left = new ArrayList<>(Leftovers.entries(tmpdir, SCORER_TMP));
            left.removeAll(before);
            if (left.isEmpty() || System.nanoTime() > deadline) {
                return left;
            }
            Thread.sleep(100);
        }
    }

    private static String missing(int index) {
        return "media:" + DIR + "/missing " + index + ".y4m";
    }

    private static void check(Outcome o, VmafScores pair, VmafScores same) {
        if (o.error() != null && !(o.error() instanceof JobException) && !(o.error() instanceof InterruptedException)) {
            throw new AssertionError("unexpected exception in " + o.describe(), o.error());
        }
        if (o.error() instanceof JobException) {
            assertTrue(o.error().getMessage() != null && !o.error().getMessage().isBlank() && !o.error().getMessage().contains("\n"),
                    () -> "one line: " + o.describe());
        }
        switch (o.kind()) {
            case PAIR, SAME -> assertScored(o, o.kind() == Kind.PAIR ? pair : same);
            case CANCEL_ANY_TIME -> {
                if (!(o.error() instanceof InterruptedException)) {
                    assertScored(o, pair); // the interrupt came after the job had ended
                }
            }
            case CANCEL_WHILE_SCORING -> assertTrue(o.error() instanceof InterruptedException, () -> "cancelled: " + o.describe());
            case MISSING -> {
                assertTrue(o.error() instanceof JobException, () -> "fails: " + o.describe());
                String m = o.error().getMessage();
                assertTrue(m.startsWith("distorted") && m.contains(missing(o.index())) && m.contains("not found"),
                        () -> "names the input and says it is not there: " + o.describe());
            }
            case CORRUPT -> {
                assertTrue(o.error() instanceof JobException, () -> "fails: " + o.describe());
                assertTrue(o.error().getMessage().startsWith("distorted " + CORRUPT), () -> "names the input: " + o.describe());
            }
        }
    }

    private static void assertScored(Outcome o, VmafScores expected) {
        if (o.error() != null) {
            throw new AssertionError("must score: " + o.describe(), o.error());
        }
        VmafScores s = o.result().scores();
        assertEquals(expected.frameCount(), s.frameCount(), o::describe);
        assertEquals(expected.mean(), s.mean(), 1e-6, o::describe);
        for (int i = 0; i < s.frameCount(); i++) {
            assertEquals(expected.frames().get(i), s.frames().get(i), 1e-6, o::describe);
        }
        assertEquals(o.mode(), o.result().reference().storage(), o::describe);
        assertEquals(o.mode(), o.result().distorted().storage(), o::describe);
    }
}
