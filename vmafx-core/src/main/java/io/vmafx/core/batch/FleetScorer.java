package io.vmafx.core.batch;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Scores pairs through a fleet's job API ({@code serve}, or a load balancer in front of several): {@code POST /v1/jobs}
 * with the pair's full body ({@link PairJob#body}), then {@code GET /v1/jobs/<id>} until the job has ended. A full
 * queue (429) is waited out as its {@code Retry-After} says; a refused submission (400: the fleet's input policy, a
 * model file it does not have) or a failed job is the pair's failure with the fleet's message; an interrupted wait
 * cancels the job ({@code DELETE}). The bearer token goes in a header, never in a URL or a message. Answers are read
 * up to {@link #MAX_ANSWER} bytes, each request within {@link #REQUEST_TIMEOUT}.
 */
public final class FleetScorer implements PairScorer {

    /** The largest answer read: a result with every frame's scores of a long video is a few megabytes. */
    static final int MAX_ANSWER = 64 << 20;
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** How long a submission keeps trying while the fleet is unreachable, shutting down (503) or full (429). */
    static final Duration SUBMIT_PATIENCE = Duration.ofMinutes(10);
    private static final long MIN_POLL_MILLIS = 100;
    private static final long MAX_POLL_MILLIS = 2000;

    /** The fleet cannot be used at all (unreachable, the token refused): the batch stops with exit 2. */
    public static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;

        Unusable(String message) {
            super(message);
        }
    }

    private final URI base;
    private final Optional<String> token;
    private final HttpClient http;

    /** @param base the API's address, {@code http://host:port} (a path prefix is kept) */
    public FleetScorer(URI base, Optional<String> token) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.token = token;
        this.http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * Asks the fleet for a job that does not exist: 404 says it answers and takes the token; 401 that the token is
     * missing or wrong; no answer that the address is wrong. Run once before the first pair.
     */
    public void check() throws Unusable, InterruptedException {
        Answer a;
        try {
            a = send(request("/v1/jobs/00000000-0000-4000-8000-000000000000").GET());
        } catch (IOException e) {
            throw new Unusable("--api " + base + ": no answer: " + message(e));
        }
        if (a.status == 401) {
            throw new Unusable("--api " + base + ": the fleet refused the request (401): " + (token.isPresent()
                    ? "the token (--token-file or VMAFX_NODE_TOKEN) is not the fleet's" : "it needs a token: --token-file or VMAFX_NODE_TOKEN"));
        }
        if (a.status != 404) {
            throw new Unusable("--api " + base + ": not a vmafx-node job API (GET /v1/jobs/<id> answered " + a.status + ")");
        }
    }

    @Override
    public Map<String, Object> score(PairJob job) throws Failed, InterruptedException {
        String id = submit(job);
        boolean ended = false;
        try {
            Map<String, Object> j = await(id);
            ended = true;
            String state = String.valueOf(j.get("state"));
            if (state.equals("succeeded") && j.get("result") instanceof Map<?, ?> result) {
                @SuppressWarnings("unchecked")
                Map<String, Object> r = (Map<String, Object>) result;
                return r;
            }
            throw new Failed(j.get("error") != null ? String.valueOf(j.get("error")) : "the fleet's job " + id + " ended " + state);
        } finally {
            if (!ended) {
                cancel(id);
            }
        }
    }

    private String submit(PairJob job) throws Failed, InterruptedException {
        long deadline = System.nanoTime() + SUBMIT_PATIENCE.toNanos();
        String body = PairJob.json(job.body());
        String last = null;
        while (System.nanoTime() < deadline) {
            try {
                Answer a = send(request("/v1/jobs").header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
                if (a.status == 202 && a.json().get("id") instanceof String id) {
                    return id;
                }
                if (a.status == 429 || a.status == 503) {
                    last = "the fleet answered " + a.status + ": " + a.error();
                    long wait = a.retryAfterSeconds().orElse(1L);
                    Thread.sleep(Math.min(30, Math.max(1, wait)) * 1000L);
                    continue;
                }
                throw new Failed("the fleet refused the job (" + a.status + "): " + a.error());
            } catch (IOException e) {
                last = "no answer from " + base + ": " + message(e);
                Thread.sleep(1000);
            }
        }
        throw new Failed("not submitted within " + SUBMIT_PATIENCE.toMinutes() + " min: " + last);
    }

    private Map<String, Object> await(String id) throws Failed, InterruptedException {
        long pause = MIN_POLL_MILLIS;
        int unanswered = 0;
        while (true) {
            Thread.sleep(pause);
            pause = Math.min(MAX_POLL_MILLIS, pause * 2);
            Answer a;
            try {
                a = send(request("/v1/jobs/" + id).GET());
                unanswered = 0;
            } catch (IOException e) {
                // A node restarting, a dropped connection: the job may still run; give up after a minute of silence.
                if (++unanswered * MAX_POLL_MILLIS > 60_000) {
                    throw new Failed("the fleet stopped answering about job " + id + ": " + message(e));
                }
                continue;
            }
            if (a.status == 404) {
                throw new Failed("the fleet no longer knows job " + id + " (its node restarted?); a rerun scores it again");
            }
            if (a.status != 200) {
                throw new Failed("the fleet answered " + a.status + " about job " + id + ": " + a.error());
            }
            Map<String, Object> j = a.json();
            Object state = j.get("state");
            if (!"queued".equals(state) && !"running".equals(state)) {
                return j;
            }
        }
    }

    /** Cancels a job this batch no longer waits for; best effort, bounded, and never interrupted itself. */
    private void cancel(String id) {
        boolean interrupted = Thread.interrupted();
        try {
            http.send(request("/v1/jobs/" + id).timeout(Duration.ofSeconds(5)).DELETE().build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException | InterruptedException ignored) {
            // the job runs on; it will end by itself
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json");
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        return b;
    }

    private Answer send(HttpRequest.Builder b) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            byte[] bytes = in.readNBytes(MAX_ANSWER + 1);
            if (bytes.length > MAX_ANSWER) {
                throw new IOException("an answer larger than " + MAX_ANSWER + " bytes");
            }
            return new Answer(r.statusCode(), new String(bytes, StandardCharsets.UTF_8), r.headers().firstValue("Retry-After"));
        }
    }

    private static String message(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }

    private record Answer(int status, String body, Optional<String> retryAfter) {
        Map<String, Object> json() {
            try {
                Map<String, Object> m = JSON.std.mapFrom(body);
                return m == null ? Map.of() : m;
            } catch (IOException e) {
                return Map.of();
            }
        }

        /** The answer's {@code error}, bounded; else its status alone. */
        String error() {
            Object e = json().get("error");
            String s = e != null ? String.valueOf(e) : "no error message";
            return s.length() > 2000 ? s.substring(0, 2000) + "..." : s.replace('\n', ' ');
        }

        Optional<Long> retryAfterSeconds() {
            try {
                return retryAfter.map(String::strip).map(Long::parseLong);
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }
}
