package io.vmafx.bypass.ebpf.cache;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The node's private directory for hard links to rclone's cache files, on the cache's file system:
 * {@code <cacheDir>/.vmafx-bypass/} (0700), one session directory per node process
 * ({@code <pid>-<process start ms>-<random>}, 0700) and in it one directory per bypassed input
 * ({@code <random>/}, 0700) holding the link under the asset's own file name, so ffmpeg sees the same name (and
 * extension) as through the mount.
 *
 * <p>A hard link keeps the inode, and so the bytes ffmpeg reads, alive when rclone evicts or replaces the cache
 * file (it unlinks the path and writes a new file). rclone never looks below {@code <cacheDir>} except in
 * {@code vfs/} and {@code vfsMeta/}, so it neither sees nor counts these links: while a job holds a link to a file
 * rclone has evicted, the disk holds those bytes beyond {@code --vfs-cache-max-size}, until the job ends.
 *
 * <p>Session directories of node processes that are gone (the pid is not running, or runs a process that started
 * at another time) are removed by {@link #cleanStale}, which a new area runs before making its own.
 */
final class LinkArea implements AutoCloseable {

    static final String DIR = ".vmafx-bypass";
    private static final System.Logger LOG = System.getLogger(LinkArea.class.getName());
    private static final Pattern SESSION = Pattern.compile("(\\d+)-(\\d+)-[0-9a-f]{8}");
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path root;
    private final Path session;
    /** Job directories handed out and not yet released. */
    private final Set<Path> live = ConcurrentHashMap.newKeySet();

    private LinkArea(Path root, Path session) {
        this.root = root;
        this.session = session;
    }

    /** A hard link handed to ffmpeg, in its own directory. */
    record Link(Path dir, Path path) {
    }

    /** Makes this process's session directory in {@code <cacheDir>/.vmafx-bypass}, after cleaning stale ones. */
    static LinkArea open(Path cacheDir) throws IOException {
        Path root = cacheDir.resolve(DIR);
        privateDirectory(root);
        cleanStale(cacheDir);
        ProcessHandle self = ProcessHandle.current();
        String name = self.pid() + "-" + startMillis(self).orElse(0L) + "-" + random(4);
        Path session = root.resolve(name);
        Files.createDirectory(session, PRIVATE);
        return new LinkArea(root, session);
    }

    /** Creates {@code dir} 0700 if missing; an existing one must be a real directory (not a link), made 0700. */
    private static void privateDirectory(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, PRIVATE);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            BasicFileAttributes a = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isDirectory()) {
                throw new IOException(dir + " exists and is not a directory");
            }
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    private static Optional<Long> startMillis(ProcessHandle p) {
        return p.info().startInstant().map(java.time.Instant::toEpochMilli);
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /**
     * Removes the session directories below {@code <cacheDir>/.vmafx-bypass} whose node process is gone, with the
     * links in them (removing a link never touches the cache file's data). Entries it does not recognise stay.
     *
     * @return how many session directories it removed
     */
    static int cleanStale(Path cacheDir) {
        Path root = cacheDir.resolve(DIR);
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                Matcher m = SESSION.matcher(entry.getFileName().toString());
                if (!m.matches() || !Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS) || alive(m.group(1), m.group(2))) {
                    continue;
                }
                try {
                    deleteTree(entry);
                    removed++;
                    LOG.log(System.Logger.Level.INFO, "bypass: removed the stale link directory " + entry);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "bypass: cannot remove the stale link directory " + entry + ": " + e);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "bypass: cannot list " + root + ": " + e);
        }
        return removed;
    }

    private static boolean alive(String pid, String startMillis) {
        Optional<ProcessHandle> p;
        try {
            p = ProcessHandle.of(Long.parseLong(pid));
        } catch (NumberFormatException e) {
            return false;
        }
        if (p.isEmpty() || !p.get().isAlive()) {
            return false;
        }
        long start = Long.parseLong(startMillis);
        Optional<Long> actual = startMillis(p.get());
        // Without a start time to compare (0, or none known) a live pid counts as the owner: better a stale
        // directory left for the next start than a live one removed.
        return start == 0 || actual.isEmpty() || Math.abs(actual.get() - start) < 1000;
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

    /**
     * Hard-links {@code data} as {@code <session>/<random>/<fileName>}.
     *
     * @throws NoSuchFileException when {@code data} is gone (evicted since it was checked)
     * @throws IOException         when the link cannot be made (another file system: {@code EXDEV}; permissions)
     */
    Link link(Path data, String fileName) throws IOException {
        Path dir = session.resolve(random(8));
        Files.createDirectory(dir, PRIVATE);
        live.add(dir);
        Path link = dir.resolve(fileName);
        try {
            Files.createLink(link, data);
        } catch (IOException | RuntimeException e) {
            release(new Link(dir, link));
            throw e;
        }
        return new Link(dir, link);
    }

    /** Removes the link and its directory; false when something stayed (logged). Idempotent. */
    boolean release(Link l) {
        try {
            Files.deleteIfExists(l.path());
            Files.deleteIfExists(l.dir());
            live.remove(l.dir());
            return true;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "bypass: cannot remove the link " + l.path() + ": " + e);
            return false;
        }
    }

    Path session() {
        return session;
    }

    /** How many links are handed out and not released. */
    int live() {
        return live.size();
    }

    /** Removes the session directory with every link still in it, and the area's root if it is then empty. */
    @Override
    public void close() {
        try {
            deleteTree(session);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "bypass: cannot remove " + session + ": " + e);
        }
        live.clear();
        try {
            Files.deleteIfExists(root); // only when empty: another node process may be using it
        } catch (IOException e) {
            // not empty (another session), or gone
        }
    }
}
