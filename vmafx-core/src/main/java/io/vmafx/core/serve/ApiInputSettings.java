package io.vmafx.core.serve;

import io.vmafx.core.config.ConfigException;
import io.vmafx.core.config.NodeConfig;
import io.vmafx.core.config.Variable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the operator lets jobs that come over the API read, beyond the node's configured remotes and plugin schemes
 * (which they always may): {@code VMAFX_API_LOCAL_ROOTS}, {@code VMAFX_API_HOSTS} and {@code VMAFX_API_ONTHEFLY}
 * (or their flags). Read by {@link ServeSettings#from}; {@link ApiInputPolicy} applies it.
 *
 * @param localRoots directories, as real paths (symbolic links resolved at start-up), below which local files may be read
 * @param hosts      who {@code http(s)://} inputs and on-the-fly remotes may connect to
 * @param onTheFly   whether on-the-fly rclone remotes ({@code :backend,...:path}, {@code sftp://}) are allowed
 */
public record ApiInputSettings(List<Path> localRoots, List<HostRule> hosts, boolean onTheFly) {

    /** Nothing beyond configured remotes and plugin schemes: the default. */
    public static final ApiInputSettings NONE = new ApiInputSettings(List.of(), List.of(), false);

    public ApiInputSettings {
        localRoots = List.copyOf(localRoots);
        hosts = List.copyOf(hosts);
    }

    static ApiInputSettings from(NodeConfig config) throws ConfigException {
        List<Path> roots = new ArrayList<>();
        Optional<String> rootsText = text(config, Variable.API_LOCAL_ROOTS);
        if (rootsText.isPresent()) {
            for (String r : rootsText.get().split(":")) {
                if (!r.isBlank()) {
                    roots.add(directory(config, Variable.API_LOCAL_ROOTS, r.strip()));
                }
            }
        }
        List<HostRule> hosts = new ArrayList<>();
        Optional<String> hostsText = text(config, Variable.API_HOSTS);
        if (hostsText.isPresent()) {
            for (String h : hostsText.get().split(",")) {
                if (h.isBlank()) {
                    continue;
                }
                try {
                    hosts.add(HostRule.parse(h));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(name(config, Variable.API_HOSTS) + ": " + e.getMessage());
                }
            }
        }
        boolean onTheFly;
        try {
            onTheFly = config.flag(Variable.API_ONTHEFLY.env(), false);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage().replace(Variable.API_ONTHEFLY.env(), name(config, Variable.API_ONTHEFLY)));
        }
        return new ApiInputSettings(roots, hosts, onTheFly);
    }

    /** An absolute, existing directory, as its real path: so that a later check compares real paths with real paths. */
    private static Path directory(NodeConfig config, Variable v, String text) throws ConfigException {
        Path p = Path.of(text);
        if (!p.isAbsolute()) {
            throw new ConfigException(name(config, v) + ": '" + text + "' is not an absolute path");
        }
        try {
            Path real = p.toRealPath();
            if (!Files.isDirectory(real)) {
                throw new ConfigException(name(config, v) + ": '" + text + "' is not a directory");
            }
            return real;
        } catch (IOException e) {
            throw new ConfigException(name(config, v) + ": '" + text + "' is not a directory that can be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Optional<String> text(NodeConfig config, Variable v) {
        return config.get(v).filter(s -> !s.isBlank());
    }

    private static String name(NodeConfig config, Variable v) {
        String source = config.sourceOf(v.env());
        return source.equals("default") ? v.env() : source;
    }
}
