package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the real node as a child process: {@code bin/vmafx-node} (the launcher), or {@code java} directly with
 * the launcher's arguments when a test needs another module path. Each run has a 60 s limit; its exit code,
 * stdout and stderr come back as a {@link Result}.
 *
 * <p>The child gets this JVM's environment without any {@code VMAFX_*} variable (so the developer's own
 * settings do not leak into a test), except {@code VMAFX_FFMPEG} and {@code VMAFX_VMAF_MODEL}, which
 * {@link Clips} honours too; then the test's own variables.
 */
final class Node {

    /** The repository: {@code -Dvmafx.root} from surefire. */
    static final Path ROOT = root();
    static final Path LAUNCHER = ROOT.resolve("bin/vmafx-node");
    /** The module path the launcher runs, built by this module's {@code process-test-classes}. */
    static final Path MODULES = ROOT.resolve("distribution/target/modules");
    static final String MAIN = "io.vmafx.core/io.vmafx.core.cli.Main";
    static final long TIMEOUT_SECONDS = 60;
    static final int NOBODY = 65534;

    private Node() {
    }

    /** What one run of the node did. */
    record Result(List<String> command, int exit, String stdout, String stderr) {

        /** The run's stderr lines (without the final empty one). */
        List<String> stderrLines() {
            return stderr.lines().toList();
        }

        /** Asserts the exit code and that stderr is exactly one line; returns that line. */
        String failsWith(int expectedExit) {
            assertEquals(expectedExit, exit, () -> "exit code of " + this);
            assertEquals(1, stderrLines().size(), () -> "stderr must be exactly one line: " + this);
            return stderrLines().get(0);
        }

        /** Asserts exit code 0 and returns stdout parsed as one JSON object. */
        Map<String, Object> json() {
            assertEquals(0, exit, () -> "exit code of " + this);
            try {
                Map<String, Object> m = JSON.std.mapFrom(stdout);
                if (m == null) {
                    fail("no JSON on stdout: " + this);
                }
                return m;
            } catch (IOException e) {
                throw new AssertionError("stdout is not one JSON object: " + this, e);
            }
        }

        /** Like {@link #json()}, and asserts that stderr is empty: piped output stays quiet (no progress, no warnings). */
        Map<String, Object> quietJson() {
            Map<String, Object> json = json();
            assertEquals("", stderr, () -> "stderr of a successful run: " + this);
            return json;
        }

        /** Asserts that stderr holds no Java stack trace or uncaught exception. */
        void assertNoStackTrace() {
            if (stderr.contains("\tat ") || stderr.contains("Exception in thread") || stderr.matches("(?s).*\\n\\s+at [\\w.$]+\\(.*")) {
                fail("Java stack trace on stderr: " + this);
            }
        }

        @Override
        public String toString() {
            return "\n$ " + String.join(" ", command) + "\nexit " + exit + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr + "---";
        }
    }

    /** Runs {@code bin/vmafx-node args} in the repository directory. */
    static Result run(String... args) {
        return run(Map.of(), ROOT, args);
    }

    /** Runs {@code bin/vmafx-node args} with {@code env} added, in {@code dir}. */
    static Result run(Map<String, String> env, Path dir, String... args) {
        return run(List.of(), env, dir, args);
    }

    /**
     * Runs {@code prefix bin/vmafx-node args} with {@code env} added, in {@code dir}: {@code prefix} is a wrapper
     * that ends by running the rest of its arguments ({@code unshare -m sh -c '... && exec "$@"' sh}).
     */
    static Result run(List<String> prefix, Map<String, String> env, Path dir, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.add(LAUNCHER.toString());
        command.addAll(List.of(args));
        Result r = exec(command, env, dir);
        if (r.stderr().startsWith(LAUNCHER_REBUILT)) {
            // A source changed after this module's build stamped the module path (someone is editing while the
            // tests run), so the launcher rebuilt first and said so on stderr. Ask the node again; a launcher
            // that rebuilds every time still fails the test.
            r = exec(command, env, dir);
        }
        return r;
    }

    /** What bin/vmafx-node prints on stderr before it rebuilds a stale module path. */
    static final String LAUNCHER_REBUILT = "build: mvn package";

    /** A node started by {@link #start}: it runs in the background, its output going to files. */
    static final class Running implements AutoCloseable {
        private final List<String> command;
        private final Process process;
        private final Path out;
        private final Path err;

