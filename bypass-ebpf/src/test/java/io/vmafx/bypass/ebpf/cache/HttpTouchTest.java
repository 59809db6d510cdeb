package io.vmafx.bypass.ebpf.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The touch through rclone serve http, against a one-shot HTTP server on loopback that records the request. */
class HttpTouchTest {

    /** Serves one request with {@code status}, returning its request line and headers. */
    private static CompletableFuture<List<String>> serveOnce(ServerSocket server, String status) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket s = server.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                List<String> lines = new ArrayList<>();
                for (String l = in.readLine(); l != null && !l.isEmpty(); l = in.readLine()) {
                    lines.add(l);
                }
                OutputStream out = s.getOutputStream();
                out.write((status + "\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                return lines;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void getsByteZeroWithTheCredentialsInAHeaderNotTheUrl() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<List<String>> request = serveOnce(server, "HTTP/1.1 206 Partial Content");
            HttpTouch touch = new HttpTouch("http://vmafx:s3cr%2Ft@127.0.0.1:" + server.getLocalPort() + "/dir/a%20b.y4m");
            touch.run();
            List<String> lines = request.get(5, TimeUnit.SECONDS);
            assertEquals("GET /dir/a%20b.y4m HTTP/1.1", lines.get(0));
            assertTrue(lines.contains("Range: bytes=0-0"), lines::toString);
            String basic = "Basic " + Base64.getEncoder().encodeToString("vmafx:s3cr/t".getBytes(StandardCharsets.UTF_8));
            assertTrue(lines.contains("Authorization: " + basic), lines::toString);
            assertEquals("http://127.0.0.1:" + server.getLocalPort() + "/dir/a%20b.y4m through rclone serve http", touch.toString());
            assertFalse(touch.toString().contains("s3cr"), "no credentials in what is logged");
        }
    }

    @Test
    void anErrorStatusIsAFailedTouch() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<List<String>> request = serveOnce(server, "HTTP/1.1 404 Not Found");
            IOException e = assertThrows(IOException.class,
                    () -> new HttpTouch("http://u:p@127.0.0.1:" + server.getLocalPort() + "/gone.y4m").run());
            assertEquals("HTTP 404 from http://127.0.0.1:" + server.getLocalPort() + "/gone.y4m", e.getMessage());
            request.get(5, TimeUnit.SECONDS);
        }
    }
}
