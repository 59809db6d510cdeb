package io.vmafx.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.api.uri.AssetUri;
import io.vmafx.core.config.NodeConfig;
import io.vmafx.core.config.StorageMode;
import io.vmafx.core.config.Variable;
import io.vmafx.core.discovery.ProviderRegistry;
import io.vmafx.core.node.Node;
import io.vmafx.core.score.ScoreOptions;
import io.vmafx.core.score.ProgressListener;
import io.vmafx.core.testing.ForwardingStorageProvider;
import io.vmafx.core.testing.TestMedia;
import io.vmafx.spi.NodeSettings;
import io.vmafx.spi.storage.PreparedInput;
import io.vmafx.spi.storage.StorageException;
import io.vmafx.spi.storage.StorageProvider;
import io.vmafx.storage.local.LocalStorageProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executor releases both inputs on every way out. Storage is the real local provider, wrapped to record
 * every prepared input (and, where a test needs a fault the real one cannot make on demand, to block or to
 * hand ffmpeg a pipe); scoring is the real ffmpeg.
 */
class JobExecutorTest {

    @TempDir
    static Path clips;
    static Path reference;
    static Path degraded;

    @TempDir
    Path tmp;

    private final Queue<PreparedInput> prepared = new ConcurrentLinkedQueue<>();
    private JobExecutor executor;

    @BeforeAll
    static void makeClips() throws Exception {
        reference = TestMedia.referenceClip(clips.resolve("ref.y4m"));
        degraded = TestMedia.degradedCopy(reference, clips.resolve("dis.y4m"));
    }

    @AfterEach
    void close() {
        if (executor != null) {
            executor.close();
        }
    }

    private JobExecutor executor(StorageProvider local) throws Exception {
        return executor(local, null);
    }

    private JobExecutor executor(StorageProvider local, io.vmafx.spi.bypass.BypassProvider bypass) throws Exception {
        return executor(local, bypass, Map.of());
    }

    private JobExecutor executor(StorageProvider local, io.vmafx.spi.bypass.BypassProvider bypass, Map<String, String> env)
            throws Exception {
        NodeConfig config = NodeConfig.load(env, Map.of(), TestMedia.root());
        ProviderRegistry registry = ProviderRegistry.of(List.of(local), List.of());
        executor = new JobExecutor(new StorageRouter(registry, config, StorageMode.LOCAL), config,
                config.uriRules(java.util.Set.of(), java.util.Set.of()), Node.scorer(config, null),
                ScoreOptions.DEFAULTS, bypass);
        return executor;
    }

    @Test
    void successScoresAndReleasesBoth() throws Exception {
        JobResult r = executor(new Recording(new LocalStorageProvider())).run(
                JobRequest.of(reference.toString(), degraded.toString()), ProgressListener.NONE);
        assertEquals(TestMedia.FRAMES, r.scores().frameCount());
        assertTrue(r.scores().mean() < 90, "degraded copy scores clearly lower: " + r.scores().mean());
        assertEquals("local", r.reference().storage());
        assertEquals(reference.toString(), r.reference().location());
        assertFalse(r.distorted().bypass());
        assertEquals("bypass is off (VMAFX_EBPF_BYPASS=1 turns it on)", r.distorted().bypassReason());
        assertAllReleased(2);
    }

