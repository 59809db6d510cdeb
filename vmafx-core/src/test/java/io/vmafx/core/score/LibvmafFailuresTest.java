package io.vmafx.core.score;

import static io.vmafx.core.score.ScoreTools.SRC01;
import static io.vmafx.core.score.ScoreTools.assertNothingLeft;
import static io.vmafx.core.score.ScoreTools.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures are one line naming the input at fault ({@link ScoringException#side()}, which the executor turns into the
 * input's name): missing files, HTTP errors, refused connections, files that are not video, a missing ffprobe or one
 * without libvmaf; an interrupt kills ffprobe and removes the private directory; the progress listener hears every
 * run to its end.
 */
class LibvmafFailuresTest {

    @TempDir
    static Path clips;

    static Path y4m;

    @TempDir
    Path tmp;

    @BeforeAll
    static void clip() throws Exception {
        y4m = ScoreTools.encode(ScoreTools.src01Distorted(), SRC01, clips.resolve("dis.y4m"), "-pix_fmt", "yuv420p10le",
                "-strict", "-1");
    }

    private ScoringException fails(ScoreRequest request) throws IOException {
        ScoringException e = assertThrows(ScoringException.class, () -> ScoreTools.scorer(tmp).score(request));
        assertOneLine(e);
        assertNothingLeft(tmp);
        return e;
    }

    private static ScoreRequest pair(String reference, String distorted) {
        return ScoreRequest.of(reference, distorted);
    }

    @Test
    void missingFilesNameTheirSide() throws Exception {
        String gone = clips.resolve("no/such/file.y4m").toString();
        ScoringException dis = fails(pair(y4m.toString(), gone));
        assertEquals("cannot open: No such file or directory", dis.getMessage());
        assertEquals(Optional.of(InputSide.DISTORTED), dis.side());

        ScoringException ref = fails(pair(gone, y4m.toString()));
        assertEquals("cannot open: No such file or directory", ref.getMessage());
        assertEquals(Optional.of(InputSide.REFERENCE), ref.side());

        // A raw input is opened by the scoring run itself (no probe when both are raw): the same message.
        ScoringException raw = fails(new ScoreRequest(ScoreTools.src01Reference().toString(), gone, SRC01, SRC01,
                ScoreOptions.DEFAULTS, ProgressListener.NONE));
        assertEquals("cannot open: No such file or directory", raw.getMessage());
        assertEquals(Optional.of(InputSide.DISTORTED), raw.side());
    }

    @Test
    void httpErrorsAndRefusedConnectionsNameTheirSide() throws Exception {
        try (LoopbackHttpServer http = LoopbackHttpServer.start()) {
            ScoringException notFound = fails(pair(http.url("/clips/ref.y4m"), y4m.toString()));
            assertEquals("cannot open: Server returned 404 Not Found", notFound.getMessage());
            assertEquals(Optional.of(InputSide.REFERENCE), notFound.side());
        }
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        ScoringException refused = fails(pair(y4m.toString(), "http://127.0.0.1:" + port + "/dis.y4m"));
        assertEquals("cannot open: [tcp] Connection to tcp://127.0.0.1:" + port + " failed: Connection refused",
                refused.getMessage());
        assertEquals(Optional.of(InputSide.DISTORTED), refused.side());
    }

    @Test
    void locationsThatNameNoFileFailAsScoringErrors() throws Exception {
        // Malformed file: URLs and a NUL in a path: a one-line failure of that input, not an unchecked exception.
        ScoringException space = fails(pair(y4m.toString(), "file:///clips/a b.y4m"));
        assertEquals("cannot open: not a valid path or file: URL (Illegal character in path at index 15:"
                + " file:///clips/a b.y4m)", space.getMessage());
        assertEquals(Optional.of(InputSide.DISTORTED), space.side());
        ScoringException host = fails(pair("file://media-host/clips/ref.y4m", y4m.toString()));
        assertEquals("cannot open: not a valid path or file: URL (URI has an authority component)", host.getMessage());
        assertEquals(Optional.of(InputSide.REFERENCE), host.side());
        ScoringException nul = fails(pair(y4m.toString(), "/clips/a\0b.y4m"));
        assertTrue(nul.getMessage().startsWith("cannot open: not a valid path or file: URL (Nul character not allowed"),
                nul.getMessage());
        assertEquals(Optional.of(InputSide.DISTORTED), nul.side());
    }

    @Test
    void aTextFileIsNotVideo() throws Exception {
        Path text = Files.writeString(clips.resolve("notes.mp4"), "these are not the frames you are looking for\n");
        ScoringException e = fails(pair(y4m.toString(), text.toString()));
        assertEquals("cannot open: Invalid data found when processing input", e.getMessage());
        assertEquals(Optional.of(InputSide.DISTORTED), e.side());
    }

    @Test
    void missingFfprobeSaysHowToGetIt() throws Exception {
        Path nowhere = tmp.resolve("no-such-dir/ffprobe");
        LibvmafScorer scorer = new LibvmafScorer(nowhere.toString(), 1, tmp, List.of());
        String expected = "ffprobe with libvmaf not found at " + nowhere + "; run scripts/setup.sh (it installs one) or"
                + " set VMAFX_FFPROBE";
        assertEquals(Optional.of(expected), scorer.unavailable());
        ScoringException e = assertThrows(ScoringException.class, () -> scorer.score(pair(y4m.toString(), y4m.toString())));
        assertEquals(expected, e.getMessage());
        assertTrue(e.side().isEmpty());

        // A bare name is looked up on the PATH when it runs.
        LibvmafScorer onPath = new LibvmafScorer("vmafx-test-no-such-ffprobe", 1, tmp, List.of());
        ScoringException notOnPath = assertThrows(ScoringException.class,
                () -> onPath.score(pair(y4m.toString(), y4m.toString())));
        assertTrue(notOnPath.getMessage().startsWith("ffprobe with libvmaf not found at vmafx-test-no-such-ffprobe;"),
                notOnPath.getMessage());
        assertNothingLeft(tmp);
    }

    @Test
    void ffprobeWithoutLibvmafSaysSo() throws Exception {
        // A stand-in: no ffprobe without libvmaf is installed here, and this is what one prints for the graph.
        Path fake = ScoreTools.script(clips.resolve("ffprobe-without-libvmaf"), """
                echo "[AVFilterGraph @ 0x55d0c0a1b2c0] No such filter: 'libvmaf'" >&2
                echo "vmafx: Invalid argument" >&2
                exit 1
                """);
        ScoringException e = assertThrows(ScoringException.class, () -> new LibvmafScorer(fake.toString(), 1, tmp,
                List.of()).score(ScoreTools.src01Pair(ScoreOptions.DEFAULTS)));
        assertEquals("ffprobe at " + fake + " has no libvmaf filter; run scripts/setup.sh for the one with libvmaf 2.3,"
                + " or set VMAFX_FFPROBE", e.getMessage());
        assertNothingLeft(tmp);
    }

    @Test
    void progressIsHeardInOrderToTheLastFrameAndEndsOnce() throws Exception {
        List<Long> frames = new CopyOnWriteArrayList<>();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        AtomicInteger done = new AtomicInteger();
        ProgressListener listener = new ProgressListener() {
            @Override
            public void update(long framesDone, double fps) {
                frames.add(framesDone);
                threads.add(Thread.currentThread());
            }

            @Override
            public void done() {
                done.incrementAndGet();
            }
        };
        ScoreTools.scorer(tmp).score(ScoreTools.q160Pair(ScoreOptions.DEFAULTS).withProgress(listener));
        assertFalse(frames.isEmpty());
        assertEquals(ScoreTools.Q160_FRAMES, frames.get(frames.size() - 1));
        for (int i = 1; i < frames.size(); i++) {
            assertTrue(frames.get(i - 1) <= frames.get(i), () -> "frames must not decrease: " + frames);
        }
        assertEquals(1, done.get());
        assertTrue(threads.stream().allMatch(t -> t == Thread.currentThread()), "updates come on the caller's thread");

        AtomicInteger doneOnFailure = new AtomicInteger();
        assertThrows(ScoringException.class, () -> ScoreTools.scorer(tmp).score(pair(y4m.toString(),
                clips.resolve("nope.y4m").toString()).withProgress(new ProgressListener() {
                    @Override
                    public void update(long framesDone, double fps) {
                    }

                    @Override
                    public void done() {
                        doneOnFailure.incrementAndGet();
                    }
                })));
        assertEquals(1, doneOnFailure.get());
        assertNothingLeft(tmp);
    }

    @Test
    void interruptKillsFfprobeAndRemovesThePrivateDirectory() throws Exception {
        Path fifo = clips.resolve("dis.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
        byte[] oneFrame = java.util.Arrays.copyOf(Files.readAllBytes(ScoreTools.src01Distorted()),
                (int) SRC01.frameBytes());
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread writer = new Thread(() -> {
            try (OutputStream out = Files.newOutputStream(fifo)) {
                out.write(oneFrame);
                out.flush();
                written.countDown();
                release.await();
            } catch (IOException | InterruptedException ignored) {
                // ffprobe was killed: the pipe is broken.
            }
        }, "test-fifo-writer");
        writer.setDaemon(true);
        writer.start();

        AtomicInteger done = new AtomicInteger();
        ScoreRequest request = new ScoreRequest(ScoreTools.src01Reference().toString(), fifo.toString(), SRC01, SRC01,
                ScoreOptions.DEFAULTS, new ProgressListener() {
                    @Override
                    public void update(long framesDone, double fps) {
                    }

                    @Override
                    public void done() {
                        done.incrementAndGet();
                    }
                });
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread scoring = new Thread(() -> {
            try {
                outcome.set(ScoreTools.scorer(tmp).score(request));
            } catch (Throwable t) {
                outcome.set(t);
            }
        }, "test-scoring");
        try {
            scoring.start();
            assertTrue(written.await(20, TimeUnit.SECONDS), "ffprobe never read the pipe");
            ProcessHandle ffprobe = awaitChild(tmp.toString());
            Thread.sleep(200);
            assertTrue(ffprobe.isAlive(), "ffprobe should be waiting for more frames");
            assertFalse(isEmpty(tmp), "the private directory exists while ffprobe runs");

            scoring.interrupt();
            scoring.join(15_000);
            assertFalse(scoring.isAlive(), "score() did not return after the interrupt");
            assertInstanceOf(InterruptedException.class, outcome.get(), () -> "outcome: " + outcome.get());
            assertFalse(ffprobe.isAlive(), "ffprobe must be dead");
            assertTrue(ProcessHandle.current().descendants().noneMatch(p -> p.pid() == ffprobe.pid()));
            assertNothingLeft(tmp);
            assertEquals(1, done.get(), "the listener heard the end");
        } finally {
            release.countDown();
            scoring.interrupt();
        }
    }

    /** The ffprobe child whose command line names {@code dir} (its graph file is there). */
    private static ProcessHandle awaitChild(String dir) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Optional<ProcessHandle> child = ProcessHandle.current().descendants()
                    .filter(p -> p.info().commandLine().orElse("").contains(dir)).findFirst();
            if (child.isPresent()) {
                return child.get();
            }
            Thread.sleep(20);
        }
        return fail("no ffprobe child with its graph in " + dir);
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }
}
