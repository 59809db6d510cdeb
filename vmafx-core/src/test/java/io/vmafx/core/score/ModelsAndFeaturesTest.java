package io.vmafx.core.score;

import static io.vmafx.core.score.ScoreTools.assertNothingLeft;
import static io.vmafx.core.score.ScoreTools.assertOneLine;
import static io.vmafx.core.score.ScoreTools.assertPooledOrder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;

import io.vmafx.core.testing.TestMedia;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models and features on Netflix's src01 10-bit pair: libvmaf's built-in models each give their own value, alone
 * or several at once; a JSON model file (Netflix's vmaf_v0.6.1.pkl from the shared directory, converted) scores
 * exactly as the built-in model it is; every {@link Feature} reports all its metrics, pooled as libvmaf pools them.
 */
class ModelsAndFeaturesTest {

    @TempDir
    Path tmp;

    @TempDir
    Path dir;

    private static ScoreOptions models(VmafModel... models) {
        return ScoreOptions.DEFAULTS.withModels(List.of(models));
    }

    private static VmafModel model(String text) {
        return VmafModel.parse(text, null, true);
    }

    private VmafScores src01(ScoreOptions options) throws Exception {
        return ScoreTools.scorer(tmp).score(ScoreTools.src01Pair(options));
    }

    @Test
    void builtInModelsGiveTheirOwnValuesAloneAndTogether() throws Exception {
        List<String> names = List.of("vmaf_v0.6.1", "vmaf_v0.6.1neg", "vmaf_4k_v0.6.1", "vmaf_v0.6.1:phone");
        VmafScores together = src01(models(names.stream().map(ModelsAndFeaturesTest::model).toArray(VmafModel[]::new)));
        assertEquals(List.of("vmaf", "vmaf_v0.6.1neg", "vmaf_4k_v0.6.1", "vmaf_v0.6.1_phone"),
                List.copyOf(together.metrics().keySet()));
        double standard = together.mean();
        double neg = together.metric("vmaf_v0.6.1neg").orElseThrow().pooled().mean();
        double fourK = together.metric("vmaf_4k_v0.6.1").orElseThrow().pooled().mean();
        double phone = together.metric("vmaf_v0.6.1_phone").orElseThrow().pooled().mean();
        System.out.printf("models: vmaf_v0.6.1 %.6f, vmaf_v0.6.1neg %.6f, vmaf_4k_v0.6.1 %.6f, phone %.6f%n", standard,
                neg, fourK, phone);
        for (double v : new double[] {neg, fourK, phone}) {
            assertTrue(v > 50 && v <= 100, () -> "plausible: " + v);
            assertTrue(Math.abs(v - standard) > 0.5, () -> v + " is not its own value beside " + standard);
        }
        // The NEG model gives no credit for enhancement, the phone transform forgives more, the 4K model expects a
        // 4K screen at 1.5 H, where 576x324 detail loss shows less.
        assertTrue(neg < standard, "neg " + neg + " < " + standard);
        assertTrue(phone > standard, "phone " + phone + " > " + standard);
        assertTrue(fourK > standard, "4k " + fourK + " > " + standard);

        // Each alone (as the job's "vmaf") gives the same frames as in the run with all four.
        List<String> metrics = List.of("vmaf", "vmaf_v0.6.1neg", "vmaf_4k_v0.6.1", "vmaf_v0.6.1_phone");
        for (int i = 1; i < names.size(); i++) {
            VmafScores alone = src01(models(model(names.get(i))));
            assertEquals(together.metric(metrics.get(i)).orElseThrow().perFrame(), alone.frames(), names.get(i));
        }
        assertNothingLeft(tmp);
    }

    @Test
    void jsonModelFileScoresAsTheBuiltInModelItIs() throws Exception {
        Path json = NetflixPklModel.writeIntegerModel(dir.resolve("from_pkl.json"));
        VmafModel file = model(json.toString());
        assertEquals("from_pkl", file.label());
        VmafScores s = src01(models(file, VmafModel.DEFAULT, model(json + ":phone"), model("vmaf_v0.6.1:phone")));
        assertEquals(List.of("vmaf", "vmaf_v0.6.1", "from_pkl_phone", "vmaf_v0.6.1_phone"),
                List.copyOf(s.metrics().keySet()));
        assertEquals(s.metric("vmaf_v0.6.1").orElseThrow().perFrame(), s.frames(), "the file model is the built-in one");
        assertEquals(s.metric("vmaf_v0.6.1_phone").orElseThrow().perFrame(),
                s.metric("from_pkl_phone").orElseThrow().perFrame());
        ScoreTools.assertNear(82.56523, s.mean(), 0.0001, "the converted model on the src01 pair");

        VmafScores q160 = ScoreTools.scorer(tmp).score(ScoreTools.q160Pair(models(file)));
        ScoreTools.assertNear(92.52095888042386, q160.mean(), 0.005, "the converted model on the q160x90 pair");
        assertNothingLeft(tmp);
    }

    @Test
    void modelFilesLibvmafCannotUseFailWithItsReason() throws Exception {
        // As the pickle names its features: libvmaf's float extractors, which this libvmaf build leaves out.
        Path floats = NetflixPklModel.writeFloatModel(dir.resolve("float.json"));
        ScoringException noExtractor = assertThrows(ScoringException.class, () -> src01(models(model(floats.toString()))));
        assertEquals("scoring failed (ffprobe exit 1): libvmaf ERROR could not initialize feature extractor"
                + " \"VMAF_feature_adm2_score\"", noExtractor.getMessage());
        assertTrue(noExtractor.side().isEmpty());

        Path garbage = Files.writeString(dir.resolve("garbage.json"), "{\"model_dict\": 42}");
        ScoringException notAModel = assertThrows(ScoringException.class, () -> src01(models(model(garbage.toString()))));
        // libvmaf names the file it read: the model's link in the private directory, which the message replaces.
        assertEquals("scoring failed (ffprobe exit 1): libvmaf ERROR could not read model from path: \"" + garbage
                + "\"", notAModel.getMessage());
        assertOneLine(notAModel);

        Path gone = dir.resolve("gone.json");
        Files.copy(floats, gone);
        VmafModel parsed = model(gone.toString());
        Files.delete(gone);
        ScoringException missing = assertThrows(ScoringException.class, () -> src01(models(parsed)));
        assertEquals("VMAF model " + gone + " is not a readable file", missing.getMessage());
        assertNothingLeft(tmp);
    }

    @Test
    void modelFileNamesAnyCharactersStillScore() throws Exception {
        Path odd = Files.createDirectories(dir.resolve("models: it's [a] dir, =|;"));
        Path json = NetflixPklModel.writeIntegerModel(odd.resolve("my:model=1|x'y\\z,w;[v] u.json"));
        VmafModel file = model(json.toString());
        // Results (and libvmaf's model option, and its log) name it without the characters their parsers split on.
        assertEquals("my_model_1_x_y_z_w__v__u", file.label());
        VmafScores s = src01(models(VmafModel.DEFAULT, file));
        assertEquals(s.frames(), s.metric(file.label()).orElseThrow().perFrame());
        assertNothingLeft(tmp);
    }

    @Test
    void aModelLabelThatWouldHideAnotherMetricIsRefused() throws Exception {
        Path vmaf = NetflixPklModel.writeIntegerModel(dir.resolve("vmaf.json"));
        IllegalArgumentException asVmaf = assertThrows(IllegalArgumentException.class,
                () -> models(model("vmaf_v0.6.1neg"), model(vmaf.toString())));
        assertEquals("model " + vmaf + " would be reported as 'vmaf', a name the results already use; rename its file",
                asVmaf.getMessage());
        Path psnr = NetflixPklModel.writeIntegerModel(dir.resolve("psnr_y.json"));
        IllegalArgumentException asFeature = assertThrows(IllegalArgumentException.class, () -> new ScoreOptions(
                List.of(VmafModel.DEFAULT, model(psnr.toString())), List.of(Feature.PSNR), 1, Scaling.BICUBIC, false));
        assertTrue(asFeature.getMessage().contains("would be reported as 'psnr_y'"), asFeature.getMessage());
        // As the first model, any label is fine: its score is "vmaf".
        assertEquals(List.of("vmaf", "psnr_y", "psnr_cb", "psnr_cr"), new ScoreOptions(List.of(model(psnr.toString())),
                List.of(Feature.PSNR), 1, Scaling.BICUBIC, false).metricNames());
    }

    @Test
    void everyFeatureReportsItsMetricsPooledAsLibvmafPoolsThem() throws Exception {
        ScoreOptions all = ScoreTools.withFeatures(Feature.values());
        ScoreRequest request = ScoreTools.src01Pair(all);
        VmafScores s = ScoreTools.scorer(tmp).score(request);
        assertEquals(all.metricNames(), List.copyOf(s.metrics().keySet()));
        for (Feature f : Feature.values()) {
            for (String metric : f.metrics()) {
                MetricScores m = s.metric(metric).orElseThrow(() -> new AssertionError(f + " without " + metric));
                assertEquals(3, m.perFrame().size(), metric);
                assertEquals(Pooled.of(m.perFrame()), m.pooled(), metric);
                assertPooledOrder(m);
            }
        }

        // libvmaf's own pooling of the same run (its log's pooled_metrics), from a graph run by hand.
        Path log = dir.resolve("libvmaf.json");
        Path graph = Files.writeString(dir.resolve("score.graph"), FilterGraph.score(request, ScoreTools.SRC01.videoFormat(),
                ScoreTools.SRC01.videoFormat(), FilterGraph.modelOption(all, List.of()), log, 2, List.of()));
        Process p = new ProcessBuilder(TestMedia.ffprobe(), "-hide_banner", "-v", "error", "-f", "lavfi", "-graph_file",
                graph.toString(), "-i", "x", "-show_entries", "packet=stream_index", "-of", "csv=p=0")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(false).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        Map<?, ?> pooled = (Map<?, ?>) JSON.std.mapFrom(Files.readString(log)).get("pooled_metrics");
        for (String metric : all.metricNames()) {
            Map<?, ?> theirs = (Map<?, ?>) pooled.get(metric);
            Pooled ours = s.metric(metric).orElseThrow().pooled();
            double tolerance = 1e-5; // the log's per-frame values are rounded to 6 decimals
            ScoreTools.assertNear(((Number) theirs.get("mean")).doubleValue(), ours.mean(), tolerance, metric + " mean");
            ScoreTools.assertNear(((Number) theirs.get("min")).doubleValue(), ours.min(), tolerance, metric + " min");
            ScoreTools.assertNear(((Number) theirs.get("max")).doubleValue(), ours.max(), tolerance, metric + " max");
            ScoreTools.assertNear(((Number) theirs.get("harmonic_mean")).doubleValue(), ours.harmonicMean(), tolerance,
                    metric + " harmonic mean");
        }
        System.out.println("features: " + s.metrics().values().stream()
                .map(m -> String.format("%s=%.6f", m.name(), m.pooled().mean())).toList());
        assertNothingLeft(tmp);
    }
}