        private Running(List<String> command, Process process, Path out, Path err) {
            this.command = command;
            this.process = process;
            this.out = out;
            this.err = err;
        }

        /** What the node has written to stderr so far. */
        String stderrSoFar() throws IOException {
            return read(err);
        }

        /** The node's JVM (the launcher execs {@code java}). */
        Process process() {
            return process;
        }

        /** The node's live descendants whose executable's file name is {@code name} ({@code rclone}, {@code ffmpeg}). */
        List<ProcessHandle> descendants(String name) {
            return process.descendants().filter(h -> h.isAlive() && h.info().command()
                    .map(c -> Path.of(c).getFileName().toString().equals(name)).orElse(false)).toList();
        }

        /**
         * Waits up to {@code seconds} for the ffprobe that scores (its command line names its {@code score.graph}), not
         * the short one that probes the inputs' formats before it; fails the test when none comes.
         */
        ProcessHandle awaitScorer(long seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                for (ProcessHandle h : descendants("ffprobe")) {
                    if (h.info().commandLine().orElse("").contains("score.graph")) {
                        return h;
                    }
                }
                if (!process.isAlive()) {
                    fail("the node exited before it started scoring: " + awaitExit(1));
                }
                Thread.sleep(10);
            }
            throw new AssertionError("no scoring ffprobe below the node within " + seconds + " s: " + command);
        }

