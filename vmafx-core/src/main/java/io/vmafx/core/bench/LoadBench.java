package io.vmafx.core.bench;

import com.fasterxml.jackson.jr.ob.JSON;
import io.vmafx.core.config.ConfigException;
import io.vmafx.core.config.NodeConfig;
import io.vmafx.core.config.Variable;
import io.vmafx.core.discovery.DiscoveryException;
import io.vmafx.core.node.Node;
import io.vmafx.core.serve.Serve;
import io.vmafx.core.serve.ServeSettings;
import io.vmafx.spi.Availability;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench load}: {@code --jobs} jobs through the node's HTTP API (a {@link Serve} in this process on a
 * kernel-picked loopback port) at {@code --slots} slots, reading a tiny y4m pair from an rclone {@code alias}
 * remote ({@link ScratchRemote}), in http-serve and in mount mode. Every {@code cancelEvery}-th job is cancelled
 * with {@code DELETE} right after it is submitted, every {@code failEvery}-th names a missing object and must fail.
 * Per mode it reports the outcomes and, over the jobs that succeeded, the node's overhead per job (job time minus
 * the scorer's time, as the API reports them), the job time and the scorer time. Then it checks that nothing
 * leaked: per mode, no child process, mount, job/HTTP/prepare thread or file descriptor left once the node is
 * closed; at the end, the scratch directory removed ({@link ScratchRemote.Cleanup}).
 */
public final class LoadBench {

    /** @param cancelEvery every n-th job is cancelled (0: none); @param failEvery every n-th job fails (0: none) */
    public record Options(int jobs, int slots, int cancelEvery, int failEvery, Clips.Size clip, int clipSeconds) {
        public Options {
            if (jobs < 1 || jobs > 100_000) {
                throw new IllegalArgumentException("--jobs must be from 1 to 100000, got " + jobs);
            }
            if (slots < 1 || slots > 256) {
                throw new IllegalArgumentException("--slots must be from 1 to 256, got " + slots);
            }
            if (clipSeconds < 1 || clipSeconds > 60) {
                throw new IllegalArgumentException("--clip-seconds must be from 1 to 60, got " + clipSeconds);
            }
        }
    }

    /** What one mode did; {@code skipped} non-null when the mode is not usable here. */
    public record ModeResult(String mode, String skipped, int submitted, int succeeded, int failed, int cancelled,
                             int cancelRequested, int failRequested, List<String> wrong, Percentiles.Summary overheadMs,
                             Percentiles.Summary warmOverheadMs, Percentiles.Summary jobMs, Percentiles.Summary scorerMs, double wallSeconds, List<String> leaks) {
        boolean ok() {
            return skipped != null || (wrong.isEmpty() && leaks.isEmpty());
        }
    }

    /** The whole run. */
    public record Report(Options options, List<ModeResult> modes, ScratchRemote.Cleanup cleanup) {
        public boolean failed() {
            return modes.stream().anyMatch(m -> !m.ok()) || cleanup == null || !cleanup.clean();
        }

