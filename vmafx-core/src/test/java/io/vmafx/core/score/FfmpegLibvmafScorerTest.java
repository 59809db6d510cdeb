package io.vmafx.core.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FfmpegLibvmafScorer} against the real static ffmpeg with libvmaf and the real VMAF model. */
class FfmpegLibvmafScorerTest {

    @TempDir
    static Path clips;

    static Path ffmpeg;
    static Path model;
    static Path reference;
    static Path degraded;
    static Path referenceYuv;

    @TempDir
    Path dir;

    @BeforeAll
    static void makeClips() throws Exception {
        ffmpeg = ScoreTools.ffmpeg();
        model = ScoreTools.model();
        reference = ScoreTools.referenceClip(clips.resolve("ref.y4m"));
        degraded = ScoreTools.degradedCopy(reference, clips.resolve("dis.y4m"));
        referenceYuv = ScoreTools.rawCopy(reference, clips.resolve("ref.yuv"));
    }

    private FfmpegLibvmafScorer scorer() {
        return new FfmpegLibvmafScorer(ffmpeg, 2, dir.resolve("tmp"));
    }

    private VmafScores score(Path ref, Path dis) throws Exception {
        Files.createDirectories(dir.resolve("tmp"));
        return scorer().score(ScoreRequest.of(ref.toString(), dis.toString(), model));
    }

    private static void assertPooledOrder(VmafScores s) {
        assertTrue(s.min() <= s.harmonicMean() + 1e-9, () -> "min <= harmonic: " + s);
        assertTrue(s.harmonicMean() <= s.mean() + 1e-9, () -> "harmonic <= mean: " + s);
        assertTrue(s.mean() <= s.max() + 1e-9, () -> "mean <= max: " + s);
    }