    @Test
    void scorerFailureNamesTheInputAndReleasesBoth() throws Exception {
        Path garbage = Files.write(tmp.resolve("broken.y4m"), new byte[4096]);
        JobException e = assertThrows(JobException.class, () -> executor(new Recording(new LocalStorageProvider()))
                .run(JobRequest.of(reference.toString(), garbage.toString()), ProgressListener.NONE));
        assertTrue(e.getMessage().startsWith("distorted " + garbage), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertAllReleased(2);
    }

    @Test
    void oneSideFailingToPrepareReleasesTheOtherEvenIfItFinishesLater() throws Exception {
        CountDownLatch distortedFailed = new CountDownLatch(1);
        StorageProvider slowReference = new Recording(new LocalStorageProvider()) {
            @Override
            public PreparedInput prepare(AssetUri uri, NodeSettings s) throws StorageException, InterruptedException {
                if (uri.input().equals(reference.toString())) {
                    // A prepare that ignores the executor's interrupt and completes anyway: it must still be released.
                    awaitUninterruptibly(distortedFailed);
                    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                } else {
                    try {
                        return super.prepare(uri, s);
                    } finally {
                        distortedFailed.countDown();
                    }
                }
                return super.prepare(uri, s);
            }
        };
        Path missing = tmp.resolve("missing.y4m");
        JobException e = assertThrows(JobException.class, () -> executor(slowReference)
                .run(JobRequest.of(reference.toString(), missing.toString()), ProgressListener.NONE));
        assertEquals("distorted: file not found: " + missing, e.getMessage());
        assertAllReleased(1);
    }

    @Test
    void cancellationWhileScoringKillsFfmpegAndReleasesBoth() throws Exception {
        Path fifo = tmp.resolve("never-ending.y4m");
        new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor();
        // ffmpeg blocks reading a pipe nobody writes: a job that runs until it is cancelled.
        StorageProvider pipeDistorted = new Recording(new LocalStorageProvider()) {
            @Override
            public PreparedInput prepare(AssetUri uri, NodeSettings s) throws StorageException, InterruptedException {
                if (uri.input().equals(degraded.toString())) {
                    PreparedInput real = super.prepare(uri, s);
                    PreparedInput pipe = PreparedInput.of("local", fifo.toString(), real::close);
                    prepared.remove(real);
                    prepared.add(pipe);
                    return pipe;
                }
                return super.prepare(uri, s);
            }
        };
        JobExecutor ex = executor(pipeDistorted);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread job = new Thread(() -> {
            try {
                ex.run(JobRequest.of(reference.toString(), degraded.toString()), ProgressListener.NONE);
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        job.start();
        waitFor(() -> ffmpegChildren() > 0, "ffmpeg to start");
        job.interrupt();
        job.join(10_000);
        assertFalse(job.isAlive(), "the job ends promptly when cancelled");
        assertTrue(outcome.get() instanceof InterruptedException, "cancelled job ends with InterruptedException: " + outcome.get());
        assertEquals(0, ffmpegChildren(), "ffmpeg was killed");
        assertAllReleased(2);
    }

    @Test
    void cancellationWhilePreparingReleasesWhatWasPrepared() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        StorageProvider blocking = new Recording(new LocalStorageProvider()) {
            @Override
            public PreparedInput prepare(AssetUri uri, NodeSettings s) throws StorageException, InterruptedException {
                if (uri.input().equals(degraded.toString())) {
                    entered.countDown();
                    new CountDownLatch(1).await(); // a remote that never answers; ends only by interrupt
                }
                return super.prepare(uri, s);
            }
        };
        JobExecutor ex = executor(blocking);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread job = new Thread(() -> {
            try {
                ex.run(JobRequest.of(reference.toString(), degraded.toString()), ProgressListener.NONE);
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        job.start();
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        job.interrupt();
        job.join(10_000);
        assertFalse(job.isAlive());
        assertTrue(outcome.get() instanceof InterruptedException, String.valueOf(outcome.get()));
        assertAllReleased(1);
    }

    @Test
    void everyPrepareCallIsReportedOnceAnInterruptedOneAsCancelled() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        StorageProvider blocking = new Recording(new LocalStorageProvider()) {
            @Override
            public PreparedInput prepare(AssetUri uri, NodeSettings s) throws StorageException, InterruptedException {
                calls.incrementAndGet();
                if (uri.input().equals(degraded.toString())) {
                    entered.countDown();
                    new CountDownLatch(1).await(); // a remote that never answers; ends only by interrupt
                }
                return super.prepare(uri, s);
            }
        };
        JobExecutor ex = executor(blocking);
        Queue<String> reports = new ConcurrentLinkedQueue<>();
        JobObserver observer = new JobObserver() {
            @Override
            public void prepared(String provider, long nanos, PrepareOutcome outcome) {
                reports.add(provider + " " + outcome.label());
            }
        };
        Thread job = new Thread(() -> {
            try {
                ex.run(JobRequest.of(reference.toString(), degraded.toString()), ProgressListener.NONE, observer);
            } catch (Exception e) {
                // the interrupt ends it; what matters is what was reported
            }
        });
        job.start();
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        waitFor(() -> reports.size() == 1, "the reference's prepare to be reported");
        job.interrupt();
        job.join(10_000);
        assertFalse(job.isAlive());
        // Two calls, two reports: the metrics' histogram count and the provider's prepare count agree.
        assertEquals(2, calls.get());
        assertEquals(List.of("local ok", "local cancelled"), List.copyOf(reports));
    }

    @Test
    void aStorageThatDiedUnderFfmpegFailsTheJobEvenThoughFfmpegSucceeded() throws Exception {
        // ffmpeg exits 0 on a read cut short; the storage's read check is what tells.
        StorageProvider dying = new Recording(new LocalStorageProvider()) {
            @Override
            public PreparedInput prepare(AssetUri uri, NodeSettings s) throws StorageException, InterruptedException {
                PreparedInput p = super.prepare(uri, s);
                return uri.input().equals(degraded.toString())
                        ? p.withReadCheck(() -> java.util.Optional.of("rclone mount media: stopped while ffmpeg was reading"))
                        : p;
            }
        };
        JobException e = assertThrows(JobException.class, () -> executor(dying)
                .run(JobRequest.of(reference.toString(), degraded.toString()), ProgressListener.NONE));
        assertEquals("distorted " + degraded + ": rclone mount media: stopped while ffmpeg was reading", e.getMessage());
        assertAllReleased(2);
    }

    @Test
    void eachInputReportsWhatTheBypassWatchSawAndTheWatchIsClosed() throws Exception {
        java.util.List<String> closed = new java.util.concurrent.CopyOnWriteArrayList<>();
        io.vmafx.spi.bypass.BypassProvider observing = new TestBypass() {
            @Override
            public io.vmafx.spi.bypass.BypassDecision offer(PreparedInput input) {
                return io.vmafx.spi.bypass.BypassDecision.decline("not in the cache");
            }

            @Override
            public java.util.Optional<io.vmafx.spi.bypass.TrafficWatch> watch(PreparedInput input) {
                long size = java.nio.file.Path.of(input.location()).toFile().length();
                return java.util.Optional.of(new io.vmafx.spi.bypass.TrafficWatch() {
                    @Override
                    public io.vmafx.spi.bypass.FuseTraffic traffic() {
                        return new io.vmafx.spi.bypass.FuseTraffic(size, 3);
                    }

                    @Override
                    public void close() {
                        closed.add(input.location());
                    }
                });
            }
        };
        // Local inputs are not read through a VFS cache: declined before the bypass, but still watched.
        JobResult r = executor(new Recording(new LocalStorageProvider()), observing).run(JobRequest.of(reference.toString(), degraded.toString()), ProgressListener.NONE);
        assertEquals(Files.size(reference), r.reference().fuseTraffic().orElseThrow().bytes());
        assertEquals(3, r.distorted().fuseTraffic().orElseThrow().reads());
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) r.toJson().get("reference");
        assertEquals(Files.size(reference), json.get("fuse_bytes"));
        assertEquals(java.util.Set.of(reference.toString(), degraded.toString()), java.util.Set.copyOf(closed));
        assertEquals("not read through an rclone VFS cache", r.reference().bypassReason());
        assertAllReleased(2);
    }

    /**
     * Both inputs are offered to the bypass at once (each offer may ask the remote for a fresh stat, an rclone run
     * that can take a hash of the whole object): an offer that waits for the other side's to arrive bypasses only
     * when they overlap; sequential offers would time out and decline. Both leases are closed after the job.
     */
    @Test
    void bothInputsAreOfferedToTheBypassAtOnceAndTheirLeasesClosed() throws Exception {
        CountDownLatch bothOffered = new CountDownLatch(2);
        java.util.List<String> released = new java.util.concurrent.CopyOnWriteArrayList<>();
        io.vmafx.spi.bypass.BypassProvider overlapping = new TestBypass() {
            @Override
            public io.vmafx.spi.bypass.BypassDecision offer(PreparedInput input) {
                bothOffered.countDown();
                try {
                    if (!bothOffered.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                        return io.vmafx.spi.bypass.BypassDecision.decline("offered alone");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return io.vmafx.spi.bypass.BypassDecision.decline("interrupted");
                }
                return io.vmafx.spi.bypass.BypassDecision.bypass(input.location(), () -> released.add(input.location()));
            }
        };
        StorageProvider cached = new Recording(new LocalStorageProvider()) {
            @Override
            public PreparedInput prepare(AssetUri uri, NodeSettings settings) throws StorageException, InterruptedException {
                return super.prepare(uri, settings).withVfsCache(new io.vmafx.spi.storage.VfsCacheLocation(
                        tmp.resolve("cache"), "media:", "/" + uri.fileName(), Path.of(uri.input())));
            }
        };
        JobResult r = executor(cached, overlapping).run(JobRequest.of(reference.toString(), degraded.toString()), ProgressListener.NONE);
        assertTrue(r.reference().bypass(), () -> "reference: " + r.reference().bypassReason());
        assertTrue(r.distorted().bypass(), () -> "distorted: " + r.distorted().bypassReason());
        assertEquals(java.util.Set.of(reference.toString(), degraded.toString()), java.util.Set.copyOf(released));
        assertEquals(2, released.size(), "each lease closed once");
    }

    @Test
    void rawYuvWithoutItsFormatFailsBeforeAnythingIsPrepared() throws Exception {
        JobException e = assertThrows(JobException.class, () -> executor(new Recording(new LocalStorageProvider()))
                .run(JobRequest.of("/clips/ref.yuv", degraded.toString()), ProgressListener.NONE));
        assertEquals("reference /clips/ref.yuv: raw .yuv input needs --width, --height and --pix-fmt", e.getMessage());
        assertTrue(prepared.isEmpty());
    }

    /** A distorted input that is a FIFO nobody writes: ffprobe blocks opening it, as on a read that never returns. */
    private StorageProvider blockingDistorted(Path fifo) throws Exception {
        new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor();
        return new Recording(new LocalStorageProvider()) {
            @Override
            public PreparedInput prepare(AssetUri uri, NodeSettings s) throws StorageException, InterruptedException {
                PreparedInput real = super.prepare(uri, s);
                if (!uri.input().equals(degraded.toString())) {
                    return real;
                }
                PreparedInput pipe = PreparedInput.of("local", fifo.toString(), real::close)
                        .withReadAbort(() -> aborts.incrementAndGet() > 0);
                prepared.remove(real);
                prepared.add(pipe);
                return pipe;
            }
        };
    }

    private final java.util.concurrent.atomic.AtomicInteger aborts = new java.util.concurrent.atomic.AtomicInteger();

    @Test
    void aStalledJobFailsNamingItsInputsAbortsTheirReadsAndReleasesBoth() throws Exception {
        JobExecutor ex = executor(blockingDistorted(tmp.resolve("stalled.y4m")), null, Map.of("VMAFX_STALL_TIMEOUT", "700ms"));
        long t0 = System.nanoTime();
        JobException e = assertThrows(JobException.class,
                () -> ex.run(JobRequest.of(reference.toString(), degraded.toString()), ProgressListener.NONE));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("reference " + reference + " and distorted " + degraded + ": stalled: no frame compared for 700 ms"
                + " after 0 frames; its blocked reads were aborted", e.getMessage());
        assertTrue(millis < 10_000, "fails soon after the stall timeout, took " + millis + " ms");
        assertEquals(1, aborts.get(), "the blocking input's reads were aborted once");
        assertFalse(Thread.currentThread().isInterrupted(), "the watchdog's interrupt does not leak to the caller");
        waitFor(() -> ffmpegChildren() == 0, "ffprobe to be gone");
        assertAllReleased(2);
    }

    @Test
    void aJobPastItsDeadlineFails() throws Exception {
        JobExecutor ex = executor(blockingDistorted(tmp.resolve("slow.y4m")), null,
                Map.of("VMAFX_STALL_TIMEOUT", "0", "VMAFX_JOB_DEADLINE", "500ms"));
        JobException e = assertThrows(JobException.class,
                () -> ex.run(JobRequest.of(reference.toString(), degraded.toString()), ProgressListener.NONE));
        assertTrue(e.getMessage().endsWith(": ran past its deadline; its blocked reads were aborted"), e.getMessage());
        assertAllReleased(2);
    }

    @Test
    void invalidUriNamesTheSide() throws Exception {
        JobException e = assertThrows(JobException.class, () -> executor(new Recording(new LocalStorageProvider()))
                .run(JobRequest.of(reference.toString(), "../up.y4m"), ProgressListener.NONE));
        assertTrue(e.getMessage().startsWith("distorted: invalid asset URI '../up.y4m'"), e.getMessage());
    }

    private void assertAllReleased(int expected) {
        assertEquals(expected, prepared.size(), "inputs prepared");
        for (PreparedInput p : prepared) {
            assertTrue(p.isReleased(), "released: " + p.displayLocation());
        }
    }

    private static long ffmpegChildren() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("ffprobe")).orElse(false)).count();
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A started bypass with nothing to count or close: tests give it {@code offer} (and {@code watch}). */
    private abstract static class TestBypass implements io.vmafx.spi.bypass.BypassProvider {
        @Override
        public String name() {
            return "test";
        }

        @Override
        public io.vmafx.spi.Availability availability(NodeSettings settings) {
            return io.vmafx.spi.Availability.ok();
        }

        @Override
        public void start(NodeSettings settings) {
        }

        @Override
        public Map<String, Number> counters() {
            return Map.of();
        }

        @Override
        public void close() {
        }
    }

    /** The real provider, recording each input it prepared so the test can check it was released. */
    private class Recording extends ForwardingStorageProvider {
        Recording(StorageProvider real) {
            super(real);
        }

        @Override
        public PreparedInput prepare(AssetUri uri, NodeSettings settings) throws StorageException, InterruptedException {
            PreparedInput p = real.prepare(uri, settings);
            prepared.add(p);
            return p;
        }
    }
}
