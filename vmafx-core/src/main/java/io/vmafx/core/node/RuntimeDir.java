package io.vmafx.core.node;

import io.vmafx.spi.NodeProcess;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The node's own temporary directory, {@code <java.io.tmpdir>/vmafx-node-<user>/<node process id>/node-*}
 * (all 0700): the scorers make their per-run directories in it, and those hold what must not outlive the node,
 * such as ffmpeg's input lists with an http-serve URL's credentials in them.
 *
 * <p>{@link #close()} removes it with the node. A node that was killed cannot, so {@link #open} first removes the
 * directories of node processes that are not running any more ({@link NodeProcess#isRunning()}), with everything
 * in them; those of running nodes stay. Made by {@link Node#start}.
 */
final class RuntimeDir implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RuntimeDir.class.getName());

    private final Path base;
    private final Path processDir;
    private final Path session;
    private final List<String> reaped;

    private RuntimeDir(Path base, Path processDir, Path session, List<String> reaped) {
        this.base = base;
        this.processDir = processDir;
        this.session = session;
        this.reaped = reaped;
    }

    /**
     * Removes the stale directories below {@code <tmp>/vmafx-node-<user>/} and makes this node's: a directory of its
     * own ({@code node-*}) in its process's, since one JVM may run several nodes (the benches do).
     *
     * @throws IOException when the directory cannot be made, or the base is not a private directory of this user
     */
    static RuntimeDir open(Path tmp) throws IOException {
        Path base = tmp.resolve("vmafx-node-" + System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_"));
        NodeProcess self = NodeProcess.current();
        for (int attempt = 1; ; attempt++) {
            try {
                privateDirectory(base);
                List<String> reaped = removeStale(base, self);
                Path processDir = base.resolve(self.id());
                privateDirectory(processDir);
                Path session = Files.createTempDirectory(processDir, "node-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                return new RuntimeDir(base, processDir, session, reaped);
            } catch (NoSuchFileException e) {
                // Another node removed an empty directory between our steps: once more.
                if (attempt >= 3) {
                    throw e;
                }
            }
        }
    }

    /** Creates {@code dir} 0700, or checks that the existing one is a real directory owned by this user. */
    private static void privateDirectory(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            BasicFileAttributes a = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isDirectory()) {
                throw new IOException(dir + " exists and is not a directory");
            }
            String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
            if (!owner.equals(System.getProperty("user.name"))) {
                throw new IOException(dir + " belongs to " + owner + ", not to this user");
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    private static List<String> removeStale(Path base, NodeProcess self) {
        List<String> removed = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(base)) {
            for (Path entry : entries) {
                Optional<NodeProcess> owner = NodeProcess.parse(entry.getFileName().toString());
                if (owner.isEmpty() || owner.get().equals(self) || owner.get().isRunning()
                        || !Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try {
                    deleteTree(entry);
                    removed.add("removed the temporary directory " + entry + " of " + owner.get() + ", which is gone");
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot remove " + entry + ", left by " + owner.get() + ": " + e);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list " + base + ": " + e);
        }
        return removed;
    }

    /** This process's directory. */
    Path path() {
        return session;
    }

    /** What {@link #open} removed, one line each. */
    List<String> reaped() {
        return reaped;
    }

    /**
     * Removes this node's directory with everything in it, then its process's and the base when that leaves them
     * empty (another node of this JVM, or another node process, may be using them).
     */
    @Override
    public void close() {
        try {
            deleteTree(session);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove " + session + ": " + e);
        }
        for (Path dir : List.of(processDir, base)) {
            try {
                Files.deleteIfExists(dir); // an rmdir: only when empty
            } catch (IOException e) {
                // not empty, or gone
            }
        }
    }

    /** Deletes {@code dir} and everything below it, never following symbolic links. */
    static void deleteTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null && !(exc instanceof NoSuchFileException)) {
                    throw exc;
                }
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
