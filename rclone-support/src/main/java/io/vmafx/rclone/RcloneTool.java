package io.vmafx.rclone;

import io.vmafx.spi.NodeSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which rclone the node runs and with which configuration: {@code VMAFX_RCLONE_BIN} (default {@code rclone}
 * on {@code PATH}) and {@code VMAFX_RCLONE_CONFIG} (passed as {@code --config} when set, else rclone's own
 * default applies, as do {@code RCLONE_CONFIG_*} variables).
 *
 * <p>Providers call {@link #find} in {@code availability} and before starting a process; the binary is
 * resolved once per call, so a node whose rclone disappears reports it on the next start rather than with a
 * cryptic {@code IOException}.
 */
public final class RcloneTool {

    public static final String BIN = "VMAFX_RCLONE_BIN";
    public static final String CONFIG = "VMAFX_RCLONE_CONFIG";

    private final Path binary;
    private final Optional<Path> config;

    private RcloneTool(Path binary, Optional<Path> config) {
        this.binary = binary;
        this.config = config;
    }

    /** A given rclone executable with an optional config file (tests, and callers that resolved them already). */
    public static RcloneTool of(Path binary, Optional<Path> config) {
        return new RcloneTool(binary, config);
    }

    /** The configured rclone, or empty when it is not found; {@link #problem} then says why. */
    public static Optional<RcloneTool> find(NodeSettings settings) {
        return Executables.find(settings.get(BIN, "rclone"))
                .map(bin -> new RcloneTool(bin, settings.path(CONFIG)));
    }

    /** Why {@link #find} found nothing, in one sentence naming the setting. */
    public static String problem(NodeSettings settings) {
        String bin = settings.get(BIN, "rclone");
        if (bin.indexOf('/') >= 0) {
            return "rclone not found: " + bin + " is not an executable file (" + BIN + ")";
        }
        return "rclone not found: no executable '" + bin + "' on the PATH (install rclone or set " + BIN + ")";
    }

    /** The resolved executable. */
    public Path binary() {
        return binary;
    }

    /** {@code rclone [--config file] args...}: the command line of one rclone invocation. */
    public List<String> command(List<String> args) {
        List<String> command = new ArrayList<>(args.size() + 3);
        command.add(binary.toString());
        config.ifPresent(c -> {
            command.add("--config");
            command.add(c.toString());
        });
        command.addAll(args);
        return command;
    }
}
