package io.vmafx.core.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vmafx.core.job.JobRequest;
import io.vmafx.core.score.RawVideoFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobSubmissionTest {

    private static JobRequest parse(String json) throws BadRequest {
        return JobSubmission.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static BadRequest refused(String json) {
        return assertThrows(BadRequest.class, () -> parse(json));
    }

    @Test
    void readsTheFields(@TempDir Path dir) throws Exception {
        JobRequest r = parse("{\"reference_uri\":\"s3://b/ref.mp4\",\"distorted_uri\":\"media:dis.mp4\"}");
        assertEquals(JobRequest.of("s3://b/ref.mp4", "media:dis.mp4"), r);
        Path model = Files.createFile(dir.resolve("m.pkl"));
        Files.createFile(dir.resolve("m.pkl.model"));
        JobRequest raw = parse("{\"reference_uri\":\"a.yuv\",\"distorted_uri\":\"b.yuv\",\"width\":64,\"height\":36,"
                + "\"pix_fmt\":\"yuv420p\",\"model\":\"" + model + "\"}");
        assertEquals(new RawVideoFormat(64, 36, "yuv420p"), raw.raw());
        assertEquals(model, raw.model());
        assertNull(parse("{\"reference_uri\":\"a\",\"distorted_uri\":\"b\",\"model\":null}").model(), "null is absent");
    }

    @Test
    void namesTheFieldAtFault() {
        BadRequest unknown = refused("{\"reference_uri\":\"a\",\"distorted_uri\":\"b\",\"referenceUri\":\"c\"}");
        assertEquals("referenceUri", unknown.field());
        assertEquals("unknown field 'referenceUri'; a job has reference_uri, distorted_uri, width, height, pix_fmt, model", unknown.getMessage());
        assertEquals("distorted_uri: required", refused("{\"reference_uri\":\"a\"}").getMessage());
        assertEquals("reference_uri: empty", refused("{\"reference_uri\":\" \",\"distorted_uri\":\"b\"}").getMessage());
        assertEquals("reference_uri: expected a string, got true", refused("{\"reference_uri\":true,\"distorted_uri\":\"b\"}").getMessage());
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
        assertEquals("model: expected an absolute path to a model file on the node, got 'm.pkl'",
                refused("{\"reference_uri\":\"a\",\"distorted_uri\":\"b\",\"model\":\"m.pkl\"}").getMessage());
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
        BadRequest r = assertThrows(BadRequest.class, () -> JobSubmission.parse(body, policy));
        assertEquals("distorted_uri", r.field());
        assertEquals("distorted_uri: no file /etc/passwd that API jobs may read (local files only below VMAFX_API_LOCAL_ROOTS)", r.getMessage());
        byte[] model = "{\"reference_uri\":\"media:a.mp4\",\"distorted_uri\":\"media:b.mp4\",\"model\":\"/etc/passwd\"}"
                .getBytes(StandardCharsets.UTF_8);
        BadRequest m = assertThrows(BadRequest.class, () -> JobSubmission.parse(model, policy));
        assertEquals("model", m.field());
        assertEquals("model: no such model file /etc/passwd among those API jobs may use (a model name, or a file below "
                + "VMAFX_API_MODELS_DIR)", m.getMessage());
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
