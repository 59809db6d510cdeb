package io.vmafx.bypass.ebpf;

import io.vmafx.bypass.ebpf.cache.BypassCounters;
import io.vmafx.bypass.ebpf.cache.CacheBypass;
import io.vmafx.bypass.ebpf.cache.Decline;
import io.vmafx.bypass.ebpf.cache.Rclone;
import io.vmafx.bypass.ebpf.probe.ProbeException;
import io.vmafx.bypass.ebpf.probe.ProbeSession;
import io.vmafx.spi.Availability;
import io.vmafx.spi.NodeSettings;
import io.vmafx.spi.bypass.BypassDecision;
import io.vmafx.spi.bypass.BypassException;
import io.vmafx.spi.bypass.BypassProvider;
import io.vmafx.spi.bypass.TrafficWatch;
import io.vmafx.spi.storage.PreparedInput;
import io.vmafx.spi.storage.VfsCacheLocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The eBPF FUSE bypass: for an input storage prepared from an rclone VFS cache on a watched mount, ffmpeg reads
 * the cache's data file instead of the FUSE path when it is warm, complete and fresh ({@link CacheBypass}, which
 * works on its own); the probe (package {@code io.vmafx.bypass.ebpf.probe}) observes what still goes
 * through FUSE, per input, for the job's result.
 *
 * <p>Core calls {@link #availability} (rclone found, plus the probe's preflight) and, with
 * {@code VMAFX_EBPF_BYPASS=1}, {@link #start}, then {@link #offer} and {@link #watch} per input from many threads,
 * {@link #close} at shutdown. Only inputs whose FUSE path is below {@code VMAFX_EBPF_MOUNT_PREFIX} (default: the
 * mount root, {@code VMAFX_STORAGE_MOUNT_ROOT}) are bypassed: those are the ones the probe watches.
 */
public final class EbpfBypassProvider implements BypassProvider {

    public static final String NAME = "ebpf";
    public static final String MOUNT_PREFIX = "VMAFX_EBPF_MOUNT_PREFIX";
    static final String MOUNT_ROOT = "VMAFX_STORAGE_MOUNT_ROOT";
    static final String DEFAULT_MOUNT_ROOT = "/run/vmafx/mounts";
    static final String CACHE_DIR = "VMAFX_CACHE_DIR";
    static final String DEFAULT_CACHE_DIR = "/var/cache/vmafx";

    private static final System.Logger LOG = System.getLogger(EbpfBypassProvider.class.getName());

    private final BypassCounters counters = new BypassCounters();
    private volatile Started started;
    private volatile boolean closed;

    /** What {@link #start} set up. */
    private record Started(CacheBypass cache, Path prefix, Path realPrefix, ProbeSession probe) {
        boolean watches(Path fusePath) {
            Path p = fusePath.toAbsolutePath().normalize();
            return p.startsWith(prefix) || (realPrefix != null && p.startsWith(realPrefix));
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Usable when rclone is found (the decision runs {@code rclone lsjson --stat}) and the probe's preflight
     * passes (kernel, BTF, tracefs, capabilities); otherwise every reason at once. Never throws.
     */
    @Override
    public Availability availability(NodeSettings settings) {
        List<String> reasons = new ArrayList<>();
        try {
            if (Rclone.find(settings).isEmpty()) {
                reasons.add(Rclone.problem(settings));
            }
        } catch (RuntimeException e) {
            reasons.add("cannot look for rclone: " + e.getMessage());
        }
        try {
            reasons.addAll(new Preflight().failures());
        } catch (RuntimeException e) {
            reasons.add("the probe's preflight failed: " + e.getMessage());
        }
        return reasons.isEmpty() ? Availability.ok() : Availability.unusable(String.join("; ", reasons));
    }

    /**
     * Sets up the cache decision (cleaning link directories that stopped nodes left in the cache directory) and
     * starts the probe session on the mount prefix.
     *
     * @throws BypassException when rclone is not found, the prefix is not a path, or the probe cannot start
     */
    @Override
    public synchronized void start(NodeSettings settings) throws BypassException {
        if (closed) {
            throw new BypassException("the bypass is closed");
        }
        if (started != null) {
            return;
        }
        Rclone rclone = Rclone.find(settings).orElseThrow(() -> new BypassException(Rclone.problem(settings)));
        Path prefix;
        Path realPrefix;
        List<Path> cacheDirs;
        try {
            prefix = Path.of(settings.get(MOUNT_PREFIX).filter(v -> !v.isBlank())
                    .orElse(settings.get(MOUNT_ROOT, DEFAULT_MOUNT_ROOT))).toAbsolutePath().normalize();
            Path cacheDir = Path.of(settings.get(CACHE_DIR).filter(v -> !v.isBlank()).orElse(DEFAULT_CACHE_DIR)).toAbsolutePath();
            cacheDirs = List.of(cacheDir, cacheDir.resolve("httpserve"));
        } catch (InvalidPathException e) {
            throw new BypassException("bad path setting: " + e.getMessage(), e);
        }
        try {
            realPrefix = Files.exists(prefix) ? prefix.toRealPath() : null;
        } catch (IOException e) {
            realPrefix = null;
        }
        CacheBypass cache = new CacheBypass(rclone, counters);
        cache.cleanStale(cacheDirs);
        ProbeSession probe;
        try {
            probe = ProbeSession.start(prefix.toString());
        } catch (ProbeException | RuntimeException e) {
            cache.close();
            throw new BypassException("the probe cannot start: " + e.getMessage(), e);
        }
        started = new Started(cache, prefix, realPrefix, probe);
        LOG.log(System.Logger.Level.INFO, "bypass: on for mounts below " + prefix + ", probe attached ("
                + probe.readPath() + probe.readPathNote().map(n -> ": " + n).orElse("") + ")");
    }

    /**
     * Removes the link directories of node processes that are gone, below {@code VMAFX_CACHE_DIR} and its
     * {@code httpserve/}: hard links a killed node's jobs were reading. Runs whether the bypass is on or off.
     */
    @Override
    public List<String> reapLeftovers(NodeSettings settings) {
        try {
            Path cacheDir = Path.of(settings.get(CACHE_DIR).filter(v -> !v.isBlank()).orElse(DEFAULT_CACHE_DIR)).toAbsolutePath();
            int n = CacheBypass.removeStaleLinks(List.of(cacheDir, cacheDir.resolve("httpserve")));
            return n == 0 ? List.of() : List.of("removed " + n + " bypass link directories of gone node processes below " + cacheDir);
        } catch (InvalidPathException e) {
            return List.of();
        }
    }

    /**
     * The cache decision for {@code input}; declines (counted) for an input that is not on a watched mount or not
     * read through a VFS cache, before {@link #start} and after {@link #close}. Never throws.
     */
    @Override
    public BypassDecision offer(PreparedInput input) {
        try {
            Started s = started;
            if (s == null || closed) {
                counters.offered();
                return counters.decline(closed ? Decline.CLOSED : Decline.NOT_STARTED, null);
            }
            Optional<VfsCacheLocation> cache = input.vfsCache();
            if (cache.isEmpty()) {
                counters.offered();
                return counters.decline(Decline.NO_VFS_CACHE, null);
            }
            Path fusePath = cache.get().fusePath();
            if (fusePath == null) {
                // rclone serve http with a VFS cache: the same cache layout and checks; the probe does not see it.
                if (input.location().startsWith("http://")) {
                    return s.cache().decideServed(cache.get(), input.location());
                }
                counters.offered();
                return counters.decline(Decline.NOT_MOUNTED, null);
            }
            if (!s.watches(fusePath)) {
                counters.offered();
                return counters.decline(Decline.NOT_WATCHED, fusePath + " is not below " + s.prefix());
            }
            return s.cache().decide(cache.get());
        } catch (RuntimeException | StackOverflowError e) {
            return counters.decline(Decline.ERROR, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * The probe's count of FUSE reads of {@code input}'s file from now on; empty when the bypass is not running or
     * the input is not on a watched mount. Never throws.
     */
    @Override
    public Optional<TrafficWatch> watch(PreparedInput input) {
        Started s = started;
        if (s == null || closed) {
            return Optional.empty();
        }
        Optional<Path> fusePath = input.vfsCache().map(VfsCacheLocation::fusePath);
        if (fusePath.isEmpty() || fusePath.get() == null || !s.watches(fusePath.get())) {
            return Optional.empty();
        }
        try {
            return Optional.of(s.probe().trafficWatch(fusePath.get()));
        } catch (IOException | ProbeException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public java.util.Set<String> settings() {
        return java.util.Set.of(MOUNT_PREFIX, MOUNT_ROOT, CACHE_DIR, Rclone.BIN, Rclone.CONFIG);
    }

    /** The decision's counters ({@link CacheBypass#counters}) and {@code probe_running}. */
    @Override
    public Map<String, Number> counters() {
        Started s = started;
        Map<String, Number> m = new LinkedHashMap<>(s == null ? counters.snapshot() : s.cache().counters());
        m.put("probe_running", s != null && !closed && s.probe().isOpen() ? 1L : 0L);
        if (s != null) {
            m.put("probe_ring_drops", s.probe().drops());
        }
        return m;
    }

    /** Removes every link the decision holds and its link directories, stops the probe. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Started s = started;
        if (s != null) {
            s.cache().close();
            s.probe().close();
        }
    }
}
