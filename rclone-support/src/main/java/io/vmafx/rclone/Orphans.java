package io.vmafx.rclone;

import io.vmafx.spi.NodeProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The rclone processes that killed nodes left running: found in {@code /proc} by the {@link NodeProcess} mark that
 * {@link ChildProcess} puts in every child's environment, and stopped. A process is an orphan only when all of
 * these hold, so that nobody else's rclone (a user's, another node's) is ever touched:
 *
 * <ul>
 *   <li>its environment carries {@value NodeProcess#ENVIRONMENT} (readable only for the node's own user's
 *       processes, or by root);</li>
 *   <li>the node process that mark names is not running (its pid is gone, or runs a process that started at
 *       another time);</li>
 *   <li>it runs rclone (the configured binary, or a file named {@code rclone}) or {@code fusermount3}: a node
 *       started from a shell that somehow inherited a stale mark is never taken for one;</li>
 *   <li>it is in this node's pid namespace. A mark's pid means something only there: a node in a container (pid 1,
 *       or some other small pid, in its own namespace) marks its rclone with a pid that, seen from the host, is
 *       another process or none, and a node on the host (or in a pod with the host's pids) would otherwise take every
 *       containerized node's rclone for an orphan and stop it in the middle of its jobs.</li>
 * </ul>
 *
 * <p>With the {@link Spawner}'s pdeathsig the kernel has usually killed them already; this is for a node without
 * {@code setpriv}, and for the instant between a fork and its {@code prctl}. The providers call {@link #reap} from
 * {@code reapLeftovers}, when a node starts; the mount provider then unmounts what the orphans had mounted.
 */
public final class Orphans {

    private static final System.Logger LOG = System.getLogger(Orphans.class.getName());
    private static final Path PROC = Path.of("/proc");
    private static final Set<String> NAMES = Set.of("rclone", "fusermount3");
    private static final String MARK = NodeProcess.ENVIRONMENT + "=";
    /** rclone finishes its requests and unmounts on SIGTERM; a process that takes longer than this is killed. */
    private static final long TERM_GRACE_MILLIS = 3_000;
    private static final long KILL_WAIT_MILLIS = 2_000;
    private static final int MAX_COMMAND = 160;
    private static final long RESCAN_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static long lastScan; // guarded by Orphans.class
    private static Optional<Path> lastRclone = Optional.empty(); // guarded by Orphans.class

    /** One process a gone node left: its handle, its owner and its command line (shortened, for the log). */
    record Orphan(ProcessHandle process, NodeProcess owner, String command) {
    }

    private Orphans() {
    }

    /**
     * Stops every orphan: SIGTERM, then SIGKILL for those still there after {@value #TERM_GRACE_MILLIS} ms. Never
     * throws; takes a few milliseconds when there is nothing to reap. A second call within a second of the last one
     * (the other provider, as the same node starts) does nothing.
     *
     * @param rclone the configured rclone binary, when known: a process running it counts as rclone whatever its name
     * @return one line per process stopped, for the node's log
     */
    public static List<String> reap(Optional<Path> rclone) {
        synchronized (Orphans.class) {
            // Both providers reap when a node starts: the second pass, a moment later, would only read /proc again.
            long now = System.nanoTime();
            if (lastScan != 0 && now - lastScan < RESCAN_NANOS && rclone.equals(lastRclone)) {
                return List.of();
            }
            lastScan = now;
            lastRclone = rclone;
        }
        List<Orphan> orphans = find(rclone);
        if (orphans.isEmpty()) {
            return List.of();
        }
        for (Orphan o : orphans) {
            o.process().destroy();
        }
        awaitExit(orphans, TERM_GRACE_MILLIS);
        List<String> lines = new ArrayList<>();
        for (Orphan o : orphans) {
            boolean killed = false;
            if (running(o.process())) {
                o.process().destroyForcibly();
                killed = true;
            }
            lines.add((killed ? "killed" : "stopped") + " " + o.command() + " (pid " + o.process().pid() + "), left by "
                    + o.owner());
        }
        awaitExit(orphans, KILL_WAIT_MILLIS);
        for (Orphan o : orphans) {
            if (running(o.process())) {
                LOG.log(System.Logger.Level.WARNING, "cannot stop " + o.command() + " (pid " + o.process().pid() + "), left by " + o.owner());
            }
        }
        return lines;
    }

    /** The orphans running now. */
    static List<Orphan> find(Optional<Path> rclone) {
        Optional<Path> rcloneReal = rclone.flatMap(Orphans::realPath);
        NodeProcess self = NodeProcess.current();
        List<Orphan> found = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path dir : procs) {
                long pid = Long.parseLong(dir.getFileName().toString());
                Optional<NodeProcess> owner = owner(dir);
                if (owner.isEmpty() || owner.get().equals(self) || owner.get().isRunning()) {
                    continue;
                }
                List<String> argv = argv(dir);
                if (argv.isEmpty() || !isRclone(dir, argv, rcloneReal) || !inOwnPidNamespace(dir)) {
                    continue;
                }
                // The handle remembers the start time: a pid reused before the signal is never signalled.
                Optional<ProcessHandle> handle = ProcessHandle.of(pid);
                if (handle.isPresent()) {
                    found.add(new Orphan(handle.get(), owner.get(), summary(argv)));
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list " + PROC + " to find the rclone processes of killed nodes: " + e);
        }
        return found;
    }

    /** The owner named by the process's mark, if it has one (empty for unreadable environments: others' processes). */
    private static Optional<NodeProcess> owner(Path procDir) {
        byte[] env;
        try {
            env = Files.readAllBytes(procDir.resolve("environ"));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
        for (String entry : new String(env, StandardCharsets.ISO_8859_1).split("\0")) {
            if (entry.startsWith(MARK)) {
                return NodeProcess.parse(entry.substring(MARK.length()));
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the process is in this JVM's pid namespace ({@code /proc/<pid>/ns/pid} names the same namespace as
     * {@code /proc/self/ns/pid}). When either link cannot be read (a kernel without namespaces answers for both
     * alike), only equal answers count: a process whose namespace cannot be told is left alone.
     */
    static boolean inOwnPidNamespace(Path procDir) {
        return pidNamespace(procDir).equals(pidNamespace(PROC.resolve("self")));
    }

    private static Optional<Path> pidNamespace(Path procDir) {
        try {
            return Optional.of(Files.readSymbolicLink(procDir.resolve("ns").resolve("pid")));
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    private static List<String> argv(Path procDir) {
        try {
            String cmdline = new String(Files.readAllBytes(procDir.resolve("cmdline")), StandardCharsets.UTF_8);
            return cmdline.isEmpty() ? List.of() : List.of(cmdline.split("\0"));
        } catch (IOException | SecurityException e) {
            return List.of();
        }
    }

    private static boolean isRclone(Path procDir, List<String> argv, Optional<Path> rcloneReal) {
        Optional<Path> exe;
        try {
            exe = Optional.of(Files.readSymbolicLink(procDir.resolve("exe")));
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            exe = Optional.empty();
        }
        if (exe.isPresent() && rcloneReal.isPresent() && exe.get().equals(rcloneReal.get())) {
            return true;
        }
        if (exe.isPresent() && exe.get().getFileName() != null && NAMES.contains(exe.get().getFileName().toString())) {
            return true;
        }
        Path arg0 = Path.of(argv.get(0).isEmpty() ? "-" : argv.get(0)).getFileName();
        return arg0 != null && NAMES.contains(arg0.toString());
    }

    /** {@code rclone serve http media: --read-only ...}: the command without the binary's directory, shortened. */
    private static String summary(List<String> argv) {
        StringBuilder b = new StringBuilder();
        Path arg0 = Path.of(argv.get(0).isEmpty() ? "-" : argv.get(0)).getFileName();
        b.append(arg0 == null ? argv.get(0) : arg0.toString());
        for (int i = 1; i < argv.size(); i++) {
            if (argv.get(i).equals("--config") && i + 1 < argv.size()) {
                i++;
                continue;
            }
            b.append(' ').append(argv.get(i));
            if (b.length() > MAX_COMMAND) {
                return b.substring(0, MAX_COMMAND) + "...";
            }
        }
        return b.toString();
    }

    private static Optional<Path> realPath(Path p) {
        try {
            return Optional.of(p.toRealPath());
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether {@code p} still runs. A zombie does not: it has exited and only waits for its new parent (init, or a
     * subreaper) to collect its status, which some inits do only every second or so.
     */
    static boolean running(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(p.pid())).resolve("stat"), StandardCharsets.ISO_8859_1);
            int close = stat.lastIndexOf(')');
            return close < 0 || close + 2 >= stat.length() || stat.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Waits up to {@code millis} until every orphan has exited. Polled: they are not this JVM's children, and the
     * JDK's {@code onExit} for other processes first looks after 300 ms.
     */
    private static void awaitExit(List<Orphan> orphans, long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (orphans.stream().anyMatch(o -> running(o.process())) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
