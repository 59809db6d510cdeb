package io.vmafx.core.bench;

import io.vmafx.api.uri.AssetUri;
import io.vmafx.core.config.ConfigException;
import io.vmafx.core.config.NodeConfig;
import io.vmafx.core.config.RcloneRemotes;
import io.vmafx.core.config.Variable;
import io.vmafx.core.discovery.DiscoveryException;
import io.vmafx.core.node.Node;
import io.vmafx.spi.Availability;
import io.vmafx.spi.storage.PreparedInput;
import io.vmafx.spi.storage.StorageException;
import io.vmafx.spi.storage.StorageProvider;
import java.io.FilterInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code vmafx-node bench storage}: what the rclone storage modes cost, measured on this machine against a
 * random asset on local disk, served by a real rclone through an {@code alias} remote (see {@link ScratchRemote}).
 *
 * <p>For each rclone mode (http-serve, and mount where the mount provider says it is usable):
 * <ul>
 *   <li><b>cold prepare</b>: a node started for each run (fresh providers, empty pools), one timed
 *       {@code prepare}, which starts rclone, then the node closed, which stops it;</li>
 *   <li><b>pooled prepare</b>: one node, its rclone kept running by a held lease, timed {@code prepare}s that
 *       each find it in the pool;</li>
 *   <li><b>read</b>: the whole asset, sequentially with a 64 KiB buffer, from what ffmpeg would open: an HTTP
 *       GET of the loopback URL, or the path on the mount; and the source file directly, for reference.</li>
 * </ul>
 * Each mode gets one untimed warm-up (the JVM's first use of its code, and a check that the mode works), and
 * every read path one untimed read that checks the content against the asset's CRC-32. The provider's own
 * {@code counters()} confirm what was measured: a pool miss (an rclone start) per cold run, a pool hit per pooled run.
 *
 * <p>Everything goes in a {@link ScratchRemote}, closed on every way out, an interrupt included.
 */
public final class StorageBench {

    /** The read buffer, as ffmpeg's own reads are of this order. */
    public static final int BUFFER = BenchIo.BUFFER;
    static final List<String> MODES = List.of("http-serve", "mount");

    /** What to measure. */
    public record Options(int sizeMib, int runs, int readRuns) {
        /** @throws IllegalArgumentException with a one-line message naming the option */
        public Options {
            if (sizeMib < 1 || sizeMib > 16384) {
                throw new IllegalArgumentException("--size-mib must be from 1 to 16384, got " + sizeMib);
            }
            if (runs < 1 || runs > 10000) {
                throw new IllegalArgumentException("--runs must be from 1 to 10000, got " + runs);
            }
            if (readRuns < 1 || readRuns > 1000) {
                throw new IllegalArgumentException("--read-runs must be from 1 to 1000, got " + readRuns);
            }
        }

        long bytes() {
            return (long) sizeMib << 20;
        }
    }

    private final Options options;
    private final Map<String, String> env;
    private final Map<Variable, String> userFlags;
    private final Path home;
    private final BenchProgress progress;

    /**
     * @param env       the process environment
     * @param userFlags the node flags given on the command line
     * @param home      the installation directory
     */
    public StorageBench(Options options, Map<String, String> env, Map<Variable, String> userFlags, Path home, BenchProgress progress) {
        this.options = options;
        this.env = Map.copyOf(env);
        this.userFlags = Map.copyOf(userFlags);
        this.home = home;
        this.progress = progress;
    }

    /**
     * Runs the whole bench and cleans up.
     *
     * @throws InterruptedException when interrupted (Ctrl-C); everything is cleaned up first
     * @throws IOException          when the asset cannot be written or read directly
     * @throws ConfigException      when the node configuration with the scratch remote is rejected
     */
    public BenchReport run() throws InterruptedException, IOException, ConfigException, DiscoveryException {
        ScratchRemote scratch = ScratchRemote.create("bench");
        BenchReport.Builder report = new BenchReport.Builder(options, scratch.remote(), scratch.data());
        try {
            measure(scratch, report);
        } finally {
            scratch.close();
        }
        return report.build(scratch.cleanup());
    }

    private void measure(ScratchRemote scratch, BenchReport.Builder report)
            throws InterruptedException, IOException, ConfigException, DiscoveryException {
        // The asset, and its copy in the mount's VFS cache.
        BenchIo.requireSpace(scratch.dir(), 2 * options.bytes() + (64L << 20), "a " + options.sizeMib()
                + " MiB asset and its VFS cache copy", "--size-mib");
        NodeConfig config = scratch.config(env, userFlags, home, Map.of(Variable.EBPF_BYPASS, "0"));
        report.rclone(BenchIo.rcloneVersion(config));

        String name = "bench-" + options.sizeMib() + "MiB.bin";
        Path asset = scratch.data().resolve(name);
        progress.step("writing a " + options.sizeMib() + " MiB random asset to " + asset);
        long crc = BenchIo.writeRandom(asset, options.bytes());
        AssetUri uri = AssetUri.parse(scratch.uri(name),
                config.uriRules(Set.of(), RcloneRemotes.configured(config, env)));

        progress.step("direct: reading the source file " + options.readRuns() + " times");
        report.direct(reads(BenchIo.Opener.file(asset), crc, asset.toString()), asset.toString());

        for (String mode : MODES) {
            BenchReport.Mode result = new BenchReport.Mode(mode);
            report.mode(result);
            Availability a = availability(config, mode);
            if (!a.usable()) {
                result.skipped(a.reason());
                progress.step(mode + ": skipped: " + a.reason());
                continue;
            }
            try {
                measureMode(config, mode, uri, crc, result);
            } catch (StorageException | IOException | IllegalStateException e) {
                result.failed(e.getMessage() == null ? e.toString() : e.getMessage());
                progress.step(mode + ": failed: " + result.failure());
            }
        }
    }

    private Availability availability(NodeConfig config, String mode) throws ConfigException, DiscoveryException {
        try (Node node = startNode(config)) {
            if (node.registry().storage(mode).isEmpty()) {
                return Availability.unusable("the " + mode + " storage module is not installed in this node");
            }
            return node.router().availability(mode);
        }
    }

    private void measureMode(NodeConfig config, String mode, AssetUri uri, long crc, BenchReport.Mode result)
            throws InterruptedException, ConfigException, DiscoveryException, StorageException, IOException {
        // Cold: a new node (new providers, empty pools) for each run; closing it stops rclone. The first is untimed.
        List<Double> cold = new ArrayList<>();
        long starts = 0;
        for (int i = 0; i <= options.runs(); i++) {
            progress.step(mode + ": cold prepare " + (i == 0 ? "warm-up" : i + "/" + options.runs()));
            try (Node node = startNode(config)) {
                StorageProvider p = provider(node, mode);
                long t0 = System.nanoTime();
                try (PreparedInput in = p.prepare(uri, node.config())) {
                    double ms = millis(System.nanoTime() - t0);
                    if (i > 0) {
                        cold.add(ms);
                        starts += counter(p, "pool_misses");
                    }
                }
            }
            checkInterrupt();
        }
        result.cold(Percentiles.Summary.of(cold), starts);

        // Pooled: one node; a held lease keeps its rclone running whatever VMAFX_*_IDLE says.
        try (Node node = startNode(config)) {
            StorageProvider p = provider(node, mode);
            progress.step(mode + ": starting rclone for the pooled runs");
            try (PreparedInput held = p.prepare(uri, node.config())) {
                for (int i = 0; i < 3; i++) { // warm-up of the pooled path itself
                    p.prepare(uri, node.config()).close();
                }
                long hits0 = counter(p, "pool_hits");
                long starts0 = counter(p, "pool_misses");
                List<Double> pooled = new ArrayList<>();
                progress.step(mode + ": " + options.runs() + " pooled prepares");
                for (int i = 0; i < options.runs(); i++) {
                    long t0 = System.nanoTime();
                    try (PreparedInput in = p.prepare(uri, node.config())) {
                        pooled.add(millis(System.nanoTime() - t0));
                    }
                    checkInterrupt();
                }
                result.pooled(Percentiles.Summary.of(pooled), counter(p, "pool_hits") - hits0,
                        counter(p, "pool_misses") - starts0);

                String location = held.location(); // may hold credentials: never shown
                String shown = held.displayLocation();
                progress.step(mode + ": reading " + shown + " " + options.readRuns() + " times");
                BenchIo.Opener opener = location.startsWith("http://") || location.startsWith("https://")
                        ? BenchIo.Opener.stream(() -> httpGet(location, shown))
                        : BenchIo.Opener.file(Path.of(location));
                result.read(reads(opener, crc, shown),
                        (location.startsWith("http") ? "GET " : "") + shown);
                result.counters(p.counters());
            }
        }
    }

    private Node startNode(NodeConfig config) throws ConfigException, DiscoveryException {
        return BenchIo.startNode(config, env);
    }

    private static StorageProvider provider(Node node, String mode) {
        return node.registry().storage(mode).orElseThrow(() -> new IllegalStateException("the " + mode + " storage module is not installed"));
    }

    private static long counter(StorageProvider p, String name) {
        Number n = p.counters().get(name);
        return n == null ? 0 : n.longValue();
    }

    /** One untimed read that checks the content, then the timed reads. */
    private Percentiles.Summary reads(BenchIo.Opener opener, long crc, String what) throws IOException, InterruptedException {
        BenchIo.check(opener, options.bytes(), crc, what);
        ByteBuffer buffer = BenchIo.buffer();
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < options.readRuns(); i++) {
            checkInterrupt();
            ms.add(BenchIo.timedRead(opener, buffer, options.bytes(), what));
        }
        return Percentiles.Summary.of(ms);
    }

    /**
     * A GET of {@code location} as ffmpeg sends it: the URL's credentials as Basic authorization (the JDK does not
     * send a URL's user info by itself), no proxy, a new connection each time.
     */
    static InputStream httpGet(String location, String shown) throws IOException {
        URI u = URI.create(location);
        String plain = u.getScheme() + "://" + u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "")
                + u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
        HttpURLConnection c = (HttpURLConnection) new URL(plain).openConnection(Proxy.NO_PROXY);
        c.setUseCaches(false);
        c.setConnectTimeout(10_000);
        c.setReadTimeout(60_000);
        if (u.getRawUserInfo() != null) {
            String userInfo = java.net.URLDecoder.decode(u.getRawUserInfo(), StandardCharsets.UTF_8);
            c.setRequestProperty("Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)));
        }
        int status = c.getResponseCode();
        if (status != 200) {
            c.disconnect();
            throw new IOException("GET " + shown + " answered HTTP " + status);
        }
        return new FilterInputStream(c.getInputStream()) {
            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    c.disconnect();
                }
            }
        };
    }

    private static void checkInterrupt() throws InterruptedException {
        BenchIo.checkInterrupt();
    }

    private static double millis(long nanos) {
        return BenchIo.millis(nanos);
    }
}
