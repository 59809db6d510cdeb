package io.vmafx.spi.storage;

import java.net.URI;
import java.util.Objects;

/**
 * The remote-control API ({@code --rc}) of the rclone process that serves an input: a loopback address only that
 * process listens on, and the basic-auth header its random credentials make. Storage providers hand it out in a
 * {@link VfsCacheLocation} so that a bypass can ask the same rclone (its file system cache, its view of the remote)
 * in a millisecond instead of starting a process of its own.
 *
 * <p>The credentials never reach a command line or a log: {@link #toString()} leaves them out.
 *
 * @param url           {@code http://127.0.0.1:<port>/}
 * @param authorization the value of the {@code Authorization} header every call must carry
 */
public record RcloneControl(URI url, String authorization) {
    public RcloneControl {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(authorization, "authorization");
        if (!"127.0.0.1".equals(url.getHost())) {
            throw new IllegalArgumentException("rclone's remote control must be on loopback (127.0.0.1), not " + url.getHost());
        }
    }

    @Override
    public String toString() {
        return "rclone rc at " + url;
    }
}
