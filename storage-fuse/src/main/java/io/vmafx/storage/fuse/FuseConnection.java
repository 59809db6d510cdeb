package io.vmafx.storage.fuse;

import io.vmafx.rclone.ChildProcess;
import io.vmafx.rclone.Executables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The kernel's side of one FUSE mount, in the FUSE control file system: {@code /sys/fs/fuse/connections/<N>/},
 * where {@code N} is the minor device number of the mount's root ({@code st_dev}). Writing to its {@code abort}
 * ends the connection: every request waiting for the FUSE server (rclone) is answered with {@code ENOTCONN} at once,
 * and so is every later one, so a reader stuck in {@code read(2)}, even in uninterruptible sleep, returns.
 *
 * <p>That is the only way to end such a read: a SIGKILL to the reader waits for the request, and rclone may never
 * answer it (a local FIFO on the remote, a file truncated under its VFS cache, a hung rclone). The number comes
 * from {@code /proc/self/mountinfo}, not from {@code stat} of the mount root, which would block on that same
 * rclone. {@link RcloneMount} finds its connection when it is up and aborts it from {@code abortReads}.
 *
 * <p>The control file system is mounted at start-up when it is not ({@code mount -t fusectl none
 * /sys/fs/fuse/connections}, which needs root); without it {@link #abort} says so and the caller kills rclone
 * instead, which ends the connection too (the kernel aborts it when its last {@code /dev/fuse} descriptor closes).
 */
final class FuseConnection {

    static final Path CONNECTIONS = Path.of("/sys/fs/fuse/connections");
    private static final System.Logger LOG = System.getLogger(FuseConnection.class.getName());
    private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(5);

    private final Path mountPoint;
    private final long number;

    private FuseConnection(Path mountPoint, long number) {
        this.mountPoint = mountPoint;
        this.number = number;
    }

    /** The connection of the FUSE mount at {@code mountPoint}, or empty when no FUSE file system is mounted there. */
    static Optional<FuseConnection> of(Path mountPoint) throws IOException {
        return MountTable.at(mountPoint).flatMap(FuseConnection::of);
    }

    /** The connection of a mount table row, when it is a FUSE mount (major 0, a minor number). */
    static Optional<FuseConnection> of(MountTable.Mount mount) {
        if (!mount.fsType().startsWith("fuse") || mount.major() != 0 || mount.minor() < 0) {
            return Optional.empty();
        }
        return Optional.of(new FuseConnection(mount.mountPoint(), mount.minor()));
    }

    /** Its number: the directory name below {@link #CONNECTIONS}. */
    long number() {
        return number;
    }

    /**
     * Aborts the connection, if it is still the one mounted at the mount point (a number is reused once a mount is
     * gone, so a stale one must never abort a newer mount). Never throws.
     *
     * @return empty when it was aborted, else why not (no control file system, the mount is gone, ...)
     */
    Optional<String> abort() {
        try {
            Optional<MountTable.Mount> now = MountTable.at(mountPoint);
            if (now.isEmpty() || now.get().minor() != number || now.get().major() != 0) {
                return Optional.of("nothing is mounted at " + mountPoint + " with FUSE connection " + number + " any more");
            }
        } catch (IOException e) {
            return Optional.of("cannot read " + MountTable.MOUNTINFO + ": " + e.getMessage());
        }
        Optional<String> problem = ensureControlFileSystem();
        if (problem.isPresent()) {
            return problem;
        }
        Path abort = CONNECTIONS.resolve(Long.toString(number)).resolve("abort");
        try {
            Files.write(abort, "1".getBytes(StandardCharsets.US_ASCII));
            return Optional.empty();
        } catch (IOException | SecurityException e) {
            return Optional.of("cannot write " + abort + ": " + e);
        }
    }

    /**
     * Mounts the FUSE control file system at {@link #CONNECTIONS} unless it is there. Called once by the provider at
     * start-up and before an abort; never throws.
     *
     * @return empty when it is mounted, else why not
     */
    static Optional<String> ensureControlFileSystem() {
        try {
            if (MountTable.read().stream().anyMatch(m -> m.mountPoint().equals(CONNECTIONS) && m.fsType().equals("fusectl"))) {
                return Optional.empty();
            }
        } catch (IOException e) {
            return Optional.of("cannot read " + MountTable.MOUNTINFO + ": " + e.getMessage());
        }
        if (!Files.isDirectory(CONNECTIONS)) {
            return Optional.of(CONNECTIONS + " does not exist (no FUSE control file system in this kernel)");
        }
        Optional<Path> mount = Executables.find("mount");
        if (mount.isEmpty()) {
            return Optional.of("the FUSE control file system is not mounted at " + CONNECTIONS + " and no mount command is on the PATH");
        }
        ChildProcess p = null;
        boolean interrupted = Thread.interrupted();
        try {
            p = ChildProcess.start("mount-fusectl", List.of(mount.get().toString(), "-t", "fusectl", "none", CONNECTIONS.toString()), Map.of());
            boolean ended;
            while (true) {
                try {
                    ended = p.awaitExit(MOUNT_TIMEOUT);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (ended && p.exitCode().orElse(-1) == 0) {
                LOG.log(System.Logger.Level.INFO, "mount: mounted the FUSE control file system at " + CONNECTIONS);
                return Optional.empty();
            }
            String why = ended ? p.stderrTail() : "it did not finish within " + MOUNT_TIMEOUT.toSeconds() + " s";
            return Optional.of("the FUSE control file system is not mounted at " + CONNECTIONS + " and mounting it failed: "
                    + (why.isEmpty() ? "exit code " + p.exitCode().orElse(-1) : why));
        } catch (IOException e) {
            return Optional.of("cannot run " + mount.get() + ": " + e.getMessage());
        } finally {
            if (p != null) {
                p.stop(Duration.ofSeconds(1));
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "FUSE connection " + number + " (" + mountPoint + ")";
    }
}
