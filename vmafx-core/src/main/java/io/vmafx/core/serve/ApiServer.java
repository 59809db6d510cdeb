package io.vmafx.core.serve;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.vmafx.spi.jobstore.Cancellation;
import io.vmafx.spi.jobstore.JobPage;
import io.vmafx.spi.jobstore.JobQuery;
import io.vmafx.spi.jobstore.JobStoreException;
import io.vmafx.spi.jobstore.StoredJob;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The HTTP API over {@link JobService}:
 *
 * <pre>
 *   POST   /v1/jobs        submit: 202 {id, state, ...}; 400 bad body (naming the field); 413 too large; 429 queue full; 503 shutting down
 *   GET    /v1/jobs        jobs, newest first, a page at a time: ?limit=N (1..1000, 100), ?state=S, ?cursor=C (next_cursor of the last page)
 *   GET    /v1/jobs/{id}   the job; once it succeeded, "result" is what score --json prints
 *   DELETE /v1/jobs/{id}   cancels it (ffmpeg killed, inputs released, on whichever node runs it); 409 when it had already ended
 *   GET    /healthz        200 while the process serves
 *   GET    /readyz         200 once the providers are up, 503 while shutting down
 *   GET    /metrics        Prometheus text format
 * </pre>
 *
 * <p>With a shared job store every node answers for every job; when the store is out of reach the job endpoints answer
 * 503 (with {@code Retry-After}) until it is back. Every error is {@code {"error": "..."}} (plus {@code "field"} for a 400 about one field). With a token, every
 * request but {@code /healthz} and {@code /readyz} (the orchestrator's probes) needs
 * {@code Authorization: Bearer <token>}, compared in constant time; the token never reaches a log or an answer.
 *
 * <p>Served by Jetty (core, no servlets), because a slow client must cost only its own connection: Jetty reads request
 * headers and bodies without holding a thread while it waits for bytes, and no handler here blocks (a body is read
 * as it arrives, a DELETE answers when its job's end completes a future, answers are written asynchronously). The
 * JDK's {@code jdk.httpserver} read headers on its handler threads, so eight clients that never finished a header
 * stopped every endpoint, {@code /healthz} included. The bounds ({@link ServeSettings.ClientLimits}):
 * <ul>
 *   <li>request line and headers within the header timeout of the connection's opening or its last answer, else the
 *       connection is closed ({@link HeaderDeadline}); at most 8 KiB of them (431 beyond);
 *   <li>a body within the body timeout of its headers, else 408 and the connection is closed; 64 KiB (413 beyond);
 *   <li>at most {@code maxConnections} connections; beyond that new ones wait in the kernel's accept queue;
 *   <li>a connection with no traffic in either direction for {@link #IDLE_TIMEOUT} (a client that stopped reading
 *       its answer) is closed.
 * </ul>
 */
public final class ApiServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ApiServer.class.getName());
    /** The largest request body accepted: a job is a few hundred bytes. */
    public static final int MAX_BODY = 64 * 1024;
    /** How long a DELETE waits for a running job to end before it answers. */
    static final Duration CANCEL_WAIT = Duration.ofSeconds(20);
    /** No bytes either way for this long, and the connection is closed: a client that does not read its answer. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Jetty's threads: acceptor, selector and the handlers. Handlers never wait for a client or a job, so a handful
     * answer every request; the rest is headroom for bursts.
     */
    static final int THREADS = 24;
    private static final Pattern JOB = Pattern.compile("/v1/jobs/([0-9a-fA-F-]{1,64})");

    private final Server server;
    private final ServerConnector connector;
    private final Scheduler scheduler;
    private final HeaderDeadline headerDeadline;
    private final Duration bodyTimeout;
    private final JobService jobs;
    private final NodeMetrics metrics;
    private final ApiInputPolicy policy;
    private final byte[] tokenDigest;

    ApiServer(InetSocketAddress address, JobService jobs, NodeMetrics metrics, Optional<String> token,
              ServeSettings.ClientLimits limits, ApiInputPolicy policy) throws IOException {
        this.jobs = jobs;
        this.metrics = metrics;
        this.policy = policy;
        this.tokenDigest = token.map(ApiServer::sha256).orElse(null);
        this.bodyTimeout = limits.bodyTimeout();
        QueuedThreadPool threads = new QueuedThreadPool(THREADS, 2, 60_000);
        threads.setName("vmafx-http");
        threads.setDaemon(true);
        this.scheduler = new ScheduledExecutorScheduler("vmafx-http-timer", true);
        this.server = new Server(threads, scheduler, null);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        this.connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(address.getAddress().getHostAddress());
        connector.setPort(address.getPort());
        connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        connector.setAcceptQueueSize(128);
        this.headerDeadline = new HeaderDeadline(scheduler, limits.headerTimeout());
        connector.addBean(headerDeadline);
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                ApiServer.this.handle(request, response, callback);
                return true;
            }
        });
        server.setErrorHandler(ApiServer::jettyError);
        server.setStopTimeout(1000);
        try {
            server.start();
        } catch (Exception e) {
            close();
            if (e instanceof IOException io) {
                // "Failed to bind to /127.0.0.1:8080": say why, as the JDK's server did.
                throw io.getCause() instanceof IOException cause && cause.getMessage() != null
                        ? new IOException(io.getMessage() + ": " + cause.getMessage(), io) : io;
            }
            throw new IOException("the HTTP server did not start: " + e, e);
        }
    }

    /** The address the server listens on (the kernel's port when 0 was asked for). */
    public InetSocketAddress address() {
        return new InetSocketAddress(connector.getHost(), connector.getLocalPort());
    }

    private void handle(Request request, Response response, Callback callback) {
        Connection connection = request.getConnectionMetaData().getConnection();
        headerDeadline.requestStarted(connection);
        Exchange ex = new Exchange(request, response, headerDeadline.whenDone(connection, callback));
        String path = request.getHttpURI().getPath();
        String method = request.getMethod().toUpperCase(Locale.ROOT);
        try {
            route(ex, method, path == null ? "/" : path);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, method + " " + path + " failed", e);
            ex.send(500, error("internal error: " + e));
        }
    }

    private void route(Exchange ex, String method, String path) {
        if (path.equals("/healthz")) {
            if (allow(ex, method, "GET")) {
                ex.send(200, Map.of("status", "ok"));
            }
            return;
        }
        if (path.equals("/readyz")) {
            if (allow(ex, method, "GET")) {
                String storeProblem = jobs.storeProblem();
                boolean ready = jobs.accepting() && storeProblem == null;
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("ready", ready);
                if (!jobs.accepting()) {
                    m.put("reason", "the node is shutting down");
                } else if (storeProblem != null) {
                    m.put("reason", "the job store is out of reach: " + storeProblem);
                }
                ex.send(ready ? 200 : 503, m);
            }
            return;
        }
        if (!authorized(ex.request)) {
            ex.response.getHeaders().put("WWW-Authenticate", "Bearer realm=\"vmafx-node\"");
            ex.send(401, error("missing or wrong bearer token (Authorization: Bearer <VMAFX_NODE_TOKEN>)"));
            return;
        }
        if (path.equals("/metrics")) {
            if (allow(ex, method, "GET")) {
                byte[] body = metrics.write().getBytes(StandardCharsets.UTF_8);
                ex.sendBytes(200, "text/plain; version=0.0.4; charset=utf-8", body);
            }
            return;
        }
        if (path.equals("/v1/jobs")) {
            if (method.equals("POST")) {
                new BodyRead(ex).start();
            } else if (allow(ex, method, "GET, POST")) {
                list(ex);
            }
            return;
        }
        Matcher m = JOB.matcher(path);
        if (m.matches()) {
            if (!method.equals("GET") && !method.equals("HEAD") && !method.equals("DELETE")) {
                allow(ex, method, "GET, DELETE");
                return;
            }
            String id = m.group(1).toLowerCase(Locale.ROOT);
            try {
                if (method.equals("DELETE")) {
                    cancel(ex, id);
                    return;
                }
                Optional<StoredJob> job = jobs.get(id);
                if (job.isEmpty()) {
                    ex.send(404, error("no job " + m.group(1) + " (" + jobs.retention() + ")"));
                } else {
                    ex.send(200, jobs.toJson(job.get(), true));
                }
            } catch (JobStoreException e) {
                storeDown(ex, e);
            }
            return;
        }
        ex.send(404, error("no such resource: " + path + " (the API is /v1/jobs, /v1/jobs/{id}, /healthz, /readyz, /metrics)"));
    }

    /**
     * DELETE: cancels the job and answers once it has ended (its ffmpeg killed, its inputs released, on whichever node
     * ran it), or with 202 after {@link #CANCEL_WAIT}; no thread waits meanwhile: the store is asked again every
     * {@link #CANCEL_POLL}.
     */
    private void cancel(Exchange ex, String id) throws JobStoreException {
        Optional<Cancellation> c = jobs.cancel(id, "cancelled by DELETE /v1/jobs/" + id);
        if (c.isEmpty()) {
            ex.send(404, error("no job " + id + " (" + jobs.retention() + ")"));
            return;
        }
        StoredJob j = c.get().job();
        switch (c.get().kind()) {
            case ALREADY_ENDED -> {
                Map<String, Object> e = error("job " + j.id() + " already ended (" + j.state().label() + ")");
                e.put("job", jobs.toJson(j, false));
                ex.send(409, e);
            }
            case CANCELLED -> ex.send(200, jobs.toJson(j, true));
            case REQUESTED -> awaitEnd(ex, id, System.nanoTime() + CANCEL_WAIT.toNanos());
        }
    }

    /** How often a DELETE asks the store whether its job has ended. */
    static final Duration CANCEL_POLL = Duration.ofMillis(25);

    private void awaitEnd(Exchange ex, String id, long deadline) {
        scheduler.schedule(() -> server.getThreadPool().execute(() -> {
            try {
                Optional<StoredJob> j = jobs.get(id);
                if (j.isEmpty()) {
                    ex.send(404, error("no job " + id + " (" + jobs.retention() + ")"));
                } else if (j.get().state().ended() || System.nanoTime() >= deadline) {
                    ex.send(j.get().state().ended() ? 200 : 202, jobs.toJson(j.get(), true));
                } else {
                    awaitEnd(ex, id, deadline);
                }
            } catch (JobStoreException e) {
                if (System.nanoTime() >= deadline) {
                    storeDown(ex, e);
                } else {
                    awaitEnd(ex, id, deadline);
                }
            }
        }), CANCEL_POLL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** {@code GET /v1/jobs?limit=&state=&cursor=}: a page, newest first, and the cursor of the next when there is one. */
    private void list(Exchange ex) {
        JobQuery query;
        try {
            query = ListQuery.parse(ex.request.getHttpURI().getQuery(), JobService.DEFAULT_PAGE, JobService.MAX_PAGE);
        } catch (BadRequest e) {
            Map<String, Object> m = error(e.getMessage());
            m.put("field", e.field());
            ex.send(400, m);
            return;
        }
        try {
            JobPage page = jobs.list(query);
            List<Map<String, Object>> list = new ArrayList<>();
            for (StoredJob j : page.jobs()) {
                list.add(jobs.toJson(j, false));
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("jobs", list);
            if (page.more() && !page.jobs().isEmpty()) {
                m.put("next_cursor", ListQuery.cursor(page.jobs().get(page.jobs().size() - 1)));
            }
            ex.send(200, m);
        } catch (JobStoreException e) {
            storeDown(ex, e);
        }
    }

    private static void storeDown(Exchange ex, JobStoreException e) {
        ex.response.getHeaders().put("Retry-After", "1");
        ex.send(503, error("the job store is out of reach: " + e.getMessage()));
    }

    /** The most of a too-large body read (and dropped) before the 413, so that the client sees the answer, not a reset. */
    static final int MAX_DRAIN = 1024 * 1024;

    /**
     * {@code POST /v1/jobs}' body, read as it arrives (no thread waits for it), then submitted. A body larger than
     * {@link #MAX_BODY} is read and dropped up to {@link #MAX_DRAIN}, so that a client still sending gets the 413
     * rather than a connection reset; one that does not arrive within the body timeout gets 408.
     */
    private final class BodyRead implements Runnable {
        private final Exchange ex;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private final AtomicBoolean finished = new AtomicBoolean();
        private long total;
        private boolean tooLarge;
        private Scheduler.Task timer;

        BodyRead(Exchange ex) {
            this.ex = ex;
        }

        void start() {
            long declared = ex.request.getLength();
            if (declared > MAX_DRAIN) {
                finished.set(true);
                ex.response.getHeaders().put(HttpHeader.CONNECTION, "close");
                ex.send(413, error("the body is larger than " + MAX_BODY + " bytes"));
                return;
            }
            tooLarge = declared > MAX_BODY;
            timer = scheduler.schedule(this::timedOut, bodyTimeout.toMillis(), TimeUnit.MILLISECONDS);
            run();
        }

        /** Reads what has arrived; asks Jetty to call again when more does. */
        @Override
        public void run() {
            while (!finished.get()) {
                Content.Chunk chunk = ex.request.read();
                if (chunk == null) {
                    ex.request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    if (finish()) {
                        ex.callback.failed(chunk.getFailure());
                    }
                    return;
                }
                ByteBuffer b = chunk.getByteBuffer();
                int n = b.remaining();
                total += n;
                if (total > MAX_BODY) {
                    tooLarge = true;
                }
                if (!tooLarge) {
                    byte[] bytes = new byte[n];
                    b.get(bytes);
                    body.write(bytes, 0, n);
                }
                boolean last = chunk.isLast();
                chunk.release();
                if (last || total > MAX_DRAIN) {
                    if (finish()) {
                        complete(last);
                    }
                    return;
                }
            }
        }

        private boolean finish() {
            if (!finished.compareAndSet(false, true)) {
                return false;
            }
            if (timer != null) {
                timer.cancel();
            }
            return true;
        }

        private void timedOut() {
            if (finish()) {
                ex.response.getHeaders().put(HttpHeader.CONNECTION, "close");
                ex.send(408, error("the request body did not arrive within " + describe(bodyTimeout) + " (VMAFX_NODE_BODY_TIMEOUT)"));
            }
        }

        private void complete(boolean wholeBodyRead) {
            if (tooLarge) {
                if (!wholeBodyRead) {
                    ex.response.getHeaders().put(HttpHeader.CONNECTION, "close");
                }
                ex.send(413, error("the body is larger than " + MAX_BODY + " bytes"));
                return;
            }
            submit(ex, body.toByteArray());
        }
    }

    private void submit(Exchange ex, byte[] body) {
        try {
            StoredJob job = jobs.submit(body, jobs.parse(body));
            ex.response.getHeaders().put("Location", "/v1/jobs/" + job.id());
            ex.send(202, jobs.toJson(job, false));
        } catch (BadRequest e) {
            Map<String, Object> m = error(e.getMessage());
            if (e.field() != null) {
                m.put("field", e.field());
            }
            ex.send(400, m);
        } catch (JobService.Refused e) {
            if (!e.shuttingDown()) {
                ex.response.getHeaders().put("Retry-After", "1");
            }
            ex.send(e.shuttingDown() ? 503 : 429, error(e.getMessage()));
        } catch (JobStoreException e) {
            storeDown(ex, e);
        }
    }

    private boolean authorized(Request request) {
        if (tokenDigest == null) {
            return true;
        }
        String h = request.getHeaders().get("Authorization");
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

    private static boolean allow(Exchange ex, String method, String allowed) {
        for (String a : allowed.split(", ")) {
            if (a.equals(method) || (a.equals("GET") && method.equals("HEAD"))) {
                return true;
            }
        }
        ex.response.getHeaders().put("Allow", allowed);
        ex.send(405, error("method " + method + " is not allowed here; allowed: " + allowed));
        return false;
    }

    private static Map<String, Object> error(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        return m;
    }

    /**
     * What Jetty answers itself (a request it could not parse, headers over 8 KiB, a URI too long): the same JSON as
     * every other error. Only the status' reason: Jetty's own message may quote what the client sent.
     */
    private static boolean jettyError(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        String reason = HttpStatus.getMessage(status);
        new Exchange(request, response, callback).send(status, error("the request was refused: " + status + " " + reason));
        return true;
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** One request's answer, sent at most once, written without blocking. */
    private static final class Exchange {
        final Request request;
        final Response response;
        final Callback callback;
        private final AtomicBoolean sent = new AtomicBoolean();

        Exchange(Request request, Response response, Callback callback) {
            this.request = request;
            this.response = response;
            this.callback = callback;
        }

        /** Sends the answer unless one was sent (a DELETE's timer and its job's end may both try). */
        void send(int status, Map<String, ?> json) {
            String text;
            try {
                text = JSON.std.asString(json) + "\n";
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            sendBytes(status, "application/json", text.getBytes(StandardCharsets.UTF_8));
        }

        void sendBytes(int status, String contentType, byte[] body) {
            if (!sent.compareAndSet(false, true)) {
                return;
            }
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            boolean head = request.getMethod().equalsIgnoreCase("HEAD");
            response.write(true, head ? BufferUtil.EMPTY_BUFFER : ByteBuffer.wrap(body), callback);
        }
    }

    /** Stops listening and closes every connection; requests in progress get up to a second to finish. */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "stopping the HTTP server: " + e);
        }
    }
}
