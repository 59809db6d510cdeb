package io.vmafx.storage.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What killed nodes left in the mount root: FUSE mounts whose rclone is gone (a dead connection: every access
 * fails with "Transport endpoint is not connected") and empty mount directories. Run by
 * {@link MountStorageProvider#reapLeftovers} when a node starts, after the orphaned rclone processes were stopped.
 *
 * <p>Only directories named as the provider names them ({@code <16 hex digits>-<hint>}) directly below the mount
 * root are considered, and a mount is taken down only when no running process has its directory on its command
 * line: a live node's {@code rclone mount <root> <dir>} always does, so another node's mount in a shared mount root
 * is never touched. Unmounting is {@code fusermount3 -u}, lazily {@code -uz} when busy; a directory is removed
 * only when it is no mount point and empty. Nothing on or below a mount is ever deleted.
 */
final class LeftoverMounts {

    private static final System.Logger LOG = System.getLogger(LeftoverMounts.class.getName());
    private static final Pattern NAME = Pattern.compile("[0-9a-f]{16}-[A-Za-z0-9._-]+");
    private static final Path PROC = Path.of("/proc");

    private LeftoverMounts() {
    }

    /**
     * Unmounts the leftover mounts below {@code mountRoot} and removes its empty leftover directories.
     *
     * @return one line per thing removed, for the node's log
     */
    static List<String> reap(Path mountRoot, Fusermount fusermount) {
        Path root;
        try {
            root = mountRoot.toRealPath();
        } catch (IOException e) {
            return List.of(); // no mount root yet: nothing was left in it
        }
        List<String> lines = new ArrayList<>();
        List<MountTable.Mount> mounts;
        try {
            mounts = MountTable.read();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "mount: cannot read " + MountTable.MOUNTINFO + " to find mounts left by killed nodes: " + e);
            return lines;
        }
        // Read after the orphans were stopped: only live processes' arguments are here.
        Set<String> inUse = commandLineArguments();
        for (MountTable.Mount m : mounts) {
            Path dir = m.mountPoint();
            if (!m.fsType().startsWith("fuse") || !root.equals(dir.getParent()) || !NAME.matcher(dir.getFileName().toString()).matches()) {
                continue;
            }
            if (inUse.contains(dir.toString())) {
                continue; // a running rclone serves it: this node's (none yet) or another node's
            }
            if (fusermount.unmount(dir)) {
                lines.add("unmounted " + dir + " (" + m.fsType() + " " + m.source() + "), whose rclone was gone");
            } else {
                LOG.log(System.Logger.Level.WARNING, "mount: cannot unmount " + dir + ", left by a killed node");
            }
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path dir : entries) {
                if (NAME.matcher(dir.getFileName().toString()).matches() && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                        && !MountTable.isMounted(dir) && !inUse.contains(dir.toString()) && MountPoints.isEmpty(dir) && MountPoints.removeIfUnmountedAndEmpty(dir)) {
                    lines.add("removed the empty mount directory " + dir);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "mount: cannot list " + root + ": " + e);
        }
        return lines;
    }

    /** Every argument of every running process's command line (world-readable in {@code /proc}). */
    static Set<String> commandLineArguments() {
        Set<String> args = new HashSet<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : procs) {
                try {
                    for (String a : new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).split("\0")) {
                        args.add(a);
                    }
                } catch (IOException | SecurityException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "mount: cannot list " + PROC + ": " + e);
        }
        return args;
    }
}
