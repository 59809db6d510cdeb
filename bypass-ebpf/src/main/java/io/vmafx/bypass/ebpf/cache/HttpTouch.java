package io.vmafx.bypass.ebpf.cache;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * {@link AccessToucher.Touch} through {@code rclone serve http}: {@code GET} with {@code Range: bytes=0-0}. The
 * credentials of the location's user info go into an {@code Authorization} header; {@link #toString()} shows the
 * URL without them.
 */
final class HttpTouch implements AccessToucher.Touch {

    /** A touch on a healthy loopback serve process takes about a millisecond; a hung one must not hold a thread. */
    static final int TIMEOUT_MILLIS = 5000;

    private final URI plain;
    private final String authorization;

    HttpTouch(String location) {
        URI u = URI.create(location);
        String info = u.getUserInfo();
        try {
            plain = new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), u.getQuery(), null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + e.getMessage(), e);
        }
        authorization = info == null ? null : "Basic " + Base64.getEncoder().encodeToString(info.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void run() throws IOException {
        HttpURLConnection c = (HttpURLConnection) plain.toURL().openConnection();
        try {
            c.setConnectTimeout(TIMEOUT_MILLIS);
            c.setReadTimeout(TIMEOUT_MILLIS);
            c.setUseCaches(false);
            c.setRequestProperty("Range", "bytes=0-0");
            if (authorization != null) {
                c.setRequestProperty("Authorization", authorization);
            }
            int code = c.getResponseCode();
            if (code != HttpURLConnection.HTTP_PARTIAL && code != HttpURLConnection.HTTP_OK) {
                throw new IOException("HTTP " + code + " from " + plain);
            }
            try (InputStream in = c.getInputStream()) {
                in.read(new byte[1]);
            }
        } finally {
            c.disconnect();
        }
    }

    @Override
    public String toString() {
        return plain + " through rclone serve http";
    }
}
