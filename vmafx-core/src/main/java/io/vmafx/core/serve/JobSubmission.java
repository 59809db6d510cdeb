package io.vmafx.core.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.vmafx.core.job.JobFields;
import io.vmafx.core.job.JobRequest;
import io.vmafx.core.score.ScoreOptions;
import io.vmafx.core.score.VmafModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The body of {@code POST /v1/jobs}, read strictly: one JSON object with {@code reference_uri} and
 * {@code distorted_uri} (strings, required); {@code width}, {@code height} and {@code pix_fmt} (all three or none,
 * for raw {@code .yuv} inputs) and {@code distorted_width}, {@code distorted_height}, {@code distorted_pix_fmt}
 * where a raw distorted input differs; {@code model} (built-in names, comma-separated, or {@code .json} files in the
 * operator's models directory), {@code features} (a string, comma-separated, or an array of strings),
 * {@code subsample} (a whole number), {@code scale} (a scaling method) and {@code common_frames} (a boolean).
 * Anything else (an unknown or repeated field, a wrong type or value, trailing text) is a {@link BadRequest}
 * naming the field. The JSON is read here ({@link #readObject}, which {@code batch} uses for JSONL rows too); the
 * fields are checked by {@link JobFields}.
 */
public final class JobSubmission {

    /** The fields a submission may have, in the order the errors and the docs name them. */
    public static final List<String> FIELDS = JobFields.FIELDS;

    /** The most models or features one job may name. */
    static final int MAX_LIST = JobFields.MAX_LIST;
    private static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private JobSubmission() {
    }

    /** The most characters a string field may have (see {@link JobFields#MAX_FIELD_LENGTH}). */
    public static final int MAX_FIELD_LENGTH = JobFields.MAX_FIELD_LENGTH;

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
        Map<String, Object> fields = readObject(body, "the body", Set.of());
        JobRequest request;
        try {
            request = JobFields.request(fields, defaults, name -> VmafModel.parse(name, modelsDir, false));
        } catch (JobFields.Invalid e) {
            throw new BadRequest(e.field(), e.getMessage());
        }
        // After the fields' form: a malformed body is told so before what it names is looked at.
        check(policy, "reference_uri", request.reference());
        check(policy, "distorted_uri", request.distorted());
        return request;
    }

    /**
     * One JSON object of job fields, as values {@link JobFields} takes: strings, whole numbers, booleans, arrays of
     * strings; a null leaves the field out. A field that is neither a job's nor one of {@code extra}, a repeated
     * field, a value of another kind, invalid JSON or text after the object is a {@link BadRequest}.
     *
     * @param what what the JSON is, for messages ("the body", "the line")
     */
    public static Map<String, Object> readObject(byte[] json, String what, Set<String> extra) throws BadRequest {
        Map<String, Object> fields = new HashMap<>();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadRequest(null, what + " must be one JSON object with reference_uri and distorted_uri");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (!FIELDS.contains(name) && !extra.contains(name)) {
                    List<String> known = new ArrayList<>(FIELDS);
                    known.addAll(extra);
                    throw new BadRequest(name, "unknown field '" + name + "'; a job has " + String.join(", ", known));
                }
                JsonToken v = p.nextToken();
                switch (v) {
                    case VALUE_STRING -> fields.put(name, p.getText());
                    case VALUE_NUMBER_INT -> fields.put(name, p.getNumberValue());
                    case VALUE_TRUE, VALUE_FALSE -> fields.put(name, v == JsonToken.VALUE_TRUE);
                    case VALUE_NULL -> fields.remove(name);
                    case START_ARRAY -> fields.put(name, strings(p, name));
                    case START_OBJECT -> throw new BadRequest(name, name + ": expected " + JobFields.kind(name) + ", got an object");
                    default -> throw new BadRequest(name, name + ": expected " + JobFields.kind(name) + ", got " + p.getText());
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new BadRequest(null, what + " is not valid JSON");
            }
            if (p.nextToken() != null) {
                throw new BadRequest(null, what + " has text after its JSON object");
            }
        } catch (JsonParseException e) {
            String m = e.getOriginalMessage();
            if (m != null && m.startsWith("Duplicate field")) {
                String name = m.replaceAll("(?s)^Duplicate field '(.*?)'.*", "$1");
                throw new BadRequest(name, "field '" + name + "' appears twice");
            }
            throw new BadRequest(null, what + " is not valid JSON: " + (m == null ? e.toString() : m.lines().findFirst().orElse(m)));
        } catch (IOException e) {
            throw new BadRequest(null, what + " cannot be read: " + e.getMessage());
        }
        return fields;
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

    private static void check(ApiInputPolicy policy, String field, String uri) throws BadRequest {
        if (policy != null) {
            try {
                policy.checkInput(field, uri);
            } catch (ApiInputPolicy.Refused e) {
                throw new BadRequest(e.field(), e.getMessage());
            }
        }
    }
}
