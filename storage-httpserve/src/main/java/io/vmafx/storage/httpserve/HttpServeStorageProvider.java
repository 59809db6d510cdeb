package io.vmafx.storage.httpserve;

import io.vmafx.api.uri.AssetKind;
import io.vmafx.api.uri.AssetUri;
import io.vmafx.api.uri.RcloneTarget;
import io.vmafx.rclone.Deadline;
import io.vmafx.rclone.Lazy;
import io.vmafx.rclone.Lease;
import io.vmafx.rclone.LeasePool;
import io.vmafx.rclone.NetworkTimeouts;
import io.vmafx.rclone.Orphans;
import io.vmafx.rclone.PrepareCounters;
import io.vmafx.rclone.ProcessBudget;
import io.vmafx.rclone.RcloneTool;
import io.vmafx.rclone.RemoteStat;
import io.vmafx.rclone.ReadCheck;
import io.vmafx.rclone.WarmMiss;
import io.vmafx.spi.Availability;
import io.vmafx.spi.NodeSettings;
import io.vmafx.spi.storage.PreparedInput;
import io.vmafx.spi.storage.StorageException;
import io.vmafx.spi.storage.StorageProvider;
import io.vmafx.spi.storage.VfsCacheLocation;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The default storage mode: remote assets are served by {@code rclone serve http} on loopback and ffmpeg
 * reads the URL; {@code http(s)://} inputs go to ffmpeg as they are.
 *
 * <p>One serve process per remote root ({@code media:}, {@code :sftp,host=h:/}) is shared by every job that
 * reads from it, counted by leases, and stopped {@code VMAFX_HTTPSERVE_IDLE} (default 60 s) after its last
 * lease; a dead one is replaced on the next prepare. The kernel picks its port ({@code --addr 127.0.0.1:0}),
 * read back from {@code /proc}; it accepts only a user and password generated for it, which ffmpeg gets in the
 * URL ({@link PreparedInput#location()}) and logs never see ({@link PreparedInput#displayLocation()}).
 *
 * <p>The pool is keyed by the remote root alone: a serve process runs with the settings (rclone, config, cache
 * flags) of the prepare that started it. Core hands every prepare the same settings, so they agree.
 *
 * <p>Core calls {@link #prepare} from many threads at once and {@link #close} at shutdown; a warm prepare
 * costs one HEAD request on loopback.
 *
 * <p>A serve process lists a directory again {@code VMAFX_RCLONE_DIR_CACHE_TIME} (default 5 s) after it last did,
 * not rclone's 5 min. When one that was already running answers 404, the remote is asked directly before the
 * prepare fails, so an object uploaded after the process listed its directory is found (once, up to that long
 * later); an object replaced under the same name is served as it is now by any job that starts at least that
 * long after the replacement.
 */
public final class HttpServeStorageProvider implements StorageProvider {

    public static final String NAME = "http-serve";

    private static final System.Logger LOG = System.getLogger(HttpServeStorageProvider.class.getName());

    private final LeasePool<String, ServeProcess> pool = new LeasePool<>(NAME, ProcessBudget.shared());
    private final PrepareCounters counters = new PrepareCounters();
    /** Made on the first remote prepare: a node that never uses http-serve starts no HTTP client thread. */
    private final Lazy<AssetCheck> check = new Lazy<>(AssetCheck::new);

    @Override
    public String name() {
        return NAME;
    }

    /** Usable when rclone is found and this provider's settings are well-formed; never throws. */
    @Override
    public Availability availability(NodeSettings settings) {
        // A malformed setting is the operator's to fix before start: IllegalArgumentException, naming the variable.
        HttpServeSettings.read(settings);
        try {
            if (RcloneTool.find(settings).isEmpty()) {
                return Availability.unusable(RcloneTool.problem(settings));
            }
            return Availability.ok();
        } catch (RuntimeException e) {
            return Availability.unusable(String.valueOf(e.getMessage()));
        }
    }

    @Override
    public boolean handles(AssetUri uri) {
        return uri.kind() == AssetKind.HTTP || uri.kind().isRclone();
    }

    /**
     * An {@code http(s)://} URI as it is; an rclone asset as a loopback URL of its root's serve process, once
     * that URL answers HEAD with 200.
     *
     * @throws StorageException     {@code NOT_FOUND} ("object not found: <input>") on 404: at once from a process
     *                              this call started; from one it found running once the remote, asked directly
     *                              ({@code rclone lsjson --stat}), agrees (if the remote has it, the prepare waits
     *                              for the process to list the directory again, at most
     *                              {@code VMAFX_RCLONE_DIR_CACHE_TIME});
     *                              {@code TOOL_FAILED} when rclone is missing or exits (its stderr tail in the
     *                              message); {@code TIMEOUT} after {@code VMAFX_HTTPSERVE_READY_TIMEOUT};
     *                              {@code UNAVAILABLE} for a bad setting or after {@link #close}
     * @throws InterruptedException when the job is cancelled; nothing stays leased, a process this call
     *                              started is stopped
     */
    @Override
    public PreparedInput prepare(AssetUri uri, NodeSettings settings) throws StorageException, InterruptedException {
        counters.prepareStarted();
        if (uri.kind() == AssetKind.HTTP) {
            counters.passedThrough();
            return PreparedInput.of(NAME, uri.url().orElseThrow(), () -> { });
        }
        try {
            return prepareRemote(uri, settings, System.nanoTime());
        } catch (StorageException e) {
            counters.failed(e.reason());
            throw e;
        } catch (InterruptedException e) {
            counters.interrupted();
            throw e;
        }
    }

    private PreparedInput prepareRemote(AssetUri uri, NodeSettings settings, long t0) throws StorageException, InterruptedException {
        RcloneTarget target = uri.rclone().orElseThrow(() -> new StorageException(uri, StorageException.Cause.OTHER,
                "http-serve cannot read " + uri.input() + ": it is neither an rclone remote nor an http(s) URL"));
        HttpServeSettings cfg;
        try {
            cfg = HttpServeSettings.read(settings);
        } catch (IllegalArgumentException e) {
            throw new StorageException(uri, StorageException.Cause.UNAVAILABLE, "cannot read " + uri.input() + ": " + e.getMessage(), e);
        }
        Deadline deadline = Deadline.after(cfg.readyTimeout());
        boolean started = false;
        // Two attempts: a pooled process may die between its liveness check and the HEAD (killed, OOM); the
        // second acquire replaces it. A process this prepare started itself gets no second chance.
        for (int attempt = 1; ; attempt++) {
            Lease<ServeProcess> lease = acquire(uri, target, cfg, settings, deadline);
            counters.leased(lease.fresh());
            started |= lease.fresh();
            boolean handedOut = false;
            try {
                ServeProcess serve = lease.member();
                if (Thread.interrupted()) {
                    // A cancelled job gets no input even when everything it needs is warm and answers at once.
                    throw new InterruptedException("cancelled while preparing " + uri.input());
                }
                long mark = serve.stderrMark();
                AssetCheck.Outcome outcome = check.get().await(serve, target.path(), uri, deadline);
                if (outcome == AssetCheck.Outcome.MISSING) {
                    // A process this prepare started listed the directory just now. One found running may answer
                    // from a listing older than the asset: the remote decides, and if it has the asset the
                    // process is asked again until its listing expires (--dir-cache-time) and it sees it.
                    if (lease.fresh() || !WarmMiss.remoteHasFile("rclone serve http " + target.root(), serve.tool(), target, uri,
                            deadline, counters)) {
                        throw AssetCheck.notFound(serve, mark, uri);
                    }
                    outcome = check.get().awaitListed(serve, target.path(), uri, deadline);
                }
                if (outcome == AssetCheck.Outcome.READY) {
                    // What the remote says of the object now, for the read check to compare with once it has been read.
                    RemoteStat atPrepare = RemoteStat.of(serve.control(), serve.tool(), target, deadline);
                    PreparedInput input = PreparedInput.of(NAME, serve.location(target.path()), lease::close)
                            .withDisplayLocation(serve.displayLocation(target.path()))
                            .withReadCheck(ReadCheck.of(serve, () -> serve.stderrSince(mark), serve.control(), serve.tool(),
                                    target, atPrepare));
                    if (cfg.vfsCacheDir().isPresent()) {
                        input = input.withVfsCache(new VfsCacheLocation(cfg.vfsCacheDir().get(), target.root(), target.path(), null, serve.control()));
                    }
                    handedOut = true;
                    counters.succeeded(System.nanoTime() - t0, started);
                    return input;
                }
                if (lease.fresh() || attempt >= 2) {
                    String tail = serve.stderrTail();
                    throw new StorageException(uri, StorageException.Cause.TOOL_FAILED, "cannot read " + uri.input()
                            + ": rclone serve http " + target.root() + " exited with code " + serve.exitCode().orElse(-1)
                            + ": " + (tail.isEmpty() ? "(it wrote nothing to stderr)" : tail));
                }
                LOG.log(System.Logger.Level.WARNING, "http-serve: " + serve + " died while preparing " + uri.input()
                        + "; starting a new one");
            } finally {
                if (!handedOut) {
                    lease.close();
                }
            }
        }
    }

    private Lease<ServeProcess> acquire(AssetUri uri, RcloneTarget target, HttpServeSettings cfg, NodeSettings settings,
                                        Deadline deadline) throws StorageException, InterruptedException {
        try {
            return pool.acquire(target.root(), cfg.idle(), cfg.maxProcesses(), deadline, root -> {
                RcloneTool tool = RcloneTool.find(settings).orElseThrow(() -> new StorageException(uri,
                        StorageException.Cause.TOOL_FAILED, "cannot read " + uri.input() + ": " + RcloneTool.problem(settings)));
                return ServeProcess.start(root, tool, cfg, deadline, uri);
            });
        } catch (ProcessBudget.Exhausted full) {
            // The node's own state (its rclone processes all busy), nothing a remote said: shown to API clients as it is.
            throw new StorageException(uri, StorageException.Cause.UNAVAILABLE, "cannot read " + uri.input() + ": " + full.getMessage(), full);
        } catch (IllegalStateException closed) {
            throw new StorageException(uri, StorageException.Cause.UNAVAILABLE, "cannot read " + uri.input()
                    + ": the http-serve storage is closed (the node is shutting down)", closed);
        }
    }

    /** The variables it reads, as {@code providers} lists them. */
    @Override
    public java.util.Set<String> settings() {
        return java.util.Set.of(HttpServeSettings.READY_TIMEOUT, HttpServeSettings.IDLE, HttpServeSettings.VFS_CACHE,
                HttpServeSettings.CACHE_DIR, HttpServeSettings.CACHE_MAX_SIZE, HttpServeSettings.CACHE_MAX_AGE,
                io.vmafx.rclone.DirCache.TIME, RcloneTool.BIN, RcloneTool.CONFIG, NetworkTimeouts.READ, NetworkTimeouts.CONNECT,
                ProcessBudget.MAX_PROCESSES);
    }

    /**
     * Stops the rclone processes that killed nodes left running ({@link Orphans}): serve processes whose port still
     * answered with the credentials in the killed node's files.
     */
    @Override
    public List<String> reapLeftovers(NodeSettings settings) {
        Optional<Path> rclone;
        try {
            rclone = RcloneTool.find(settings).map(RcloneTool::binary);
        } catch (RuntimeException e) {
            rclone = Optional.empty();
        }
        return Orphans.reap(rclone);
    }

    /** {@code prepares}, {@code pool_hits}, {@code pool_misses}, {@code failures_<cause>}, latency, pool gauges. */
    @Override
    public Map<String, Number> counters() {
        return counters.snapshot(pool.stats());
    }

    /** Stops every serve process, leased or not; later prepares of remote assets fail. Idempotent. */
    @Override
    public void close() {
        pool.close();
    }
}
