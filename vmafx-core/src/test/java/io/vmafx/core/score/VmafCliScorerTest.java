package io.vmafx.core.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link VmafCliScorer}: its parser on a libvmaf 2.x JSON sample, its refusals, and its process handling with a
 * stand-in {@code vmaf} script (there is no vmaf binary on the build machine).
 */
class VmafCliScorerTest {

    @TempDir
    Path dir;

    Path model;
    Path ref;
    Path dis;
    Path tmp;

    @BeforeEach
    void files() throws IOException {
        model = Files.writeString(dir.resolve("vmaf_v0.6.1.json"), "{}");
        ref = Files.writeString(dir.resolve("ref.y4m"), "YUV4MPEG2 W2 H2\n");
        dis = Files.writeString(dir.resolve("dis.y4m"), "YUV4MPEG2 W2 H2\n");
        tmp = Files.createDirectories(dir.resolve("tmp"));
    }

    static String sample() throws IOException {
        try (InputStream in = VmafCliScorerTest.class.getResourceAsStream("/score/libvmaf2-output.json")) {
            assertNotNull(in, "test resource score/libvmaf2-output.json");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Path sampleFile(Path dir) throws IOException {
        return Files.writeString(dir.resolve("sample.json"), sample());
    }

    @Test
    void parsesLibvmaf2OutputUsingItsPooledValues() throws Exception {
        VmafScores s = VmafCliScorer.parseJson(sample());
        assertEquals("vmaf", s.scorer());
        assertEquals(10, s.frameCount());
        assertEquals(List.of(58.222469, 60.167614, 59.23535, 60.082248, 59.536946, 59.9427, 61.328437, 61.691053,
                60.459901, 60.493403), s.frames());
        // As reported in pooled_metrics.vmaf (computing from the rounded frames would give 60.1013248 here).
        assertEquals(60.116012, s.mean(), 0.0);
        assertEquals(58.222469, s.min(), 0.0);
        assertEquals(61.691053, s.max(), 0.0);
        assertEquals(60.101325, s.harmonicMean(), 0.0);
        VmafScores computed = VmafScores.fromFrames("vmaf", s.frames());
        assertEquals(computed.mean(), s.mean(), 1e-6);
        assertEquals(computed.harmonicMean(), s.harmonicMean(), 1e-6);
    }

    @Test
    void computesPooledValuesTheToolLeftOut() throws Exception {
        String json = """
                {
                  "version": "2.3.1",
                  "fps": null,
                  "frames": [
                    {"frameNum": 0, "metrics": {"integer_adm2": 1.0, "vmaf": 90.0}},
                    {"frameNum": 1, "metrics": {"integer_adm2": 1.0, "vmaf": 70.0}}
                  ],
                  "pooled_metrics": {"vmaf": {"min": 70.0, "max": 90.0, "mean": null}},
                  "aggregate_metrics": {}
                }""";
        VmafScores s = VmafCliScorer.parseJson(json);
        assertEquals(80.0, s.mean(), 1e-12);
        assertEquals(70.0, s.min(), 0.0);
        assertEquals(2 / (1 / 91.0 + 1 / 71.0) - 1, s.harmonicMean(), 1e-12);

        VmafScores noPooled = VmafCliScorer.parseJson("{\"frames\":[{\"frameNum\":0,\"metrics\":{\"vmaf\":42.5}}]}");
        assertEquals(42.5, noPooled.mean(), 0.0);
        assertEquals(42.5, noPooled.harmonicMean(), 1e-12);
    }

    @Test
    void parserRejectsBrokenOutput() {
        ScoringException none = assertThrows(ScoringException.class, () -> VmafCliScorer.parseJson(
                "{\"version\":\"2.3.1\",\"frames\":[],\"pooled_metrics\":{},\"aggregate_metrics\":{}}"));
        assertTrue(none.getMessage().startsWith("no frames were scored"), none.getMessage());
        assertThrows(ScoringException.class, () -> VmafCliScorer.parseJson("{\"frames\": [ {"));
        ScoringException nan = assertThrows(ScoringException.class, () -> VmafCliScorer.parseJson(
                "{\"frames\":[{\"frameNum\":3,\"metrics\":{\"vmaf\":null}}]}"));
        assertEquals("vmaf's JSON output: frame 3 has no VMAF score", nan.getMessage());
    }

    @Test
    void missingBinaryGivesAClearMessage() {
        Path nowhere = dir.resolve("bin/vmaf");
        ScoringException e = assertThrows(ScoringException.class, () -> new VmafCliScorer(nowhere, 1)
                .score(ScoreRequest.of(ref.toString(), dis.toString(), model)));
        assertTrue(e.getMessage().startsWith("vmaf not found at " + nowhere + "; set VMAFX_VMAF_BIN"), e.getMessage());
        assertTrue(e.side().isEmpty());

        ScoringException onPath = assertThrows(ScoringException.class, () -> new VmafCliScorer("vmafx-test-no-vmaf", 1)
                .score(ScoreRequest.of(ref.toString(), dis.toString(), model)));
        assertTrue(onPath.getMessage().startsWith("vmaf not found at vmafx-test-no-vmaf;"), onPath.getMessage());
    }

    @Test
    void refusesUrlsAndOtherContainers() {
        VmafCliScorer scorer = new VmafCliScorer("vmaf", 1);
        ScoringException url = assertThrows(ScoringException.class, () -> scorer.score(
                ScoreRequest.of("https://bob:hunter2@cdn.example/ref.y4m", dis.toString(), model)));
        assertEquals(Optional.of(InputSide.REFERENCE), url.side());
        assertTrue(url.getMessage().contains("https://***@cdn.example/ref.y4m is a URL"), url.getMessage());
        assertFalse(url.getMessage().contains("hunter2"), url.getMessage());

        ScoringException mp4 = assertThrows(ScoringException.class, () -> scorer.score(
                ScoreRequest.of(ref.toString(), dir.resolve("dis.mp4").toString(), model)));
        assertEquals(Optional.of(InputSide.DISTORTED), mp4.side());
        assertTrue(mp4.getMessage().contains("reads only .y4m and raw .yuv"), mp4.getMessage());

        ScoringException mixed = assertThrows(ScoringException.class, () -> scorer.score(
                ScoreRequest.of(ref.toString(), dis.toString(), model)
                        .withRaw(InputSide.DISTORTED, new RawVideoFormat(2, 2, "yuv420p"))));
        assertTrue(mixed.getMessage().contains("cannot compare a raw .yuv with a .y4m"), mixed.getMessage());

        ScoringException gray = assertThrows(ScoringException.class, () -> scorer.score(
                new ScoreRequest(ref.toString(), dis.toString(), new RawVideoFormat(2, 2, "gray"), true, true, model,
                        ProgressListener.NONE)));
        assertTrue(gray.getMessage().contains("gray"), gray.getMessage());

        ScoringException missing = assertThrows(ScoringException.class, () -> scorer.score(
                ScoreRequest.of(ref.toString(), dir.resolve("gone.y4m").toString(), model)));
        assertEquals(Optional.of(InputSide.DISTORTED), missing.side());
        assertEquals("distorted input " + dir.resolve("gone.y4m") + " does not exist", missing.getMessage());
    }

    @Test
    void runsTheToolWithItsOptionsAndReadsItsOutput() throws Exception {
        Path args = dir.resolve("args.txt");
        Path vmaf = fakeVmaf(args, "");
        List<String> frames = new ArrayList<>();
        VmafScores s = new VmafCliScorer(vmaf, 2, tmp).score(ScoreRequest.of(ref.toString(), dis.toString(), model)
                .withProgress((done, fps) -> frames.add(Long.toString(done))));
        assertEquals(VmafCliScorer.parseJson(sample()), s);
        assertEquals(List.of("10"), frames);
        List<String> argv = Files.readAllLines(args);
        assertEquals(List.of("-r", ref.toString(), "-d", dis.toString(), "--json", "-o"), argv.subList(0, 6));
        assertTrue(argv.get(6).startsWith(tmp.toString()) && argv.get(6).endsWith("vmaf.json"), argv.get(6));
        assertEquals(List.of("--model", "path=" + model, "--threads", "2"), argv.subList(7, argv.size()));
        assertTempEmpty();
    }

    @Test
    void rawInputsGetTheirLayoutAndOddModelPathsALink() throws Exception {
        Path args = dir.resolve("args.txt");
        Path vmaf = fakeVmaf(args, "");
        Path refYuv = Files.write(dir.resolve("ref.yuv"), new byte[12]);
        Path disYuv = Files.write(dir.resolve("dis.yuv"), new byte[12]);
        Path oddDir = Files.createDirectories(dir.resolve("models:v=1"));
        Path oddModel = Files.writeString(oddDir.resolve("vmaf:x.json"), "{}");
        new VmafCliScorer(vmaf, 0, tmp).score(new ScoreRequest(refYuv.toString(), disYuv.toString(),
                new RawVideoFormat(320, 240, "yuv422p10le"), true, true, oddModel, ProgressListener.NONE));
        List<String> argv = Files.readAllLines(args);
        assertEquals(List.of("--width", "320", "--height", "240", "--pixel_format", "422", "--bitdepth", "10"),
                argv.subList(7, 15));
        String modelArg = argv.get(16);
        assertTrue(modelArg.startsWith("path=" + tmp) && modelArg.endsWith("vmaf_x.json"), modelArg);
        assertFalse(modelArg.substring(5).contains(":") || modelArg.substring(5).contains("="), modelArg);
        assertTempEmpty();
    }

    @Test
    void toolFailuresBecomeOneLineMessages() throws Exception {
        Path vmaf = fakeVmaf(dir.resolve("args.txt"), "echo \"could not open file: " + dis + "\" >&2; exit 255\n");
        ScoringException open = assertThrows(ScoringException.class, () -> new VmafCliScorer(vmaf, 1, tmp)
                .score(ScoreRequest.of(ref.toString(), dis.toString(), model)));
        assertEquals(Optional.of(InputSide.DISTORTED), open.side());
        assertEquals("cannot open distorted input " + dis, open.getMessage());

        Path badModel = fakeVmaf(dir.resolve("args2.txt"), "echo \"problem loading model: " + model + "\" >&2; exit 255\n");
        ScoringException modelError = assertThrows(ScoringException.class, () -> new VmafCliScorer(badModel, 1, tmp)
                .score(ScoreRequest.of(ref.toString(), dis.toString(), model)));
        assertTrue(modelError.getMessage().startsWith("vmaf problem loading model: " + model), modelError.getMessage());

        Path usage = fakeVmaf(dir.resolve("args3.txt"),
                "printf 'Invalid argument \"x\" for option --threads; should be an integer\\n\\nUsage: vmaf [options]\\n\\n"
                        + "Supported options:\\n --reference/-r $path\\n' >&2; exit 1\n");
        ScoringException usageError = assertThrows(ScoringException.class, () -> new VmafCliScorer(usage, 1, tmp)
                .score(ScoreRequest.of(ref.toString(), dis.toString(), model)));
        assertEquals("vmaf failed (exit 1): Invalid argument \"x\" for option --threads; should be an integer",
                usageError.getMessage());

        Path silent = fakeVmaf(dir.resolve("args4.txt"), "exit 0\n");
        ScoringException noOutput = assertThrows(ScoringException.class, () -> new VmafCliScorer(silent, 1, tmp)
                .score(ScoreRequest.of(ref.toString(), dis.toString(), model)));
        assertTrue(noOutput.getMessage().startsWith("vmaf exited normally but wrote no JSON output"),
                noOutput.getMessage());
        assertTempEmpty();
    }

    @Test
    void interruptKillsTheTool() throws Exception {
        Path vmaf = fakeVmaf(dir.resolve("args.txt"), "sleep 30\n");
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread scoring = new Thread(() -> {
            try {
                outcome.set(new VmafCliScorer(vmaf, 1, tmp).score(ScoreRequest.of(ref.toString(), dis.toString(), model)));
            } catch (Throwable t) {
                outcome.set(t);
            }
        }, "test-vmaf-scoring");
        scoring.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<ProcessHandle> tool = List.of();
        while (System.nanoTime() < deadline) {
            tool = ProcessHandle.current().descendants()
                    .filter(p -> p.info().commandLine().orElse("").contains("sleep 30")
                            || p.info().commandLine().orElse("").contains(vmaf.toString()))
                    .toList();
            if (tool.size() >= 2) {
                break;
            }
            Thread.sleep(20);
        }
        assertEquals(2, tool.size(), "the script and its sleep should be running: " + tool);
        scoring.interrupt();
        scoring.join(10_000);
        assertFalse(scoring.isAlive());
        assertInstanceOf(InterruptedException.class, outcome.get());
        for (ProcessHandle p : tool) {
            p.onExit().get(5, TimeUnit.SECONDS);
            assertFalse(p.isAlive(), "still running: " + p.info());
        }
        assertTempEmpty();
    }

    /** A stand-in vmaf: runs {@code before}, records its arguments, then copies the sample to its {@code -o}. */
    private Path fakeVmaf(Path argsFile, String before) throws IOException {
        Path sample = sampleFile(dir);
        return ScoreTools.script(Files.createTempFile(dir, "vmaf", ".sh"), before
                + "printf '%s\\n' \"$@\" > '" + argsFile + "'\n"
                + "out=\"\"; model=\"\"\n"
                + "while [ $# -gt 0 ]; do\n"
                + "  case \"$1\" in -o) out=\"$2\";; --model) model=\"${2#path=}\";; esac\n"
                + "  shift\n"
                + "done\n"
                + "[ -r \"$model\" ] || { echo \"problem loading model: $model\" >&2; exit 255; }\n"
                + "cp '" + sample + "' \"$out\"\n");
    }

    private void assertTempEmpty() throws IOException {
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList(), "the private temp dir must be gone");
        }
    }
}
