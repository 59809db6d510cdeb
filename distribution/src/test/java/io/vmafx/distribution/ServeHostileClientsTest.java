package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import com.sun.net.httpserver.HttpServer;
import io.vmafx.distribution.Remotes.Backend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/vmafx-node serve} against clients that are slow or hostile, over real sockets: clients that never finish
 * their headers or their body, more connections than the limit, and jobs that name what the node must not read or
 * point it at a loopback server whose error pages hold a secret. Every node is stopped with SIGTERM (exit 0) and must
 * leave nothing behind.
 */
class ServeHostileClientsTest {

    @TempDir
    static Path scratch;
    static Remotes remotes;
    static NodeDirs dirs;

    @BeforeAll
    static void clipsAndRemote() throws Exception {
        Path data = scratch.resolve("data");
        Clips.testPattern(data.resolve("small/ref.y4m"), 160, 90, 1);
        remotes = Remotes.start(scratch.resolve("servers"), data, EnumSet.of(Backend.LOCAL));
        dirs = new NodeDirs(scratch.resolve("node"));
        remotes.writeConfig(dirs.config());
    }

    @AfterEach
    void safetyNet() {
        Leftovers.cleanUp(scratch, Set.of());
    }

    @AfterAll
    static void close() {
        if (remotes != null) {
            remotes.close();
        }
    }

    private static void stop(ServeNode serve) throws Exception {
        Node.Result r = serve.terminate(60);
        assertAll(() -> assertEquals(0, r.exit(), () -> "exit code after SIGTERM: " + r),
                r::assertNoStackTrace,
                () -> dirs.assertClean(Set.of()));
    }

