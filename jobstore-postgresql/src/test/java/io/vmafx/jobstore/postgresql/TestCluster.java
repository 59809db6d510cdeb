package io.vmafx.jobstore.postgresql;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL 15 cluster for this module's tests: {@code initdb} in a private temporary directory, run by
 * {@code pg_ctl} as the user {@code postgres} when the tests run as root (PostgreSQL refuses root), on 127.0.0.1 on a
 * free port, socket in that directory, password authentication over TCP, database {@code vmafx}. {@link #close}
 * stops it (and a shutdown hook, should the JVM exit first) and removes the directory.
 */
final class TestCluster implements AutoCloseable {

    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    static final String USER = "vmafx";
    static final String PASSWORD = "store-test-password";

    final Path dir;
    final int port;
    private final Path data;
    private final Thread hook = new Thread(this::stopQuietly, "test-cluster-stop");

    private TestCluster(Path dir, int port) {
        this.dir = dir;
        this.port = port;
        this.data = dir.resolve("data");
    }

    static TestCluster start() throws Exception {
        if (!Files.isExecutable(BIN.resolve("initdb"))) {
            throw new AssertionError("PostgreSQL 15 is not installed at " + BIN + ": run scripts/setup.sh");
        }
        Path dir = Files.createTempDirectory("vmafx-store-pg-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        TestCluster c = new TestCluster(dir, port);
        Runtime.getRuntime().addShutdownHook(c.hook);
        try {
            Files.createDirectories(dir.resolve("socket"));
            Files.writeString(dir.resolve("pw"), PASSWORD + "\n");
            if (root()) {
                var owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
                try (Stream<Path> all = Files.walk(dir)) {
                    for (Path p : all.toList()) {
                        Files.setOwner(p, owner);
                    }
                }
            }
            c.run(BIN.resolve("initdb").toString(), "-D", c.data.toString(), "-U", USER, "-E", "UTF8", "--locale=C.UTF-8",
                    "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + dir.resolve("pw"), "-N");
            c.startServer();
            c.psql("postgres", "CREATE DATABASE vmafx");
            return c;
        } catch (Exception | AssertionError e) {
            c.close();
            throw e;
        }
    }

    String url() {
        return "postgresql://127.0.0.1:" + port + "/vmafx";
    }

    void startServer() throws Exception {
        run(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("log").toString(), "-w", "-t", "60", "-o",
                "-p " + port + " -k " + dir.resolve("socket") + " -c listen_addresses=127.0.0.1 -c fsync=off", "start");
    }

    void stopServer() throws Exception {
        run(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "stop");
    }

    String psql(String db, String sql) throws Exception {
        return run(BIN.resolve("psql").toString(), "-h", dir.resolve("socket").toString(), "-p", Integer.toString(port), "-U", USER,
                "-d", db, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql).strip();
    }

    private String run(String... command) throws Exception {
        List<String> full = new ArrayList<>();
        if (root()) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C.UTF-8");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end within 90 s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ": " + text);
        }
        return text;
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    boolean anyProcessLeft() {
        return ProcessHandle.allProcesses().anyMatch(h -> h.info().commandLine().orElse("").contains(data.toString()));
    }

    private void stopQuietly() {
        try {
            run(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
        } catch (Exception | AssertionError e) {
            // not running, or wedged: killed below
        }
        ProcessHandle.allProcesses().filter(h -> h.info().commandLine().orElse("").contains(data.toString()))
                .forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // exiting: the hook runs anyway
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("could not remove " + dir + ": " + e);
        }
    }
}
