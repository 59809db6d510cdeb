package io.vmafx.core.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.core.job.JobRequest;
import io.vmafx.core.score.Feature;
import io.vmafx.core.score.RawVideoFormat;
import io.vmafx.core.score.Scaling;
import io.vmafx.core.score.ScoreOptions;
import io.vmafx.core.score.VmafModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobSubmissionTest {

    private static JobRequest parse(String json) throws BadRequest {
        return JobSubmission.parse(json.getBytes(StandardCharsets.UTF_8), ScoreOptions.DEFAULTS, null, null);
    }

    private static BadRequest refused(String json) {
        return assertThrows(BadRequest.class, () -> parse(json));
    }

    @Test
    void readsTheFields(@TempDir Path dir) throws Exception {
        JobRequest r = parse("{\"reference_uri\":\"s3://b/ref.mp4\",\"distorted_uri\":\"media:dis.mp4\"}");
        assertEquals(new JobRequest("s3://b/ref.mp4", "media:dis.mp4", null, null, ScoreOptions.DEFAULTS), r);
        JobRequest raw = parse("{\"reference_uri\":\"a.yuv\",\"distorted_uri\":\"b.yuv\",\"width\":64,\"height\":36,"
                + "\"pix_fmt\":\"yuv420p\",\"distorted_width\":32,\"distorted_pix_fmt\":\"yuv420p10le\"}");
        assertEquals(new RawVideoFormat(64, 36, "yuv420p"), raw.referenceRaw());
        assertEquals(new RawVideoFormat(32, 36, "yuv420p10le"), raw.distortedRaw(), "the distorted's own layout, the rest shared");
        JobRequest options = parse("{\"reference_uri\":\"a\",\"distorted_uri\":\"b\",\"model\":\"vmaf_v0.6.1neg,vmaf_v0.6.1:phone\","
                + "\"features\":[\"psnr\",\"float_ssim\"],\"subsample\":5,\"scale\":\"lanczos\",\"common_frames\":true}");
        assertEquals(new ScoreOptions(List.of(new VmafModel("vmaf_v0.6.1neg", null, false), new VmafModel("vmaf_v0.6.1", null, true)),
                List.of(Feature.PSNR, Feature.FLOAT_SSIM), 5, Scaling.LANCZOS, true), options.options());
        assertEquals(List.of(Feature.CAMBI, Feature.CIEDE), parse("{\"reference_uri\":\"a\",\"distorted_uri\":\"b\","
                + "\"features\":\"cambi,ciede\"}").options().features(), "a comma-separated string works too");
        assertEquals(ScoreOptions.DEFAULTS, parse("{\"reference_uri\":\"a\",\"distorted_uri\":\"b\",\"model\":null}").options(),
                "null is absent");
        Path models = Files.createDirectories(dir.resolve("models"));
        Path mine = Files.writeString(models.resolve("mine.json"), "{}");
        JobRequest file = JobSubmission.parse("{\"reference_uri\":\"a\",\"distorted_uri\":\"b\",\"model\":\"mine.json\"}"
                .getBytes(StandardCharsets.UTF_8), ScoreOptions.DEFAULTS, models, null);
        assertEquals(mine.toRealPath(), file.options().models().get(0).file());
    }

    @Test
    void refusesBadOptionsNamingTheField(@TempDir Path dir) throws Exception {
        String base = "{\"reference_uri\":\"a\",\"distorted_uri\":\"b\",";
        BadRequest model = refused(base + "\"model\":\"vmaf_v9\"}");
        assertEquals("model", model.field());
        assertTrue(model.getMessage().startsWith("model: unknown model 'vmaf_v9'; built in: vmaf_v0.6.1"), model.getMessage());
        Path elsewhere = Files.writeString(dir.resolve("x.json"), "{}");
        assertEquals("model: model '" + elsewhere + "': model files are not allowed here (the operator sets VMAFX_MODELS_DIR"
                + " to allow the files in it); built in: vmaf_v0.6.1, vmaf_v0.6.1neg, vmaf_4k_v0.6.1",
                refused(base + "\"model\":\"" + elsewhere + "\"}").getMessage(), "no models directory: names only");
        assertEquals("features: unknown feature 'vif'; known: psnr, float_ssim, float_ms_ssim, cambi, ciede, psnr_hvs",
                refused(base + "\"features\":[\"vif\"]}").getMessage());
        assertEquals("features: expected an array of at most 16 strings", refused(base + "\"features\":[1]}").getMessage());
        assertEquals("subsample: expected a whole number from 1 to 1000, got 0", refused(base + "\"subsample\":0}").getMessage());
        assertEquals("scale", refused(base + "\"scale\":\"cubic\"}").field());
        assertEquals("common_frames: expected true or false, got yes", refused(base + "\"common_frames\":\"yes\"}").getMessage());
        assertEquals("distorted_pix_fmt", refused(base + "\"width\":8,\"height\":8,\"pix_fmt\":\"yuv420p\","
                + "\"distorted_pix_fmt\":\"rgb24\"}").field());
    }

    @Test
    void namesTheFieldAtFault() {
        BadRequest unknown = refused("{\"reference_uri\":\"a\",\"distorted_uri\":\"b\",\"referenceUri\":\"c\"}");
        assertEquals("referenceUri", unknown.field());
        assertEquals("unknown field 'referenceUri'; a job has reference_uri, distorted_uri, width, height, pix_fmt,"
                + " distorted_width, distorted_height, distorted_pix_fmt, model, features, subsample, scale, common_frames",
                unknown.getMessage());
        assertEquals("distorted_uri: required", refused("{\"reference_uri\":\"a\"}").getMessage());
        assertEquals("reference_uri: empty", refused("{\"reference_uri\":\" \",\"distorted_uri\":\"b\"}").getMessage());
        assertEquals("reference_uri: expected a string, got true", refused("{\"reference_uri\":true,\"distorted_uri\":\"b\"}").getMessage());
        assertEquals("reference_uri: expected a string, got an array", refused("{\"reference_uri\":[\"a\"],\"distorted_uri\":\"b\"}").getMessage());
        assertEquals("distorted_uri: expected a string, got an object", refused("{\"reference_uri\":\"a\",\"distorted_uri\":{}}").getMessage());
        assertEquals("width: expected a whole number, got \"64\"",
                refused("{\"reference_uri\":\"a\",\"distorted_uri\":\"b\",\"width\":\"64\"}").getMessage());
        assertEquals("width: expected a whole number, got 1.5",
                refused("{\"reference_uri\":\"a\",\"distorted_uri\":\"b\",\"width\":1.5}").getMessage());
        assertEquals("pix_fmt: raw video needs all of width, height and pix_fmt",
                refused("{\"reference_uri\":\"a\",\"distorted_uri\":\"b\",\"width\":64,\"height\":36}").getMessage());
        assertEquals("height: expected a positive whole number, got 0",
                refused("{\"reference_uri\":\"a\",\"distorted_uri\":\"b\",\"width\":64,\"height\":0,\"pix_fmt\":\"yuv420p\"}").getMessage());
        BadRequest twice = refused("{\"reference_uri\":\"a\",\"distorted_uri\":\"b\",\"distorted_uri\":\"c\"}");
        assertEquals("distorted_uri", twice.field());
        assertEquals("field 'distorted_uri' appears twice", twice.getMessage());
    }

    @Test
    void aFieldLongerThanTheLimitIsRefusedNamingIt() {
        String uri = "http://" + "a".repeat(60_000);
        BadRequest r = refused("{\"reference_uri\":\"media:a.mp4\",\"distorted_uri\":\"" + uri + "\"}");
        assertEquals("distorted_uri", r.field());
        assertEquals("distorted_uri: longer than 4096 characters (60007)", r.getMessage());
        assertEquals("pix_fmt", refused("{\"reference_uri\":\"a\",\"distorted_uri\":\"b\",\"pix_fmt\":\"" + "y".repeat(4097) + "\"}").field());
    }

    @Test
    void withAPolicyItsRefusalIsA400NamingTheField() {
        ApiInputPolicy policy = new ApiInputPolicy(ApiInputSettings.NONE,
                io.vmafx.api.uri.UriRules.defaults().withConfiguredRemotes(java.util.Set.of("media")));
        byte[] body = "{\"reference_uri\":\"media:a.mp4\",\"distorted_uri\":\"/etc/passwd\"}".getBytes(StandardCharsets.UTF_8);
        BadRequest r = assertThrows(BadRequest.class, () -> JobSubmission.parse(body, ScoreOptions.DEFAULTS, null, policy));
        assertEquals("distorted_uri", r.field());
        assertEquals("distorted_uri: no file /etc/passwd that API jobs may read (local files only below VMAFX_API_LOCAL_ROOTS)", r.getMessage());
        byte[] model = "{\"reference_uri\":\"media:a.mp4\",\"distorted_uri\":\"media:b.mp4\",\"model\":\"/etc/passwd.json\"}"
                .getBytes(StandardCharsets.UTF_8);
        BadRequest m = assertThrows(BadRequest.class, () -> JobSubmission.parse(model, ScoreOptions.DEFAULTS, null, policy));
        assertEquals("model", m.field());
        assertTrue(m.getMessage().startsWith("model: model '/etc/passwd.json': model files are not allowed here"),
                m.getMessage());
    }

    @Test
    void refusesABodyThatIsNotOneObject() {
        assertEquals("the body must be one JSON object with reference_uri and distorted_uri", refused("").getMessage());
        assertEquals("the body must be one JSON object with reference_uri and distorted_uri", refused("[]").getMessage());
        assertEquals("the body has text after its JSON object",
                refused("{\"reference_uri\":\"a\",\"distorted_uri\":\"b\"}{}").getMessage());
        assertNull(refused("{\"reference_uri\":").field());
    }
}
