package io.vmafx.core.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code vmafx-node serve --port 0} in a process of its own, started with this JVM's {@code java} and module path
 * (so from a checkout and from an image alike) and the given environment, found by the line it prints on stderr
 * ({@code serve: listening on http://127.0.0.1:PORT}). Used by {@link FaultBench}, whose faults (rclone killed under
 * it, its children counted after it stopped) need a node that is not this process.
 */
final class ServeProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("serve: listening on (http://\\S+)");

    private final Process process;
    private final Path stderr;
    private final String url;

    private ServeProcess(Process process, Path stderr, String url) {
        this.process = process;
        this.stderr = stderr;
        this.url = url;
    }

    /**
     * Starts {@code serve --port 0 args} with {@code env} (on top of nothing: the caller passes the whole
     * environment), its JVM's temporary directory {@code tmp}; stdout and stderr go to files in {@code logs}.
     * Waits up to 60 s for it to listen.
     */
    static ServeProcess start(Map<String, String> env, Path tmp, Path logs, List<String> args) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IOException("cannot tell this JVM's java executable"));
        List<String> command = new ArrayList<>(List.of(java, "-Djava.io.tmpdir=" + tmp));
        String home = System.getProperty("vmafx.home");
        if (home != null) {
            command.add("-Dvmafx.home=" + home);
        }
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null && !modulePath.isEmpty()) {
            command.add("--module-path");
            command.add(modulePath);
        }
        command.addAll(List.of("-m", "io.vmafx.core/io.vmafx.core.cli.Main", "serve", "--port", "0"));
        command.addAll(args);
        Files.createDirectories(logs);
        Path out = logs.resolve("stdout");
        Path err = logs.resolve("stderr");
        ProcessBuilder b = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        b.environment().clear();
        b.environment().putAll(env);
        Process p = b.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(Files.readString(err, StandardCharsets.UTF_8));
            if (m.find()) {
                return new ServeProcess(p, err, m.group(1).replace("://0.0.0.0:", "://127.0.0.1:"));
            }
            if (!p.isAlive()) {
                throw new IOException("serve exited " + p.exitValue() + " before it listened: " + tail(err));
            }
            Thread.sleep(20);
        }
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new IOException("serve did not print its address within 60 s: " + tail(err));
    }

    String url() {
        return url;
    }

    long pid() {
        return process.pid();
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    /** Its live descendants whose executable's file name is {@code name} ({@code rclone}, {@code ffprobe}). */
    List<ProcessHandle> descendants(String name) {
        return process.descendants().filter(ProcessHandle::isAlive)
                .filter(h -> h.info().command().map(c -> Path.of(c).getFileName().toString().equals(name)).orElse(false))
                .toList();
    }

    /**
     * SIGTERM (the orderly stop: running jobs drain, then everything the node started is released) and up to
     * {@code seconds} for it to exit; then SIGKILL. Returns null when it stopped by itself, else what went wrong.
     */
    String stop(long seconds) throws InterruptedException {
        process.destroy();
        if (process.waitFor(seconds, TimeUnit.SECONDS)) {
            return null;
        }
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        return "serve did not exit within " + seconds + " s of SIGTERM (killed)";
    }

    /** The last lines of its stderr, for a message. */
    String stderrTail() {
        return tail(stderr);
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no stderr: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop(30);
        }
    }
}
