package io.vmafx.core.job;

import io.vmafx.spi.NodeSettings;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * How long ffmpeg may wait for data on an input it reads over the network itself: {@value #VARIABLE} (default
 * 30 s), the same setting that bounds the rclone processes' remote reads ({@code --timeout}). Without it, an
 * {@code http(s)://} input whose server accepts the connection and never answers keeps its job running forever.
 *
 * <p>For the scorers: put {@link #ffmpegInputOptions} in front of the {@code -i} of every input, ffmpeg's
 * {@code -rw_timeout} in microseconds (libavformat's {@code rw_timeout} protocol option, which also bounds the
 * connect). It reaches the protocol only when the URL is the {@code -i} argument itself: ffmpeg 4.1's concat
 * demuxer opens the files of a list without the caller's options (measured: an input list naming a silent server
 * still hangs, the bare URL fails after the timeout), so a URL moved into a list for its credentials is bounded by
 * the executor's stall watchdog instead.
 */
public final class NetworkReadTimeout {

    /** Also read by the rclone providers (their {@code NetworkTimeouts}); one setting for every network read. */
    public static final String VARIABLE = "VMAFX_READ_TIMEOUT";
    public static final Duration DEFAULT = Duration.ofSeconds(30);
    /**
     * Added for a loopback URL (an http-serve process's): rclone waits up to the timeout for the remote itself and
     * then answers with an error, which says more than ffmpeg's own "Connection timed out" would.
     */
    static final Duration LOOPBACK_MARGIN = Duration.ofSeconds(5);

    private NetworkReadTimeout() {
    }

    /**
     * The configured timeout.
     *
     * @throws IllegalArgumentException for a malformed value or 0; the message names the variable
     */
    public static Duration of(NodeSettings settings) {
        Duration d = settings.duration(VARIABLE, DEFAULT);
        if (d.isZero()) {
            throw new IllegalArgumentException(VARIABLE + ": must be more than 0 (a read that may wait forever is what it prevents)");
        }
        return d;
    }

    /**
     * The {@code rw_timeout} for ffmpeg reading {@code location}, in microseconds: the timeout, plus
     * {@link #LOOPBACK_MARGIN} for a loopback URL; 0 (none) for anything that is not an {@code http(s)} URL.
     */
    public static long rwTimeoutMicros(NodeSettings settings, String location) {
        if (!isHttp(location)) {
            return 0;
        }
        Duration d = of(settings);
        if (isLoopback(location)) {
            d = d.plus(LOOPBACK_MARGIN);
        }
        return d.toNanos() / 1_000;
    }

    /**
     * {@code ["-rw_timeout", "<microseconds>"]}, the options to put right before {@code -i location}, for an
     * {@code http(s)://} URL; empty for a path (a local file or a mount: FUSE reads are ended by
     * {@code PreparedInput.abortReads()}, not by a protocol option).
     */
    public static List<String> ffmpegInputOptions(NodeSettings settings, String location) {
        long micros = rwTimeoutMicros(settings, location);
        return micros == 0 ? List.of() : List.of("-rw_timeout", Long.toString(micros));
    }

    private static boolean isHttp(String location) {
        String l = location.toLowerCase(Locale.ROOT);
        return l.startsWith("http://") || l.startsWith("https://");
    }

    private static boolean isLoopback(String location) {
        try {
            String host = URI.create(location).getHost();
            return host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