        /** Waits up to {@code seconds} for the first descendant named {@code name}; fails the test when none comes. */
        ProcessHandle awaitDescendant(String name, long seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                List<ProcessHandle> found = descendants(name);
                if (!found.isEmpty()) {
                    return found.get(0);
                }
                if (!process.isAlive()) {
                    fail("the node exited before it started " + name + ": " + awaitExit(1));
                }
                Thread.sleep(20);
            }
            throw new AssertionError("no " + name + " below the node within " + seconds + " s: " + command);
        }

        /**
         * Waits up to {@code seconds} until {@code reader} (a descendant) has read at least {@code bytes}: its
         * {@code rchar} in {@code /proc/<pid>/io}, what it got from {@code read(2)} and the like (files, pipes, FUSE;
         * not {@code recv(2)} on a socket). Fails the test when it exits first.
         */
        void awaitRead(ProcessHandle reader, long bytes, long seconds) throws InterruptedException {
            Path io = Path.of("/proc", Long.toString(reader.pid()), "io");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            long read = 0;
            while (System.nanoTime() < deadline) {
                try {
                    read = Files.readAllLines(io).stream().filter(l -> l.startsWith("rchar:"))
                            .mapToLong(l -> Long.parseLong(l.substring(6).trim())).findFirst().orElse(0);
                } catch (IOException e) {
                    fail(reader.pid() + " exited after reading " + read + " bytes, before " + bytes + ": " + awaitExit(5));
                }
                if (read >= bytes) {
                    return;
                }
                Thread.sleep(5);
            }
            throw new AssertionError(reader.pid() + " read only " + read + " of " + bytes + " bytes within " + seconds + " s");
        }

        /**
         * Waits up to {@code seconds} until {@code process} (a descendant) has used {@code cpuMillis} of CPU time, all
         * its threads together: how far ffmpeg has got with scoring, whatever else the machine is doing.
         */
        void awaitCpu(ProcessHandle process, long cpuMillis, long seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            long used = 0;
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    fail(process.pid() + " exited after " + used + " ms of CPU, before " + cpuMillis + ": " + awaitExit(5));
                }
                used = process.info().totalCpuDuration().map(java.time.Duration::toMillis).orElse(0L);
                if (used >= cpuMillis) {
                    return;
                }
                Thread.sleep(5);
            }
            throw new AssertionError(process.pid() + " used only " + used + " of " + cpuMillis + " ms of CPU within " + seconds + " s");
        }

        /**
         * Waits until the job is well under way: the node's rclone has read {@code 20 MiB} from the remote and
         * ffmpeg has scored for 400 ms of CPU time. Returns ffmpeg.
         */
        ProcessHandle awaitMidJob() throws InterruptedException {
            ProcessHandle ffmpeg = awaitScorer(30);
            // rclone's count, not ffmpeg's: in http-serve mode ffmpeg reads a socket, which rchar does not count.
            awaitRead(awaitDescendant("rclone", 5), 20L << 20, 30);
            awaitCpu(ffmpeg, 400, 30);
            return ffmpeg;
        }

        /** Waits up to {@code seconds} for the node to exit (else kills it and fails) and returns what it did. */
        Result awaitExit(long seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                kill(process);
                fail("timed out after " + seconds + " s: " + result(-1));
            }
            return result(process.exitValue());
        }

        private Result result(int exit) {
            try {
                return new Result(command, exit, read(out), read(err));
            } catch (IOException e) {
                throw new AssertionError("cannot read the output of " + command + ": " + e, e);
            }
        }

        /** Kills the node and its descendants if still running and deletes its output files. */
        @Override
        public void close() {
            if (process.isAlive()) {
                kill(process);
            }
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /**
     * Starts {@code bin/vmafx-node args} with {@code env} added, in {@code dir}, and returns at once. Runs the
     * launcher once first ({@code --version}) so that a stale module path is rebuilt before, not during, the run.
     */
    static Running start(Map<String, String> env, Path dir, String... args) throws IOException {
        Result version = run("--version");
        assertEquals(0, version.exit(), () -> "the launcher does not run: " + version);
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("vmafx-test-out-", ".txt");
        Path err = Files.createTempFile("vmafx-test-err-", ".txt");
        ProcessBuilder pb = builder(command, env, dir).redirectOutput(out.toFile()).redirectError(err.toFile());
        try {
            return new Running(command, pb.start(), out, err);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(out);
            deleteQuietly(err);
            throw e;
        }
    }

    /** A process builder for a node command line: stdin from /dev/null, no inherited VMAFX_* but those two, {@code env} added. */
    private static ProcessBuilder builder(List<String> command, Map<String, String> env, Path dir) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> e = pb.environment();
        e.keySet().removeIf(k -> k.startsWith("VMAFX_") && !k.equals("VMAFX_FFMPEG") && !k.equals("VMAFX_VMAF_MODEL"));
        e.putAll(env);
        return pb;
    }

    /** What the launcher runs, with {@code modulePath} instead of its own: {@code java -Dvmafx.home=... --module-path P -m ... args}. */
    static List<String> java(String modulePath, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dvmafx.home=" + ROOT, "--module-path", modulePath, "-m", MAIN));
        command.addAll(List.of(args));
        return command;
    }

    /** Runs {@code command} (a node command line) with {@code env} added, in {@code dir}, within {@link #TIMEOUT_SECONDS}. */
    static Result exec(List<String> command, Map<String, String> env, Path dir) {
        checkBuilt();
        Path out = null;
        Path err = null;
        Process p = null;
        try {
            out = Files.createTempFile("vmafx-test-out-", ".txt");
            err = Files.createTempFile("vmafx-test-err-", ".txt");
            ProcessBuilder pb = builder(command, env, dir).redirectOutput(out.toFile()).redirectError(err.toFile());
            p = pb.start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                kill(p);
                fail("timed out after " + TIMEOUT_SECONDS + " s: " + new Result(command, -1, read(out), read(err)));
            }
            Result result = new Result(command, p.exitValue(), read(out), read(err));
            if (Boolean.getBoolean("vmafx.test.verbose")) {
                System.out.println(result);
            }
            return result;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, e);
        } finally {
            if (p != null && p.isAlive()) {
                kill(p);
            }
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /**
     * Runs the node as user nobody ({@code setpriv}) with {@code args}, in {@code dir}. Through the launcher when
     * nobody can run it and read the model; otherwise (a repository nobody cannot read) with {@code java} and
     * copies of the module path and model in a world-readable directory under {@code scratch}.
     */
    static Result runAsNobody(Path scratch, Path dir, String... args) throws IOException {
        return runAsNobody(scratch, Map.of(), dir, args);
    }

    /**
     * Like {@link #runAsNobody(Path, Path, String...)}, with {@code env} added; its {@code VMAFX_JAVA_OPTS} reaches
     * the JVM on both paths (the launcher's and the direct {@code java} command line). Nobody also gets no
     * inheritable capabilities ({@code --inh-caps=-all}): an unprivileged user, as on a real host.
     */
    static Result runAsNobody(Path scratch, Map<String, String> extraEnv, Path dir, String... args) throws IOException {
        List<String> setpriv = List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--inh-caps=-all");
        Path ffprobe = Path.of(Clips.ffprobe());
        List<String> probeLauncher = new ArrayList<>(setpriv);
        probeLauncher.addAll(List.of(LAUNCHER.toString(), "--version"));
        List<String> probeScorer = new ArrayList<>(setpriv);
        probeScorer.addAll(List.of("test", "-x", ffprobe.toString()));
        Result launcher = exec(probeLauncher, Map.of(), dir);
        Result scorerRunnable = exec(probeScorer, Map.of(), dir);
        List<String> command = new ArrayList<>(setpriv);
        Map<String, String> env = new HashMap<>(extraEnv);
        if (launcher.exit() == 0 && launcher.stderr().isEmpty() && scorerRunnable.exit() == 0) {
            command.add(LAUNCHER.toString());
            command.addAll(List.of(args));
        } else {
            // The repository is not readable by nobody: the same java command line over world-readable copies.
            Path copies = Files.createDirectories(scratch.resolve("nobody-node"));
            Path mods = Files.createDirectories(copies.resolve("modules"));
            try (Stream<Path> jars = Files.list(MODULES)) {
                for (Path jar : jars.filter(j -> j.toString().endsWith(".jar")).toList()) {
                    Files.copy(jar, mods.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Path ffprobeCopy = copies.resolve("ffprobe");
            Files.copy(ffprobe, ffprobeCopy, StandardCopyOption.REPLACE_EXISTING);
            worldReadable(copies);
            ffprobeCopy.toFile().setExecutable(true, false);
            env.put("VMAFX_FFPROBE", ffprobeCopy.toString());
            List<String> java = java(mods.toString(), args);
            String opts = extraEnv.getOrDefault("VMAFX_JAVA_OPTS", "").strip();
            if (!opts.isEmpty()) {
                java.addAll(1, List.of(opts.split("\\s+"))); // as the launcher passes them: right after java
            }
            command.addAll(java);
        }
        return exec(command, env, dir);
    }

    /** Whether this JVM runs as root (so it can switch to nobody, and root reads every file). */
    static boolean isRoot(Path anyOwnFile) throws IOException {
        return ((Integer) Files.getAttribute(anyOwnFile, "unix:uid")) == 0;
    }

    /** Makes {@code top} and everything below it readable (and directories traversable) by everyone. */
    static void worldReadable(Path top) throws IOException {
        try (Stream<Path> all = Files.walk(top)) {
            for (Path p : all.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    /** Walks a parsed JSON object along {@code a.b.c}. */
    static Object at(Map<String, Object> json, String path) {
        Object cur = json;
        for (String key : path.split("\\.")) {
            if (!(cur instanceof Map<?, ?> m) || !m.containsKey(key)) {
                throw new AssertionError("no '" + path + "' in " + json);
            }
            cur = m.get(key);
        }
        return cur;
    }

    static double number(Map<String, Object> json, String path) {
        Object v = at(json, path);
        if (!(v instanceof Number n)) {
            throw new AssertionError("'" + path + "' is not a number: " + v);
        }
        return n.doubleValue();
    }

    /** The list at {@code path}, each element a JSON object. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> objects(Map<String, Object> json, String path) {
        return (List<Map<String, Object>>) at(json, path);
    }

    /** Fails, saying how to get them, when the tools or the module path the node needs are missing. */
    static void checkBuilt() {
        Clips.ffmpeg();
        Clips.ffprobe();
        if (!Files.isExecutable(LAUNCHER)) {
            fail("no launcher at " + LAUNCHER + " (is -Dvmafx.root the repository? it is " + ROOT + ")");
        }
        boolean rclone = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, "rclone")));
        if (!rclone) {
            fail("rclone is not on PATH (bin/vmafx-node would install it first): run scripts/setup.sh");
        }
        if (!Files.isRegularFile(MODULES.resolve(".built"))) {
            fail("no built module path at " + MODULES + ": run 'mvn -pl distribution verify' (process-test-classes builds it)"
                    + " or scripts/build.sh");
        }
    }

    /** The node's API jar on the module path, for compiling plugins. */
    static Path apiJar() throws IOException {
        checkBuilt();
        try (Stream<Path> s = Files.list(MODULES)) {
            return s.filter(p -> p.getFileName().toString().matches("vmafx-api-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("no vmafx-api jar in " + MODULES));
        }
    }

    private static Path root() {
        Path p = Path.of(System.getProperty("vmafx.root", ".")).toAbsolutePath().normalize();
        // Run from inside distribution/ without the property: the repository is the parent.
        if (!Files.exists(p.resolve("bin/vmafx-node")) && p.getParent() != null && Files.exists(p.getParent().resolve("bin/vmafx-node"))) {
            return p.getParent();
        }
        return p;
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }
}
