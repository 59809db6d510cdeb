package io.vmafx.core.job;

import io.vmafx.core.score.Feature;
import io.vmafx.core.score.RawVideoFormat;
import io.vmafx.core.score.Scaling;
import io.vmafx.core.score.ScoreOptions;
import io.vmafx.core.score.VmafModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A job's fields, by the job API's names, checked and turned into a {@link JobRequest}: the one reader of a job's
 * fields, whatever they came in. The job API's {@code JobSubmission} reads them from a JSON body; {@code batch} from a
 * row of a CSV or JSONL pairs file. Values are what a JSON reader gives: {@code String}, {@code Integer},
 * {@code Boolean}, or a {@code List<String>} (for {@code model} and {@code features}); an absent or null field takes
 * the default. Every refusal is an {@link Invalid} naming the field, its message starting with the field's name.
 */
public final class JobFields {

    /** The fields a job may have, in the order errors and docs name them. */
    public static final List<String> FIELDS = List.of("reference_uri", "distorted_uri", "width", "height", "pix_fmt",
            "distorted_width", "distorted_height", "distorted_pix_fmt", "model", "features", "subsample", "scale",
            "common_frames");

    /**
     * The command line's names of the fields ({@code score}'s options without their {@code --}), which a pairs file's
     * header may use too: {@code reference} for {@code reference_uri}, {@code pix-fmt} for {@code pix_fmt}...
     */
    public static final Map<String, String> CLI_NAMES = cliNames();

    /** The most models or features one job may name. */
    public static final int MAX_LIST = 16;

    /**
     * The most characters a string field may have. Far above any real URI or path (Linux's PATH_MAX is 4096 bytes),
     * far below what makes a URI expensive to parse, log and redact.
     */
    public static final int MAX_FIELD_LENGTH = 4096;

    /** A field that is wrong: its name (null when the job as a whole is) and a one-line reason. */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;
        private final String field;

        public Invalid(String field, String message) {
            super(message);
            this.field = field;
        }

