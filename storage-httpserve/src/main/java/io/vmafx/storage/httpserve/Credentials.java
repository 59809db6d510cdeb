package io.vmafx.storage.httpserve;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * The user and password one {@code rclone serve http} process accepts, random per process, so that other
 * local users cannot read the remote through the loopback port.
 *
 * <p>They reach rclone as {@code RCLONE_USER} and {@code RCLONE_PASS}, the environment form of its
 * {@code --user}/{@code --pass} flags: a flag would be readable by every local user in
 * {@code /proc/<pid>/cmdline}, the environment only by the node's own user. Hex, so that they stand in a URL
 * without escaping. {@link #toString()} does not show them.
 */
final class Credentials {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String user;
    private final String password;

    private Credentials(String user, String password) {
        this.user = user;
        this.password = password;
    }

    static Credentials random() {
        return new Credentials("vmafx-" + hex(6), hex(24));
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The variables that make rclone require them. */
    Map<String, String> environment() {
        return Map.of("RCLONE_USER", user, "RCLONE_PASS", password);
    }

    /** {@code user:password}, for the URL ffmpeg opens. */
    String userInfo() {
        return user + ":" + password;
    }

    /** The {@code Authorization} header value for the node's own requests. */
    String basicAuthorization() {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Credentials[user=" + user + ", password=***]";
    }
}
