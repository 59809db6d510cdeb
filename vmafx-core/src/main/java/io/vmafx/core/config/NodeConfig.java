package io.vmafx.core.config;

import io.vmafx.api.uri.AssetUri;
import io.vmafx.api.uri.UriRules;
import io.vmafx.core.score.LibvmafScorer;
import io.vmafx.core.score.VmafCliScorer;
import io.vmafx.core.score.VmafModel;
import io.vmafx.spi.NodeSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The node's configuration: environment variables, overridden by command-line flags, with defaults filled
 * in and every value checked once at start-up. A bad value is a {@link ConfigException} whose one line names
 * the variable (or the flag that set it).
 *
 * <p>Providers see it as {@link NodeSettings}: {@code get("VMAFX_RCLONE_BIN")} gives the resolved value,
 * defaults included, and variables core does not know (a plugin's own {@code VMAFX_*}) come from the
 * environment as they are.
 */
public final class NodeConfig implements NodeSettings {

    static final Path ETC_RCLONE_CONFIG = Path.of("/etc/vmafx/rclone.conf");
    static final String DEFAULT_MOUNT_ROOT = "/run/vmafx/mounts";
    static final String DEFAULT_CACHE_DIR = "/var/cache/vmafx";

    private final Map<String, String> values;
    private final Map<String, String> source;
    private final Path home;
    private final StorageMode storageMode;

    private NodeConfig(Map<String, String> values, Map<String, String> source, Path home, StorageMode storageMode) {
        this.values = Map.copyOf(values);
        this.source = Map.copyOf(source);
        this.home = home;
        this.storageMode = storageMode;
    }

    /**
     * Resolves the configuration.
     *
     * @param env   the process environment
     * @param flags values given on the command line; they win over {@code env}
     * @param home  the installation directory ({@code plugins/}, bundled tools, the shared model live beside it)
     */
    public static NodeConfig load(Map<String, String> env, Map<Variable, String> flags, Path home) throws ConfigException {
        return load(env, flags, home, ETC_RCLONE_CONFIG);
    }

    static NodeConfig load(Map<String, String> env, Map<Variable, String> flags, Path home, Path etcRcloneConfig)
            throws ConfigException {
        Map<String, String> values = new HashMap<>();
        Map<String, String> source = new HashMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith("VMAFX_")) {
                values.put(k, v);
                source.put(k, k);
            }
        });
        flags.forEach((var, v) -> {
            values.put(var.env(), v);
            source.put(var.env(), var.flag());
        });
        Set<String> explicit = Set.copyOf(values.keySet());

        defaultTo(values, Variable.STORAGE_MODE, StorageMode.HTTP_SERVE.label());
        defaultTo(values, Variable.RCLONE_BIN, "rclone");
        if (!values.containsKey(Variable.RCLONE_CONFIG.env()) && Files.isRegularFile(etcRcloneConfig)) {
            values.put(Variable.RCLONE_CONFIG.env(), etcRcloneConfig.toString());
        }
        defaultTo(values, Variable.STORAGE_MOUNT_ROOT, DEFAULT_MOUNT_ROOT);
        // The probe watches where mounts go unless told otherwise: the two defaults agree out of the box.
        defaultTo(values, Variable.EBPF_MOUNT_PREFIX, values.get(Variable.STORAGE_MOUNT_ROOT.env()));
        defaultTo(values, Variable.CACHE_DIR, DEFAULT_CACHE_DIR);
        defaultTo(values, Variable.EBPF_BYPASS, "0");
        defaultTo(values, Variable.FFPROBE, bundledFfprobe(home));
        defaultTo(values, Variable.VMAF_MODEL, VmafModel.DEFAULT.toString());
        defaultTo(values, Variable.SCORER, LibvmafScorer.NAME);
        defaultTo(values, Variable.SCORE_THREADS, Integer.toString(Runtime.getRuntime().availableProcessors()));
        defaultTo(values, Variable.VMAF_BIN, "vmaf");
        defaultTo(values, Variable.PLUGINS_DIR, home.resolve("plugins").toString());

        NodeConfig config = new NodeConfig(values, source, home,
                StorageMode.parse(nameOf(source, Variable.STORAGE_MODE), values.get(Variable.STORAGE_MODE.env())));
        config.check(explicit);
        return config;
    }

    /** The ffprobe scripts/setup.sh installs in a checkout, or the one an image carries, else the PATH's. */
    private static String bundledFfprobe(Path home) {
        for (String candidate : new String[] {".tools/ffprobe/ffprobe", "tools/ffprobe"}) {
            Path p = home.resolve(candidate);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return "ffprobe";
    }

    private static void defaultTo(Map<String, String> values, Variable v, String value) {
        String current = values.get(v.env());
        if (current == null || current.isBlank()) {
            values.put(v.env(), value);
        }
    }

    private static String nameOf(Map<String, String> source, Variable v) {
        return source.getOrDefault(v.env(), v.env());
    }

    private String nameOf(Variable v) {
        return nameOf(source, v);
    }

    private void check(Set<String> explicit) throws ConfigException {
        try {
            flag(Variable.EBPF_BYPASS.env(), false);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage().replaceFirst(Variable.EBPF_BYPASS.env(), nameOf(Variable.EBPF_BYPASS)));
        }
        for (Variable v : new Variable[] {Variable.STORAGE_MOUNT_ROOT, Variable.EBPF_MOUNT_PREFIX, Variable.CACHE_DIR}) {
            if (!Path.of(values.get(v.env())).isAbsolute()) {
                throw new ConfigException(nameOf(v) + ": expected an absolute path, got '" + values.get(v.env()) + "'");
            }
        }
        String rcloneConfig = values.get(Variable.RCLONE_CONFIG.env());
        if (rcloneConfig != null && !rcloneConfig.isBlank()) {
            // Set, or the /etc/vmafx default that exists: every rclone gets it, so a bad one is a bad setting.
            Optional<String> problem = RcloneConfigFile.problem(Path.of(rcloneConfig));
            if (problem.isPresent()) {
                throw new ConfigException(nameOf(Variable.RCLONE_CONFIG) + ": " + problem.get());
            }
        }
        try {
            io.vmafx.core.job.NetworkReadTimeout.of(this);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        if (explicit.contains(Variable.PLUGINS_DIR.env())) {
            Path p = Path.of(values.get(Variable.PLUGINS_DIR.env()));
            if (!Files.isDirectory(p)) {
                throw new ConfigException(nameOf(Variable.PLUGINS_DIR) + ": not a directory: " + p);
            }
        }
        if (explicit.contains(Variable.MODELS_DIR.env())) {
            Path p = Path.of(values.get(Variable.MODELS_DIR.env()));
            if (!p.isAbsolute() || !Files.isDirectory(p)) {
                throw new ConfigException(nameOf(Variable.MODELS_DIR) + ": not an absolute path to a directory: " + p);
            }
        }
        try {
            defaultModels();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(nameOf(Variable.VMAF_MODEL) + ": " + e.getMessage());
        }
        String scorer = values.get(Variable.SCORER.env());
        if (!scorer.equals(LibvmafScorer.NAME) && !scorer.equals(VmafCliScorer.NAME)) {
            throw new ConfigException(nameOf(Variable.SCORER) + ": unknown scorer '" + scorer + "', expected "
                    + LibvmafScorer.NAME + " or " + VmafCliScorer.NAME);
        }
        for (Variable v : new Variable[] {Variable.STALL_TIMEOUT, Variable.JOB_DEADLINE}) {
            try {
                duration(v.env(), java.time.Duration.ZERO);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage().replaceFirst(v.env(), nameOf(v)));
            }
        }
        String threads = values.get(Variable.SCORE_THREADS.env());
        if (!threads.matches("[1-9][0-9]{0,3}")) {
            throw new ConfigException(nameOf(Variable.SCORE_THREADS) + ": expected a whole number from 1 to 9999, got '"
                    + threads + "'");
        }
        uriRules(Set.of(), Set.of()); // checks the VMAFX_REMOTE_* names
    }

    /** The URI parser's rules: the remote for each cloud scheme, configured remotes and plugin schemes. */
    public UriRules uriRules(Set<String> pluginSchemes, Set<String> configuredRemotes) throws ConfigException {
        UriRules rules = UriRules.defaults().withConfiguredRemotes(configuredRemotes).withPluginSchemes(pluginSchemes);
        Map<Variable, String> schemes = new EnumMap<>(Variable.class);
        schemes.put(Variable.REMOTE_S3, "s3");
        schemes.put(Variable.REMOTE_GCS, "gcs");
        schemes.put(Variable.REMOTE_AZBLOB, "azblob");
        for (Map.Entry<Variable, String> e : schemes.entrySet()) {
            Optional<String> remote = get(e.getKey().env()).map(String::trim).filter(s -> !s.isEmpty());
            if (remote.isPresent()) {
                String name = remote.get().endsWith(":") ? remote.get().substring(0, remote.get().length() - 1) : remote.get();
                if (!AssetUri.isRemoteName(name)) {
                    throw new ConfigException(nameOf(e.getKey()) + ": '" + remote.get() + "' is not an rclone remote name");
                }
                rules = rules.withRemoteForScheme(e.getValue(), name);
            }
        }
        return rules;
    }

    @Override
    public Optional<String> get(String variable) {
        return Optional.ofNullable(values.get(variable));
    }

    /** The value of a known variable; every known variable has one after {@link #load}, or is absent when it has no default. */
    public Optional<String> get(Variable variable) {
        return get(variable.env());
    }

    public StorageMode storageMode() {
        return storageMode;
    }

    public boolean bypassEnabled() {
        return flag(Variable.EBPF_BYPASS.env(), false);
    }

    public Path home() {
        return home;
    }

    public Path pluginsDir() {
        return Path.of(values.get(Variable.PLUGINS_DIR.env()));
    }

    /** The ffprobe with libvmaf the libvmaf scorer runs. */
    public String ffprobe() {
        return values.get(Variable.FFPROBE.env());
    }

    /** The models of a job that names none (the CLI may name any model file). */
    public List<VmafModel> defaultModels() {
        return parseModels(values.get(Variable.VMAF_MODEL.env()), true);
    }

    /**
     * Models as a job names them, comma-separated.
     *
     * @param anyPath whether any model file may be named (the CLI), or only files in the models directory (the API)
     * @throws IllegalArgumentException naming the model that is wrong
     */
    public List<VmafModel> parseModels(String text, boolean anyPath) {
        List<VmafModel> models = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            models.add(VmafModel.parse(part, modelsDir().orElse(null), anyPath));
        }
        return models;
    }

    /** Where model files named by jobs may come from. */
    public Optional<Path> modelsDir() {
        return path(Variable.MODELS_DIR.env());
    }

    /** libvmaf threads per job. */
    public int scoreThreads() {
        return Integer.parseInt(values.get(Variable.SCORE_THREADS.env()));
    }

    public String scorer() {
        return values.get(Variable.SCORER.env());
    }

    /** Where the value of {@code variable} came from: the flag, the environment variable, or "default". */
    public String sourceOf(String variable) {
        return source.getOrDefault(variable, "default");
    }

    /** All resolved values, for {@code providers --json} and diagnostics. */
    public Map<String, String> values() {
        return Collections.unmodifiableMap(values);
    }
}