    /** A raw connection to the node that sends {@code text} and then nothing. */
    private static Socket half(ServeNode serve, String text) throws IOException {
        URI u = URI.create(serve.url);
        Socket s = new Socket();
        s.connect(new InetSocketAddress(u.getHost(), u.getPort()), 10_000);
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    /** Everything the node sends on {@code s} until it closes it; fails if it is still open after {@code seconds}. */
    private static String readToClose(Socket s, int seconds) throws IOException {
        s.setSoTimeout(seconds * 1000);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                got.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the node had not closed the connection after " + seconds + " s; it sent: " + got);
        } catch (IOException e) {
            // reset by the node: closed as well
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    @Test
    void slowClientsCostOnlyTheirOwnConnections() throws Exception {
        try (ServeNode serve = ServeNode.start(dirs.env(Map.of()), "--header-timeout", "3s", "--body-timeout", "3s")) {
            // 64 connections that send half a request header and then nothing (the JDK's server stopped answering at 8).
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 64; i++) {
                    slow.add(half(serve, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
                }
                // And one that keeps sending a header byte every 200 ms, which an idle timeout alone would never close.
                Socket dribble = half(serve, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
                Thread dripper = new Thread(() -> {
                    try {
                        for (int i = 0; i < 100; i++) {
                            dribble.getOutputStream().write('X');
                            Thread.sleep(200);
                        }
                    } catch (IOException | InterruptedException e) {
                        // closed by the node: what the test waits for
                    }
                }, "dripper");
                dripper.setDaemon(true);
                dripper.start();
                slow.add(dribble);
                // A body that never completes: 10 of the 100 bytes it announces.
                Socket slowBody = half(serve, "POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100\r\n\r\n{\"referen");

                for (int i = 0; i < 20; i++) {
                    assertEquals(Map.of("status", "ok"), serve.get("/healthz").expect(200), "healthz answers beside 66 slow clients");
                }
                assertEquals(200, serve.get("/readyz").status());
                assertEquals(200, serve.get("/v1/jobs").status());

                String answer = readToClose(slowBody, 30);
                assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
                assertTrue(answer.contains("\"error\":\"the request body did not arrive within 3s (VMAFX_NODE_BODY_TIMEOUT)\""), answer);
                for (Socket s : slow) {
                    // Closed after the header timeout, without an answer: their request never arrived.
                    assertEquals("", readToClose(s, 30), "a connection whose headers never came gets no answer");
                }
                dripper.join(10_000);
                assertFalse(dripper.isAlive(), "the dribbling client's connection was closed");
                assertEquals(Map.of("status", "ok"), serve.get("/healthz").expect(200));
            } finally {
                for (Socket s : slow) {
                    s.close();
                }
            }
            stop(serve);
        }
    }

    @Test
    void pastTheConnectionLimitNewConnectionsWaitUntilSlowOnesAreClosed() throws Exception {
        try (ServeNode serve = ServeNode.start(dirs.env(Map.of()), "--max-connections", "8", "--header-timeout", "4s")) {
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    slow.add(half(serve, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
                }
                Thread.sleep(300); // accepted by now
                Socket probe = half(serve, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
                probe.setSoTimeout(1000);
                try {
                    int b = probe.getInputStream().read();
                    throw new AssertionError("answered while 8 of 8 connections were held (first byte " + b + ")");
                } catch (SocketTimeoutException expected) {
                    // waits in the accept queue
                }
                // Once the header timeout closes the slow ones, the waiting connection is accepted and answered.
                String answer = readToClose(probe, 30);
                assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
                assertTrue(answer.endsWith("{\"status\":\"ok\"}\n"), answer);
                for (Socket s : slow) {
                    assertEquals("", readToClose(s, 30));
                }
            } finally {
                for (Socket s : slow) {
                    s.close();
                }
            }
            stop(serve);
        }
    }

    /**
     * A loopback web server whose every answer is an error page holding {@code secret}: what an internal service the
     * node can reach, and the client cannot, might say.
     */
    private static HttpServer secretServer(String secret, AtomicInteger hits) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", ex -> {
            hits.incrementAndGet();
            byte[] body = ("internal error page: " + secret).getBytes(StandardCharsets.UTF_8);
            ex.getRequestBody().readAllBytes();
            if (ex.getRequestMethod().equals("HEAD")) {
                ex.sendResponseHeaders(500, -1);
            } else {
                ex.sendResponseHeaders(500, body.length);
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.start();
        return server;
    }

    private static String job(String reference, String distorted) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reference_uri", reference);
        m.put("distorted_uri", distorted);
        return JSON.std.asString(m);
    }

    @Test
    void byDefaultJobsReadOnlyConfiguredRemotesAndRefusalsNameTheFieldButNoSecret() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        String secret = "TOPSECRET-" + UUID.randomUUID();
        HttpServer target = secretServer(secret, hits);
        String base = "http://127.0.0.1:" + target.getAddress().getPort() + "/";
        try (ServeNode serve = ServeNode.start(dirs.env(Map.of()))) {
            Map<String, String> refusals = new LinkedHashMap<>();
            refusals.put(":webdav,url=\"" + base + "\":x.y4m", "on-the-fly rclone remotes (:webdav,...: and sftp://) are off for API jobs");
            refusals.put(":http,url=\"" + base + "\":x.y4m", "on-the-fly rclone remotes (:http,...: and sftp://) are off");
            refusals.put(base + "x.y4m", "connects to 127.0.0.1:" + target.getAddress().getPort() + ", which is not a host API jobs may read from");
            refusals.put(":local:/etc/passwd", "on-the-fly rclone remotes (:local,...: and sftp://) are off");
            refusals.put("/etc/passwd", "no file /etc/passwd that API jobs may read");
            refusals.put("/no/such/file.y4m", "no file /no/such/file.y4m that API jobs may read");
            refusals.put("nope:x.y4m", "the rclone remote 'nope' is not configured on this node");
            refusals.put("loc:../etc/passwd", "'..' path segments are not allowed");
            for (Map.Entry<String, String> e : refusals.entrySet()) {
                ServeNode.Answer a = serve.send("POST", "/v1/jobs", job("loc:small/ref.y4m", e.getKey()));
                assertEquals(400, a.status(), () -> e.getKey() + ": " + a);
                assertEquals("distorted_uri", a.json().get("field"), () -> "" + a);
                assertTrue(((String) a.json().get("error")).contains(e.getValue()), () -> e.getKey() + ": " + a);
            }
            ServeNode.Answer model = serve.send("POST", "/v1/jobs", "{\"reference_uri\":\"loc:small/ref.y4m\","
                    + "\"distorted_uri\":\"loc:small/ref.y4m\",\"model\":\"/etc/passwd\"}");
            assertEquals(400, model.status());
            assertEquals("model", model.json().get("field"));

            ServeNode.Answer longUri = serve.send("POST", "/v1/jobs", job("loc:small/ref.y4m", "http://" + "a".repeat(60_000)));
            assertEquals(400, longUri.status());
            assertEquals("distorted_uri: longer than 4096 characters (60007)", longUri.json().get("error"));

            assertEquals(List.of(), serve.get("/v1/jobs").expect(200).get("jobs"), "no refused submission made a job");
            assertEquals(0, hits.get(), "the node never connected to the target");
            stop(serve);
        } finally {
            target.stop(0);
        }
    }

    @Test
    void allowedOnTheFlyRemotesPassTheOptionAllowListAndARemotesErrorBodyNeverReachesTheJob() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        String secret = "TOPSECRET-" + UUID.randomUUID();
        HttpServer target = secretServer(secret, hits);
        int port = target.getAddress().getPort();
        String base = "http://127.0.0.1:" + port + "/";
        Map<String, String> env = dirs.env(Map.of("VMAFX_API_ONTHEFLY", "1", "VMAFX_API_HOSTS", "127.0.0.1:" + port));
        try (ServeNode serve = ServeNode.start(env)) {
            // Options that carry secrets or redirect: refused by name, never repeating the value.
            Map<String, String> secrets = Map.of(
                    ":http,url=\"" + base + "\",headers=\"Authorization,Bearer VALUE-1\":x.y4m", "'headers'",
                    ":s3,provider=Minio,endpoint=\"" + base + "\",sse_customer_key=VALUE-2:b/x.y4m", "'sse_customer_key'",
                    ":storj,access_grant=VALUE-3:b/x.y4m", "backend 'storj'",
                    ":webdav,url=\"" + base + "\",pass=VALUE-4:x.y4m", "'pass'");
            for (Map.Entry<String, String> e : secrets.entrySet()) {
                ServeNode.Answer a = serve.send("POST", "/v1/jobs", job("loc:small/ref.y4m", e.getKey()));
                assertEquals(400, a.status(), () -> "" + a);
                assertTrue(a.body().contains(e.getValue()), () -> "names the option: " + a);
                assertFalse(a.body().contains("VALUE-"), () -> "repeats the value: " + a);
            }

            List<String> ids = new ArrayList<>();
            for (String input : List.of(":webdav,url=\"" + base + "\":x.y4m", ":http,url=\"" + base + "\":x.y4m", base + "x.y4m")) {
                ids.add(serve.submit("loc:small/ref.y4m", input));
            }
            for (String id : ids) {
                Map<String, Object> job = serve.awaitEnd(id, 60);
                assertEquals("failed", job.get("state"), () -> "" + job);
                String error = (String) job.get("error");
                assertTrue(error.startsWith("distorted"), error);
                assertFalse(error.contains(secret) || error.contains("internal error page"), () -> "the remote's body in the job: " + job);
            }
            String all = serve.get("/v1/jobs").body();
            assertFalse(all.contains(secret), all);
            assertTrue(hits.get() > 0, "the jobs did reach the allowed target, so the test shows what its errors carry");
            Node.Result r = serve.terminate(60);
            assertEquals(0, r.exit(), () -> "" + r);
            dirs.assertClean(Set.of());
        } finally {
            target.stop(0);
        }
    }
}
