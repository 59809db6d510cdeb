package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * Real storage servers on 127.0.0.1 for end-to-end tests, each serving one local directory, and the
 * {@code rclone.conf} through which a node reaches them:
 *
 * <ul>
 *   <li>{@link Backend#LOCAL}: remote {@code loc}, an rclone {@code alias} of the directory;
 *   <li>{@link Backend#SFTP}: {@code rclone serve sftp} with a user and password, remote {@code sf};
 *   <li>{@link Backend#WEBDAV}: {@code rclone serve webdav} with a user and password, remote {@code dav};
 *   <li>{@link Backend#S3}: S3Proxy over a jclouds in-memory blob store, in this JVM, with access keys; remote
 *       {@code s3t} ({@code provider = Other}), bucket {@link #S3_BUCKET} holding a copy of the directory.
 *   <li>{@link Backend#AZURE}: Azurite's Blob service (npm {@code azurite}, in memory, telemetry off), remote
 *       {@code azt} ({@code use_emulator = true} and the emulator's path-style endpoint, which rclone 1.60 needs both
 *       of), container {@link #AZURE_CONTAINER} holding a copy of the directory, uploaded with rclone;
 *   <li>{@link Backend#OPENSSH}: OpenSSH's {@code sshd} with a configuration, host key and authorized key of its own
 *       in {@code scratch}, on a loopback port, serving only SFTP ({@code ForceCommand internal-sftp}) from the
 *       directory; remote {@code osf} logs in with a key file and checks the host key ({@code known_hosts_file}).
 * </ul>
 *
 * Each remote has a twin {@code <name>bad}: a wrong password or secret ({@code locbad}: a directory that does
 * not exist). The servers listen on ports the
 * kernel picks ({@code --addr 127.0.0.1:0}, read back from rclone's log). {@link #close()} stops them all.
 */
final class Remotes implements AutoCloseable {

    enum Backend { LOCAL, SFTP, WEBDAV, S3, AZURE, OPENSSH }

    static final String USER = "vmafx-test";
    static final String PASSWORD = "test-password-1";
    static final String S3_BUCKET = "media";
    static final String S3_ACCESS_KEY = "vmafxtestaccesskey";
    static final String S3_SECRET = "vmafxtestsecretkey";
    static final String AZURE_CONTAINER = "media";
    static final Path AZURITE = Node.ROOT.resolve(".tools/node/node_modules/azurite/dist/src/blob/main.js");
    static final Path SSHD = Path.of("/usr/sbin/sshd");
    private static final Pattern AZURITE_LISTENING = Pattern.compile("listens on http://127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern SSHD_LISTENING = Pattern.compile("Server listening on 127\\.0\\.0\\.1 port (\\d+)");
    private static final Pattern LISTENING = Pattern.compile("127\\.0\\.0\\.1:(\\d+)");

    private final Path scratch;
    private final Path data;
    private final Map<Backend, String> sections = new EnumMap<>(Backend.class);
    private final List<Process> servers = new ArrayList<>();
    private BlobStoreContext blobs;
    private S3Proxy s3;

    private Remotes(Path scratch, Path data) {
        this.scratch = scratch;
        this.data = data;
    }

    /** The remote name for {@code backend}: {@code loc}, {@code sf}, {@code dav}, {@code s3t}. */
    static String remote(Backend backend) {
        return switch (backend) {
            case LOCAL -> "loc";
            case SFTP -> "sf";
            case WEBDAV -> "dav";
            case S3 -> "s3t";
            case AZURE -> "azt";
            case OPENSSH -> "osf";
        };
    }

    /** The twin of {@link #remote} with wrong credentials. */
    static String badRemote(Backend backend) {
        return remote(backend) + "bad";
    }

    /**
     * Starts the servers of {@code backends} for the files below {@code data}; S3 gets a copy of them, uploaded
     * now. Server state (logs, sftp host keys) goes to {@code scratch}.
     */
    static Remotes start(Path scratch, Path data, Set<Backend> backends) throws Exception {
        Remotes r = new Remotes(Files.createDirectories(scratch), data);
        try {
            Path serverConfig = Files.writeString(scratch.resolve("servers-rclone.conf"), "");
            String obscured = obscure(PASSWORD);
            String wrong = obscure("wrong-" + PASSWORD);
            for (Backend b : backends) {
                switch (b) {
                    case LOCAL -> r.sections.put(b, section(remote(b), "type = alias", "remote = " + data)
                            + section(badRemote(b), "type = alias", "remote = " + data.resolve("no-such-directory")));
                    case SFTP -> {
                        int port = r.serve("sftp", serverConfig, "--cache-dir", scratch.resolve("sftp-cache").toString());
                        r.sections.put(b, sftp(remote(b), port, obscured) + sftp(badRemote(b), port, wrong));
                    }
                    case WEBDAV -> {
                        int port = r.serve("webdav", serverConfig);
                        r.sections.put(b, webdav(remote(b), port, obscured) + webdav(badRemote(b), port, wrong));
                    }
                    case S3 -> {
                        int port = r.startS3();
                        r.sections.put(b, s3(remote(b), port, S3_SECRET) + s3(badRemote(b), port, "wrong" + S3_SECRET));
                    }
                    case AZURE -> {
                        int port = r.startAzurite();
                        r.sections.put(b, azure(remote(b), port, "devstoreaccount1") + azure(badRemote(b), port, "nosuchaccount"));
                    }
                    case OPENSSH -> r.sections.put(b, r.startSshd());
                }
            }
            return r;
        } catch (Exception | Error e) {
            r.close();
            throw e;
        }
    }

    /** Writes the rclone.conf naming every started remote (and its bad twin) to {@code file}. */
    Path writeConfig(Path file) throws IOException {
        return Files.writeString(file, String.join("", sections.values()), StandardCharsets.UTF_8);
    }

    /** The pids of the rclone servers, which leak checks leave alone. */
    Set<Long> serverPids() {
        Set<Long> pids = new HashSet<>();
        servers.forEach(p -> pids.add(p.pid()));
        return pids;
    }

    /** Puts {@code file} into the S3 bucket as {@code key}. */
    void putS3(String key, Path file) throws IOException {
        BlobStore store = blobs.getBlobStore();
        store.putBlob(S3_BUCKET, store.blobBuilder(key).payload(file.toFile()).contentLength(Files.size(file)).build());
    }

    private int serve(String protocol, Path serverConfig, String... extra) throws IOException, InterruptedException {
        Path log = scratch.resolve("serve-" + protocol + ".log");
        List<String> cmd = new ArrayList<>(List.of("rclone", "serve", protocol, data.toString(), "--addr", "127.0.0.1:0",
                "--user", USER, "--pass", PASSWORD, "--config", serverConfig.toString()));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        servers.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            Matcher m = LISTENING.matcher(text);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!p.isAlive()) {
                fail("rclone serve " + protocol + " exited with " + p.exitValue() + ": " + text);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("rclone serve " + protocol + " did not listen within 30 s: " + Files.readString(log));
    }

    private int startS3() throws Exception {
        blobs = ContextBuilder.newBuilder("transient").credentials("identity", "credential").build(BlobStoreContext.class);
        blobs.getBlobStore().createContainerInLocation(null, S3_BUCKET);
        s3 = S3Proxy.builder().blobStore(blobs.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, S3_ACCESS_KEY, S3_SECRET).build();
        s3.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!"STARTED".equals(s3.getState())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("S3Proxy did not start within 30 s: " + s3.getState());
            }
            Thread.sleep(10);
        }
        try (Stream<Path> files = Files.walk(data)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                putS3(data.relativize(f).toString(), f);
            }
        }
        return s3.getPort();
    }

    /** Starts Azurite's Blob service on a loopback port and copies the directory into {@link #AZURE_CONTAINER}. */
    private int startAzurite() throws IOException, InterruptedException {
        if (!Files.isRegularFile(AZURITE)) {
            fail(AZURITE + " is missing: run scripts/setup.sh (it installs azurite into .tools/node)");
        }
        // In memory, nothing on disk; --disableTelemetry: Azurite otherwise reports usage to a server on the internet.
        int port = started("azurite", List.of("node", AZURITE.toString(), "--blobHost", "127.0.0.1", "--blobPort", "0",
                "--inMemoryPersistence", "--disableTelemetry", "--silent"), AZURITE_LISTENING);
        Path uploader = Files.writeString(scratch.resolve("azure-upload-rclone.conf"), azure("up", port, "devstoreaccount1"));
        rcloneOrFail(uploader, "mkdir", "up:" + AZURE_CONTAINER);
        rcloneOrFail(uploader, "copy", data.toString(), "up:" + AZURE_CONTAINER);
        return port;
    }

    private static String azure(String name, int port, String account) {
        // A wrong account (the bad twin) is refused by Azurite like a wrong key by Azure.
        return section(name, "type = azureblob", "use_emulator = true", "endpoint = http://127.0.0.1:" + port + "/" + account);
    }

    /**
     * Starts OpenSSH's sshd on a free loopback port with everything in {@code scratch/sshd}: its configuration, a
     * fresh host key, the authorized key of the user the tests run as. Returns the rclone.conf sections.
     */
    private String startSshd() throws IOException, InterruptedException {
        if (!Files.isExecutable(SSHD)) {
            fail(SSHD + " is missing: run scripts/setup.sh (it installs openssh-server)");
        }
        Path dir = Files.createDirectories(scratch.resolve("sshd"));
        for (String key : List.of("host_key", "client_key", "other_key")) {
            runOrFail(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", key, "-f", dir.resolve(key).toString()));
        }
        Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
        // sshd refuses to start without its privilege separation directory (the Debian service makes it at start).
        Files.createDirectories(Path.of("/run/sshd"));
        String user = System.getProperty("user.name");
        for (int attempt = 1; ; attempt++) {
            int port;
            try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
            Path config = Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                    "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + dir.resolve("host_key"), "PidFile " + dir.resolve("sshd.pid"),
                    "AuthorizedKeysFile " + dir.resolve("authorized_keys"), "AuthenticationMethods publickey", "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no", "PermitRootLogin prohibit-password", "AllowUsers " + user, "UsePAM no",
                    // The scratch directory's parents (/tmp) are not root-only, which StrictModes would refuse.
                    "StrictModes no", "AllowTcpForwarding no", "X11Forwarding no", "PermitTTY no",
                    "Subsystem sftp internal-sftp", "ForceCommand internal-sftp -d " + data, "LogLevel INFO", ""));
            try {
                started("sshd", List.of(SSHD.toString(), "-D", "-e", "-f", config.toString()), SSHD_LISTENING);
            } catch (AssertionError e) {
                if (attempt < 3 && e.getMessage().contains("Address already in use")) {
                    continue; // the probed port was taken in between
                }
                throw e;
            }
            Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + port + " " + Files.readString(dir.resolve("host_key.pub")));
            return openssh(remote(Backend.OPENSSH), port, user, dir.resolve("client_key"), dir)
                    + openssh(badRemote(Backend.OPENSSH), port, user, dir.resolve("other_key"), dir);
        }
    }

    private static String openssh(String name, int port, String user, Path key, Path dir) {
        // shell_type none: the server runs no commands (ForceCommand), so rclone must not try hashing over ssh.
        return section(name, "type = sftp", "host = 127.0.0.1", "port = " + port, "user = " + user, "key_file = " + key,
                "known_hosts_file = " + dir.resolve("known_hosts"), "shell_type = none");
    }

    /** Starts {@code command} as a server logging to {@code scratch/<name>.log}; returns the port {@code listening} finds there. */
    private int started(String name, List<String> command, Pattern listening) throws IOException, InterruptedException {
        Path log = scratch.resolve(name + ".log");
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        servers.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            Matcher m = listening.matcher(text);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!p.isAlive()) {
                servers.remove(p);
                fail(name + " exited with " + p.exitValue() + ": " + text);
            }
            Thread.sleep(20);
        }
        throw new AssertionError(name + " did not listen within 30 s: " + Files.readString(log));
    }

    private static void rcloneOrFail(Path config, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("rclone", "--config", config.toString(), "--retries", "1"));
        cmd.addAll(List.of(args));
        runOrFail(cmd);
    }

    private static void runOrFail(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            fail(cmd + " failed: " + out);
        }
    }

    private static String section(String name, String... lines) {
        return "[" + name + "]\n" + String.join("\n", lines) + "\n\n";
    }

    private static String sftp(String name, int port, String obscuredPass) {
        return section(name, "type = sftp", "host = 127.0.0.1", "port = " + port, "user = " + USER, "pass = " + obscuredPass);
    }

    private static String webdav(String name, int port, String obscuredPass) {
        return section(name, "type = webdav", "url = http://127.0.0.1:" + port + "/", "vendor = other", "user = " + USER,
                "pass = " + obscuredPass);
    }

    private static String s3(String name, int port, String secret) {
        return section(name, "type = s3", "provider = Other", "endpoint = http://127.0.0.1:" + port,
                "access_key_id = " + S3_ACCESS_KEY, "secret_access_key = " + secret, "region = us-east-1");
    }

    /** {@code rclone obscure password}: the form rclone.conf keeps passwords in. */
    static String obscure(String password) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("rclone", "obscure", password).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty() || out.contains("\n")) {
            fail("rclone obscure failed: " + out);
        }
        return out;
    }

    /** Stops every server; waits for the rclone ones to exit. */
    @Override
    public void close() {
        for (Process p : servers) {
            p.destroy();
        }
        for (Process p : servers) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (s3 != null) {
            try {
                s3.stop();
            } catch (Exception e) {
                // stopping a test server: nothing more to do
            }
        }
        if (blobs != null) {
            blobs.close();
        }
    }
}
