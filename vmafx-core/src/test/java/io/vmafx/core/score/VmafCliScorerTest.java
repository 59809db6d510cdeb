package io.vmafx.core.score;

import static io.vmafx.core.score.ScoreTools.assertNothingLeft;
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

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link VmafCliScorer}: its reading of a real libvmaf 2.3 JSON log, its refusals, and, through stand-in {@code vmaf}
 * scripts (there is no vmaf tool for this machine), the command line it builds and how it reads the tool's
 * failures. The stand-ins test only that: scores come from the recorded sample, never from a fake computation.
 */
class VmafCliScorerTest {

    @TempDir
    Path dir;

    Path ref;
    Path dis;
    Path tmp;

    @BeforeEach
    void files() throws IOException {
        ref = Files.writeString(dir.resolve("ref.y4m"), "YUV4MPEG2 W2 H2\n");
        dis = Files.writeString(dir.resolve("dis.y4m"), "YUV4MPEG2 W2 H2\n");
        tmp = Files.createDirectories(dir.resolve("tmp"));
    }

    /** A JSON log of libvmaf 2.3.1's vmaf tool, 10 frames (recorded). */
    static String sample() throws IOException {
        try (InputStream in = VmafCliScorerTest.class.getResourceAsStream("/score/libvmaf2-output.json")) {
            assertNotNull(in, "test resource score/libvmaf2-output.json");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsTheToolsLogAndPoolsAsLibvmafDoes() throws Exception {
        VmafScores s = VmafCliScorer.parseJson(sample(), ScoreOptions.DEFAULTS);
        assertEquals("vmaf", s.scorer());
        assertEquals(10, s.frameCount());
        assertEquals(new FrameCounts(10, 10, 10, 10), s.counts());
        assertEquals(List.of(58.222469, 60.167614, 59.23535, 60.082248, 59.536946, 59.9427, 61.328437, 61.691053,
                60.459901, 60.493403), s.frames());
        // The same log's pooled_metrics.vmaf, as libvmaf computed them: our pooling of its frames agrees.
        assertEquals(60.116012, s.mean(), 1e-6);
        assertEquals(58.222469, s.min(), 0.0);
        assertEquals(61.691053, s.max(), 0.0);
        assertEquals(60.101325, s.harmonicMean(), 1e-6);
    }

    @Test
    void readerRejectsBrokenLogs() {
        ScoringException none = assertThrows(ScoringException.class, () -> VmafCliScorer.parseJson(
                "{\"version\":\"2.3.1\",\"frames\":[],\"pooled_metrics\":{},\"aggregate_metrics\":{}}",
                ScoreOptions.DEFAULTS));
        assertEquals("no frames were scored: vmaf's JSON output lists no frames", none.getMessage());
        ScoringException cut = assertThrows(ScoringException.class,
                () -> VmafCliScorer.parseJson("{\"frames\": [ {", ScoreOptions.DEFAULTS));
        assertTrue(cut.getMessage().startsWith("vmaf's JSON output is not valid JSON: "), cut.getMessage());
        ScoringException nan = assertThrows(ScoringException.class, () -> VmafCliScorer.parseJson(
                "{\"frames\":[{\"frameNum\":3,\"metrics\":{\"vmaf\":null}}]}", ScoreOptions.DEFAULTS));
        assertEquals("libvmaf gave no vmaf value for frame 3 (vmaf's JSON output); the extractor may not work at this"
                + " frame size", nan.getMessage());
        ScoringException noPsnr = assertThrows(ScoringException.class, () -> VmafCliScorer.parseJson(sample(),
                ScoreTools.withFeatures(Feature.PSNR)));
        assertTrue(noPsnr.getMessage().startsWith("libvmaf gave no psnr_y value for frame 0"), noPsnr.getMessage());
    }

    @Test
    void missingToolGivesAClearMessage() {
        Path nowhere = dir.resolve("bin/vmaf");
        VmafCliScorer scorer = new VmafCliScorer(nowhere, 1);
        assertTrue(scorer.unavailable().orElseThrow().startsWith("vmaf not found at " + nowhere + "; set VMAFX_VMAF_BIN"));
        ScoringException e = assertThrows(ScoringException.class,
                () -> scorer.score(ScoreRequest.of(ref.toString(), dis.toString())));
        assertTrue(e.getMessage().startsWith("vmaf not found at " + nowhere + "; set VMAFX_VMAF_BIN"), e.getMessage());
        assertTrue(e.side().isEmpty());

        ScoringException onPath = assertThrows(ScoringException.class, () -> new VmafCliScorer("vmafx-test-no-vmaf", 1)
                .score(ScoreRequest.of(ref.toString(), dis.toString())));
        assertTrue(onPath.getMessage().startsWith("vmaf not found at vmafx-test-no-vmaf;"), onPath.getMessage());
    }

    @Test
    void refusesWhatTheToolCannotRead() {
        VmafCliScorer scorer = new VmafCliScorer("vmaf", 1);
        ScoringException url = assertThrows(ScoringException.class, () -> scorer.score(
                ScoreRequest.of("https://bob:hunter2@cdn.example/ref.y4m", dis.toString())));
        assertEquals(Optional.of(InputSide.REFERENCE), url.side());
        assertTrue(url.getMessage().contains("https://***@cdn.example/ref.y4m is a URL"), url.getMessage());
        assertFalse(url.getMessage().contains("hunter2"), url.getMessage());

        ScoringException mp4 = assertThrows(ScoringException.class, () -> scorer.score(
                ScoreRequest.of(ref.toString(), dir.resolve("dis.mp4").toString())));
        assertEquals(Optional.of(InputSide.DISTORTED), mp4.side());
        assertTrue(mp4.getMessage().contains("reads only .y4m and raw .yuv"), mp4.getMessage());

        ScoringException mixed = assertThrows(ScoringException.class, () -> scorer.score(
                ScoreRequest.of(ref.toString(), dis.toString())
                        .withRaw(InputSide.DISTORTED, new RawVideoFormat(2, 2, "yuv420p"))));
        assertEquals("the vmaf tool applies one raw layout to both inputs; these differ (reference .y4m, distorted 2x2"
                + " yuv420p): use the libvmaf scorer", mixed.getMessage());

        RawVideoFormat gray = new RawVideoFormat(2, 2, "gray");
        ScoringException grayRaw = assertThrows(ScoringException.class, () -> scorer.score(
                new ScoreRequest(ref.toString(), dis.toString(), gray, gray, ScoreOptions.DEFAULTS, ProgressListener.NONE)));
        assertTrue(grayRaw.getMessage().startsWith("the vmaf tool reads no gray raw video"), grayRaw.getMessage());

        ScoringException missing = assertThrows(ScoringException.class, () -> scorer.score(
                ScoreRequest.of(ref.toString(), dir.resolve("gone.y4m").toString())));
        assertEquals(Optional.of(InputSide.DISTORTED), missing.side());
        assertEquals("distorted input " + dir.resolve("gone.y4m") + " does not exist", missing.getMessage());
    }

    @Test
    void runsTheToolWithBuiltInModelsFeaturesAndSubsampling() throws Exception {
        Path args = dir.resolve("args.txt");
        Path log = Files.writeString(dir.resolve("log.json"), """
                {"frames": [
                  {"frameNum": 1, "metrics": {"vmaf": 70.0, "vmaf_v0.6.1neg": 65.0, "psnr_y": 30.0, "psnr_cb": 40.0,
                   "psnr_cr": 41.0, "float_ssim": 0.9}},
                  {"frameNum": 0, "metrics": {"vmaf": 90.0, "vmaf_v0.6.1neg": 85.0, "psnr_y": 32.0, "psnr_cb": 42.0,
                   "psnr_cr": 43.0, "float_ssim": 0.95}}
                ]}""");
        Path vmaf = fakeVmaf(args, "", log);
        ScoreOptions options = new ScoreOptions(List.of(VmafModel.DEFAULT, VmafModel.parse("vmaf_v0.6.1neg", null, true),
                VmafModel.parse("vmaf_v0.6.1:phone", null, true)), List.of(Feature.PSNR, Feature.FLOAT_SSIM), 3,
                Scaling.BICUBIC, false);
        List<Long> progress = new ArrayList<>();
        // The phone model's metric is missing from this log: the reader must say so ...
        ScoringException missing = assertThrows(ScoringException.class, () -> new VmafCliScorer(vmaf, 2, tmp).score(
                ScoreRequest.of(ref.toString(), dis.toString()).withOptions(options)));
        assertTrue(missing.getMessage().startsWith("libvmaf gave no vmaf_v0.6.1_phone value"), missing.getMessage());
        List<String> argv = Files.readAllLines(args);
        assertEquals(List.of("-r", ref.toString(), "-d", dis.toString(), "--json", "-o"), argv.subList(0, 6));
        assertTrue(argv.get(6).startsWith(tmp.toString()) && argv.get(6).endsWith("vmaf.json"), argv.get(6));
        assertEquals(List.of("--model", "version=vmaf_v0.6.1:name=vmaf",
                "--model", "version=vmaf_v0.6.1neg:name=vmaf_v0.6.1neg",
                "--model", "version=vmaf_v0.6.1:name=vmaf_v0.6.1_phone:enable_transform=true",
                "--feature", "psnr", "--feature", "float_ssim", "--subsample", "3", "--threads", "2"),
                argv.subList(7, argv.size()));

        // ... and without it, every metric is read in frame order.
        VmafScores s = new VmafCliScorer(vmaf, 2, tmp).score(ScoreRequest.of(ref.toString(), dis.toString())
                .withOptions(options.withModels(options.models().subList(0, 2)))
                .withProgress((done, fps) -> progress.add(done)));
        assertEquals(List.of(90.0, 70.0), s.frames());
        assertEquals(List.of(85.0, 65.0), s.metric("vmaf_v0.6.1neg").orElseThrow().perFrame());
        assertEquals(31.0, s.metric("psnr_y").orElseThrow().pooled().mean(), 1e-12);
        assertEquals(List.of("vmaf", "vmaf_v0.6.1neg", "psnr_y", "psnr_cb", "psnr_cr", "float_ssim"),
                List.copyOf(s.metrics().keySet()));
        assertEquals(List.of(2L), progress);
        assertNothingLeft(tmp);
    }

    @Test
    void rawInputsGetTheirLayoutAndOddModelPathsALink() throws Exception {
        Path args = dir.resolve("args.txt");
        Path vmaf = fakeVmaf(args, "", null);
        Path refYuv = Files.write(dir.resolve("ref.yuv"), new byte[12]);
        Path disYuv = Files.write(dir.resolve("dis.yuv"), new byte[12]);
        Path oddDir = Files.createDirectories(dir.resolve("models:v=1"));
        Path oddModel = Files.writeString(oddDir.resolve("vmaf:x.json"), "{}");
        RawVideoFormat layout = new RawVideoFormat(320, 240, "yuv422p10le");
        ScoreOptions options = ScoreOptions.DEFAULTS.withModels(List.of(VmafModel.parse(oddModel.toString(), null, true)));
        new VmafCliScorer(vmaf, 0, tmp).score(new ScoreRequest(refYuv.toString(), disYuv.toString(), layout, layout,
                options, ProgressListener.NONE));
        List<String> argv = Files.readAllLines(args);
        assertEquals(List.of("--width", "320", "--height", "240", "--pixel_format", "422", "--bitdepth", "10"),
                argv.subList(7, 15));
        assertEquals("--model", argv.get(15));
        String modelArg = argv.get(16);
        assertTrue(modelArg.startsWith("path=" + tmp) && modelArg.endsWith(".json:name=vmaf"), modelArg);
        String linkPath = modelArg.substring("path=".length(), modelArg.length() - ":name=vmaf".length());
        assertFalse(linkPath.contains(":") || linkPath.contains("="), modelArg);
        assertEquals(List.of("--threads", "0"), argv.subList(17, argv.size()));
        assertNothingLeft(tmp);
    }

    @Test
    void toolFailuresBecomeOneLineMessages() throws Exception {
        Path vmaf = fakeVmaf(dir.resolve("args.txt"), "echo \"could not open file: " + dis + "\" >&2; exit 255\n", null);
        ScoringException open = assertThrows(ScoringException.class, () -> new VmafCliScorer(vmaf, 1, tmp)
                .score(ScoreRequest.of(ref.toString(), dis.toString())));
        assertEquals(Optional.of(InputSide.DISTORTED), open.side());
        assertEquals("cannot open distorted input " + dis, open.getMessage());

        Path badInput = fakeVmaf(dir.resolve("args1.txt"), "echo \"problem with reference file: " + ref + "\" >&2; exit 255\n",
                null);
        ScoringException bad = assertThrows(ScoringException.class, () -> new VmafCliScorer(badInput, 1, tmp)
                .score(ScoreRequest.of(ref.toString(), dis.toString())));
        assertEquals(Optional.of(InputSide.REFERENCE), bad.side());
        assertTrue(bad.getMessage().startsWith("vmaf cannot read reference input " + ref), bad.getMessage());

        Path model = Files.writeString(dir.resolve("mine.json"), "{}");
        Path badModel = fakeVmaf(dir.resolve("args2.txt"), "echo \"problem loading model: " + model + "\" >&2; exit 255\n",
                null);
        ScoringException modelError = assertThrows(ScoringException.class, () -> new VmafCliScorer(badModel, 1, tmp)
                .score(ScoreRequest.of(ref.toString(), dis.toString())
                        .withOptions(ScoreOptions.DEFAULTS.withModels(List.of(VmafModel.parse(model.toString(), null, true))))));
        assertTrue(modelError.getMessage().startsWith("vmaf problem loading model: " + model), modelError.getMessage());

        Path usage = fakeVmaf(dir.resolve("args3.txt"),
                "printf 'Invalid argument \"x\" for option --threads; should be an integer\\n\\nUsage: vmaf [options]\\n\\n"
                        + "Supported options:\\n --reference/-r $path\\n' >&2; exit 1\n", null);
        ScoringException usageError = assertThrows(ScoringException.class, () -> new VmafCliScorer(usage, 1, tmp)
                .score(ScoreRequest.of(ref.toString(), dis.toString())));
        assertEquals("vmaf failed (exit 1): Invalid argument \"x\" for option --threads; should be an integer",
                usageError.getMessage());

        Path silent = fakeVmaf(dir.resolve("args4.txt"), "exit 0\n", null);
        ScoringException noOutput = assertThrows(ScoringException.class, () -> new VmafCliScorer(silent, 1, tmp)
                .score(ScoreRequest.of(ref.toString(), dis.toString())));
        assertEquals("vmaf exited normally but wrote no JSON output", noOutput.getMessage());
        assertNothingLeft(tmp);
    }

    @Test
    void interruptKillsTheTool() throws Exception {
        Path vmaf = fakeVmaf(dir.resolve("args.txt"), "sleep 30\n", null);
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread scoring = new Thread(() -> {
            try {
                outcome.set(new VmafCliScorer(vmaf, 1, tmp).score(ScoreRequest.of(ref.toString(), dis.toString())));
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
        assertNothingLeft(tmp);
    }

    /**
     * A stand-in vmaf: runs {@code before}, records its arguments, fails as the tool does on an unreadable
     * {@code --model path=}, then copies {@code log} (the recorded sample when null) to its {@code -o}.
     */
    private Path fakeVmaf(Path argsFile, String before, Path log) throws IOException {
        Path json = log != null ? log : Files.writeString(dir.resolve("sample.json"), sample());
        return ScoreTools.script(Files.createTempFile(dir, "vmaf", ".sh"), before
                + "printf '%s\\n' \"$@\" > '" + argsFile + "'\n"
                + "out=\"\"\n"
                + "while [ $# -gt 0 ]; do\n"
                + "  case \"$1\" in\n"
                + "    -o) out=\"$2\";;\n"
                + "    --model) case \"$2\" in path=*) m=\"${2#path=}\"; m=\"${m%%:name=*}\";"
                + " [ -r \"$m\" ] || { echo \"problem loading model: $m\" >&2; exit 255; };; esac;;\n"
                + "  esac\n"
                + "  shift\n"
                + "done\n"
                + "cp '" + json + "' \"$out\"\n");
    }
}
