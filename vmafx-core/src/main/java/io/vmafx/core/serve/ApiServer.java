package io.vmafx.core.serve;

import com.fasterxml.jackson.jr.ob.JSON;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP API over {@link JobService}:
 *
 * <pre>
 *   POST   /v1/jobs        submit: 202 {id, state, ...}; 400 bad body (naming the field); 413 too large; 429 queue full; 503 shutting down
 *   GET    /v1/jobs        recent jobs, newest first
 *   GET    /v1/jobs/{id}   the job; once it succeeded, "result" is what score --json prints
 *   DELETE /v1/jobs/{id}   cancels it (ffmpeg killed, inputs released); 409 when it had already ended
 *   GET    /healthz        200 while the process serves
 *   GET    /readyz         200 once the providers are up, 503 while shutting down
 *   GET    /metrics        Prometheus text format
 * </pre>
 *
 * <p>Every error is {@code {"error": "..."}} (plus {@code "field"} for a 400 about one field). With a token, every
 * request but {@code /healthz} and {@code /readyz} (the orchestrator's probes) needs
 * {@code Authorization: Bearer <token>}, compared in constant time; the token never reaches a log or an answer.
 */
public final class ApiServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ApiServer.class.getName());
    /** The largest request body accepted: a job is a few hundred bytes. */
    public static final int MAX_BODY = 64 * 1024;
    /** How long a DELETE waits for a running job to end before it answers. */
    static final Duration CANCEL_WAIT = Duration.ofSeconds(20);
    static final int HANDLERS = 8;
    private static final Pattern JOB = Pattern.compile("/v1/jobs/([0-9a-fA-F-]{1,64})");

    private final HttpServer server;
    private final ExecutorService handlers;
    private final JobService jobs;
    private final NodeMetrics metrics;
    private final byte[] tokenDigest;

    ApiServer(InetSocketAddress address, JobService jobs, NodeMetrics metrics, Optional<String> token) throws IOException {
        this.jobs = jobs;
        this.metrics = metrics;
        this.tokenDigest = token.map(ApiServer::sha256).orElse(null);
        this.server = HttpServer.create(address, 64);
        AtomicInteger n = new AtomicInteger();
        // A DELETE of a running job holds its thread until the job has ended (up to CANCEL_WAIT): enough threads
        // that a few of those leave the rest of the API answering.
        this.handlers = Executors.newFixedThreadPool(HANDLERS, r -> {
            Thread t = new Thread(r, "vmafx-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The address the server listens on (the kernel's port when 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
            try {
                route(ex, method, path);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, method + " " + path + " failed", e);
                send(ex, 500, error("internal error: " + e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                send(ex, 503, error("the node is shutting down"));
            }
        }
    }

    private void route(HttpExchange ex, String method, String path) throws IOException, InterruptedException {
        if (path.equals("/healthz")) {
            if (allow(ex, method, "GET")) {
                send(ex, 200, Map.of("status", "ok"));
            }
            return;
        }
        if (path.equals("/readyz")) {
            if (allow(ex, method, "GET")) {
                boolean ready = jobs.accepting();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("ready", ready);
                if (!ready) {
                    m.put("reason", "the node is shutting down");
                }
                send(ex, ready ? 200 : 503, m);
            }
            return;
        }
        if (!authorized(ex)) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"vmafx-node\"");
            send(ex, 401, error("missing or wrong bearer token (Authorization: Bearer <VMAFX_NODE_TOKEN>)"));
            return;
        }
        if (path.equals("/metrics")) {
            if (allow(ex, method, "GET")) {
                byte[] body = metrics.write().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                sendBytes(ex, 200, body);
            }
            return;
        }
        if (path.equals("/v1/jobs")) {
            if (method.equals("POST")) {
                submit(ex);
            } else if (allow(ex, method, "GET, POST")) {
                List<Map<String, Object>> list = new ArrayList<>();
                for (JobService.Job j : jobs.recent()) {
                    list.add(j.toJson(false));
                }
                send(ex, 200, Map.of("jobs", list));
            }
            return;
        }
        Matcher m = JOB.matcher(path);
        if (m.matches()) {
            Optional<JobService.Job> job = jobs.get(m.group(1).toLowerCase(Locale.ROOT));
            if (!method.equals("GET") && !method.equals("DELETE")) {
                allow(ex, method, "GET, DELETE");
                return;
            }
            if (job.isEmpty()) {
                send(ex, 404, error("no job " + m.group(1) + " (unknown, or ended more than "
                        + JobService.TTL.toMinutes() + " minutes or " + JobService.KEEP + " jobs ago)"));
                return;
            }
            JobService.Job j = job.get();
            if (method.equals("GET")) {
                send(ex, 200, j.toJson(true));
            } else if (jobs.cancel(j, "cancelled by DELETE /v1/jobs/" + j.id(), CANCEL_WAIT)) {
                send(ex, j.state().ended() ? 200 : 202, j.toJson(true));
            } else {
                Map<String, Object> e = error("job " + j.id() + " already ended (" + j.state().label() + ")");
                e.put("job", j.toJson(false));
                send(ex, 409, e);
            }
            return;
        }
        send(ex, 404, error("no such resource: " + path + " (the API is /v1/jobs, /v1/jobs/{id}, /healthz, /readyz, /metrics)"));
    }

    private void submit(HttpExchange ex) throws IOException {
        byte[] body = readBody(ex);
        if (body == null) {
            send(ex, 413, error("the body is larger than " + MAX_BODY + " bytes"));
            return;
        }
        try {
            JobService.Job job = jobs.submit(jobs.parse(body));
            ex.getResponseHeaders().set("Location", "/v1/jobs/" + job.id());
            send(ex, 202, job.toJson(false));
        } catch (BadRequest e) {
            Map<String, Object> m = error(e.getMessage());
            if (e.field() != null) {
                m.put("field", e.field());
            }
            send(ex, 400, m);
        } catch (JobService.Refused e) {
            if (!e.shuttingDown()) {
                ex.getResponseHeaders().set("Retry-After", "1");
            }
            send(ex, e.shuttingDown() ? 503 : 429, error(e.getMessage()));
        }
    }

    /** The most of a too-large body read (and dropped) before the 413, so that the client sees the answer, not a reset. */
    static final int MAX_DRAIN = 1024 * 1024;

    /**
     * The body, or null when it is larger than {@link #MAX_BODY}. A too-large body is read and dropped up to
     * {@link #MAX_DRAIN} so that the client, still sending, gets the 413 rather than a connection reset.
     */
    private static byte[] readBody(HttpExchange ex) throws IOException {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        long declared = -1;
        if (length != null) {
            try {
                declared = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                declared = Long.MAX_VALUE;
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        long total = 0;
        boolean tooLarge = declared > MAX_BODY;
        try (InputStream in = ex.getRequestBody()) {
            if (declared > MAX_DRAIN) {
                return null;
            }
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > MAX_BODY) {
                    tooLarge = true;
                }
                if (total > MAX_DRAIN) {
                    break;
                }
                if (!tooLarge) {
                    out.write(buf, 0, n);
                }
            }
        }
        return tooLarge ? null : out.toByteArray();
    }

    private boolean authorized(HttpExchange ex) {
        if (tokenDigest == null) {
            return true;
        }
        String h = ex.getRequestHeaders().getFirst("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        // Digests of equal length, compared by MessageDigest.isEqual (constant time): neither the token's
        // content nor its length shows in the time a wrong guess takes.
        return MessageDigest.isEqual(tokenDigest, sha256(h.substring(7).strip()));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean allow(HttpExchange ex, String method, String allowed) throws IOException {
        for (String a : allowed.split(", ")) {
            if (a.equals(method) || (a.equals("GET") && method.equals("HEAD"))) {
                return true;
            }
        }
        ex.getResponseHeaders().set("Allow", allowed);
        send(ex, 405, error("method " + method + " is not allowed here; allowed: " + allowed));
        return false;
    }

    private static Map<String, Object> error(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        return m;
    }

    private static void send(HttpExchange ex, int status, Map<String, ?> json) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        sendBytes(ex, status, (JSON.std.asString(json) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void sendBytes(HttpExchange ex, int status, byte[] body) throws IOException {
        boolean head = ex.getRequestMethod().equalsIgnoreCase("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Stops listening; exchanges in progress get up to a second to finish. */
    @Override
    public void close() {
        server.stop(1);
        handlers.shutdownNow();
        try {
            handlers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
