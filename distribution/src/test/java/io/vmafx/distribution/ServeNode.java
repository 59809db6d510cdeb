package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/vmafx-node serve --port 0} run by a test: started through the real launcher, found by the line it
 * prints ({@code serve: listening on http://127.0.0.1:PORT}), and spoken to over HTTP with the JDK's client.
 */
final class ServeNode implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("serve: listening on (http://\\S+)");

    final Node.Running node;
    final String url;
    private final HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private ServeNode(Node.Running node, String url) {
        this.node = node;
        this.url = url;
    }

    /** Starts {@code serve --port 0 args} with {@code env}; waits up to 30 s for it to listen. */
    static ServeNode start(Map<String, String> env, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("serve", "--port", "0"));
        all.addAll(List.of(args));
        Node.Running node = Node.start(env, Node.ROOT, all.toArray(String[]::new));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(node.stderrSoFar());
            if (m.find()) {
                // Bound to every address: speak to it on loopback.
                return new ServeNode(node, m.group(1).replace("://0.0.0.0:", "://127.0.0.1:"));
            }
            if (!node.process().isAlive()) {
                Node.Result r = node.awaitExit(5);
                node.close();
                fail("serve exited before it listened: " + r);
            }
            Thread.sleep(20);
        }
        node.close();
        throw new AssertionError("serve did not print its address within 30 s");
    }

    /** One answer: status, body, headers. */
    record Answer(int status, String body, java.net.http.HttpHeaders headers) {
        Map<String, Object> json() {
            try {
                Map<String, Object> m = JSON.std.mapFrom(body);
                if (m == null) {
                    fail("no JSON object in the answer: " + this);
                }
                return m;
            } catch (IOException e) {
                throw new AssertionError("not a JSON object: " + this, e);
            }
        }

        /** Asserts the status and returns the JSON body. */
        Map<String, Object> expect(int expected) {
            assertEquals(expected, status, () -> "status of " + this);
            return json();
        }
    }

    Answer send(String method, String path, String body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body(), r.headers());
    }

    Answer get(String path, String... headers) throws IOException, InterruptedException {
        return send("GET", path, null, headers);
    }

    /** POSTs a job and returns its id (asserting 202). */
    String submit(String reference, String distorted) throws IOException, InterruptedException {
        Map<String, Object> job = send("POST", "/v1/jobs", JSON.std.asString(Map.of("reference_uri", reference, "distorted_uri", distorted)))
                .expect(202);
        return (String) job.get("id");
    }

    /** Waits up to {@code seconds} for the job to end; returns it. */
    Map<String, Object> awaitEnd(String id, long seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Map<String, Object> job;
        do {
            job = get("/v1/jobs/" + id).expect(200);
            String state = (String) job.get("state");
            if (!state.equals("queued") && !state.equals("running")) {
                return job;
            }
            Thread.sleep(25);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("job " + id + " did not end within " + seconds + " s: " + job);
    }

    /** Waits until the job is running (its state says so). */
    void awaitRunning(String id, long seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (get("/v1/jobs/" + id).expect(200).get("state").equals("running")) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("job " + id + " did not start within " + seconds + " s");
    }

    /** {@code GET /metrics} parsed: each sample line's name with its labels, as written, to its value. */
    Map<String, Double> metrics(String... headers) throws IOException, InterruptedException {
        Answer a = get("/metrics", headers);
        assertEquals(200, a.status(), () -> "GET /metrics: " + a);
        Map<String, Double> m = new LinkedHashMap<>();
        for (String line : a.body().split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            m.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1).replace("+Inf", "Infinity")));
        }
        return m;
    }

    /** SIGTERM, then waits up to {@code seconds} for it to exit; returns what it did. */
    Node.Result terminate(long seconds) throws InterruptedException {
        node.process().destroy();
        return node.awaitExit(seconds);
    }

    /** Stops it if still running (SIGKILL of it and its children) and removes its output files. */
    @Override
    public void close() {
        node.close();
    }
}
