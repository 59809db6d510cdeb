package io.vmafx.core.score;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A fresh temporary directory, readable only by its owner (on POSIX file systems), for one scoring run's
 * tool output; {@link #close()} deletes it with everything in it. The scorers open one per run in a
 * try-with-resources, so it goes in every path: success, failure and interrupt.
 */
final class PrivateTempDir implements AutoCloseable {

    private final Path path;

    private PrivateTempDir(Path path) {
        this.path = path;
    }

    /**
     * Creates {@code vmafx-score-*} in {@code root}, or in the system temporary directory when it is null.
     *
     * @throws ScoringException if the directory cannot be created
     */
    static PrivateTempDir create(Path root) throws ScoringException {
        try {
            if (root == null) {
                return new PrivateTempDir(Files.createTempDirectory("vmafx-score-"));
            }
            try {
                return new PrivateTempDir(Files.createTempDirectory(root, "vmafx-score-"));
            } catch (java.nio.file.NoSuchFileException gone) {
                // The node's runtime directory was removed under it (by hand, or a cleaner of the temporary
                // directory): made again, private, rather than failing every job from now on.
                Files.createDirectories(root, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
                return new PrivateTempDir(Files.createTempDirectory(root, "vmafx-score-"));
            }
        } catch (IOException | RuntimeException e) {
            throw new ScoringException("cannot create a temporary directory in "
                    + (root == null ? System.getProperty("java.io.tmpdir") : root) + ": " + e.getMessage(), e);
        }
    }

    Path path() {
        return path;
    }

    /** Deletes the directory tree; best effort, never throws. */
    @Override
    public void close() {
        try {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // Best effort: a leftover file in the private temp dir is harmless.
        }
    }
}