        public String text() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "load bench: %d jobs per mode through the HTTP API at %d slots, a %s %d s y4m pair on "
                            + "an rclone alias remote; every %d-th job cancelled by DELETE, every %d-th fails on purpose (missing object)%n",
                    options.jobs(), options.slots(), options.clip(), options.clipSeconds(), options.cancelEvery(), options.failEvery()));
            b.append("overhead = job time (slot taken to job ended) minus the scorer's (ffmpeg's) time, over the jobs that succeeded; "
                    + "p50/p99 nearest-rank, ms\n\n");
            TextTable t = new TextTable(List.of("mode", "jobs", "ok", "failed", "cancelled", "overhead p50", "overhead p99",
                    "warm p99", "job p50", "job p99", "scorer p50", "wall s", "jobs/s"),
                    List.of(TextTable.Align.LEFT, TextTable.Align.RIGHT, TextTable.Align.RIGHT, TextTable.Align.RIGHT, TextTable.Align.RIGHT,
                            TextTable.Align.RIGHT,
                            TextTable.Align.RIGHT, TextTable.Align.RIGHT, TextTable.Align.RIGHT, TextTable.Align.RIGHT,
                            TextTable.Align.RIGHT, TextTable.Align.RIGHT, TextTable.Align.RIGHT));
            for (ModeResult m : modes) {
                if (m.skipped() != null) {
                    t.row(m.mode(), "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "skipped: " + m.skipped());
                    continue;
                }
                t.row(m.mode(), Integer.toString(m.submitted()), Integer.toString(m.succeeded()), Integer.toString(m.failed()),
                        m.cancelled() + "/" + m.cancelRequested(), ms(m.overheadMs(), true), ms(m.overheadMs(), false),
                        ms(m.warmOverheadMs(), false), ms(m.jobMs(), true), ms(m.jobMs(), false), ms(m.scorerMs(), true),
                        String.format(Locale.ROOT, "%.1f", m.wallSeconds()),
                        String.format(Locale.ROOT, "%.1f", m.submitted() / Math.max(1e-9, m.wallSeconds())));
            }
            b.append(t.render());
            b.append("warm p99: the overhead's p99 without the first --slots jobs, which wait for the pool's first rclone start\n");
            b.append("cancelled: jobs that ended cancelled / DELETEs sent (a DELETE that comes after its job ended gets 409 and the job counts as ok)\n");
            for (ModeResult m : modes) {
                m.wrong().forEach(w -> b.append("WRONG ").append(m.mode()).append(": ").append(w).append('\n'));
                if (m.skipped() == null) {
                    b.append(m.mode()).append(": ").append(m.leaks().isEmpty()
                            ? "no leak: no child process, no mount, no job/http/prepare thread, file descriptors back to where they were"
                            : "LEAKED: " + String.join("; ", m.leaks())).append('\n');
                }
            }
            b.append(cleanup == null ? "cleanup: not run" : cleanup.describe()).append('\n');
            return b.toString();
        }

        private static String ms(Percentiles.Summary s, boolean p50) {
            return s == null ? "-" : String.format(Locale.ROOT, "%.1f", p50 ? s.p50() : s.p99());
        }
    }

    private final Options options;
    private final Map<String, String> env;
    private final Map<Variable, String> flags;
    private final Path home;
    private final BenchProgress progress;

    public LoadBench(Options options, Map<String, String> env, Map<Variable, String> flags, Path home, BenchProgress progress) {
        this.options = options;
        this.env = env;
        this.flags = flags;
        this.home = home;
        this.progress = progress;
    }

    public Report run() throws IOException, InterruptedException, ConfigException, DiscoveryException {
        ScratchRemote scratch = ScratchRemote.create("bench");
        List<ModeResult> results = new ArrayList<>();
        try {
            progress.step("making a " + options.clip() + " " + options.clipSeconds() + " s pair");
            Clips.make(scratch.data().resolve("ref.y4m"), scratch.data().resolve("dis.y4m"),
                    options.clip(), options.clipSeconds());
            for (String mode : List.of("http-serve", "mount")) {
                results.add(runMode(scratch, mode));
            }
        } finally {
            scratch.close();
        }
        return new Report(options, results, scratch.cleanup());
    }

    private ModeResult runMode(ScratchRemote scratch, String mode)
            throws IOException, InterruptedException, ConfigException, DiscoveryException {
        Map<Variable, String> overrides = new EnumMap<>(Variable.class);
        overrides.put(Variable.STORAGE_MODE, mode);
        overrides.put(Variable.EBPF_BYPASS, "0");
        NodeConfig config = scratch.config(env, flags, home, overrides);
        Map<String, String> fdsBefore = openFds();
        ModeResult result = runNode(scratch, mode, config);
        if (result.skipped() != null) {
            return result;
        }
        // The node is closed and no longer referenced here: what it held must be gone (or collectable) now.
        List<String> leaks = leaks(scratch, fdsBefore);
        return new ModeResult(mode, null, result.submitted(), result.succeeded(), result.failed(), result.cancelled(),
                result.cancelRequested(), result.failRequested(), result.wrong(), result.overheadMs(), result.warmOverheadMs(), result.jobMs(),
                result.scorerMs(), result.wallSeconds(), leaks);
    }

    /** Starts a node and a serve on it, drives the jobs, drains and closes both. */
    private ModeResult runNode(ScratchRemote scratch, String mode, NodeConfig config)
            throws IOException, InterruptedException, ConfigException, DiscoveryException {
        Node node = BenchIo.startNode(config, env);
        Serve serve = null;
        try {
            Availability a = node.router().availability(mode);
            if (!a.usable()) {
                progress.step(mode + ": skipped, " + a.reason());
                return new ModeResult(mode, a.reason(), 0, 0, 0, 0, 0, 0, List.of(), null, null, null, null, 0, List.of());
            }
            serve = Serve.start(node, new ServeSettings(InetAddress.getLoopbackAddress(), 0, options.slots(), options.jobs(),
                    Optional.empty(), Duration.ofSeconds(30)));
            return drive(scratch, mode, serve.url());
        } finally {
            if (serve != null) {
                serve.drain(Duration.ZERO);
            }
            node.close();
        }
    }

    private ModeResult drive(ScratchRemote scratch, String mode, String url) throws IOException, InterruptedException {
        progress.step(mode + ": " + options.jobs() + " jobs to " + url);
        long t0 = System.nanoTime();
        List<String> ids = new ArrayList<>();
        Map<String, String> expected = new LinkedHashMap<>();
        int cancelRequested = 0;
        int failRequested = 0;
        for (int i = 1; i <= options.jobs(); i++) {
            boolean fail = options.failEvery() > 0 && i % options.failEvery() == 0;
            boolean cancel = !fail && options.cancelEvery() > 0 && i % options.cancelEvery() == 0;
            String dis = fail ? scratch.uri("missing-" + i + ".y4m") : scratch.uri("dis.y4m");
            Map<String, Object> body = Map.of("reference_uri", scratch.uri("ref.y4m"), "distorted_uri", dis);
            Answer r = request("POST", url + "/v1/jobs", JSON.std.asString(body));
            if (r.status() != 202) {
                throw new IOException("POST /v1/jobs answered " + r.status() + ": " + r.body());
            }
            String id = (String) r.json().get("id");
            ids.add(id);
            expected.put(id, fail ? "failed" : cancel ? "cancelled" : "succeeded");
            if (fail) {
                failRequested++;
            }
            if (cancel) {
                cancelRequested++;
                Answer d = request("DELETE", url + "/v1/jobs/" + id, null);
                if (d.status() != 200 && d.status() != 202 && d.status() != 409) {
                    throw new IOException("DELETE /v1/jobs/" + id + " answered " + d.status() + ": " + d.body());
                }
            }
        }
        List<Double> overhead = new ArrayList<>();
        List<Double> warmOverhead = new ArrayList<>();
        int index = 0;
        List<Double> job = new ArrayList<>();
        List<Double> scorer = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        for (String id : ids) {
            boolean warm = index++ >= options.slots();
            Map<String, Object> j = awaitEnd(url, id);
            String state = (String) j.get("state");
            outcomes.merge(state, 1, Integer::sum);
            String want = expected.get(id);
            // A cancel may arrive after its job ended: it then stays succeeded (409), which is no error.
            if (!state.equals(want) && !(want.equals("cancelled") && state.equals("succeeded"))) {
                wrong.add("job " + id + " " + state + ", expected " + want + (j.get("error") == null ? "" : ": " + j.get("error")));
            }
            if (state.equals("succeeded")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> t = (Map<String, Object>) j.get("timings_ms");
                overhead.add(((Number) t.get("overhead")).doubleValue());
                if (warm) {
                    warmOverhead.add(((Number) t.get("overhead")).doubleValue());
                }
                job.add(((Number) t.get("run")).doubleValue());
                scorer.add(((Number) t.get("scorer")).doubleValue());
            }
        }
        wrong.addAll(prepareCountsDisagree(url));
        double wall = (System.nanoTime() - t0) / 1e9;
        progress.step(mode + ": " + outcomes + " in " + String.format(Locale.ROOT, "%.1f", wall) + " s");
        return new ModeResult(mode, null, ids.size(), outcomes.getOrDefault("succeeded", 0), outcomes.getOrDefault("failed", 0),
                outcomes.getOrDefault("cancelled", 0), cancelRequested, failRequested, wrong,
                overhead.isEmpty() ? null : Percentiles.Summary.of(overhead),
                warmOverhead.isEmpty() ? null : Percentiles.Summary.of(warmOverhead), job.isEmpty() ? null : Percentiles.Summary.of(job),
                scorer.isEmpty() ? null : Percentiles.Summary.of(scorer), wall, List.of());
    }

    /**
     * Per provider, whether its own count of prepare calls ({@code vmafx_storage_prepares_total}) and the prepare
     * histogram's counts over every outcome agree, as they must once every job has ended: cancelled jobs are what
     * made them drift apart.
     */
    private static List<String> prepareCountsDisagree(String url) throws IOException, InterruptedException {
        Answer r = request("GET", url + "/metrics", null);
        if (r.status() != 200) {
            return List.of("GET /metrics answered " + r.status());
        }
        java.util.regex.Pattern total = java.util.regex.Pattern.compile("vmafx_storage_prepares_total\\{provider=\"([^\"]+)\"} (\\S+)");
        java.util.regex.Pattern count = java.util.regex.Pattern.compile(
                "vmafx_storage_prepare_duration_seconds_count\\{provider=\"([^\"]+)\",outcome=\"[^\"]+\"} (\\S+)");
        Map<String, Double> calls = new TreeMap<>();
        Map<String, Double> observed = new TreeMap<>();
        for (String line : r.body().split("\n")) {
            java.util.regex.Matcher t = total.matcher(line);
            java.util.regex.Matcher c = count.matcher(line);
            if (t.matches()) {
                calls.put(t.group(1), Double.parseDouble(t.group(2)));
            } else if (c.matches()) {
                observed.merge(c.group(1), Double.parseDouble(c.group(2)), Double::sum);
            }
        }
        List<String> wrong = new ArrayList<>();
        calls.forEach((provider, n) -> {
            double o = observed.getOrDefault(provider, 0.0);
            if (o != n) {
                wrong.add(String.format(Locale.ROOT, "metrics: vmafx_storage_prepares_total{provider=\"%s\"} is %.0f but the prepare "
                        + "duration histogram counted %.0f", provider, n, o));
            }
        });
        return wrong;
    }

    private static Map<String, Object> awaitEnd(String url, String id) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (true) {
            Answer r = request("GET", url + "/v1/jobs/" + id, null);
            if (r.status() != 200) {
                throw new IOException("GET /v1/jobs/" + id + " answered " + r.status() + ": " + r.body());
            }
            Map<String, Object> j = r.json();
            String state = (String) j.get("state");
            if (!state.equals("queued") && !state.equals("running")) {
                return j;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("job " + id + " still " + state + " after 10 minutes");
            }
            Thread.sleep(20);
        }
    }

    /** What this mode left once its node was closed: child processes, mounts, threads, file descriptors. */
    private static List<String> leaks(ScratchRemote scratch, Map<String, String> fdsBefore) throws InterruptedException {
        List<String> leaks = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<String> children;
        List<String> threads;
        List<String> fds;
        do {
            children = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                    .map(h -> h.pid() + " " + h.info().command().orElse("?")).toList();
            threads = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                    .filter(n -> n.startsWith("vmafx-job-") || n.startsWith("vmafx-http-") || n.startsWith("vmafx-prepare-"))
                    .sorted().toList();
            Map<String, String> now = openFds();
            fds = now.entrySet().stream().filter(e -> !e.getValue().equals(fdsBefore.get(e.getKey())))
                    .map(e -> e.getKey() + " -> " + e.getValue()).sorted().toList();
            if (children.isEmpty() && threads.isEmpty() && fds.isEmpty()) {
                break;
            }
            // A JDK HttpClient a provider dropped keeps its selector (an epoll, an eventfd, a socket) until it is collected.
            System.gc();
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        children.forEach(c -> leaks.add("process " + c));
        threads.forEach(t -> leaks.add("thread " + t));
        fds.forEach(f -> leaks.add("file descriptor " + f + socketOf(f) + " (opened since the node started)"));
        MountInfo.read().stream().filter(m -> m.mountPoint().startsWith(scratch.dir()) || m.source().contains(scratch.data().toString()))
                .forEach(m -> leaks.add("mount " + m.mountPoint()));
        return leaks;
    }

    /** For {@code socket:[inode]}, its line in /proc/net/tcp or tcp6 (addresses in hex), else "". */
    private static String socketOf(String fd) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("socket:\\[(\\d+)]").matcher(fd);
        if (!m.find()) {
            return "";
        }
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6", "/proc/net/unix")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    if (List.of(line.trim().split("\\s+")).contains(m.group(1))) {
                        return " [" + table + ": " + line.trim() + "]";
                    }
                }
            } catch (IOException e) {
                // not there
            }
        }
        return "";
    }

    /** This process' open file descriptors and what each refers to. */
    private static Map<String, String> openFds() {
        Map<String, String> m = new TreeMap<>();
        String self = "/proc/" + ProcessHandle.current().pid() + "/fd";
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : s.toList()) {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    if (!target.equals(self)) { // the listing's own descriptor
                        m.put(p.getFileName().toString(), target);
                    }
                } catch (IOException e) {
                    // closed meanwhile (the listing's own descriptor, for one)
                }
            }
        } catch (IOException e) {
            // not Linux: no descriptor check
        }
        return m;
    }

    record Answer(int status, String body) {
        Map<String, Object> json() throws IOException {
            return JSON.std.mapFrom(body);
        }
    }

    /**
     * One request on its own connection, closed when the answer has been read: a plain HTTP/1.1 exchange over a
     * socket, so that no client-side connection pool keeps a descriptor open after the bench (the leak check counts them).
     */
    static Answer request(String method, String url, String body) throws IOException {
        URI uri = URI.create(url);
        byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
            socket.setSoTimeout(60_000);
            String head = method + " " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nConnection: close\r\n"
                    + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + payload.length + "\r\n") + "\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(payload);
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = answer.indexOf("\r\n\r\n");
            if (!answer.startsWith("HTTP/1.1 ") || end < 0) {
                throw new IOException(method + " " + url + ": not an HTTP answer: " + answer.lines().findFirst().orElse("(nothing)"));
            }
            int status = Integer.parseInt(answer.substring(9, 12));
            return new Answer(status, answer.substring(end + 4));
        }
    }
}
