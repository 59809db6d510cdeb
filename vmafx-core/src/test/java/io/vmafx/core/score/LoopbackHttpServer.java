package io.vmafx.core.score;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small HTTP/1.1 server on loopback for the scorer tests, written on a bare socket so that it sees each request
 * target exactly as ffprobe sent it (no decoding): serves byte arrays by raw target (with {@code Range}), answers
 * 404 for anything else, optionally demands Basic credentials (401 with a challenge, as ffmpeg expects before it
 * sends them), records every request, and can run a hook while a request waits for its answer (the client is then
 * certainly alive). One connection per request ({@code Connection: close}).
 */
final class LoopbackHttpServer implements AutoCloseable {

    /** A request as received: method, raw target, headers (names in lower case). */
    record Request(String method, String target, Map<String, String> headers) {
    }

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    private final ServerSocket server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile String expectedAuthorization;
    private volatile Consumer<Request> onRequest = r -> { };

    private LoopbackHttpServer(ServerSocket server) {
        this.server = server;
        this.acceptor = new Thread(this::accept, "test-http-" + server.getLocalPort());
        this.acceptor.setDaemon(true);
    }

    /** A server on an ephemeral loopback port, accepting. */
    static LoopbackHttpServer start() throws IOException {
        LoopbackHttpServer s = new LoopbackHttpServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        s.acceptor.start();
        return s;
    }

    /** Serves {@code body} at {@code rawTarget} (path and query exactly as the client sends them). */
    LoopbackHttpServer serve(String rawTarget, byte[] body) {
        files.put(rawTarget, body);
        return this;
    }

    /** Answers 401 unless a request carries these Basic credentials. */
    LoopbackHttpServer requireBasicAuth(String user, String password) {
        expectedAuthorization = "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Runs {@code hook} on each request before it is answered, on the connection's thread. */
    LoopbackHttpServer onRequest(Consumer<Request> hook) {
        onRequest = hook;
        return this;
    }

    int port() {
        return server.getLocalPort();
    }

    /** {@code http://127.0.0.1:PORT} followed by {@code rawTarget}. */
    String url(String rawTarget) {
        return "http://127.0.0.1:" + port() + rawTarget;
    }

    /** Like {@link #url(String)} with {@code userInfo@} before the host. */
    String url(String userInfo, String rawTarget) {
        return "http://" + userInfo + "@127.0.0.1:" + port() + rawTarget;
    }

    /** Every request so far, in arrival order. */
    List<Request> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() throws IOException {
        server.close();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Thread t = new Thread(() -> answer(socket), "test-http-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void answer(Socket socket) {
        try (socket) {
            socket.setSoTimeout(30_000);
            Request request = readRequest(socket.getInputStream());
            if (request == null) {
                return;
            }
            requests.add(request);
            onRequest.accept(request);
            OutputStream out = socket.getOutputStream();
            String auth = expectedAuthorization;
            byte[] body = files.get(request.target());
            if (auth != null && !auth.equals(request.headers().get("authorization"))) {
                write(out, "401 Unauthorized", "WWW-Authenticate: Basic realm=\"vmafx-test\"\r\n", new byte[0], 0, 0);
            } else if (body == null) {
                write(out, "404 Not Found", "", new byte[0], 0, 0);
            } else {
                Matcher range = RANGE.matcher(request.headers().getOrDefault("range", ""));
                if (range.matches() && Long.parseLong(range.group(1)) < body.length) {
                    int from = Integer.parseInt(range.group(1));
                    int to = range.group(2).isEmpty() ? body.length - 1
                            : (int) Math.min(body.length - 1, Long.parseLong(range.group(2)));
                    write(out, "206 Partial Content", "Content-Range: bytes " + from + "-" + to + "/" + body.length
                            + "\r\n", body, from, to + 1 - from);
                } else {
                    write(out, "200 OK", "Accept-Ranges: bytes\r\n", body, 0, body.length);
                }
            }
        } catch (IOException | RuntimeException e) {
            // The client went away (it was killed, or read what it needed): nothing to answer.
        }
    }

    private static void write(OutputStream out, String status, String headers, byte[] body, int offset, int length)
            throws IOException {
        String head = "HTTP/1.1 " + status + "\r\n" + headers + "Content-Length: " + length
                + "\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body, offset, length);
        out.flush();
    }

    /** The request head, or null when the client closed first; at most 64 KiB. */
    private static Request readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (head.size() > 65_536) {
                throw new IOException("request head too large");
            }
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] requestLine = lines[0].split(" ", 3);
        if (requestLine.length < 3) {
            throw new IOException("bad request line: " + lines[0]);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
            }
        }
        return new Request(requestLine[0], requestLine[1], headers);
    }
}
