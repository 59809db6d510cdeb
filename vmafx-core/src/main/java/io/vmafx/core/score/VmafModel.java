package io.vmafx.core.score;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One VMAF model a job scores with: a model built into libvmaf, named by its version, or a libvmaf JSON model
 * file; optionally with the model's phone transform (libvmaf's {@code enable_transform}).
 *
 * <p>Users name models with {@link #parse}: {@code vmaf_v0.6.1} (the default), {@code vmaf_v0.6.1neg},
 * {@code vmaf_4k_v0.6.1}, the suffix {@code :phone} for the phone transform ({@code vmaf_v0.6.1:phone}), or a path
 * to a {@code .json} model. The CLI accepts any path; the job API only names, or files inside the operator's models
 * directory ({@link #parse(String, Path)} with {@code anyPath} false).
 *
 * @param builtIn the built-in version, or null for a file
 * @param file    the JSON model file, or null for a built-in
 * @param phone   whether the phone transform applies
 */
public record VmafModel(String builtIn, Path file, boolean phone) {

    /** The models libvmaf 2.3 has built in, by the version libvmaf's {@code model=version=} takes. */
    public static final List<String> BUILT_IN = List.of("vmaf_v0.6.1", "vmaf_v0.6.1neg", "vmaf_4k_v0.6.1");
    /** The default model: Netflix's general model for 1080p viewing. */
    public static final VmafModel DEFAULT = new VmafModel("vmaf_v0.6.1", null, false);
    private static final String PHONE = ":phone";

    public VmafModel {
        if ((builtIn == null) == (file == null)) {
            throw new IllegalArgumentException("a model is either built in or a file");
        }
        if (builtIn != null && !BUILT_IN.contains(builtIn)) {
            throw new IllegalArgumentException("unknown built-in model '" + builtIn + "'");
        }
    }

    /**
     * Reads a model as a user names it.
     *
     * @param text      a built-in name or a path, either with {@code :phone} after it
     * @param modelsDir where relative model file names are looked up (and, unless {@code anyPath}, the only place
     *                  model files may come from); null: no models directory
     * @param anyPath   whether any path on the node may be named (the CLI); false for the job API
     * @throws IllegalArgumentException with a one-line reason naming the model text
     */
    public static VmafModel parse(String text, Path modelsDir, boolean anyPath) {
        Objects.requireNonNull(text, "text");
        String name = text.strip();
        boolean phone = name.toLowerCase(Locale.ROOT).endsWith(PHONE);
        if (phone) {
            name = name.substring(0, name.length() - PHONE.length());
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty model name");
        }
        if (BUILT_IN.contains(name)) {
            return new VmafModel(name, null, phone);
        }
        boolean looksLikeFile = name.endsWith(".json") || name.indexOf('/') >= 0;
        if (!looksLikeFile) {
            throw new IllegalArgumentException("unknown model '" + name + "'; built in: " + String.join(", ", BUILT_IN)
                    + " (add :phone for the phone model), or a libvmaf .json model file");
        }
        Path path = Path.of(name);
        if (!anyPath) {
            if (modelsDir == null) {
                throw new IllegalArgumentException("model '" + name + "': model files are not allowed here (the operator"
                        + " sets VMAFX_MODELS_DIR to allow the files in it); built in: " + String.join(", ", BUILT_IN));
            }
            return new VmafModel(null, insideModelsDir(name, modelsDir), phone);
        }
        if (!path.isAbsolute() && modelsDir != null && Files.isRegularFile(modelsDir.resolve(path))) {
            path = modelsDir.resolve(path);
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new IllegalArgumentException("model file " + path + " is not a readable file");
        }
        if (!path.getFileName().toString().endsWith(".json")) {
            throw new IllegalArgumentException("model file " + path + " is not a libvmaf .json model (libvmaf 2.x reads"
                    + " no .pkl models)");
        }
        return new VmafModel(null, path.toAbsolutePath().normalize(), phone);
    }

    /**
     * {@code name} resolved inside {@code modelsDir}, links followed; the same message whether the file is missing
     * or outside, so an API client learns nothing of the node's files.
     */
    private static Path insideModelsDir(String name, Path modelsDir) {
        IllegalArgumentException refused = new IllegalArgumentException("model '" + name + "' is not a .json file"
                + " in the node's models directory");
        Path candidate = Path.of(name);
        if (!name.endsWith(".json")) {
            throw refused;
        }
        try {
            Path dir = modelsDir.toRealPath();
            Path file = (candidate.isAbsolute() ? candidate : dir.resolve(candidate)).toRealPath();
            if (!file.startsWith(dir) || !Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw refused;
            }
            return file;
        } catch (java.io.IOException | SecurityException e) {
            throw refused;
        }
    }

    /**
     * What results call this model's score: its version or file name, with {@code _phone} for the transform. A file
     * name's characters other than letters, digits, {@code .}, {@code _} and {@code -} become {@code _}: the label is
     * also the model's name in libvmaf's {@code model} option and in the tools' logs, whose parsers split on
     * {@code : | = '} and more.
     */
    public String label() {
        String base = builtIn != null ? builtIn
                : file.getFileName().toString().replaceFirst("\\.json$", "").replaceAll("[^A-Za-z0-9._-]", "_");
        return phone ? base + "_phone" : base;
    }

    /** How users name it, as {@link #parse} reads it back. */
    @Override
    public String toString() {
        return (builtIn != null ? builtIn : file.toString()) + (phone ? PHONE : "");
    }

    /** The built-in version, when it is one. */
    public Optional<String> version() {
        return Optional.ofNullable(builtIn);
    }
}
