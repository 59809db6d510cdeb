package io.vmafx.core.bench;

import com.fasterxml.jackson.jr.ob.JSON;
import io.vmafx.core.config.ConfigException;
import io.vmafx.core.config.NodeConfig;
import io.vmafx.core.config.Variable;
import io.vmafx.core.discovery.DiscoveryException;
import io.vmafx.core.discovery.ProviderRegistry;
import io.vmafx.core.jobstore.JobStores;
import io.vmafx.core.jobstore.MemoryJobStore;
import io.vmafx.core.node.Node;
import io.vmafx.core.serve.Serve;
import io.vmafx.core.serve.ServeSettings;
import io.vmafx.spi.jobstore.JobStore;
import io.vmafx.spi.jobstore.JobStoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code bench fleet}: one node on the embedded in-memory store against three nodes on one PostgreSQL store
 * ({@code VMAFX_JOB_STORE}), all in this process on loopback ports, local storage, the same executor. Per
 * configuration: tiny jobs one at a time (the claim latency: submitted to started, when a slot is free), tiny jobs all
 * at once and real jobs all at once (jobs/s), each job submitted round-robin to the nodes and read back from the next.
 * For every job it measures the time spent in the store on its path (its submit, its share of the claim that took it,
 * its finish: {@link TimedJobStore}), and counts jobs that did not succeed (lost) and jobs claimed or finished more
 * than once (run twice); both must be 0.
 */
public final class FleetBench {

    public record Options(int tinyJobs, int realJobs, int latencyJobs, int slots, Clips.Size tiny, Clips.Size real, int realSeconds) {
        public Options {
            if (tinyJobs < 1 || realJobs < 0 || latencyJobs < 1 || tinyJobs > 100_000 || realJobs > 10_000 || latencyJobs > 10_000) {
                throw new IllegalArgumentException("--tiny-jobs and --latency-jobs must be 1 or more, --real-jobs 0 or more (at most 100000)");
            }
            if (slots < 1 || slots > 64) {
                throw new IllegalArgumentException("--slots must be from 1 to 64, got " + slots);
            }
        }
    }

    /** One phase of one configuration. */
    public record Row(String config, String phase, int jobs, int succeeded, double wallSeconds, Percentiles.Summary claimMs,
                      Percentiles.Summary storeMs, int lost, int twice) {
        double jobsPerSecond() {
            return jobs / Math.max(1e-9, wallSeconds);
        }
    }

    public record Report(Options options, String store, List<Row> rows) {
        public boolean failed() {
            return rows.stream().anyMatch(r -> r.lost() > 0 || r.twice() > 0);
        }

        /** Markdown, for docs/fleet.md. */
        public String markdown() {
            StringBuilder b = new StringBuilder("| config | phase | jobs | jobs/s | claim p50 | claim p99 | store/job p50 | store/job p99 | lost | run twice |\n"
                    + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Row r : rows) {
                b.append(String.format(Locale.ROOT, "| %s | %s | %d | %.1f | %s | %s | %s | %s | %d | %d |%n", r.config(), r.phase(), r.jobs(),
                        r.jobsPerSecond(), ms(r.claimMs(), true), ms(r.claimMs(), false), ms(r.storeMs(), true), ms(r.storeMs(), false),
                        r.lost(), r.twice()));
            }
            return b.toString();
        }

