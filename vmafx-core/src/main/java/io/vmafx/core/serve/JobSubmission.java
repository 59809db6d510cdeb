package io.vmafx.core.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.vmafx.core.job.JobRequest;
import io.vmafx.core.score.RawVideoFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /v1/jobs}, read strictly: one JSON object with {@code reference_uri} and
 * {@code distorted_uri} (strings, required), {@code width}, {@code height} and {@code pix_fmt} (all three or none,
 * for raw {@code .yuv} inputs) and {@code model} (an absolute path to a model file on the node). Anything else
 * (an unknown or repeated field, a wrong type, trailing text) is a {@link BadRequest} naming the field.
 */
public final class JobSubmission {

    /** The fields a submission may have, in the order the errors and the docs name them. */
    public static final List<String> FIELDS = List.of("reference_uri", "distorted_uri", "width", "height", "pix_fmt", "model");

    private static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private JobSubmission() {
    }

    /**
     * The most characters a string field may have. Far above any real URI or path (Linux's PATH_MAX is 4096 bytes),
     * far below what makes a URI expensive to parse, log and redact.
     */
    public static final int MAX_FIELD_LENGTH = 4096;

    /** {@link #parse(byte[], ApiInputPolicy)} without a policy: the fields' form only, as the CLI would take them. */
    public static JobRequest parse(byte[] body) throws BadRequest {
        return parse(body, null);
    }

    /**
     * Reads a submission and, with a {@code policy}, checks that the job may read its inputs and model (the API's
     * {@code POST /v1/jobs} passes the node's).
     */
    public static JobRequest parse(byte[] body, ApiInputPolicy policy) throws BadRequest {
        Map<String, Object> fields = new HashMap<>();
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadRequest(null, "the body must be one JSON object with reference_uri and distorted_uri");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (!FIELDS.contains(name)) {
                    throw new BadRequest(name, "unknown field '" + name + "'; a job has " + String.join(", ", FIELDS));
                }
                JsonToken v = p.nextToken();
                switch (v) {
                    case VALUE_STRING -> fields.put(name, p.getText());
                    case VALUE_NUMBER_INT -> fields.put(name, p.getNumberValue());
                    case VALUE_NULL -> fields.remove(name);
                    case START_OBJECT, START_ARRAY -> throw new BadRequest(name, name + ": expected " + kind(name) + ", got "
                            + (v == JsonToken.START_OBJECT ? "an object" : "an array"));
                    default -> throw new BadRequest(name, name + ": expected " + kind(name) + ", got " + p.getText());
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new BadRequest(null, "the body is not valid JSON");
            }
            if (p.nextToken() != null) {
                throw new BadRequest(null, "the body has text after its JSON object");
            }
        } catch (JsonParseException e) {
            String m = e.getOriginalMessage();
            if (m != null && m.startsWith("Duplicate field")) {
                String name = m.replaceAll("(?s)^Duplicate field '(.*?)'.*", "$1");
                throw new BadRequest(name, "field '" + name + "' appears twice");
            }
            throw new BadRequest(null, "the body is not valid JSON: " + (m == null ? e.toString() : m.lines().findFirst().orElse(m)));
        } catch (IOException e) {
            throw new BadRequest(null, "the body cannot be read: " + e.getMessage());
        }
        String reference = string(fields, "reference_uri", true);
        String distorted = string(fields, "distorted_uri", true);
        Integer width = integer(fields, "width");
        Integer height = integer(fields, "height");
        String pixFmt = string(fields, "pix_fmt", false);
        RawVideoFormat raw = null;
        if (width != null || height != null || pixFmt != null) {
            String missing = width == null ? "width" : height == null ? "height" : pixFmt == null ? "pix_fmt" : null;
            if (missing != null) {
                throw new BadRequest(missing, missing + ": raw video needs all of width, height and pix_fmt");
            }
            if (width <= 0 || height <= 0) {
                String f = width <= 0 ? "width" : "height";
                throw new BadRequest(f, f + ": expected a positive whole number, got " + (width <= 0 ? width : height));
            }
            try {
                raw = new RawVideoFormat(width, height, pixFmt);
            } catch (IllegalArgumentException e) {
                throw new BadRequest("pix_fmt", "pix_fmt: " + e.getMessage());
            }
        }
        // After the fields' form: a malformed body is told so before what it names is looked at.
        check(policy, "reference_uri", reference);
        check(policy, "distorted_uri", distorted);
        Path model = null;
        String modelText = string(fields, "model", false);
        if (modelText != null) {
            if (policy != null) {
                try {
                    policy.checkModel(modelText);
                } catch (ApiInputPolicy.Refused e) {
                    throw new BadRequest(e.field(), e.getMessage());
                }
            }
            model = Path.of(modelText);
            if (!model.isAbsolute()) {
                throw new BadRequest("model", "model: expected an absolute path to a model file on the node, got '" + modelText + "'");
            }
            if (!Files.isRegularFile(model)) {
                throw new BadRequest("model", "model: no such model file " + model);
            }
            if (model.getFileName().toString().endsWith(".pkl") && !Files.isRegularFile(Path.of(model + ".model"))) {
                throw new BadRequest("model", "model: " + model + " needs " + model.getFileName() + ".model beside it");
            }
        }
        return new JobRequest(reference, distorted, raw, model);
    }

    private static void check(ApiInputPolicy policy, String field, String uri) throws BadRequest {
        if (policy != null) {
            try {
                policy.checkInput(field, uri);
            } catch (ApiInputPolicy.Refused e) {
                throw new BadRequest(e.field(), e.getMessage());
            }
        }
    }

    private static String kind(String field) {
        return field.equals("width") || field.equals("height") ? "a whole number" : "a string";
    }

    private static String string(Map<String, Object> fields, String name, boolean required) throws BadRequest {
        Object v = fields.get(name);
        if (v == null) {
            if (required) {
                throw new BadRequest(name, name + ": required");
            }
            return null;
        }
        if (!(v instanceof String s)) {
            throw new BadRequest(name, name + ": expected a string, got " + v);
        }
        if (s.isBlank()) {
            throw new BadRequest(name, name + ": empty");
        }
        if (s.length() > MAX_FIELD_LENGTH) {
            throw new BadRequest(name, name + ": longer than " + MAX_FIELD_LENGTH + " characters (" + s.length() + ")");
        }
        return s;
    }

    private static Integer integer(Map<String, Object> fields, String name) throws BadRequest {
        Object v = fields.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Integer n)) {
            throw new BadRequest(name, name + ": expected a whole number, got " + (v instanceof String ? "\"" + v + "\"" : v));
        }
        return n;
    }
}
