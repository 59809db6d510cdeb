package io.vmafx.rclone;

import io.vmafx.spi.NodeSettings;
import java.time.Duration;
import java.util.List;

/**
 * How long a pooled rclone waits on the network: {@value #READ} (default 30 s), passed as {@code --timeout}, the
 * longest a read or write may go without any data, and {@value #CONNECT} (default 10 s), passed as
 * {@code --contimeout}, the longest a connection may take to open.
 *
 * <p>rclone's own defaults, 5 min and 1 min, would leave ffmpeg waiting that long on a remote that accepted a
 * request and went silent. With these, a stalled remote read fails in rclone, which answers the read with an error
 * (EIO on the mount, a cut response from serve http), and ffmpeg's read returns. A read rclone itself never answers
 * (a local FIFO, a hung process) is not a network read: the mount's {@code abortReads} ends those.
 *
 * <p>{@value #READ} is also the {@code rw_timeout} core gives ffmpeg for {@code http(s)://} inputs it opens itself,
 * so one setting bounds every network read of a job.
 */
public final class NetworkTimeouts {

    public static final String READ = "VMAFX_READ_TIMEOUT";
    public static final String CONNECT = "VMAFX_RCLONE_CONNECT_TIMEOUT";
    public static final Duration DEFAULT_READ = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CONNECT = Duration.ofSeconds(10);

    private final Duration read;
    private final Duration connect;

    private NetworkTimeouts(Duration read, Duration connect) {
        this.read = read;
        this.connect = connect;
    }

    /**
     * The configured timeouts.
     *
     * @throws IllegalArgumentException for a malformed value or 0; the message names the variable
     */
    public static NetworkTimeouts of(NodeSettings settings) {
        Duration read = settings.duration(READ, DEFAULT_READ);
        if (read.isZero()) {
            throw new IllegalArgumentException(READ + ": must be more than 0 (a read that may wait forever is what it prevents)");
        }
        Duration connect = settings.duration(CONNECT, DEFAULT_CONNECT);
        if (connect.isZero()) {
            throw new IllegalArgumentException(CONNECT + ": must be more than 0");
        }
        return new NetworkTimeouts(read, connect);
    }

    public Duration read() {
        return read;
    }

    public Duration connect() {
        return connect;
    }

    /** {@code --timeout <ms>ms --contimeout <ms>ms}, in milliseconds, which rclone's duration parser takes like Go's. */
    public List<String> args() {
        return List.of("--timeout", read.toMillis() + "ms", "--contimeout", connect.toMillis() + "ms");
    }

    @Override
    public String toString() {
        return "--timeout " + read.toMillis() + "ms --contimeout " + connect.toMillis() + "ms";
    }
}