        public String text() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "fleet bench: 1 node on the in-memory store vs 3 nodes on %s, %d slots per node, local"
                            + " storage, all in one process on this machine (%d cores)%n", store, options.slots(),
                    Runtime.getRuntime().availableProcessors()));
            b.append(String.format(Locale.ROOT, "tiny: a %s 1 s pair; real: a %s %d s pair. claim = submitted to started (one at a time:"
                    + " the claim latency; all at once: the wait in the queue); store/job = time in the store on the job's path"
                    + " (submit, its share of the claim, finish); ms, p50/p99 nearest-rank%n%n", options.tiny(), options.real(),
                    options.realSeconds()));
            TextTable t = new TextTable(List.of("config", "phase", "jobs", "jobs/s", "claim p50", "claim p99", "store/job p50",
                    "store/job p99", "lost", "run twice"),
                    List.of(TextTable.Align.LEFT, TextTable.Align.LEFT, TextTable.Align.RIGHT, TextTable.Align.RIGHT, TextTable.Align.RIGHT,
                            TextTable.Align.RIGHT, TextTable.Align.RIGHT, TextTable.Align.RIGHT, TextTable.Align.RIGHT, TextTable.Align.RIGHT));
            for (Row r : rows) {
                t.row(r.config(), r.phase(), Integer.toString(r.jobs()), String.format(Locale.ROOT, "%.1f", r.jobsPerSecond()),
                        ms(r.claimMs(), true), ms(r.claimMs(), false), ms(r.storeMs(), true), ms(r.storeMs(), false),
                        Integer.toString(r.lost()), Integer.toString(r.twice()));
            }
            b.append(t.render());
            b.append(failed() ? "WRONG: a job was lost or ran twice (see the table)\n" : "no job lost, none ran twice\n");
            return b.toString();
        }

        private static String ms(Percentiles.Summary s, boolean p50) {
            return s == null ? "-" : String.format(Locale.ROOT, "%.2f", p50 ? s.p50() : s.p99());
        }
    }

    private final Options options;
    private final Map<String, String> env;
    private final Map<Variable, String> flags;
    private final Path home;
    private final BenchProgress progress;

    public FleetBench(Options options, Map<String, String> env, Map<Variable, String> flags, Path home, BenchProgress progress) {
        this.options = options;
        this.env = env;
        this.flags = flags;
        this.home = home;
        this.progress = progress;
    }

    /**
     * @throws ConfigException   {@code VMAFX_JOB_STORE} names no PostgreSQL store, or a setting is bad
     * @throws JobStoreException the store cannot be reached
     */
    public Report run() throws IOException, InterruptedException, ConfigException, DiscoveryException, JobStoreException {
        ScratchRemote scratch = ScratchRemote.create("fleet");
        try {
            progress.step("making the clips");
            java.nio.file.Files.createDirectories(scratch.data().resolve("tiny"));
            java.nio.file.Files.createDirectories(scratch.data().resolve("real"));
            Clips.make(scratch.data().resolve("tiny/ref.y4m"), scratch.data().resolve("tiny/dis.y4m"), options.tiny(), 1);
            Clips.make(scratch.data().resolve("real/ref.y4m"), scratch.data().resolve("real/dis.y4m"), options.real(), options.realSeconds());
            Map<Variable, String> overrides = new EnumMap<>(Variable.class);
            overrides.put(Variable.STORAGE_MODE, "local");
            overrides.put(Variable.EBPF_BYPASS, "0");
            overrides.put(Variable.API_LOCAL_ROOTS, scratch.data().toString());
            overrides.put(Variable.NODE_PORT, "0");
            overrides.put(Variable.NODE_ADDR, "127.0.0.1");
            overrides.put(Variable.NODE_SLOTS, Integer.toString(options.slots()));
            overrides.put(Variable.NODE_QUEUE, Integer.toString(Math.max(options.tinyJobs(), options.realJobs()) * 2));
            NodeConfig config = scratch.config(env, flags, home, overrides);
            String location = config.get(Variable.JOB_STORE).map(String::strip).orElse("");
            if (!location.startsWith("postgresql://")) {
                throw new ConfigException("bench fleet needs VMAFX_JOB_STORE=postgresql://host:port/db (a scratch database;"
                        + " scripts/bench-fleet.sh starts a throwaway PostgreSQL and runs this)");
            }
            ServeSettings settings = ServeSettings.from(config);
            Node node = BenchIo.startNode(config, env);
            try {
                List<Row> rows = new ArrayList<>();
                TimedJobStore.Ledger ledger = new TimedJobStore.Ledger();
                List<Serve> one = new ArrayList<>();
                try {
                    one.add(Serve.start(node, settings, new TimedJobStore(new MemoryJobStore(), ledger)));
                    rows.addAll(phases("1 node, memory", one, ledger, scratch.data()));
                } finally {
                    drain(one);
                }
                List<Serve> three = new ArrayList<>();
                String described = location;
                try {
                    for (int i = 0; i < 3; i++) {
                        JobStore store = JobStores.open(config, ProviderRegistry.nodeLayer());
                        described = store.describe();
                        three.add(Serve.start(node, settings, new TimedJobStore(store, ledger)));
                    }
                    rows.addAll(phases("3 nodes, postgresql", three, ledger, scratch.data()));
                } finally {
                    drain(three);
                }
                return new Report(options, described, rows);
            } finally {
                node.close();
            }
        } finally {
            scratch.close();
        }
    }

    private static void drain(List<Serve> serves) throws InterruptedException {
        for (Serve s : serves) {
            s.drain(Duration.ofSeconds(5));
        }
    }

    private List<Row> phases(String config, List<Serve> serves, TimedJobStore.Ledger ledger, Path data)
            throws IOException, InterruptedException {
        List<Row> rows = new ArrayList<>();
        // Warm up: class loading, JIT, the first connections.
        run(config, "warm-up", serves, ledger, data, "tiny", Math.min(6, options.latencyJobs()), true);
        rows.add(run(config, "tiny, one at a time", serves, ledger, data, "tiny", options.latencyJobs(), true));
        rows.add(run(config, "tiny, all at once", serves, ledger, data, "tiny", options.tinyJobs(), false));
        if (options.realJobs() > 0) {
            rows.add(run(config, "real, all at once", serves, ledger, data, "real", options.realJobs(), false));
        }
        rows.add(cancels(config, serves, data));
        return rows;
    }

    /**
     * DELETE of a running real job through the node after the one it was submitted to (on the fleet, usually not the
     * one that runs it): the time from the request to its answer, which comes once the job has ended (its ffprobe
     * killed, its inputs released). The claim column holds these times.
     */
    private Row cancels(String config, List<Serve> serves, Path data) throws IOException, InterruptedException {
        int n = 10;
        progress.step(config + ": " + n + " DELETEs of running jobs");
        String body = JSON.std.asString(Map.of("reference_uri", data.resolve("real/ref.y4m").toString(),
                "distorted_uri", data.resolve("real/dis.y4m").toString()));
        List<Double> ms = new ArrayList<>();
        int cancelled = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            String id = (String) request("POST", serves.get(i % serves.size()).url() + "/v1/jobs", body, 202).get("id");
            String other = serves.get((i + 1) % serves.size()).url();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!"running".equals(request("GET", other + "/v1/jobs/" + id, null, 200).get("state")) && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            Thread.sleep(100); // under way: its scorer has started
            long d0 = System.nanoTime();
            LoadBench.Answer a = LoadBench.request("DELETE", other + "/v1/jobs/" + id, null);
            double took = (System.nanoTime() - d0) / 1e6;
            if (a.status() == 200 && "cancelled".equals(a.json().get("state"))) {
                ms.add(took);
                cancelled++;
            }
        }
        return new Row(config, "DELETE a running job (claim = DELETE to answer)", n, cancelled, (System.nanoTime() - t0) / 1e9,
                ms.isEmpty() ? null : Percentiles.Summary.of(ms), null, 0, 0);
    }

    private Row run(String config, String phase, List<Serve> serves, TimedJobStore.Ledger ledger, Path data, String clip, int jobs,
                    boolean oneAtATime) throws IOException, InterruptedException {
        progress.step(config + ": " + phase + ", " + jobs + " jobs");
        ledger.reset();
        String body = JSON.std.asString(Map.of("reference_uri", data.resolve(clip + "/ref.y4m").toString(),
                "distorted_uri", data.resolve(clip + "/dis.y4m").toString()));
        long t0 = System.nanoTime();
        List<String> ids = new ArrayList<>();
        Map<String, Map<String, Object>> ended = new LinkedHashMap<>();
        for (int i = 0; i < jobs; i++) {
            String url = serves.get(i % serves.size()).url();
            Map<String, Object> r = request("POST", url + "/v1/jobs", body, 202);
            String id = (String) r.get("id");
            ids.add(id);
            if (oneAtATime) {
                ended.put(id, awaitEnd(serves.get((i + 1) % serves.size()).url(), id));
            }
        }
        for (int i = 0; i < ids.size(); i++) {
            if (!ended.containsKey(ids.get(i))) {
                ended.put(ids.get(i), awaitEnd(serves.get((i + 1) % serves.size()).url(), ids.get(i)));
            }
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        List<Double> claim = new ArrayList<>();
        List<Double> store = new ArrayList<>();
        int succeeded = 0;
        int twice = 0;
        for (String id : ids) {
            Map<String, Object> j = ended.get(id);
            if ("succeeded".equals(j.get("state"))) {
                succeeded++;
            }
            if (j.get("started_at") != null) {
                Duration d = Duration.between(Instant.parse((String) j.get("submitted_at")), Instant.parse((String) j.get("started_at")));
                claim.add(d.toNanos() / 1e6);
            }
            var nanos = ledger.storeNanos.get(id);
            if (nanos != null) {
                store.add(nanos.get() / 1e6);
            }
            int claims = ledger.claims.getOrDefault(id, new AtomicInteger()).get();
            int finishes = ledger.finishes.getOrDefault(id, new AtomicInteger()).get();
            if (claims > 1 || finishes > 1) {
                twice++;
            }
        }
        return new Row(config, phase, jobs, succeeded, wall, claim.isEmpty() ? null : Percentiles.Summary.of(claim),
                store.isEmpty() ? null : Percentiles.Summary.of(store), jobs - succeeded, twice);
    }

    private Map<String, Object> awaitEnd(String url, String id) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (true) {
            Map<String, Object> j = request("GET", url + "/v1/jobs/" + id, null, 200);
            String state = (String) j.get("state");
            if (!state.equals("queued") && !state.equals("running")) {
                return j;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("job " + id + " still " + state + " after 10 minutes");
            }
            Thread.sleep(5);
        }
    }

    private static Map<String, Object> request(String method, String url, String body, int expect) throws IOException {
        LoadBench.Answer r = LoadBench.request(method, url, body);
        if (r.status() != expect) {
            throw new IOException(method + " " + url + " answered " + r.status() + ": " + r.body().strip());
        }
        Map<String, Object> m = r.json();
        if (m == null) {
            throw new IOException(method + " " + url + ": no JSON object in the answer");
        }
        return m;
    }
}
