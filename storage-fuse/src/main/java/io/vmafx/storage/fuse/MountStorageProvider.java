package io.vmafx.storage.fuse;

import io.vmafx.api.uri.AssetKind;
import io.vmafx.api.uri.AssetUri;
import io.vmafx.api.uri.RcloneTarget;
import io.vmafx.rclone.Deadline;
import io.vmafx.rclone.DirCache;
import io.vmafx.rclone.Executables;
import io.vmafx.rclone.Lazy;
import io.vmafx.rclone.Lease;
import io.vmafx.rclone.LeasePool;
import io.vmafx.rclone.NetworkTimeouts;
import io.vmafx.rclone.Orphans;
import io.vmafx.rclone.PrepareCounters;
import io.vmafx.rclone.ProcessBudget;
import io.vmafx.rclone.RcloneErrors;
import io.vmafx.rclone.ReadCheck;
import io.vmafx.rclone.RcloneTool;
import io.vmafx.rclone.RemoteStat;
import io.vmafx.rclone.WarmMiss;
import io.vmafx.spi.Availability;
import io.vmafx.spi.NodeSettings;
import io.vmafx.spi.storage.PreparedInput;
import io.vmafx.spi.storage.StorageException;
import io.vmafx.spi.storage.StorageProvider;
import io.vmafx.spi.storage.VfsCacheLocation;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * Storage through a read-only {@code rclone mount}: ffmpeg opens a path on the FUSE mount, and rclone's VFS
 * disk cache ({@code VMAFX_CACHE_DIR}) keeps what was read for the next job and for the eBPF bypass.
 *
 * <p>One mount per remote root, at {@code <VMAFX_STORAGE_MOUNT_ROOT>/<sha-256 prefix>-<hint>}, shared by every
 * job that reads from it, counted by leases, and taken down {@code VMAFX_MOUNT_IDLE} (default 60 s) after its
 * last lease: {@code fusermount3 -u} (lazy {@code -uz} when busy), rclone stopped, the empty directory
 * removed. A mount whose rclone died is cleaned up and replaced on the next prepare.
 *
 * <p>The pool is keyed by the remote root alone: a mount runs with the settings (rclone, config, cache
 * flags) of the prepare that started it. Core hands every prepare the same settings, so they agree.
 *
 * <p>Core calls {@link #prepare} from many threads at once and {@link #close} at shutdown; a warm prepare
 * costs one {@code stat} on the mount.
 *
 * <p>A mount lists a directory again {@code VMAFX_RCLONE_DIR_CACHE_TIME} (default 5 s) after it last did, not
 * rclone's 5 min. When one that was already running does not show an asset, the remote is asked directly before
 * the prepare fails; if the remote has it (uploaded after the mount listed its directory), rclone is sent
 * {@code SIGHUP} to forget its listings and the asset is there at once. An asset replaced under the same name is
 * read as it is now (rclone compares fingerprints when it lists again and drops stale cached data) by any job
 * that starts at least that long, plus the kernel's 1 s attribute cache, after the replacement.
 */
public final class MountStorageProvider implements StorageProvider {

    /** How long an I/O error on a live mount waits for rclone's stderr to explain it. */
    private static final long STDERR_GRACE_MILLIS = 300;

    public static final String NAME = "mount";

    private static final System.Logger LOG = System.getLogger(MountStorageProvider.class.getName());

    private final Path devFuse;
    private final String fusermountCommand;
    private final LeasePool<String, RcloneMount> pool = new LeasePool<>(NAME, ProcessBudget.shared());
    private final PrepareCounters counters = new PrepareCounters();
    /** Made on the first remote prepare; a node that never mounts starts no thread. */
    private final Lazy<FileProbe> probe = new Lazy<>(FileProbe::new);

    /** The provider ServiceLoader makes: {@code /dev/fuse} and {@code fusermount3} on the PATH. */
    public MountStorageProvider() {
        this(Path.of("/dev/fuse"), "fusermount3");
    }

    /** For tests: another FUSE device and fusermount. */
    MountStorageProvider(Path devFuse, String fusermountCommand) {
        this.devFuse = devFuse;
        this.fusermountCommand = fusermountCommand;
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Usable when {@code /dev/fuse} is there and is a character device (a regular file left in its place, as some
     * container setups do, is no FUSE), {@code fusermount3} is on the PATH, rclone is found, the mount root
     * exists or can be created (this creates it), and the settings are well-formed. Never throws.
     */
    @Override
    public Availability availability(NodeSettings settings) {
        // A malformed setting is the operator's to fix before start: IllegalArgumentException, naming the variable.
        MountSettings cfg = MountSettings.read(settings);
        try {
            if (!Files.exists(devFuse)) {
                return Availability.unusable(devFuse + " is missing (no FUSE in this kernel or container)");
            }
            String kind;
            try {
                kind = fileKind(devFuse);
            } catch (IOException e) {
                return Availability.unusable(devFuse + " cannot be inspected (" + e + ")");
            }
            if (!kind.equals(CHARACTER_DEVICE)) {
                return Availability.unusable(devFuse + " is not a character device but " + kind
                        + " (no FUSE in this kernel or container)");
            }
            if (!Files.isReadable(devFuse) || !Files.isWritable(devFuse)) {
                return Availability.unusable(devFuse + " is not readable and writable by this user");
            }
            if (Executables.find(fusermountCommand).isEmpty()) {
                return Availability.unusable(fusermountCommand + " is not on the PATH (install fuse3)");
            }
            if (RcloneTool.find(settings).isEmpty()) {
                return Availability.unusable(RcloneTool.problem(settings));
            }
            try {
                Files.createDirectories(cfg.mountRoot());
            } catch (IOException | SecurityException e) {
                return Availability.unusable("the mount root " + cfg.mountRoot() + " cannot be created (" + e + ")");
            }
            if (!Files.isWritable(cfg.mountRoot())) {
                return Availability.unusable("the mount root " + cfg.mountRoot() + " is not writable");
            }
            return Availability.ok();
        } catch (RuntimeException e) {
            return Availability.unusable(String.valueOf(e.getMessage()));
        }
    }

    private static final String CHARACTER_DEVICE = "a character device";

    /**
     * What {@code path} is (links followed), in words: {@code a character device}, {@code a regular file}, ...
     * From the file type bits of {@code st_mode}; without the unix attribute view, only whether it is a special
     * file at all.
     */
    static String fileKind(Path path) throws IOException {
        try {
            int type = ((Integer) Files.getAttribute(path, "unix:mode")) & 0170000;
            switch (type) {
                case 0020000: return CHARACTER_DEVICE;
                case 0100000: return "a regular file";
                case 0040000: return "a directory";
                case 0060000: return "a block device";
                case 0010000: return "a named pipe";
                case 0140000: return "a socket";
                default: return "a file of type " + Integer.toOctalString(type);
            }
        } catch (UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            return a.isOther() ? CHARACTER_DEVICE : a.isDirectory() ? "a directory" : a.isRegularFile() ? "a regular file" : "a link";
        }
    }

    @Override
    public boolean handles(AssetUri uri) {
        return uri.kind() == AssetKind.HTTP || uri.kind().isRclone();
    }

    /**
     * An {@code http(s)://} URI as it is; an rclone asset as its path on the root's mount, once the mount is up
     * and the asset is visible there.
     *
     * @throws StorageException     {@code NOT_FOUND} ("object not found: <input>") when the mount does not show
     *                              it: at once from a mount this call started; from one it found running once the
     *                              remote, asked directly ({@code rclone lsjson --stat}), agrees (if the remote has
     *                              it, the mount is told to forget its directory listings and shows it);
     *                              {@code NOT_A_FILE} for a directory; {@code TOOL_FAILED} when
     *                              rclone or fusermount3 is missing or rclone exits (its stderr tail in the
     *                              message); {@code TIMEOUT} after {@code VMAFX_MOUNT_READY_TIMEOUT};
     *                              {@code UNAVAILABLE} for a bad setting or after {@link #close}
     * @throws InterruptedException when the job is cancelled; nothing stays leased, a mount this call started is
     *                              taken down
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
                "mount cannot read " + uri.input() + ": it is neither an rclone remote nor an http(s) URL"));
        MountSettings cfg;
        try {
            cfg = MountSettings.read(settings);
        } catch (IllegalArgumentException e) {
            throw new StorageException(uri, StorageException.Cause.UNAVAILABLE, "cannot read " + uri.input() + ": " + e.getMessage(), e);
        }
        Deadline deadline = Deadline.after(cfg.readyTimeout());
        boolean started = false;
        // Two attempts: a pooled mount may die between its liveness check and the stat (rclone killed); the
        // second acquire cleans it up and mounts again. A mount this prepare started gets no second chance.
        attempts:
        for (int attempt = 1; ; attempt++) {
            Lease<RcloneMount> lease = acquire(uri, target, cfg, settings, deadline);
            counters.leased(lease.fresh());
            started |= lease.fresh();
            boolean handedOut = false;
            try {
                RcloneMount mount = lease.member();
                if (Thread.interrupted()) {
                    // A cancelled job gets no input even when everything it needs is warm and answers at once.
                    throw new InterruptedException("cancelled while preparing " + uri.input());
                }
                Path file = mount.resolve(target.path());
                long mark = mount.stderrMark();
                BasicFileAttributes attributes = null;
                // Set once the remote, asked directly, has the asset this mount (found running) did not show:
                // its listing of the directory is older than the asset. It is told to forget its listings and
                // the stat is repeated until it shows the asset.
                boolean listedStale = false;
                long pause = 10;
                while (attributes == null) {
                    try {
                        attributes = probe.get().stat(file, deadline);
                    } catch (NoSuchFileException e) {
                        String rclone = mount.stderrAbout(mark, target.path());
                        if (RcloneErrors.accessDenied(rclone)) {
                            throw new StorageException(uri, StorageException.Cause.ACCESS_DENIED, "access denied: " + uri.input()
                                    + RcloneErrors.suffix(rclone), e);
                        }
                        if (!listedStale) {
                            // A mount this prepare started listed the directory just now: its answer stands.
                            if (lease.fresh() || !WarmMiss.remoteHasFile("rclone mount " + target.root(), mount.tool(), target, uri,
                                    deadline, counters)) {
                                throw new StorageException(uri, StorageException.Cause.NOT_FOUND, "object not found: " + uri.input()
                                        + RcloneErrors.suffix(mount.stderrAbout(mark, target.path())), e);
                            }
                            listedStale = true;
                            if (!mount.forgetDirectories()) {
                                LOG.log(System.Logger.Level.WARNING, "mount: cannot make " + mount + " forget its directory listings;"
                                        + " waiting for its listing of " + uri.input() + "'s directory to expire (at most "
                                        + DirCache.describe(mount.dirCacheTime()) + ", " + DirCache.TIME + ")");
                            }
                        } else if (deadline.expired()) {
                            throw new StorageException(uri, StorageException.Cause.TIMEOUT, "cannot read " + uri.input()
                                    + ": the remote has it, but the mount of " + target.root() + " still did not show it after "
                                    + deadline.describe() + " (it lists a directory again at most " + DirCache.TIME + " = "
                                    + DirCache.describe(mount.dirCacheTime()) + " after it last did)"
                                    + RcloneErrors.suffix(mount.stderrAbout(mark, target.path())), e);
                        } else {
                            deadline.sleep(pause);
                            pause = Math.min(200, pause * 2);
                        }
                    } catch (AccessDeniedException e) {
                        throw new StorageException(uri, StorageException.Cause.ACCESS_DENIED, "access denied: " + uri.input()
                                + RcloneErrors.suffix(mount.stderrAbout(mark, target.path())), e);
                    } catch (TimeoutException e) {
                        throw new StorageException(uri, StorageException.Cause.TIMEOUT, "cannot read " + uri.input() + ": the mount of "
                                + target.root() + " did not show it within " + deadline.describe() + RcloneErrors.suffix(mount.stderrAbout(mark, target.path())), e);
                    } catch (IOException e) {
                        if (mount.isAlive()) {
                            String rclone = stderrAfterError(mount, mark, target.path());
                            if (RcloneErrors.accessDenied(rclone)) {
                                // A wrong password or key shows as EIO on the mount; rclone's stderr says what it was.
                                throw new StorageException(uri, StorageException.Cause.ACCESS_DENIED, "access denied: "
                                        + uri.input() + RcloneErrors.suffix(rclone), e);
                            }
                            String reason = e instanceof java.nio.file.FileSystemException && ((java.nio.file.FileSystemException) e).getReason() != null
                                    ? ((java.nio.file.FileSystemException) e).getReason() : String.valueOf(e.getMessage());
                            throw new StorageException(uri, StorageException.Cause.TOOL_FAILED, "cannot read " + uri.input() + ": "
                                    + reason + RcloneErrors.suffix(rclone), e);
                        }
                        if (lease.fresh() || attempt >= 2) {
                            throw mount.exited(uri);
                        }
                        LOG.log(System.Logger.Level.WARNING, "mount: " + mount + " died while preparing " + uri.input() + "; mounting again");
                        continue attempts;
                    }
                }
                if (!attributes.isRegularFile()) {
                    throw new StorageException(uri, StorageException.Cause.NOT_A_FILE, "not a file: " + uri.input()
                            + (attributes.isDirectory() ? " (a directory)" : ""));
                }
                // What the remote says of the object now, for the read check to compare with once it has been read.
                RemoteStat atPrepare = RemoteStat.of(mount.control(), mount.tool(), target, deadline);
                PreparedInput input = PreparedInput.of(NAME, file.toString(), lease::close)
                        .withReadCheck(ReadCheck.of(mount, () -> mount.stderrSince(mark), mount.control(), mount.tool(), target,
                                atPrepare))
                        .withReadAbort(mount::abortReads);
                if (cfg.cached()) {
                    input = input.withVfsCache(new VfsCacheLocation(cfg.cacheDir(), target.root(), target.path(), file, mount.control()));
                }
                handedOut = true;
                counters.succeeded(System.nanoTime() - t0, started);
                return input;
            } finally {
                if (!handedOut) {
                    lease.close();
                }
            }
        }
    }

    /**
     * rclone's stderr since {@code mark}, waiting up to {@link #STDERR_GRACE_MILLIS} for it: the kernel hands the
     * caller EIO before rclone's log line saying why (401, SignatureDoesNotMatch) has been drained.
     */
    private static String stderrAfterError(RcloneMount mount, long mark, String path) throws InterruptedException {
        long until = System.nanoTime() + STDERR_GRACE_MILLIS * 1_000_000L;
        String rclone = mount.stderrAbout(mark, path);
        while (rclone.isBlank() && System.nanoTime() < until) {
            Thread.sleep(20);
            rclone = mount.stderrAbout(mark, path);
        }
        return rclone;
    }

    private Lease<RcloneMount> acquire(AssetUri uri, RcloneTarget target, MountSettings cfg, NodeSettings settings,
                                       Deadline deadline) throws StorageException, InterruptedException {
        try {
            return pool.acquire(target.root(), cfg.idle(), cfg.maxProcesses(), deadline, root -> {
                RcloneTool tool = RcloneTool.find(settings).orElseThrow(() -> new StorageException(uri,
                        StorageException.Cause.TOOL_FAILED, "cannot read " + uri.input() + ": " + RcloneTool.problem(settings)));
                Path fusermount = Executables.find(fusermountCommand).orElseThrow(() -> new StorageException(uri,
                        StorageException.Cause.TOOL_FAILED, "cannot read " + uri.input() + ": " + fusermountCommand
                        + " is not on the PATH (install fuse3)"));
                return RcloneMount.start(root, tool, new Fusermount(fusermount), cfg, deadline, uri);
            });
        } catch (ProcessBudget.Exhausted full) {
            // The node's own state (its rclone processes all busy), nothing a remote said: shown to API clients as it is.
            throw new StorageException(uri, StorageException.Cause.UNAVAILABLE, "cannot read " + uri.input() + ": " + full.getMessage(), full);
        } catch (IllegalStateException closed) {
            throw new StorageException(uri, StorageException.Cause.UNAVAILABLE, "cannot read " + uri.input()
                    + ": the mount storage is closed (the node is shutting down)", closed);
        }
    }

    /** The variables it reads, as {@code providers} lists them. */
    @Override
    public java.util.Set<String> settings() {
        return java.util.Set.of(MountSettings.MOUNT_ROOT, MountSettings.CACHE_DIR, MountSettings.CACHE_MODE,
                MountSettings.CACHE_MAX_SIZE, MountSettings.CACHE_MAX_AGE, MountSettings.READY_TIMEOUT, MountSettings.IDLE,
                DirCache.TIME, RcloneTool.BIN, RcloneTool.CONFIG, NetworkTimeouts.READ, NetworkTimeouts.CONNECT,
                ProcessBudget.MAX_PROCESSES);
    }

    /**
     * Stops the rclone processes killed nodes left ({@link Orphans}), then takes down their mounts in the mount root
     * and removes the empty directories ({@link LeftoverMounts}); and mounts the FUSE control file system that
     * {@code abortReads} needs, when it is not ({@link FuseConnection}). Never throws.
     */
    @Override
    public List<String> reapLeftovers(NodeSettings settings) {
        List<String> lines = new ArrayList<>();
        Optional<Path> rclone;
        try {
            rclone = RcloneTool.find(settings).map(RcloneTool::binary);
        } catch (RuntimeException e) {
            rclone = Optional.empty();
        }
        lines.addAll(Orphans.reap(rclone));
        MountSettings cfg;
        try {
            cfg = MountSettings.read(settings);
        } catch (IllegalArgumentException e) {
            return lines;
        }
        Optional<Path> fusermount = Executables.find(fusermountCommand);
        if (fusermount.isPresent()) {
            lines.addAll(LeftoverMounts.reap(cfg.mountRoot(), new Fusermount(fusermount.get())));
        }
        if (Files.exists(devFuse)) {
            FuseConnection.ensureControlFileSystem().ifPresent(why -> LOG.log(System.Logger.Level.INFO,
                    "mount: stalled reads on a mount will be ended by killing its rclone: " + why));
        }
        return lines;
    }

    /** {@code prepares}, {@code pool_hits}, {@code pool_misses}, {@code failures_<cause>}, latency, pool gauges. */
    @Override
    public Map<String, Number> counters() {
        return counters.snapshot(pool.stats());
    }

    /** Unmounts every mount, leased or not, stops its rclone and removes its directory. Idempotent. */
    @Override
    public void close() {
        pool.close();
        probe.ifMade().ifPresent(FileProbe::close);
    }
}
