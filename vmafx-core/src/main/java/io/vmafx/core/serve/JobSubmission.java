package io.vmafx.core.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.vmafx.core.job.JobRequest;
import io.vmafx.core.score.Feature;
import io.vmafx.core.score.RawVideoFormat;
import io.vmafx.core.score.Scaling;
import io.vmafx.core.score.ScoreOptions;
import io.vmafx.core.score.VmafModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /v1/jobs}, read strictly: one JSON object with {@code reference_uri} and
 * {@code distorted_uri} (strings, required); {@code width}, {@code height} and {@code pix_fmt} (all three or none,
 * for raw {@code .yuv} inputs) and {@code distorted_width}, {@code distorted_height}, {@code distorted_pix_fmt}
 * where a raw distorted input differs; {@code model} (built-in names, comma-separated, or {@code .json} files in the
 * operator's models directory), {@code features} (a string, comma-separated, or an array of strings),
 * {@code subsample} (a whole number), {@code scale} (a scaling method) and {@code common_frames} (a boolean).
 * Anything else (an unknown or repeated field, a wrong type or value, trailing text) is a {@link BadRequest}
 * naming the field.
 */
public final class JobSubmission {

    /** The fields a submission may have, in the order the errors and the docs name them. */
    public static final List<String> FIELDS = List.of("reference_uri", "distorted_uri", "width", "height", "pix_fmt",
            "distorted_width", "distorted_height", "distorted_pix_fmt", "model", "features", "subsample", "scale",
            "common_frames");

    /** The most models or features one job may name. */
    static final int MAX_LIST = 16;
    private static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private JobSubmission() {
    }

    /**
     * The most characters a string field may have. Far above any real URI or path (Linux's PATH_MAX is 4096 bytes),
     * far below what makes a URI expensive to parse, log and redact.
     */
    public static final int MAX_FIELD_LENGTH = 4096;

    /**
     * Reads a submission and, with a {@code policy}, checks that the job may read its inputs (the API's
     * {@code POST /v1/jobs} passes the node's). Models are names, or files in {@code modelsDir} only.
     *
     * @param defaults  what a job computes where it says nothing (the node's models)
     * @param modelsDir where model files may come from; null: built-in models only
     * @param policy    what API jobs may read; null: the fields' form only
     */
    public static JobRequest parse(byte[] body, ScoreOptions defaults, Path modelsDir, ApiInputPolicy policy)
            throws BadRequest {
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
                    case VALUE_TRUE, VALUE_FALSE -> fields.put(name, v == JsonToken.VALUE_TRUE);
                    case VALUE_NULL -> fields.remove(name);
                    case START_ARRAY -> fields.put(name, strings(p, name));
                    case START_OBJECT -> throw new BadRequest(name, name + ": expected " + kind(name) + ", got an object");
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
        RawVideoFormat raw = raw(integer(fields, "width"), integer(fields, "height"), string(fields, "pix_fmt", false), "");
        Integer dw = integer(fields, "distorted_width");
        Integer dh = integer(fields, "distorted_height");
        String dp = string(fields, "distorted_pix_fmt", false);
        RawVideoFormat distortedRaw = dw == null && dh == null && dp == null ? raw
                : raw(dw != null ? dw : integer(fields, "width"), dh != null ? dh : integer(fields, "height"),
                dp != null ? dp : string(fields, "pix_fmt", false), "distorted_");
        ScoreOptions options = options(fields, defaults, modelsDir);
        // After the fields' form: a malformed body is told so before what it names is looked at.
        check(policy, "reference_uri", reference);
        check(policy, "distorted_uri", distorted);
        return new JobRequest(reference, distorted, raw, distortedRaw, options);
    }

    private static RawVideoFormat raw(Integer width, Integer height, String pixFmt, String prefix) throws BadRequest {
        if (width == null && height == null && pixFmt == null) {
            return null;
        }
        String missing = width == null ? "width" : height == null ? "height" : pixFmt == null ? "pix_fmt" : null;
        if (missing != null) {
            throw new BadRequest(prefix + missing, prefix + missing + ": raw video needs all of width, height and pix_fmt");
        }
        if (width <= 0 || height <= 0) {
            String f = prefix + (width <= 0 ? "width" : "height");
            throw new BadRequest(f, f + ": expected a positive whole number, got " + (width <= 0 ? width : height));
        }
        try {
            return new RawVideoFormat(width, height, pixFmt);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(prefix + "pix_fmt", prefix + "pix_fmt: " + e.getMessage());
        }
    }

    private static ScoreOptions options(Map<String, Object> fields, ScoreOptions defaults, Path modelsDir)
            throws BadRequest {
        List<VmafModel> models = defaults.models();
        List<String> modelNames = list(fields, "model");
        if (modelNames != null) {
            models = new ArrayList<>();
            for (String name : modelNames) {
                try {
                    models.add(VmafModel.parse(name, modelsDir, false));
                } catch (IllegalArgumentException e) {
                    throw new BadRequest("model", "model: " + e.getMessage());
                }
            }
        }
        List<Feature> features = new ArrayList<>();
        List<String> featureNames = list(fields, "features");
        for (String name : featureNames == null ? List.<String>of() : featureNames) {
            try {
                features.add(Feature.parse(name));
            } catch (IllegalArgumentException e) {
                throw new BadRequest("features", "features: " + e.getMessage());
            }
        }
        Integer subsample = integer(fields, "subsample");
        if (subsample != null && (subsample < 1 || subsample > ScoreOptions.MAX_SUBSAMPLE)) {
            throw new BadRequest("subsample", "subsample: expected a whole number from 1 to " + ScoreOptions.MAX_SUBSAMPLE
                    + ", got " + subsample);
        }
        Scaling scaling = defaults.scaling();
        String scale = string(fields, "scale", false);
        if (scale != null) {
            try {
                scaling = Scaling.parse(scale);
            } catch (IllegalArgumentException e) {
                throw new BadRequest("scale", "scale: " + e.getMessage());
            }
        }
        Object common = fields.get("common_frames");
        if (common != null && !(common instanceof Boolean)) {
            throw new BadRequest("common_frames", "common_frames: expected true or false, got " + common);
        }
        try {
            return new ScoreOptions(models, features, subsample == null ? defaults.subsample() : subsample, scaling,
                    common == null ? defaults.commonFrames() : (Boolean) common);
        } catch (IllegalArgumentException e) {
            String field = e.getMessage().startsWith("model") ? "model" : "features";
            throw new BadRequest(field, field + ": " + e.getMessage());
        }
    }

    /** An array of strings, read to its end. */
    private static List<String> strings(JsonParser p, String name) throws IOException, BadRequest {
        List<String> values = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_STRING || values.size() >= MAX_LIST) {
                throw new BadRequest(name, name + ": expected an array of at most " + MAX_LIST + " strings");
            }
            values.add(p.getText());
        }
        return values;
    }

    /** A field given as a comma-separated string or an array of strings; null when absent. */
    @SuppressWarnings("unchecked")
    private static List<String> list(Map<String, Object> fields, String name) throws BadRequest {
        Object v = fields.get(name);
        if (v == null) {
            return null;
        }
        List<String> items = v instanceof List<?> l ? (List<String>) l
                : v instanceof String s ? List.of(s.split(",", -1)) : null;
        if (items == null) {
            throw new BadRequest(name, name + ": expected a string or an array of strings, got " + v);
        }
        if (items.isEmpty() || items.size() > MAX_LIST || items.stream().anyMatch(String::isBlank)) {
            throw new BadRequest(name, name + ": expected 1 to " + MAX_LIST + " names, none empty");
        }
        return items;
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
        return switch (field) {
            case "width", "height", "distorted_width", "distorted_height", "subsample" -> "a whole number";
            case "common_frames" -> "true or false";
            case "model", "features" -> "a string or an array of strings";
            default -> "a string";
        };
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
            throw new BadRequest(name, name + ": expected a string, got " + (v instanceof List ? "an array" : v));
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
