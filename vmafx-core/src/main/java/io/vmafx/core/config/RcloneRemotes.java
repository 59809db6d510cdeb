package io.vmafx.core.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rclone remotes this node can name, so that {@code name://path} resolves to {@code name:path}: the
 * sections of the rclone config file and the remotes defined by {@code RCLONE_CONFIG_<NAME>_TYPE}
 * environment variables. Reads the file as text rather than running rclone: it is start-up, and an
 * encrypted config simply contributes no names.
 */
public final class RcloneRemotes {

    private static final Pattern SECTION = Pattern.compile("^\\s*\\[([^\\]]+)]\\s*$");
    private static final Pattern ENV_REMOTE = Pattern.compile("RCLONE_CONFIG_([A-Z0-9_]+)_TYPE");

    private RcloneRemotes() {
    }

    /** The configured remote names; never throws (an unreadable file contributes nothing). */
    public static Set<String> configured(NodeConfig config, Map<String, String> env) {
        Set<String> names = new TreeSet<>();
        configFile(config, env).ifPresent(file -> {
            try {
                for (String line : Files.readAllLines(file)) {
                    Matcher m = SECTION.matcher(line);
                    if (m.matches()) {
                        names.add(m.group(1).trim());
                    }
                }
            } catch (IOException | RuntimeException e) {
                // An unreadable or binary (encrypted) config names no remotes here; rclone reports it itself.
            }
        });
        env.keySet().forEach(k -> {
            Matcher m = ENV_REMOTE.matcher(k);
            if (m.matches()) {
                names.add(m.group(1).toLowerCase(Locale.ROOT));
            }
        });
        return names;
    }

    /** The file rclone would read: ours, else {@code $RCLONE_CONFIG}, else rclone's default location. */
    static Optional<Path> configFile(NodeConfig config, Map<String, String> env) {
        Optional<Path> ours = config.path(Variable.RCLONE_CONFIG.env());
        if (ours.isPresent()) {
            return ours;
        }
        String fromEnv = env.get("RCLONE_CONFIG");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(Path.of(fromEnv));
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return Optional.of(base.resolve("rclone/rclone.conf"));
    }
}
