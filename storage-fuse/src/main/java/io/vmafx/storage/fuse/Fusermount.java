package io.vmafx.storage.fuse;

import io.vmafx.rclone.ChildProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Unmounts a FUSE mount with {@code fusermount3}: {@code -u} first, and when the mount is busy (ffmpeg or a
 * stray shell still has a file open there) the lazy {@code -uz}, which detaches it now and lets the kernel
 * finish once the last file is closed. Called by {@link RcloneMount#stop} before rclone is stopped, so rclone
 * sees a clean unmount rather than a yanked connection.
 */
final class Fusermount {

    private static final System.Logger LOG = System.getLogger(Fusermount.class.getName());
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Path executable;

    Fusermount(Path executable) {
        this.executable = executable;
    }

    /**
     * Unmounts {@code dir} if it is mounted. Never throws; keeps an interrupt in the thread's status.
     *
     * @return whether {@code dir} is no mount point any more
     */
    boolean unmount(Path dir) {
        if (!MountTable.isMounted(dir)) {
            return true;
        }
        String why = run(List.of(executable.toString(), "-u", dir.toString()));
        if (!MountTable.isMounted(dir)) {
            return true;
        }
        LOG.log(System.Logger.Level.INFO, "mount: " + dir + " is busy (" + why + "); unmounting lazily");
        why = run(List.of(executable.toString(), "-uz", dir.toString()));
        if (!MountTable.isMounted(dir)) {
            return true;
        }
        LOG.log(System.Logger.Level.WARNING, "mount: cannot unmount " + dir + ": " + why);
        return false;
    }

    /** Runs one fusermount3 command to its end; returns its stderr (empty when it succeeded quietly). */
    private static String run(List<String> command) {
        boolean interrupted = Thread.interrupted(); // an unmount must run to its end even for a cancelled job
        ChildProcess p = null;
        try {
            p = ChildProcess.start("fusermount3", command, Map.of());
            boolean ended;
            while (true) {
                try {
                    ended = p.awaitExit(TIMEOUT);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (!ended) {
                return "fusermount3 did not finish within " + TIMEOUT.toSeconds() + " s";
            }
            return p.stderrTail();
        } catch (IOException e) {
            return "cannot run " + command.get(0) + ": " + e.getMessage();
        } finally {
            if (p != null) {
                p.stop(Duration.ofSeconds(1));
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
