package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL 15 (Debian's, {@code scripts/setup.sh} installs it) for one test class: a new cluster made by
 * {@code initdb} in a temporary directory, run by {@code pg_ctl} as the non-root user {@code postgres} (PostgreSQL
 * refuses root), listening on 127.0.0.1 on a free port, with its socket in a private directory, password
 * authentication over TCP (the nodes get the password from a file) and a database {@code vmafx}. {@link #close}
 * stops it in every case and removes the directory; a shutdown hook stops it too if the JVM exits first.
 */
final class Postgres implements AutoCloseable {

    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    static final String USER = "vmafx";
    static final String PASSWORD = "fleet-test-password";
    static final String DATABASE = "vmafx";

    final Path dir;
    final int port;
    private final Path data;
    private final Path socket;
    private final Thread hook;
    private boolean running;

    private Postgres(Path dir, int port) {
        this.dir = dir;
        this.port = port;
        this.data = dir.resolve("data");
        this.socket = dir.resolve("socket");
        this.hook = new Thread(this::stopQuietly, "postgres-stop");
    }

    /** Makes and starts a cluster. */
    static Postgres start() throws Exception {
        if (!Files.isExecutable(BIN.resolve("initdb"))) {
            fail("PostgreSQL 15 is not installed at " + BIN + ": run scripts/setup.sh (apt-get install postgresql)");
        }
        Path dir = Files.createTempDirectory("vmafx-pg-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Postgres pg = new Postgres(dir, freePort());
        Runtime.getRuntime().addShutdownHook(pg.hook);
        try {
            Files.createDirectories(pg.socket);
            Path pw = dir.resolve("initdb-password");
            Files.writeString(pw, PASSWORD + "\n");
            pg.chownToPostgres();
            pg.run(List.of(BIN.resolve("initdb").toString(), "-D", pg.data.toString(), "-U", USER, "-E", "UTF8",
                    "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + pw, "-N"));
            Files.delete(pw);
            pg.startServer();
            pg.psql("CREATE DATABASE " + DATABASE);
            return pg;
        } catch (Exception | AssertionError e) {
            pg.close();
            throw e;
        }
    }

    /** {@code VMAFX_JOB_STORE} for the nodes. */
    String url() {
        return "postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /** Writes the password to a private file for {@code VMAFX_JOB_STORE_PASSWORD_FILE}. */
    Path passwordFile(Path where) throws IOException {
        Files.createDirectories(where.getParent());
        Files.writeString(where, PASSWORD + "\n");
        Files.setPosixFilePermissions(where, PosixFilePermissions.fromString("rw-------"));
        return where;
    }

    /** Starts the server (again, after {@link #stopServer}); waits until it takes connections. */
    synchronized void startServer() {
        run(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60",
                "-o", "-p " + port + " -k " + socket + " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
                        + " -c full_page_writes=off -c max_connections=100", "start"));
        running = true;
    }

    /** Stops the server: {@code fast} closes every connection and shuts down cleanly; {@code immediate} is a crash. */
    synchronized void stopServer(String mode) {
        if (running) {
            run(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", mode, "-w", "-t", "60", "stop"));
            running = false;
        }
    }

    /** Runs one SQL statement as the cluster's superuser over the private socket; returns its unaligned output. */
    String psql(String sql) {
        return run(List.of(BIN.resolve("psql").toString(), "-h", socket.toString(), "-p", Integer.toString(port), "-U", USER,
                "-d", sql.startsWith("CREATE DATABASE") ? "postgres" : DATABASE, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql)).strip();
    }

    /** Whether any process of this cluster still runs (its data directory on its command line). */
    boolean anyProcessLeft() {
        return ProcessHandle.allProcesses().anyMatch(h -> h.info().commandLine().orElse("").contains(data.toString()));
    }

    private String run(List<String> command) {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            // PostgreSQL does not run as root: its tools run as the postgres user Debian's package makes.
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Node.Result r = Node.exec(full, Map.of("LC_ALL", "C.UTF-8", "PATH", "/usr/bin:/bin"), dir);
        if (r.exit() != 0) {
            throw new AssertionError("PostgreSQL: " + String.join(" ", command) + " exited " + r.exit() + ": " + r.stdout() + r.stderr()
                    + log());
        }
        return r.stdout();
    }

    private String log() {
        try {
            Path l = dir.resolve("server.log");
            return Files.exists(l) ? "\nserver.log:\n" + Files.readString(l, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private void chownToPostgres() throws IOException {
        if (!isRoot()) {
            return;
        }
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        var owner = users.lookupPrincipalByName("postgres");
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                Files.setOwner(p, owner);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void stopQuietly() {
        try {
            stopServer("immediate");
        } catch (AssertionError | RuntimeException e) {
            // last resort below
        }
        // pg_ctl failed or the postmaster is wedged: kill what runs from this data directory.
        ProcessHandle.allProcesses().filter(h -> h.info().commandLine().orElse("").contains(data.toString()))
                .forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is exiting: the hook runs anyway
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (anyProcessLeft() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
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
