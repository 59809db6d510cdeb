package io.vmafx.core.config;

import io.vmafx.api.uri.AssetUri;
import io.vmafx.api.uri.UriRules;
import io.vmafx.spi.NodeSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
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
        Path bundledFfmpeg = home.resolve(".tools/ffmpeg/ffmpeg");
        defaultTo(values, Variable.FFMPEG, Files.isExecutable(bundledFfmpeg) ? bundledFfmpeg.toString() : "ffmpeg");
        Path sharedModel = home.resolve("../shared/vmaf/vmaf_v0.6.1.pkl").normalize();
        if (!values.containsKey(Variable.VMAF_MODEL.env()) && Files.isRegularFile(sharedModel)) {
            values.put(Variable.VMAF_MODEL.env(), sharedModel.toString());
        }
        defaultTo(values, Variable.SCORER, "ffmpeg");
        defaultTo(values, Variable.VMAF_BIN, "vmaf");
        defaultTo(values, Variable.PLUGINS_DIR, home.resolve("plugins").toString());

        NodeConfig config = new NodeConfig(values, source, home,
                StorageMode.parse(nameOf(source, Variable.STORAGE_MODE), values.get(Variable.STORAGE_MODE.env())));
        config.check(explicit);
        return config;
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
        if (explicit.contains(Variable.VMAF_MODEL.env())) {
            Path p = Path.of(values.get(Variable.VMAF_MODEL.env()));
            if (!Files.isRegularFile(p)) {
                throw new ConfigException(nameOf(Variable.VMAF_MODEL) + ": no such model file " + p);
            }
            if (p.getFileName().toString().endsWith(".pkl") && !Files.isRegularFile(Path.of(p + ".model"))) {
                throw new ConfigException(nameOf(Variable.VMAF_MODEL) + ": " + p + " needs " + p.getFileName() + ".model beside it");
            }
        }
        String scorer = values.get(Variable.SCORER.env());
        if (!scorer.equals("ffmpeg") && !scorer.equals("vmaf")) {
            throw new ConfigException(nameOf(Variable.SCORER) + ": unknown scorer '" + scorer + "', expected ffmpeg or vmaf");
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

    public String ffmpeg() {
        return values.get(Variable.FFMPEG.env());
    }

    /** The VMAF model, when one is set or found beside the installation. */
    public Optional<Path> model() {
        return path(Variable.VMAF_MODEL.env());
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
