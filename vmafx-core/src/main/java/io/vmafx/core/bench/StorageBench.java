package io.vmafx.core.bench;

import io.vmafx.api.uri.AssetUri;
import io.vmafx.core.config.ConfigException;
import io.vmafx.core.config.NodeConfig;
import io.vmafx.core.config.RcloneRemotes;
import io.vmafx.core.config.Variable;
import io.vmafx.core.discovery.DiscoveryException;
import io.vmafx.core.discovery.ProviderRegistry;
import io.vmafx.core.node.Node;
import io.vmafx.spi.Availability;
import io.vmafx.spi.storage.PreparedInput;
import io.vmafx.spi.storage.StorageException;
import io.vmafx.spi.storage.StorageProvider;
import java.io.FileInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

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
    public static final int BUFFER = 64 * 1024;
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

    /** Where progress lines go (a terminal's stderr), or nowhere. */
    public interface Progress {
        Progress NONE = line -> { };

        void step(String line);
    }

    private final Options options;
    private final Map<String, String> env;
    private final Map<Variable, String> userFlags;
    private final Path home;
    private final Progress progress;

    /**
     * @param env       the process environment
     * @param userFlags the node flags given on the command line
     * @param home      the installation directory
     */
    public StorageBench(Options options, Map<String, String> env, Map<Variable, String> userFlags, Path home, Progress progress) {
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
        long needed = 2 * options.bytes() + (64L << 20); // the asset, and its copy in the mount's VFS cache
        long free = Files.getFileStore(scratch.dir()).getUsableSpace();
        if (free < needed) {
            throw new IOException("not enough space in " + scratch.dir().getParent() + " for a " + options.sizeMib()
                    + " MiB bench: it needs " + (needed >> 20) + " MiB (the asset and its VFS cache copy), "
                    + (free >> 20) + " MiB are free (set TMPDIR and -Djava.io.tmpdir through VMAFX_JAVA_OPTS, or --size-mib)");
        }
        NodeConfig config = scratch.config(env, userFlags, home, Map.of(Variable.EBPF_BYPASS, "0"));
        report.rclone(rcloneVersion(config));

        String name = "bench-" + options.sizeMib() + "MiB.bin";
        Path asset = scratch.data().resolve(name);
        progress.step("writing a " + options.sizeMib() + " MiB random asset to " + asset);
        long crc = writeRandom(asset, options.bytes());
        AssetUri uri = AssetUri.parse(scratch.uri(name),
                config.uriRules(Set.of(), RcloneRemotes.configured(config, env)));

        progress.step("direct: reading the source file " + options.readRuns() + " times");
        report.direct(reads(() -> new FileInputStream(asset.toFile()), crc, asset.toString()), asset.toString());

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
                Opener opener = location.startsWith("http://") || location.startsWith("https://")
                        ? () -> httpGet(location, shown)
                        : () -> new FileInputStream(location);
                result.read(reads(opener, crc, shown),
                        (location.startsWith("http") ? "GET " : "") + shown);
                result.counters(p.counters());
            }
        }
    }

    private Node startNode(NodeConfig config) throws ConfigException, DiscoveryException {
        return Node.start(config, ProviderRegistry.discover(ProviderRegistry.nodeLayer(), config.pluginsDir()), env);
    }

    private static StorageProvider provider(Node node, String mode) {
        return node.registry().storage(mode).orElseThrow(() -> new IllegalStateException("the " + mode + " storage module is not installed"));
    }

    private static long counter(StorageProvider p, String name) {
        Number n = p.counters().get(name);
        return n == null ? 0 : n.longValue();
    }

    /** Opens one read of the whole asset. */
    interface Opener {
        InputStream open() throws IOException;
    }

    /** One untimed read that checks the content, then the timed reads. */
    private Percentiles.Summary reads(Opener opener, long crc, String what) throws IOException, InterruptedException {
        byte[] buffer = new byte[BUFFER];
        CRC32 check = new CRC32();
        long n = read(opener, buffer, check);
        if (n != options.bytes() || check.getValue() != crc) {
            throw new IOException("reading " + what + " gave " + n + " bytes with CRC-32 " + Long.toHexString(check.getValue())
                    + ", expected " + options.bytes() + " bytes with CRC-32 " + Long.toHexString(crc));
        }
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < options.readRuns(); i++) {
            checkInterrupt();
            long t0 = System.nanoTime();
            long got = read(opener, buffer, null);
            ms.add(millis(System.nanoTime() - t0));
            if (got != options.bytes()) {
                throw new IOException("reading " + what + " gave " + got + " bytes, expected " + options.bytes());
            }
        }
        return Percentiles.Summary.of(ms);
    }

    private static long read(Opener opener, byte[] buffer, CRC32 crc) throws IOException {
        long total = 0;
        try (InputStream in = opener.open()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
                if (crc != null) {
                    crc.update(buffer, 0, n);
                }
            }
        }
        return total;
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

    /** Writes {@code size} random bytes; returns their CRC-32. */
    private static long writeRandom(Path file, long size) throws IOException, InterruptedException {
        byte[] chunk = new byte[1 << 20];
        CRC32 crc = new CRC32();
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= chunk.length) {
                checkInterrupt();
                int n = (int) Math.min(chunk.length, left);
                ThreadLocalRandom.current().nextBytes(chunk);
                out.write(chunk, 0, n);
                crc.update(chunk, 0, n);
            }
        }
        return crc.getValue();
    }

    /** The first line of {@code rclone version}, for the report; "rclone (version unknown)" if that fails. */
    private static String rcloneVersion(NodeConfig config) throws InterruptedException {
        String bin = config.get(Variable.RCLONE_BIN).orElse("rclone");
        try {
            Process p = new ProcessBuilder(bin, "version").redirectErrorStream(true).start();
            try {
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8);
                if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isBlank()) {
                    return out.lines().findFirst().orElse("rclone").trim();
                }
            } finally {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
                p.waitFor();
            }
        } catch (IOException e) {
            // Reported by the providers' availability.
        }
        return "rclone (version unknown)";
    }

    private static void checkInterrupt() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted");
        }
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }

    static String format(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** An unmodifiable copy of a provider's counters, for the JSON report. */
    static Map<String, Object> copy(Map<String, Number> counters) {
        return new LinkedHashMap<>(counters);
    }
}
