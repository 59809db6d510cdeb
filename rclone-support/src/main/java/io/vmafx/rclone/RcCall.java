package io.vmafx.rclone;

import io.vmafx.spi.storage.RcloneControl;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One call of a pooled rclone's remote control ({@link RemoteControl}): {@code POST http://127.0.0.1:<port>/<method>}
 * with a JSON body and the process's basic-auth header, the answer bounded in size and time. No proxy (loopback), and
 * no kept-alive connection ({@code Connection: close}): the JDK would hold an idle socket to a process that the pool may
 * stop at any time, past the job that used it; a new loopback connection costs a fraction of a millisecond.
 *
 * <p>Called by {@link RemoteStat} (the prepare's and the read check's look at the remote) and by the bypass's
 * freshness check.
 */
public final class RcCall {

    /** rclone's answers here are a few KiB ({@code operations/fsinfo} is the longest); more is refused. */
    static final int MAX_ANSWER = 256 * 1024;

    private RcCall() {
    }

    /** The HTTP status and the body rclone answered (JSON: the result, or {@code {"error": ...}}). */
    public record Answer(int status, String body) {
        public boolean ok() {
            return status == 200;
        }
    }

    /**
     * Calls {@code method} ({@code operations/stat}) with {@code jsonBody}, waiting at most {@code timeout} to connect
     * and as long again for the answer.
     *
     * @throws IOException when rclone cannot be reached or its answer is cut short or too long: the process is gone
     *                     or hung, and the caller asks another way
     */
    public static Answer post(RcloneControl control, String method, String jsonBody, Duration timeout) throws IOException {
        URI uri = control.url().resolve(method);
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        c.setConnectTimeout(millis);
        c.setReadTimeout(millis);
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setUseCaches(false);
        c.setInstanceFollowRedirects(false);
        c.setRequestProperty("Authorization", control.authorization());
        c.setRequestProperty("Content-Type", "application/json");
        c.setRequestProperty("Connection", "close");
        byte[] body = jsonBody.getBytes(StandardCharsets.UTF_8);
        c.setFixedLengthStreamingMode(body.length);
        try {
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            return new Answer(status, in == null ? "" : readBounded(in));
        } catch (IOException e) {
            c.disconnect();
            throw e;
        }
    }

    private static String readBounded(InputStream in) throws IOException {
        try (in) {
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (kept.size() + n > MAX_ANSWER) {
                    throw new IOException("rclone's remote control answered more than " + MAX_ANSWER + " bytes");
                }
                kept.write(buf, 0, n);
            }
            return kept.toString(StandardCharsets.UTF_8);
        }
    }

    /** {@code s} as a JSON string literal. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20 || ch == 0x2028 || ch == 0x2029) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
