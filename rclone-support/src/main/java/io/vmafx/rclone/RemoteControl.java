package io.vmafx.rclone;

import io.vmafx.spi.storage.RcloneControl;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The remote-control API ({@code --rc}) a pooled rclone (mount or serve) runs beside what it serves, so that the
 * bypass can ask that very process about an input ({@code operations/stat}, {@code operations/fsinfo}) in about a
 * millisecond, through the file system it already opened, instead of starting an rclone of its own for every
 * decision (tens of milliseconds, plus a whole-object hash on local and SFTP remotes).
 *
 * <p>Private: bound to {@code 127.0.0.1:0} (the kernel picks the port, which rclone logs at NOTICE level:
 * {@code Serving remote control on http://127.0.0.1:PORT/}), with a random user and 192-bit password that reach
 * rclone in its environment ({@code RCLONE_RC_USER}/{@code RCLONE_RC_PASS}, readable only by the node's user),
 * never on its command line; authentication is forced on and file serving off, whatever the node's environment
 * says. rclone 1.60 cannot bind its remote control to a unix socket.
 *
 * <p>Called by the mount and http-serve providers when they start a process with a VFS cache.
 */
public final class RemoteControl {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern SERVING = Pattern.compile("Serving remote control on http://127\\.0\\.0\\.1:(\\d{1,5})/");

    private final String user;
    private final String password;

    private RemoteControl(String user, String password) {
        this.user = user;
        this.password = password;
    }

    /**
     * Fresh random credentials for one rclone process, or empty when the node's environment sets rclone's log level
     * above NOTICE ({@code RCLONE_LOG_LEVEL}, {@code RCLONE_QUIET}): rclone would not say where it listens then.
     */
    public static Optional<RemoteControl> forEnvironment(Map<String, String> env) {
        String level = env.getOrDefault("RCLONE_LOG_LEVEL", "").strip().toUpperCase(java.util.Locale.ROOT);
        String quiet = env.getOrDefault("RCLONE_QUIET", "").strip().toLowerCase(java.util.Locale.ROOT);
        if (level.equals("ERROR") || level.equals("WARNING") || quiet.equals("true") || quiet.equals("1")) {
            return Optional.empty();
        }
        return Optional.of(random());
    }

    /** Fresh random credentials for one rclone process. */
    public static RemoteControl random() {
        byte[] u = new byte[8];
        byte[] p = new byte[24];
        RANDOM.nextBytes(u);
        RANDOM.nextBytes(p);
        return new RemoteControl("vmafx-" + HexFormat.of().formatHex(u), Base64.getUrlEncoder().withoutPadding().encodeToString(p));
    }

    /** The flags that turn it on: loopback, kernel-picked port, authentication on, nothing else served. */
    public List<String> args() {
        return List.of("--rc", "--rc-addr", "127.0.0.1:0", "--rc-no-auth=false", "--rc-serve=false", "--rc-web-gui=false",
                "--rc-htpasswd=");
    }

    /** What goes into the process's environment: the credentials. */
    public Map<String, String> environment() {
        return Map.of("RCLONE_RC_USER", user, "RCLONE_RC_PASS", password);
    }

    /**
     * The control of a process that logged {@code stderr} (its first lines), or empty when it did not say where it
     * listens (a log level above NOTICE in the node's environment, say): the bypass then runs rclone itself.
     */
    public Optional<RcloneControl> endpoint(String stderr) {
        Matcher m = SERVING.matcher(stderr);
        if (!m.find()) {
            return Optional.empty();
        }
        int port = Integer.parseInt(m.group(1));
        if (port < 1 || port > 65535) {
            return Optional.empty();
        }
        String basic = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return Optional.of(new RcloneControl(URI.create("http://127.0.0.1:" + port + "/"), basic));
    }

    @Override
    public String toString() {
        return "rclone remote control (user " + user + ")";
    }
}
