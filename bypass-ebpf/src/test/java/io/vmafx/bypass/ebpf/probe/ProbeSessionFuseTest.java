package io.vmafx.bypass.ebpf.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vmafx.spi.bypass.FuseTraffic;
import io.vmafx.spi.bypass.TrafficWatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The probe on this kernel against a real {@code rclone mount} of a local directory (--vfs-cache-mode off, so
 * every byte goes through FUSE), with real readers: ffmpeg, dd, cat and this JVM.
 *
 * <p>Layout: {@code <work>/src} (the directory rclone serves, also read directly as "elsewhere"),
 * {@code <work>/mounts} (the prefix), {@code <work>/mounts/m1} (the mount), {@code <work>/mounts-other} (a sibling
 * that shares the prefix's characters but is not below it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProbeSessionFuseTest {

    private static final long DATA_SIZE = 24L << 20;

    private Path work;
    private Path src;
    private Path prefix;
    private Path other;
    private RcloneMount mount;
    private ProbeSession session;
    private final ConcurrentLinkedQueue<OpenEvent> events = new ConcurrentLinkedQueue<>();

    @BeforeAll
    void setUp() throws Exception {
        TestSystem.requireFuseTestMachine();
        TestSystem.require(Files.isExecutable(TestSystem.ffmpeg()), "no ffmpeg at " + TestSystem.ffmpeg() + " (scripts/setup.sh installs it)");
        work = Files.createTempDirectory("vmafx-probe-");
        src = Files.createDirectories(work.resolve("src"));
        prefix = work.resolve("mounts");
        other = Files.createDirectories(work.resolve("mounts-other"));
        byte[] data = new byte[(int) DATA_SIZE];
        new Random(42).nextBytes(data);
        Files.write(src.resolve("data.bin"), data);
        Files.write(other.resolve("data.bin"), new byte[4096]);
        TestSystem.Result r = TestSystem.run(List.of(TestSystem.ffmpeg().toString(), "-v", "error", "-y", "-f", "lavfi",
                "-i", "testsrc=size=640x360:rate=25", "-t", "6", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12",
                "-movflags", "+faststart", src.resolve("clip.mp4").toString()), 120);
        assertEquals(0, r.exit(), "making the clip: " + r.out());
        mount = RcloneMount.start(src, prefix.resolve("m1"), work);
        session = ProbeSession.start(prefix.toString());
        session.addOpenEventListener(events::add);
        System.out.println("[probe tests] probe attached for " + session.prefix() + ": reads counted by " + session.readPath()
                + session.readPathNote().map(n -> "; " + n).orElse(""));
    }

    @AfterAll
    void tearDown() throws Exception {
        try {
            if (session != null) {
                session.close();
            }
        } finally {
            try {
                if (mount != null) {
                    mount.close();
                }
            } finally {
                TestSystem.deleteTree(work);
            }
        }
        if (session != null) {
            assertEquals(List.of(), TestSystem.bpfDescriptorsHeld(), "BPF programs, maps or links left after close");
        }
    }

    private Path onMount(String name) {
        return prefix.resolve("m1").resolve(name);
    }

    private List<OpenEvent> eventsMatching(Predicate<OpenEvent> p) {
        return events.stream().filter(p).toList();
    }

    private static void assertWithinOnePercent(long expected, long actual, String what) {
        double ratio = (double) actual / expected;
        System.out.printf("[probe tests] %s: counted %d bytes of a %d-byte file (%.4f)%n", what, actual, expected, ratio);
        assertTrue(Math.abs(ratio - 1.0) <= 0.01, what + ": counted " + actual + " bytes, file has " + expected);
    }

    @Test
    @Order(1)
    void readPathIsReportedAndExplained() {
        assertTrue(session.readPath() == ReadPath.FENTRY || session.readPath() == ReadPath.SYSCALL_TRACEPOINTS);
        if (session.readPath() == ReadPath.SYSCALL_TRACEPOINTS) {
            String note = session.readPathNote().orElseThrow(() -> new AssertionError("a fallback must say why"));
            assertTrue(note.startsWith("fentry/fexit on vfs_read is not available ("), note);
        }
    }

    @Test
    @Order(2)
    void ddThroughTheMountIsCountedToTheByte() throws Exception {
        Path file = onMount("data.bin");
        try (TrafficWatch watch = session.trafficWatch(file)) {
            long pid = runAndPid(List.of("dd", "if=" + file, "of=/dev/null", "bs=1M", "status=none"));
            FuseTraffic t = watch.traffic();
            assertWithinOnePercent(DATA_SIZE, t.bytes(), "dd bs=1M");
            assertEquals(DATA_SIZE, t.bytes(), "dd reads the file once: exactly its size");
            assertTrue(t.reads() >= DATA_SIZE / (1 << 20), "reads: " + t.reads());
            FileCounters c = session.counters(file).orElseThrow();
            assertTrue(c.totalLatencyNanos() > 0 && c.maxLatencyNanos() > 0 && c.lastReadNanos() >= c.firstReadNanos(), c.toString());
            List<OpenEvent> opens = eventsMatching(e -> e.pid() == pid && e.kind() == OpenEvent.Kind.OPEN);
            assertEquals(1, opens.size(), "dd's open: " + opens);
            OpenEvent open = opens.get(0);
            assertEquals(file.toString(), open.path());
            assertTrue(open.fuse() && open.succeeded() && open.fd() >= 0, open.toString());
            assertEquals(FileKey.of(file), open.file());
            assertEquals("dd", open.command());
            assertTrue(eventsMatching(e -> e.pid() == pid && e.kind() == OpenEvent.Kind.CLOSE && e.fd() == open.fd()
                    && e.file().equals(open.file())).size() == 1, "dd's close of fd " + open.fd());
        }
    }

    @Test
    @Order(3)
    void ffmpegDecodingFromTheMountIsCountedWithinOnePercent() throws Exception {
        Path clip = onMount("clip.mp4");
        long size = Files.size(clip);
        FileCounters before = session.countersOrZero(FileKey.of(clip));
        LatencyHistogram histBefore = session.latencyHistogram();
        try (TrafficWatch watch = session.trafficWatch(clip)) {
            long pid = runAndPid(List.of(TestSystem.ffmpeg().toString(), "-v", "error", "-nostdin", "-i", clip.toString(),
                    "-f", "null", "-"));
            FuseTraffic t = watch.traffic();
            assertWithinOnePercent(size, t.bytes(), "ffmpeg -i <mount>/clip.mp4 -f null -");
            FileCounters after = session.countersOrZero(FileKey.of(clip)).minus(before);
            assertEquals(t.bytes(), after.bytes());
            LatencyHistogram h = session.latencyHistogram().minus(histBefore);
            assertEquals(after.reads(), h.count(), "every counted read is in the histogram");
            System.out.printf("[probe tests] ffmpeg: %d read calls, mean %d ns, max %d ns, p99 < %d ns%n%s%n", after.reads(),
                    after.meanLatencyNanos(), after.maxLatencyNanos(), h.quantileUpperBoundNanos(0.99), h);
            List<OpenEvent> opens = eventsMatching(e -> e.pid() == pid && e.kind() == OpenEvent.Kind.OPEN);
            assertEquals(1, opens.size(), "ffmpeg's opens under the prefix: " + opens);
            assertEquals(clip.toString(), opens.get(0).path());
            assertEquals(FileKey.of(clip), opens.get(0).file());
            assertTrue(opens.get(0).fuse());
            System.out.println("[probe tests] ffmpeg's open: " + opens.get(0));
        }
    }

    @Test
    @Order(4)
    void opensElsewhereAreNotSeenNorCounted() throws Exception {
        int before = events.size();
        long pid1 = runAndPid(List.of("cat", src.resolve("data.bin").toString())); // the same bytes, not through the mount
        long pid2 = runAndPid(List.of("cat", other.resolve("data.bin").toString())); // "<prefix>-other": not below the prefix
        long pid3 = runAndPid(List.of("cat", work.resolve("mounts/../src/data.bin").toString())); // lexically under the prefix...
        assertEquals(List.of(), eventsMatching(e -> e.pid() == pid1 || e.pid() == pid2), "opens outside the prefix were seen");
        // ...which the probe compares as given: it is seen (documented), but it is no FUSE file and nothing is counted
        List<OpenEvent> dotdot = eventsMatching(e -> e.pid() == pid3);
        assertTrue(dotdot.stream().noneMatch(OpenEvent::fuse), dotdot.toString());
        assertTrue(session.counters(src.resolve("data.bin")).isEmpty(), "a file outside FUSE has no counters");
        assertTrue(session.counters(other.resolve("data.bin")).isEmpty());
        System.out.println("[probe tests] events from opens elsewhere: " + (events.size() - before - dotdot.size()));
    }

    @Test
    @Order(5)
    void relativeOpensAreNotSeenButTheirReadsAreCounted() throws Exception {
        Path file = onMount("data.bin");
        FileCounters before = session.countersOrZero(FileKey.of(file));
        ProcessBuilder pb = new ProcessBuilder("dd", "if=data.bin", "of=/dev/null", "bs=64k", "status=none")
                .directory(prefix.resolve("m1").toFile());
        Process p = pb.start();
        assertEquals(0, p.waitFor());
        session.flushEvents();
        assertEquals(List.of(), eventsMatching(e -> e.pid() == p.pid()),
                "a relative path cannot be matched against the prefix in the kernel");
        assertEquals(DATA_SIZE, session.countersOrZero(FileKey.of(file)).minus(before).bytes(),
                "reads on a watched FUSE device are counted whatever the path was");
    }

    @Test
    @Order(6)
    void descriptorsOpenUnderThePrefixAreTracked() throws Exception {
        Path file = onMount("data.bin");
        // tail keeps the descriptor its openat returned (a shell's "exec 7< file" would dup it to 7 and close the
        // original: dup'ed descriptors are not tracked, only the one the open returned)
        Process p = new ProcessBuilder("tail", "-f", "-s", "1", file.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            List<OpenEvent> opened = List.of();
            while (opened.isEmpty() && System.nanoTime() < deadline) {
                session.flushEvents();
                opened = eventsMatching(e -> e.pid() == p.pid() && e.kind() == OpenEvent.Kind.OPEN && e.succeeded());
                Thread.sleep(20);
            }
            assertEquals(1, opened.size(), "tail's open: " + opened);
            int fd = opened.get(0).fd();
            List<TrackedFile> mine = session.trackedFiles().stream().filter(t -> t.pid() == p.pid()).toList();
            assertEquals(1, mine.size(), "tracked: " + session.trackedFiles());
            assertEquals(fd, mine.get(0).fd());
            assertEquals(FileKey.of(file), mine.get(0).file());
            assertTrue(mine.get(0).fuse());
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    @Order(7)
    void theJvmsOwnReadsAreCountedThroughAnyDescriptor() throws Exception {
        Path file = onMount("data.bin");
        FileKey key = session.watch(file);
        FileCounters before = session.countersOrZero(key);
        long n = 0;
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 << 10];
            for (int r; (r = in.read(buf)) > 0; ) {
                n += r;
            }
        }
        assertEquals(DATA_SIZE, n);
        assertEquals(DATA_SIZE, session.countersOrZero(key).minus(before).bytes());
        assertTrue(session.watchedDevices().contains(key.dev()));
        ProbeStats s = session.stats();
        assertEquals(0, s.drops(), s.toString());
        assertTrue(s.readsCounted() > 0 && s.opensTracked() > 0 && s.closesTracked() > 0, s.toString());
        System.out.println("[probe tests] " + s);
    }

    @Test
    @Order(8)
    void concurrentCallsAndCloseAreSafe() throws Exception {
        ProbeSession s = ProbeSession.start(prefix.toString());
        FileKey key = FileKey.of(onMount("data.bin"));
        s.watchDevice(key.dev());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(4);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread t = new Thread(() -> {
                started.countDown();
                try {
                    while (true) {
                        s.counters(key);
                        s.stats();
                        s.latencyHistogram();
                        s.allCounters();
                        s.trackedFiles();
                    }
                } catch (IllegalStateException expected) {
                    // closed
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            t.start();
            threads.add(t);
        }
        started.await();
        Thread.sleep(200);
        s.close();
        s.close(); // idempotent
        for (Thread t : threads) {
            t.join(5_000);
            assertFalse(t.isAlive());
        }
        if (failure.get() != null) {
            fail("a call during close failed", failure.get());
        }
        assertFalse(s.isOpen());
        assertThrows(IllegalStateException.class, s::stats);
    }

    @Test
    @Order(9)
    void aVerifierRejectionSurfacesTheVerifiersLog() {
        ProbeException e = assertThrows(ProbeException.class,
                () -> ProbeSession.start(prefix.toString(), ReadPath.SYSCALL_TRACEPOINTS, NativeProbe.FLAG_SELFTEST_REJECT).close());
        System.out.println("[probe tests] verifier rejection: " + e.getMessage());
        assertEquals(13, e.errno(), e.getMessage());
        assertTrue(e.getMessage().startsWith("loading the BPF programs into the kernel (program vmafx_selftest): Permission denied (errno 13); the verifier said: "),
                e.getMessage());
        assertTrue(e.getMessage().contains("invalid mem access 'map_value_or_null'"), e.getMessage());
        String log = e.verifierLog().orElseThrow();
        assertTrue(log.contains("call bpf_map_lookup_elem") && log.contains("R0 invalid mem access"), log);
        assertTrue(e.libbpfLog().contains("-- BEGIN PROG LOAD LOG --"), e.libbpfLog());
    }

    @Test
    @Order(10)
    void fentryIsUsedOrItsAbsenceIsExplained() {
        try (ProbeSession s = ProbeSession.start(prefix.toString(), ReadPath.FENTRY)) {
            assertEquals(ReadPath.FENTRY, s.readPath());
            System.out.println("[probe tests] fentry/fexit on vfs_read loads and attaches here");
        } catch (ProbeException e) {
            System.out.println("[probe tests] fentry/fexit unavailable on this kernel: " + e.getMessage());
            assertTrue(e.errno() > 0 && e.getMessage().matches("^(loading|attaching) .*\\(errno \\d+\\).*"), e.getMessage());
        }
    }

    @Test
    @Order(11)
    void trialLoadLeavesNothingLoaded() throws Exception {
        List<String> before = TestSystem.bpfDescriptorsHeld();
        ReadPath path = ProbeSession.trialLoad(prefix.toString());
        assertEquals(session.readPath(), path, "the trial load gets the read path the session got");
        assertEquals(before, TestSystem.bpfDescriptorsHeld(), "the trial load's programs and maps are gone again");
        System.out.println("[probe tests] the session holds " + before.size() + " BPF/perf descriptors; vmafx_ programs"
                + " loaded on this machine: " + TestSystem.loadedProbePrograms().size());
    }

    @Test
    @Order(12)
    void aPrefixOutsideAsciiIsComparedAsUtf8() throws Exception {
        Path dir = Files.createDirectories(work.resolve("m\u00e9dia-\uD83C\uDF9E")); // "média-🎞": two- and four-byte UTF-8
        Path file = Files.write(dir.resolve("f.bin"), new byte[100]);
        try (ProbeSession s = ProbeSession.start(dir.toString())) {
            ConcurrentLinkedQueue<OpenEvent> seen = new ConcurrentLinkedQueue<>();
            s.addOpenEventListener(seen::add);
            long pid = runAndPid(List.of("cat", file.toString()));
            s.flushEvents();
            List<OpenEvent> mine = seen.stream().filter(e -> e.pid() == pid && e.kind() == OpenEvent.Kind.OPEN).toList();
            assertEquals(1, mine.size(), seen.toString());
            assertEquals(file.toString(), mine.get(0).path());
            assertFalse(mine.get(0).fuse());
        }
    }

    @Test
    @Order(13)
    void badPrefixesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ProbeSession.start("relative/mounts"));
        assertThrows(IllegalArgumentException.class, () -> ProbeSession.start("/" + "x".repeat(300)));
        assertEquals("/run/vmafx/mounts", ProbeSession.normalizePrefix("/run//vmafx/./mounts/"));
    }

    private long runAndPid(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + command);
        }
        assertEquals(0, p.exitValue(), command.toString());
        session.flushEvents();
        return p.pid();
    }
}