        /** The field at fault, or null. */
        public String field() {
            return field;
        }
    }

    /** Turns a model name into a model; refuses with {@link IllegalArgumentException} naming the model. */
    @FunctionalInterface
    public interface Models {
        VmafModel parse(String name);
    }

    private JobFields() {
    }

    private static Map<String, String> cliNames() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String f : FIELDS) {
            m.put(switch (f) {
                case "reference_uri" -> "reference";
                case "distorted_uri" -> "distorted";
                case "features" -> "feature";
                default -> f.replace('_', '-');
            }, f);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The command-line flag of {@code field}: {@code --pix-fmt} for {@code pix_fmt}. */
    public static String flag(String field) {
        return CLI_NAMES.entrySet().stream().filter(e -> e.getValue().equals(field)).map(e -> "--" + e.getKey())
                .findFirst().orElse(field);
    }

    /**
     * The job {@code fields} describe.
     *
     * @param defaults what a job computes where it says nothing (the node's models)
     * @param models   how model names are read: the API takes files from the operator's models directory only, the
     *                 command line any file
     */
    public static JobRequest request(Map<String, Object> fields, ScoreOptions defaults, Models models) throws Invalid {
        String reference = string(fields, "reference_uri", true);
        String distorted = string(fields, "distorted_uri", true);
        RawVideoFormat raw = raw(integer(fields, "width"), integer(fields, "height"), string(fields, "pix_fmt", false), "");
        Integer dw = integer(fields, "distorted_width");
        Integer dh = integer(fields, "distorted_height");
        String dp = string(fields, "distorted_pix_fmt", false);
        RawVideoFormat distortedRaw = dw == null && dh == null && dp == null ? raw
                : raw(dw != null ? dw : integer(fields, "width"), dh != null ? dh : integer(fields, "height"),
                dp != null ? dp : string(fields, "pix_fmt", false), "distorted_");
        return new JobRequest(reference, distorted, raw, distortedRaw, options(fields, defaults, models));
    }

    /** What a value of {@code field} must be, for messages: "a whole number", "true or false"... */
    public static String kind(String field) {
        return switch (field) {
            case "width", "height", "distorted_width", "distorted_height", "subsample" -> "a whole number";
            case "common_frames" -> "true or false";
            case "model", "features" -> "a string or an array of strings";
            default -> "a string";
        };
    }

    private static RawVideoFormat raw(Integer width, Integer height, String pixFmt, String prefix) throws Invalid {
        if (width == null && height == null && pixFmt == null) {
            return null;
        }
        String missing = width == null ? "width" : height == null ? "height" : pixFmt == null ? "pix_fmt" : null;
        if (missing != null) {
            throw new Invalid(prefix + missing, prefix + missing + ": raw video needs all of width, height and pix_fmt");
        }
        if (width <= 0 || height <= 0) {
            String f = prefix + (width <= 0 ? "width" : "height");
            throw new Invalid(f, f + ": expected a positive whole number, got " + (width <= 0 ? width : height));
        }
        try {
            return new RawVideoFormat(width, height, pixFmt);
        } catch (IllegalArgumentException e) {
            throw new Invalid(prefix + "pix_fmt", prefix + "pix_fmt: " + e.getMessage());
        }
    }

    private static ScoreOptions options(Map<String, Object> fields, ScoreOptions defaults, Models parser) throws Invalid {
        List<VmafModel> models = defaults.models();
        List<String> modelNames = list(fields, "model");
        if (modelNames != null) {
            models = new ArrayList<>();
            for (String name : modelNames) {
                try {
                    models.add(parser.parse(name));
                } catch (IllegalArgumentException e) {
                    throw new Invalid("model", "model: " + e.getMessage());
                }
            }
        }
        List<Feature> features = new ArrayList<>();
        List<String> featureNames = list(fields, "features");
        for (String name : featureNames == null ? List.<String>of() : featureNames) {
            try {
                features.add(Feature.parse(name));
            } catch (IllegalArgumentException e) {
                throw new Invalid("features", "features: " + e.getMessage());
            }
        }
        Integer subsample = integer(fields, "subsample");
        if (subsample != null && (subsample < 1 || subsample > ScoreOptions.MAX_SUBSAMPLE)) {
            throw new Invalid("subsample", "subsample: expected a whole number from 1 to " + ScoreOptions.MAX_SUBSAMPLE
                    + ", got " + subsample);
        }
        Scaling scaling = defaults.scaling();
        String scale = string(fields, "scale", false);
        if (scale != null) {
            try {
                scaling = Scaling.parse(scale);
            } catch (IllegalArgumentException e) {
                throw new Invalid("scale", "scale: " + e.getMessage());
            }
        }
        Object common = fields.get("common_frames");
        if (common != null && !(common instanceof Boolean)) {
            throw new Invalid("common_frames", "common_frames: expected true or false, got " + common);
        }
        try {
            return new ScoreOptions(models, features, subsample == null ? defaults.subsample() : subsample, scaling,
                    common == null ? defaults.commonFrames() : (Boolean) common);
        } catch (IllegalArgumentException e) {
            String field = e.getMessage().startsWith("model") ? "model" : "features";
            throw new Invalid(field, field + ": " + e.getMessage());
        }
    }

    /** A field given as a comma-separated string or a list of strings; null when absent. */
    @SuppressWarnings("unchecked")
    private static List<String> list(Map<String, Object> fields, String name) throws Invalid {
        Object v = fields.get(name);
        if (v == null) {
            return null;
        }
        List<String> items = v instanceof List<?> l ? (List<String>) l
                : v instanceof String s ? List.of(s.split(",", -1)) : null;
        if (items == null) {
            throw new Invalid(name, name + ": expected a string or an array of strings, got " + v);
        }
        if (items.isEmpty() || items.size() > MAX_LIST || items.stream().anyMatch(String::isBlank)) {
            throw new Invalid(name, name + ": expected 1 to " + MAX_LIST + " names, none empty");
        }
        return items;
    }

    private static String string(Map<String, Object> fields, String name, boolean required) throws Invalid {
        Object v = fields.get(name);
        if (v == null) {
            if (required) {
                throw new Invalid(name, name + ": required");
            }
            return null;
        }
        if (!(v instanceof String s)) {
            throw new Invalid(name, name + ": expected a string, got " + (v instanceof List ? "an array" : v));
        }
        if (s.isBlank()) {
            throw new Invalid(name, name + ": empty");
        }
        if (s.length() > MAX_FIELD_LENGTH) {
            throw new Invalid(name, name + ": longer than " + MAX_FIELD_LENGTH + " characters (" + s.length() + ")");
        }
        return s;
    }

    private static Integer integer(Map<String, Object> fields, String name) throws Invalid {
        Object v = fields.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Integer n)) {
            throw new Invalid(name, name + ": expected a whole number, got " + (v instanceof String ? "\"" + v + "\"" : v));
        }
        return n;
    }
}