    private void assertTempRootEmpty() throws IOException {
        Path tmp = dir.resolve("tmp");
        if (Files.isDirectory(tmp)) {
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(List.of(), left.toList(), "the scorer's private temp dir must be gone");
            }
        }
    }

    @Test
    void identicalClipsScoreNearPerfect() throws Exception {
        VmafScores s = score(reference, reference);
        System.out.printf("identical pair: mean=%.6f min=%.6f max=%.6f harmonic=%.6f frames=%d%n",
                s.mean(), s.min(), s.max(), s.harmonicMean(), s.frameCount());
        assertEquals("ffmpeg", s.scorer());
        assertEquals(ScoreTools.FRAMES, s.frameCount());
        assertEquals(ScoreTools.FRAMES, s.frames().size());
        assertTrue(s.mean() >= 99, () -> "identical clips should score >= 99, got " + s.mean());
        assertPooledOrder(s);
        assertTempRootEmpty();
    }

    @Test
    void degradedPairMatchesFfmpegsOwnLogAndPrintedScore() throws Exception {
        VmafScores s = score(reference, degraded);
        System.out.printf("degraded pair: mean=%.6f min=%.6f max=%.6f harmonic=%.6f frames=%d%n",
                s.mean(), s.min(), s.max(), s.harmonicMean(), s.frameCount());
        VmafScores identical = score(reference, reference);
        assertEquals(ScoreTools.FRAMES, s.frameCount());
        assertTrue(s.mean() < 90, () -> "degraded pair should score < 90, got " + s.mean());
        assertTrue(s.mean() <= identical.mean() - 10, () -> "degraded " + s.mean() + " vs identical " + identical.mean());
        assertPooledOrder(s);

        // ffmpeg run by hand: input #0 distorted, #1 reference, log as JSON.
        Path log = dir.resolve("own-log.json");
        ScoreTools.Result own = ScoreTools.run(List.of(ffmpeg.toString(), "-nostdin", "-hide_banner",
                "-i", degraded.toString(), "-i", reference.toString(), "-lavfi",
                "[0:v][1:v]libvmaf=model_path=" + model + ":log_fmt=json:log_path=" + log, "-f", "null", "-"));
        assertEquals(0, own.exit(), own.stderr());
        Map<String, Object> root = JSON.std.mapFrom(Files.readString(log));
        List<Double> ownFrames = new ArrayList<>();
        for (Object frame : (List<?>) root.get("frames")) {
            ownFrames.add(((Number) ((Map<?, ?>) ((Map<?, ?>) frame).get("metrics")).get("vmaf")).doubleValue());
        }
        double ownMean = ownFrames.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertEquals(ownFrames, s.frames(), "per-frame scores as in ffmpeg's own log");
        assertEquals(ownMean, s.mean(), 1e-6, "pooled mean vs ffmpeg's own log");

        // libvmaf prints "VMAF score = X" (stdout) and ffmpeg "[libvmaf @ ...] VMAF score: X" (stderr).
        Matcher printed = Pattern.compile("VMAF score[=:] ?=? ?([0-9.]+)").matcher(own.stdout() + own.stderr());
        assertTrue(printed.find(), () -> "no printed VMAF score in:\n" + own.stdout() + own.stderr());
        double printedScore = Double.parseDouble(printed.group(1));
        System.out.printf("degraded pair: ffmpeg printed VMAF score %.6f, own-log mean %.6f%n", printedScore, ownMean);
        assertEquals(printedScore, s.mean(), 1e-3, "pooled mean vs ffmpeg's printed VMAF score");
        assertTempRootEmpty();
    }

    @Test
    void rawYuvInputScoresLikeTheY4m() throws Exception {
        Files.createDirectories(dir.resolve("tmp"));
        VmafScores fromY4m = score(reference, degraded);
        VmafScores fromRaw = scorer().score(ScoreRequest.of(referenceYuv.toString(), degraded.toString(), model)
                .withRaw(InputSide.REFERENCE, ScoreTools.CLIP_RAW));
        assertEquals(ScoreTools.FRAMES, fromRaw.frameCount());
        assertEquals(fromY4m.mean(), fromRaw.mean(), 1e-6);
        assertEquals(fromY4m.frames(), fromRaw.frames());

        VmafScores bothRaw = scorer().score(new ScoreRequest(referenceYuv.toString(), referenceYuv.toString(),
                ScoreTools.CLIP_RAW, true, true, model, ProgressListener.NONE));
        assertTrue(bothRaw.mean() >= 99, () -> "raw vs itself: " + bothRaw.mean());
    }

    @Test
    void modelAndLogPathsWithFilterGraphSpecialCharacters() throws Exception {
        Path odd = Files.createDirectories(dir.resolve("it's a, model:dir"));
        Path oddModel = odd.resolve(model.getFileName());
        Files.copy(model, oddModel);
        Files.copy(model.resolveSibling(model.getFileName() + ".model"), odd.resolve(model.getFileName() + ".model"));
        Path oddTemp = Files.createDirectories(dir.resolve("log dir [x];y=z, 'q'\\"));

        VmafScores plain = score(reference, degraded);
        VmafScores viaOddPaths = new FfmpegLibvmafScorer(ffmpeg.toString(), 2, oddTemp)
                .score(ScoreRequest.of(reference.toString(), degraded.toString(), oddModel));
        assertEquals(plain.mean(), viaOddPaths.mean(), 1e-9);
        try (Stream<Path> left = Files.list(oddTemp)) {
            assertEquals(List.of(), left.toList());
        }
    }

    @Test
    void missingDistortedInputNamesTheSideAndPath() throws Exception {
        Path missing = dir.resolve("no/such/dis.y4m");
        ScoringException e = assertThrows(ScoringException.class, () -> score(reference, missing));
        assertEquals(Optional.of(InputSide.DISTORTED), e.side());
        assertOneLine(e);
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
        assertTempRootEmpty();
    }

    @Test
    void missingReferenceInputNamesTheSideAndPath() throws Exception {
        Path missing = dir.resolve("gone-ref.y4m");
        ScoringException e = assertThrows(ScoringException.class, () -> score(missing, degraded));
        assertEquals(Optional.of(InputSide.REFERENCE), e.side());
        assertOneLine(e);
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void httpErrorNamesTheSideAndHidesCredentials() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread responder = new Thread(() -> answerNotFound(server), "test-http-404");
            responder.setDaemon(true);
            responder.start();
            String url = "http://alice:s3cret@127.0.0.1:" + server.getLocalPort() + "/clips/ref.y4m";
            Files.createDirectories(dir.resolve("tmp"));
            ScoringException e = assertThrows(ScoringException.class,
                    () -> scorer().score(ScoreRequest.of(url, degraded.toString(), model)));
            System.out.println("http 404 message: " + e.getMessage());
            assertEquals(Optional.of(InputSide.REFERENCE), e.side());
            assertOneLine(e);
            assertTrue(e.getMessage().contains("404"), e.getMessage());
            assertTrue(e.getMessage().contains("http://***@127.0.0.1:" + server.getLocalPort() + "/clips/ref.y4m"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
            assertFalse(e.getMessage().contains("alice"), e.getMessage());
        }
    }

    @Test
    void credentialsInAUrlStayOffFfmpegsCommandLineAndTheScoreIsTheSame() throws Exception {
        // Served with Basic auth, as rclone serve http does for the node; ffmpeg must still authenticate.
        String expected = "Basic " + java.util.Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
        byte[] body = Files.readAllBytes(reference);
        Files.createDirectories(dir.resolve("tmp"));
        try (ServerSocket http = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread responder = new Thread(() -> answer(http, request -> request.contains("\r\nAuthorization: " + expected + "\r\n")
                    ? new Response("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n", body)
                    : new Response("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"t\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", new byte[0])),
                    "test-http-auth");
            responder.setDaemon(true);
            responder.start();
            String url = "http://alice:s3cret@127.0.0.1:" + http.getLocalPort() + "/clips/ref.y4m";
            java.util.List<String> cmdlines = new java.util.concurrent.CopyOnWriteArrayList<>();
            ProgressListener spy = (frames, fps) -> ProcessHandle.current().descendants()
                    .forEach(p -> p.info().arguments().ifPresent(a -> cmdlines.add(String.join(" ", a))));
            VmafScores viaHttp = scorer().score(ScoreRequest.of(url, degraded.toString(), model).withProgress(spy));
            assertEquals(score(reference, degraded).mean(), viaHttp.mean(), 1e-9);
            assertFalse(cmdlines.isEmpty(), "saw ffmpeg running");
            for (String c : cmdlines) {
                assertFalse(c.contains("s3cret"), c);
            }
        }
    }

    private static void answerNotFound(ServerSocket server) {
        answer(server, request -> new Response("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", new byte[0]));
    }

    /** An HTTP answer: head (status line and headers) and body. */
    private record Response(String head, byte[] body) {
    }

    /** Answers each request on {@code server} (one per connection) with {@code respond}'s answer to its head. */
    private static void answer(ServerSocket server, java.util.function.Function<String, Response> respond) {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                InputStream in = socket.getInputStream();
                byte[] buffer = new byte[8192];
                StringBuilder request = new StringBuilder();
                int n;
                while (!request.toString().contains("\r\n\r\n") && (n = in.read(buffer)) > 0) {
                    request.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                }
                Response r = respond.apply(request.toString());
                OutputStream out = socket.getOutputStream();
                out.write(r.head().getBytes(StandardCharsets.ISO_8859_1));
                out.write(r.body());
                out.flush();
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    @Test
    void ffmpegThatDoesNotExistGivesAClearMessage() {
        Path nowhere = dir.resolve("no-ffmpeg-here/ffmpeg");
        ScoringException e = assertThrows(ScoringException.class, () -> new FfmpegLibvmafScorer(nowhere, 1)
                .score(ScoreRequest.of(reference.toString(), degraded.toString(), model)));
        assertTrue(e.getMessage().startsWith("ffmpeg not found at " + nowhere + "; set VMAFX_FFMPEG"), e.getMessage());
        assertOneLine(e);
        assertTrue(e.side().isEmpty());

        ScoringException onPath = assertThrows(ScoringException.class,
                () -> new FfmpegLibvmafScorer("vmafx-test-no-such-ffmpeg", 1)
                        .score(ScoreRequest.of(reference.toString(), degraded.toString(), model)));
        assertTrue(onPath.getMessage().startsWith("ffmpeg not found at vmafx-test-no-such-ffmpeg;"), onPath.getMessage());
    }

    @Test
    void ffmpegWithoutLibvmafGivesAClearMessage() throws Exception {
        Path fake = ScoreTools.script(dir.resolve("ffmpeg"), """
                echo "Input #0, yuv4mpegpipe, from 'x.y4m':" >&2
                echo "[AVFilterGraph @ 0x55d0c0a1b2c0] No such filter: 'libvmaf'" >&2
                echo "Error initializing complex filters." >&2
                echo "Invalid argument" >&2
                exit 1
                """);
        ScoringException e = assertThrows(ScoringException.class, () -> new FfmpegLibvmafScorer(fake, 1)
                .score(ScoreRequest.of(reference.toString(), degraded.toString(), model)));
        assertEquals("ffmpeg at " + fake + " has no libvmaf filter; set VMAFX_FFMPEG to an ffmpeg built with"
                + " --enable-libvmaf (scripts/setup.sh installs one)", e.getMessage());
    }

    @Test
    void missingOrIncompleteModelGivesAClearMessage() throws Exception {
        Path absent = dir.resolve("absent.pkl");
        ScoringException e = assertThrows(ScoringException.class,
                () -> scorer().score(ScoreRequest.of(reference.toString(), degraded.toString(), absent)));
        assertEquals("VMAF model not found at " + absent, e.getMessage());

        Path lonely = dir.resolve("lonely.pkl");
        Files.copy(model, lonely);
        ScoringException noCompanion = assertThrows(ScoringException.class,
                () -> scorer().score(ScoreRequest.of(reference.toString(), degraded.toString(), lonely)));
        assertTrue(noCompanion.getMessage().contains(lonely + ".model"), noCompanion.getMessage());
    }

    @Test
    void emptyInputMeansNoFramesScored() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.yuv"));
        Files.createDirectories(dir.resolve("tmp"));
        ScoringException e = assertThrows(ScoringException.class, () -> scorer().score(
                ScoreRequest.of(reference.toString(), empty.toString(), model).withRaw(InputSide.DISTORTED,
                        ScoreTools.CLIP_RAW)));
        assertTrue(e.getMessage().startsWith("no frames were scored"), e.getMessage());
        assertOneLine(e);
        assertTempRootEmpty();
    }

    @Test
    void mismatchedSizesFailWithFfmpegsReason() throws Exception {
        Path small = dir.resolve("small.y4m");
        ScoreTools.ffmpegOk("-i", degraded.toString(), "-vf", "scale=160x120", small.toString());
        ScoringException e = assertThrows(ScoringException.class, () -> score(reference, small));
        System.out.println("size mismatch message: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("ffmpeg failed (exit 1): "), e.getMessage());
        assertTrue(e.getMessage().contains("Width and height of input videos must be same"), e.getMessage());
        assertTrue(e.side().isEmpty());
        assertOneLine(e);
        assertTempRootEmpty();
    }

    @Test
    void corruptModelFailsWithLibvmafsReason() throws Exception {
        Path bad = dir.resolve("bad.pkl");
        Files.writeString(bad, "garbage\n");
        Files.writeString(dir.resolve("bad.pkl.model"), "garbage\n");
        Files.createDirectories(dir.resolve("tmp"));
        ScoringException e = assertThrows(ScoringException.class,
                () -> scorer().score(ScoreRequest.of(reference.toString(), degraded.toString(), bad)));
        System.out.println("corrupt model message: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("libvmaf failed (ffmpeg exit 1): "), e.getMessage());
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        assertOneLine(e);
        assertTempRootEmpty();
    }

    @Test
    void progressListenerHearsFramesEndingAtTheLastOne() throws Exception {
        List<Long> frames = new CopyOnWriteArrayList<>();
        AtomicInteger done = new AtomicInteger();
        Thread caller = Thread.currentThread();
        List<Thread> callbackThreads = new CopyOnWriteArrayList<>();
        ProgressListener listener = new ProgressListener() {
            @Override
            public void update(long framesDone, double fps) {
                frames.add(framesDone);
                callbackThreads.add(Thread.currentThread());
            }

            @Override
            public void done() {
                done.incrementAndGet();
            }
        };
        Files.createDirectories(dir.resolve("tmp"));
        scorer().score(ScoreRequest.of(reference.toString(), degraded.toString(), model).withProgress(listener));
        assertFalse(frames.isEmpty());
        assertEquals(ScoreTools.FRAMES, frames.get(frames.size() - 1));
        for (int i = 1; i < frames.size(); i++) {
            assertTrue(frames.get(i - 1) <= frames.get(i), () -> "frames must not decrease: " + frames);
        }
        assertEquals(1, done.get());
        assertTrue(callbackThreads.stream().allMatch(t -> t == caller), "updates come on the caller's thread");

        // done() is called on failures too.
        AtomicInteger doneOnFailure = new AtomicInteger();
        ProgressListener counting = new ProgressListener() {
            @Override
            public void update(long framesDone, double fps) {
            }

            @Override
            public void done() {
                doneOnFailure.incrementAndGet();
            }
        };
        assertThrows(ScoringException.class, () -> scorer().score(
                ScoreRequest.of(reference.toString(), dir.resolve("nope.y4m").toString(), model).withProgress(counting)));
        assertEquals(1, doneOnFailure.get());
    }

    @Test
    void interruptKillsFfmpegAndRemovesTheTempDir() throws Exception {
        Path fifo = dir.resolve("dis-fifo.yuv");
        ScoreTools.Result made = ScoreTools.run(List.of("mkfifo", fifo.toString()));
        assertEquals(0, made.exit(), made.stderr());
        Path tempRoot = Files.createDirectories(dir.resolve("interrupt-tmp"));
        byte[] frames = Files.readAllBytes(referenceYuv);
        int tenFrames = (int) (10 * ScoreTools.CLIP_RAW.frameBytes());

        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread writer = new Thread(() -> {
            try (OutputStream out = Files.newOutputStream(fifo)) {
                out.write(frames, 0, tenFrames);
                out.flush();
                written.countDown();
                release.await();
            } catch (IOException | InterruptedException ignored) {
                // ffmpeg was killed: the pipe is broken.
            }
        }, "test-fifo-writer");
        writer.setDaemon(true);
        writer.start();

        AtomicReference<Object> outcome = new AtomicReference<>();
        ScoreRequest request = ScoreRequest.of(reference.toString(), fifo.toString(), model)
                .withRaw(InputSide.DISTORTED, ScoreTools.CLIP_RAW);
        Thread scoring = new Thread(() -> {
            try {
                outcome.set(new FfmpegLibvmafScorer(ffmpeg, 1, tempRoot).score(request));
            } catch (Throwable t) {
                outcome.set(t);
            }
        }, "test-scoring");
        try {
            scoring.start();
            assertTrue(written.await(20, TimeUnit.SECONDS), "ffmpeg never read the FIFO");
            ProcessHandle child = awaitChild(fifo);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (isEmpty(tempRoot) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(isEmpty(tempRoot), "the scorer's temp dir should exist while ffmpeg runs");
            Thread.sleep(200);
            assertTrue(child.isAlive(), "ffmpeg should be waiting for more frames");

            long t0 = System.nanoTime();
            scoring.interrupt();
            scoring.join(15_000);
            assertFalse(scoring.isAlive(), "score() did not return after the interrupt");
            System.out.printf("interrupt: score() returned %d ms after the interrupt%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            assertInstanceOf(InterruptedException.class, outcome.get(), () -> "outcome: " + outcome.get());
            assertFalse(child.isAlive(), "ffmpeg must be dead");
            assertTrue(ProcessHandle.current().descendants().noneMatch(p -> p.pid() == child.pid()));
            assertTrue(isEmpty(tempRoot), "the temp dir must be removed");
        } finally {
            release.countDown();
            scoring.interrupt();
        }
    }

    private static ProcessHandle awaitChild(Path fifo) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Optional<ProcessHandle> child = ProcessHandle.current().descendants()
                    .filter(p -> p.info().commandLine().orElse("").contains(fifo.toString()))
                    .findFirst();
            if (child.isPresent()) {
                return child.get();
            }
            Thread.sleep(20);
        }
        return fail("no ffmpeg child process reading " + fifo);
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private static void assertOneLine(Exception e) {
        assertNotNull(e.getMessage());
        assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\r"), e.getMessage());
    }
}
