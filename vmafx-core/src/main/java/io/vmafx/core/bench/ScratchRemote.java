package io.vmafx.core.bench;

import io.vmafx.core.config.ConfigException;
import io.vmafx.core.config.NodeConfig;
import io.vmafx.core.config.Variable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A private scratch directory with an rclone remote on a local directory, for the demo and the benches:
 * the rclone storage modes read local files through a real rclone, with nothing to configure.
 *
 * <pre>
 *   &lt;tmp&gt;/vmafx-&lt;what&gt;-XXXX/   (0700)
 *     data/          the remote's files: an {@code alias} remote named {@code vmafx-<what>-<hex>} points here
 *     rclone.conf    (0600) that remote only
 *     mounts/        VMAFX_STORAGE_MOUNT_ROOT, unless the user set one
 *     cache/         VMAFX_CACHE_DIR, unless the user set one
 * </pre>
 *
 * <p>{@link #close()} runs after every node that used it is closed. It never deletes through a mount: a mount
 * point still found below the directory is left out (after one lazy unmount of an rclone mount of our own
 * data) and reported. With a user-set cache directory, the VFS cache entries rclone made for our data are
 * removed there, and the directories they needed if they were new. {@link Cleanup} then says what, if
 * anything, was left behind: a child process of this JVM, a mount of our data, the directory.
 */
public final class ScratchRemote implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ScratchRemote.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final Path data;
    private final Path rcloneConfig;
    private final String remote;
    /** Directories below a user-set cache directory that our cleanup may remove, with whether each existed first. */
    private final Map<Path, Boolean> cacheChain = new LinkedHashMap<>();
    private final List<Path> cacheEntries = new ArrayList<>();
    /** Checks of what others (providers, closed with their nodes) must have removed before {@link #close()}. */
    private final List<Supplier<List<String>>> closeChecks = new ArrayList<>();
    private boolean closed;

    private ScratchRemote(Path dir, Path data, Path rcloneConfig, String remote) {
        this.dir = dir;
        this.data = data;
        this.rcloneConfig = rcloneConfig;
        this.remote = remote;
    }

    /**
     * Creates {@code vmafx-<what>-*} in the system temporary directory, with the remote {@code vmafx-<what>-<hex>}.
     *
     * @param what {@code demo}, {@code bench}: names the directory and the remote
     */
    public static ScratchRemote create(String what) throws IOException {
        Path dir = Files.createTempDirectory("vmafx-" + what + "-").toRealPath();
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            Path data = Files.createDirectory(dir.resolve("data"));
            byte[] id = new byte[3];
            RANDOM.nextBytes(id);
            String remote = "vmafx-" + what + "-" + HexFormat.of().formatHex(id);
            Path conf = dir.resolve("rclone.conf");
            Files.writeString(conf, "# written by vmafx-node " + what + "; removed when it ends\n"
                    + "[" + remote + "]\ntype = alias\nremote = " + data + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
            return new ScratchRemote(dir, data, conf, remote);
        } catch (IOException | RuntimeException e) {
            deleteTree(dir, new ArrayList<>());
            throw e;
        }
    }

    /** The scratch directory (a real path). */
    public Path dir() {
        return dir;
    }

    /** The directory the remote serves. */
    public Path data() {
        return data;
    }

    public Path rcloneConfig() {
        return rcloneConfig;
    }

    /** The remote's name, without the colon. */
    public String remote() {
        return remote;
    }

    /** The asset URI of {@code file} in {@link #data()}: {@code remote:file}. */
    public String uri(String file) {
        return remote + ":" + file;
    }

    /**
     * The node configuration for reading this remote: the user's environment and flags, with the rclone config
     * replaced by ours, mount root and cache directory in the scratch directory unless the user set them, and
     * {@code overrides} on top.
     */
    public NodeConfig config(Map<String, String> env, Map<Variable, String> userFlags, Path home, Map<Variable, String> overrides)
            throws ConfigException {
        Map<Variable, String> flags = new EnumMap<>(Variable.class);
        flags.putAll(userFlags);
        flags.put(Variable.RCLONE_CONFIG, rcloneConfig.toString());
        if (!isSet(env, userFlags, Variable.STORAGE_MOUNT_ROOT)) {
            flags.put(Variable.STORAGE_MOUNT_ROOT, dir.resolve("mounts").toString());
        }
        if (!isSet(env, userFlags, Variable.CACHE_DIR)) {
            flags.put(Variable.CACHE_DIR, dir.resolve("cache").toString());
        }
        flags.putAll(overrides);
        NodeConfig config = NodeConfig.load(env, flags, home);
        config.path(Variable.CACHE_DIR.env()).ifPresent(this::watchCache);
        return config;
    }

    /** Whether the user set {@code v}, by flag or by a non-blank environment variable. */
    static boolean isSet(Map<String, String> env, Map<Variable, String> userFlags, Variable v) {
        String flag = userFlags.get(v);
        String var = env.get(v.env());
        return (flag != null && !flag.isBlank()) || (var != null && !var.isBlank());
    }

    /**
     * Adds a check that {@link #close()} runs first, before it removes anything: what it returns (one line each:
     * "the bypass's link directory /x is still there") is what the owner of a resource (a provider, closed with its
     * node) left behind, and goes into {@link Cleanup#problems()}. A check that throws is reported as such.
     */
    public synchronized void checkAtClose(Supplier<List<String>> leftovers) {
        closeChecks.add(leftovers);
    }

    /**
     * rclone keeps the VFS cache of an alias of a local directory under {@code <cache>/vfs/local/<directory>} and
     * {@code <cache>/vfsMeta/local/<directory>} (the http-serve provider below {@code <cache>/httpserve}).
     * Outside our scratch directory those are removed at the end; their parents too when they are new.
     */
    private synchronized void watchCache(Path cacheDir) {
        Path cache = cacheDir.toAbsolutePath().normalize();
        if (cache.startsWith(dir)) {
            return; // goes with the scratch directory
        }
        Path relative = Path.of("/").relativize(data);
        for (Path base : List.of(cache, cache.resolve("httpserve"))) {
            for (String kind : List.of("vfs", "vfsMeta")) {
                Path entry = base.resolve(kind).resolve("local").resolve(relative);
                if (cacheEntries.contains(entry)) {
                    continue;
                }
                cacheEntries.add(entry);
                for (Path p = entry.getParent(); p != null && p.startsWith(cache) && !p.equals(cache); p = p.getParent()) {
                    cacheChain.putIfAbsent(p, Files.exists(p));
                }
            }
        }
    }

    /**
     * Removes everything this scratch area made and checks what is left; call it after closing every node that
     * used it. Idempotent. Never throws; an interrupt is kept in the thread's status and does not cut it short.
     */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            cleanup = clean();
        }
    }

    private Cleanup cleanup;

    /** What {@link #close()} found; null before it. */
    public synchronized Cleanup cleanup() {
        return cleanup;
    }

    private Cleanup clean() {
        boolean interrupted = Thread.interrupted();
        List<String> problems = new ArrayList<>();
        try {
            for (Supplier<List<String>> check : closeChecks) {
                try {
                    problems.addAll(check.get());
                } catch (RuntimeException e) {
                    problems.add("a cleanup check failed: " + e);
                }
            }
            for (MountInfo.Mount m : ourMounts()) {
                LOG.log(System.Logger.Level.WARNING, "scratch: " + m.mountPoint() + " is still mounted; unmounting it (lazily)");
                interrupted |= lazyUnmount(m.mountPoint());
            }
            for (Path entry : cacheEntries) {
                deleteTree(entry, problems);
            }
            List<Path> chain = new ArrayList<>(cacheChain.keySet());
            chain.sort((a, b) -> Integer.compare(b.getNameCount(), a.getNameCount())); // deepest first
            for (Path p : chain) {
                if (!cacheChain.get(p)) {
                    try {
                        Files.deleteIfExists(p); // only when empty
                    } catch (IOException e) {
                        // Not empty (someone else's entries) or gone: leave it.
                    }
                }
            }
            deleteTree(dir, problems);
            List<String> processes = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                    .map(h -> h.pid() + " " + h.info().command().orElse("?")).toList();
            List<String> mounts = ourMounts().stream().map(m -> m.mountPoint() + " (" + m.fsType() + ")").toList();
            return new Cleanup(dir, Files.exists(dir), processes, mounts, problems);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Mounts below the scratch directory, or of its data wherever they are (a user-set mount root). */
    private List<MountInfo.Mount> ourMounts() {
        return MountInfo.read().stream()
                .filter(m -> m.mountPoint().startsWith(dir) || Path.of(m.source().isEmpty() ? "." : m.source()).startsWith(data)
                        || m.source().startsWith(remote + ":"))
                .toList();
    }

    /** {@code fusermount3 -u -z}, else {@code umount -l}; returns whether it was interrupted while waiting. */
    private static boolean lazyUnmount(Path mountPoint) {
        boolean interrupted = false;
        for (List<String> cmd : List.of(List.of("fusermount3", "-u", "-z", mountPoint.toString()),
                List.of("umount", "-l", mountPoint.toString()))) {
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                boolean done = false;
                while (!done) {
                    try {
                        done = p.waitFor(10, TimeUnit.SECONDS);
                        if (!done) {
                            p.destroyForcibly();
                            p.waitFor();
                            done = true;
                        }
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (p.exitValue() == 0) {
                    return interrupted;
                }
            } catch (IOException e) {
                // Try the next tool.
            }
        }
        return interrupted;
    }

    /** Deletes {@code root} and everything in it, never entering a mount point; problems are collected, not thrown. */
    static void deleteTree(Path root, List<String> problems) {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> mountPoints = MountInfo.read().stream().map(MountInfo.Mount::mountPoint)
                .filter(p -> p.startsWith(root)).toList();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    if (mountPoints.contains(d)) {
                        problems.add(d + " is a mount point; left as it is");
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    delete(file, problems);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    if (!(exc instanceof NoSuchFileException)) {
                        delete(file, problems);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) {
                    if (!mountPoints.contains(d)) {
                        delete(d, problems);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            problems.add("cannot remove " + root + ": " + e);
        }
    }

    private static void delete(Path p, List<String> problems) {
        try {
            Files.deleteIfExists(p);
        } catch (InterruptedIOException e) {
            problems.add("interrupted removing " + p);
        } catch (IOException e) {
            if (problems.stream().noneMatch(s -> s.contains(p.toString()))) {
                problems.add("cannot remove " + p + ": " + e.getMessage());
            }
        }
    }

    /**
     * What was left after {@link #close()}.
     *
     * @param processes child processes of this JVM still alive ({@code pid command})
     * @param mounts    mounts of the scratch data or below the scratch directory
     * @param problems  what could not be removed
     */
    public record Cleanup(Path dir, boolean dirLeft, List<String> processes, List<String> mounts, List<String> problems) {

        public boolean clean() {
            return !dirLeft && processes.isEmpty() && mounts.isEmpty() && problems.isEmpty();
        }

        /** One line: {@code cleanup: no child process, no mount, /tmp/... removed}, or what is left. */
        public String describe() {
            if (clean()) {
                return "cleanup: no child process left, no mount left, " + dir + " removed";
            }
            List<String> left = new ArrayList<>();
            processes.forEach(p -> left.add("process " + p));
            mounts.forEach(m -> left.add("mount " + m));
            if (dirLeft) {
                left.add(dir + " still exists");
            }
            left.addAll(problems);
            return "cleanup: left behind: " + String.join("; ", left);
        }

        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clean", clean());
            m.put("dir", dir.toString());
            m.put("dir_removed", !dirLeft);
            m.put("processes_left", processes);
            m.put("mounts_left", mounts);
            m.put("problems", problems);
            return m;
        }
    }
}
