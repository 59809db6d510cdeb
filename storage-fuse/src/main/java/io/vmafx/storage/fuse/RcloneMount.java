package io.vmafx.storage.fuse;

import io.vmafx.api.uri.AssetUri;
import io.vmafx.rclone.ChildProcess;
import io.vmafx.rclone.Deadline;
import io.vmafx.rclone.PooledMember;
import io.vmafx.rclone.RcloneErrors;
import io.vmafx.rclone.RcloneTool;
import io.vmafx.rclone.RemoteControl;
import io.vmafx.spi.storage.RcloneControl;
import io.vmafx.spi.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code rclone mount <root> <dir> --read-only} child process (not {@code --daemon}: the node owns it and
 * can always stop it) and its mount point. Pooled per remote root by {@link MountStorageProvider}, which starts
 * it with {@link #start} on a pool miss and stops it through the pool: unmount, stop rclone, remove the
 * directory.
 */
final class RcloneMount implements PooledMember {

    private static final System.Logger LOG = System.getLogger(RcloneMount.class.getName());
    /** After the unmount rclone only flushes its cache metadata; a few seconds is plenty. */
    static final Duration STOP_GRACE = Duration.ofSeconds(5);
    static final Duration ABORTED_STOP_GRACE = Duration.ofSeconds(1);

    private final String root;
    private final Path dir;
    private final ChildProcess process;
    private final Fusermount fusermount;
    private final RcloneTool tool;
    private final Duration dirCacheTime;
    /** The kernel's side of the mount, found once it is up; what {@link #abortReads} aborts. */
    private volatile FuseConnection connection;
    /** Set by {@link #abortReads}: the mount serves nothing any more and the pool must replace it. */
    private volatile boolean aborted;
    /** Set when {@link #stop} begins: an abort must not reach the connection of a later mount at the same place. */
    private volatile boolean stopping;
    /** Its remote control, once rclone said where it listens. */
    private final RemoteControl rc;
    private volatile RcloneControl control;

    private RcloneMount(String root, Path dir, ChildProcess process, Fusermount fusermount, RcloneTool tool, Duration dirCacheTime,
            RemoteControl rc) {
        this.rc = rc;
        this.root = root;
        this.dir = dir;
        this.process = process;
        this.fusermount = fusermount;
        this.tool = tool;
        this.dirCacheTime = dirCacheTime;
    }

    /**
     * Mounts {@code root} at its directory below the mount root and waits until the kernel lists the mount.
     *
     * @param uri the input this start is for, named in error messages
     * @throws StorageException     {@code TOOL_FAILED} when the mount point cannot be made ready or rclone cannot be
     *                              started or exits (its stderr tail in the message), {@code TIMEOUT} when the mount
     *                              does not appear before {@code deadline}; nothing is left behind then
     * @throws InterruptedException when interrupted while waiting; nothing is left behind
     */
    static RcloneMount start(String root, RcloneTool tool, Fusermount fusermount, MountSettings cfg, Deadline deadline, AssetUri uri)
            throws StorageException, InterruptedException {
        long t0 = System.nanoTime();
        Path dir = prepareMountPoint(cfg.mountRoot(), root, fusermount, uri);
        List<String> args = new ArrayList<>(List.of("mount", root, dir.toString(), "--read-only"));
        args.addAll(cfg.vfsArgs());
        // What the prepare, the read check and the bypass ask instead of starting rclones of their own.
        RemoteControl rc = RemoteControl.forEnvironment(System.getenv()).orElse(null);
        if (rc != null) {
            args.addAll(rc.args());
        }
        ChildProcess process;
        try {
            process = ChildProcess.start("rclone-mount", tool.command(args), rc == null ? Map.of() : rc.environment());
        } catch (IOException e) {
            MountPoints.removeIfUnmountedAndEmpty(dir);
            throw new StorageException(uri, StorageException.Cause.TOOL_FAILED,
                    "cannot read " + uri.input() + ": cannot start " + tool.binary() + ": " + e.getMessage(), e);
        }
        RcloneMount mount = new RcloneMount(root, dir, process, fusermount, tool, cfg.dirCacheTime(), rc);
        try {
            mount.awaitMounted(deadline, uri);
        } catch (Throwable t) {
            mount.stop();
            throw t;
        }
        LOG.log(System.Logger.Level.INFO, () -> "mount: rclone mount " + root + " is up at " + dir + " (pid " + process.pid()
                + ", " + (System.nanoTime() - t0) / 1_000_000 + " ms)");
        return mount;
    }

    /**
     * Makes the mount point of {@code root} an empty directory that is no mount point, and returns it. A mount
     * left there by a node that was killed (a dead FUSE connection) is unmounted; files found there are never
     * deleted: that is refused.
     */
    private static Path prepareMountPoint(Path mountRoot, String root, Fusermount fusermount, AssetUri uri) throws StorageException {
        Path dir = MountPoints.dirFor(mountRoot, root);
        try {
            // The kernel lists mounts under their real path (/var/run, not /run, if /run is a link), so the
            // name is resolved against the real mount root. Not against the directory itself: a dead FUSE
            // mount there cannot even be stat'ed.
            Files.createDirectories(mountRoot);
            dir = MountPoints.dirFor(mountRoot.toRealPath(), root);
            if (MountTable.isMounted(dir)) {
                LOG.log(System.Logger.Level.WARNING, "mount: " + dir + " is mounted already (left by a stopped node?); unmounting it");
                if (!fusermount.unmount(dir)) {
                    throw new StorageException(uri, StorageException.Cause.TOOL_FAILED, "cannot read " + uri.input()
                            + ": the mount point " + dir + " is mounted and cannot be unmounted");
                }
            }
            Files.createDirectories(dir);
            if (!MountPoints.isEmpty(dir)) {
                throw new StorageException(uri, StorageException.Cause.TOOL_FAILED, "cannot read " + uri.input()
                        + ": the mount point " + dir + " is not empty (the node mounts over nothing and deletes nothing there)");
            }
            return dir;
        } catch (IOException e) {
            throw new StorageException(uri, StorageException.Cause.TOOL_FAILED,
                    "cannot read " + uri.input() + ": cannot create the mount point " + dir + ": " + e, e);
        }
    }

    private void awaitMounted(Deadline deadline, AssetUri uri) throws StorageException, InterruptedException {
        long pause = 2;
        while (true) {
            Optional<MountTable.Mount> m;
            try {
                m = MountTable.at(dir);
            } catch (IOException e) {
                throw new StorageException(uri, StorageException.Cause.TOOL_FAILED,
                        "cannot read " + uri.input() + ": cannot read " + MountTable.MOUNTINFO + ": " + e, e);
            }
            if (m.isPresent() && m.get().fsType().startsWith("fuse")) {
                connection = FuseConnection.of(m.get()).orElse(null);
                // rclone starts its remote control before it mounts, so the line is in stderr by now.
                control = rc == null ? null : rc.endpoint(process.stderrTail()).orElse(null);
                if (rc != null && control == null) {
                    LOG.log(System.Logger.Level.INFO, "mount: rclone mount " + root + " did not log where its remote control"
                            + " listens; the bypass asks rclone processes of its own for it");
                }
                return;
            }
            if (!process.isAlive()) {
                throw exited(uri);
            }
            if (deadline.expired()) {
                throw new StorageException(uri, StorageException.Cause.TIMEOUT, "cannot read " + uri.input()
                        + ": rclone mount " + root + " did not mount within " + deadline.describe()
                        + RcloneErrors.suffix(process.stderrTail()));
            }
            deadline.sleep(pause);
            pause = Math.min(25, pause * 2);
        }
    }

    /** The {@code TOOL_FAILED} error for rclone having exited, with the tail of its stderr. */
    StorageException exited(AssetUri uri) {
        String tail = process.stderrTail();
        return new StorageException(uri, StorageException.Cause.TOOL_FAILED, "cannot read " + uri.input()
                + ": rclone mount " + root + " exited with code " + process.exitCode().orElse(-1) + ": "
                + (tail.isEmpty() ? "(it wrote nothing to stderr)" : tail));
    }

    /** The path of {@code path} (below the remote root) on this mount. */
    Path resolve(String path) {
        return dir.resolve(path);
    }

    Path dir() {
        return dir;
    }

    /** Its remote control, or null when rclone did not say where it listens. */
    RcloneControl control() {
        return control;
    }

    /** The rclone (binary and config) it runs: what a direct check on the remote must use too. */
    RcloneTool tool() {
        return tool;
    }

    /** Its {@code --dir-cache-time}: at most this long after it last listed a directory, it lists it again. */
    Duration dirCacheTime() {
        return dirCacheTime;
    }

    /**
     * Makes rclone forget every directory listing it holds, so the next lookup lists the remote again:
     * {@code SIGHUP}, which {@code rclone mount} takes as "flush all directory caches" (files open meanwhile are
     * not disturbed). The kernel does not cache "no such file" answers from rclone, so a path that was missing
     * is looked up anew at once; attributes it has cached stay for up to {@code --attr-timeout} (1 s).
     *
     * @return whether the signal was delivered (it is handled a moment later, not before this returns)
     */
    boolean forgetDirectories() throws InterruptedException {
        return process.signal("HUP");
    }

    String root() {
        return root;
    }

    long pid() {
        return process.pid();
    }

    long stderrMark() {
        return process.stderrMark();
    }

    String stderrSince(long mark) {
        return process.stderrSince(mark);
    }

    /** What rclone logged after {@code mark} that can be about the object at {@code path} ({@link RcloneErrors#about}). */
    String stderrAbout(long mark, String path) {
        return RcloneErrors.about(process.stderrSince(mark), path);
    }

    /** rclone runs, the kernel still lists the mount, and its reads were not aborted. */
    @Override
    public boolean isAlive() {
        return !aborted && process.isAlive() && MountTable.isMounted(dir);
    }

    /**
     * Ends every read blocked on this mount, and every later one, with {@code ENOTCONN}: writes {@code 1} to its FUSE
     * connection's {@code abort} ({@link FuseConnection}); when that cannot be done (no control file system), kills
     * rclone, which ends the connection too. From then on the mount counts as dead, so the pool's next acquire
     * unmounts it and mounts the root afresh. Other jobs reading through this mount fail as well: it is one per
     * remote root. Never throws; returns within about a second.
     *
     * @return whether anything was aborted: false once this mount is being stopped, or when rclone and the mount were
     *         gone already
     */
    boolean abortReads() {
        if (stopping) {
            return false;
        }
        aborted = true;
        FuseConnection c = connection;
        Optional<String> problem = c == null ? Optional.of("its FUSE connection is not known") : c.abort();
        if (problem.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "mount: aborted " + c + " of rclone mount " + root + " (pid " + process.pid()
                    + "): reads through it were stalled; the next prepare mounts " + root + " again");
            return true;
        }
        if (!process.isAlive()) {
            LOG.log(System.Logger.Level.INFO, "mount: nothing to abort for rclone mount " + root + ": rclone has exited (" + problem.get() + ")");
            return false;
        }
        // The kernel aborts a connection whose last /dev/fuse descriptor closes: rclone's, when it dies.
        process.stop(Duration.ZERO);
        LOG.log(System.Logger.Level.WARNING, "mount: killed rclone mount " + root + " (pid " + process.pid() + ") to end reads"
                + " through it that were stalled (" + problem.get() + "); the next prepare mounts " + root + " again");
        return true;
    }

    /**
     * {@code fusermount3 -u} (then {@code -uz} when busy), then SIGTERM to rclone (SIGKILL after
     * {@link #STOP_GRACE}), then the mount directory itself is removed if it is no mount point and empty.
     */
    @Override
    public void stop() {
        stopping = true;
        boolean unmounted = fusermount.unmount(dir);
        // An aborted mount's rclone has nothing to finish (it may be the reason reads stalled): a short grace.
        process.stop(aborted ? ABORTED_STOP_GRACE : STOP_GRACE);
        // A dead rclone's mount can be unmounted now if the first try found it busy.
        if (!unmounted) {
            unmounted = fusermount.unmount(dir);
        }
        boolean removed = unmounted && MountPoints.removeIfUnmountedAndEmpty(dir);
        LOG.log(System.Logger.Level.DEBUG, () -> "mount: stopped rclone mount " + root + " (pid " + process.pid() + ")"
                + (removed ? "" : "; " + dir + " stays"));
    }

    @Override
    public String toString() {
        return "rclone mount " + root + " at " + dir + " (pid " + process.pid() + ")";
    }
}
