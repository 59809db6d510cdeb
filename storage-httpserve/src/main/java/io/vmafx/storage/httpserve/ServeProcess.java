package io.vmafx.storage.httpserve;

import io.vmafx.api.uri.AssetUri;
import io.vmafx.rclone.ChildProcess;
import io.vmafx.rclone.Deadline;
import io.vmafx.rclone.PooledMember;
import io.vmafx.rclone.RcloneErrors;
import io.vmafx.rclone.RcloneTool;
import io.vmafx.rclone.RemoteControl;
import io.vmafx.spi.storage.RcloneControl;
import io.vmafx.spi.storage.StorageException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One {@code rclone serve http <root> --read-only --addr 127.0.0.1:0} process: the port the kernel gave it
 * and the credentials it requires. Pooled per remote root by {@link HttpServeStorageProvider}, which starts it
 * with {@link #start} on a pool miss and stops it through the pool.
 */
final class ServeProcess implements PooledMember {

    private static final System.Logger LOG = System.getLogger(ServeProcess.class.getName());
    /** rclone finishes open transfers on SIGTERM; ffmpeg's reads are over by then (the leases are gone). */
    static final Duration STOP_GRACE = Duration.ofSeconds(3);
    private static final String HOST = "127.0.0.1";

    private final String root;
    private final ChildProcess process;
    private final int port;
    private final Credentials credentials;
    private final RcloneTool tool;
    private final Duration dirCacheTime;
    /** Its remote control, or null (the node's environment hides rclone's NOTICE lines). */
    private final RcloneControl control;

    private ServeProcess(String root, ChildProcess process, int port, Credentials credentials, RcloneTool tool, Duration dirCacheTime,
            RcloneControl control) {
        this.control = control;
        this.root = root;
        this.process = process;
        this.port = port;
        this.credentials = credentials;
        this.tool = tool;
        this.dirCacheTime = dirCacheTime;
    }

    /**
     * Starts rclone for {@code root} and waits until it listens.
     *
     * @param cfg the settings: its directory cache time and VFS cache flags go to rclone
     * @param uri the input this start is for, named in error messages
     * @throws StorageException     {@code TOOL_FAILED} when rclone cannot be started or exits (its stderr tail in
     *                              the message: unknown remote, bad config), {@code TIMEOUT} when it does not
     *                              listen before {@code deadline}; the process is stopped then
     * @throws InterruptedException when interrupted while waiting; the process is stopped first
     */
    static ServeProcess start(String root, RcloneTool tool, HttpServeSettings cfg, Deadline deadline, AssetUri uri)
            throws StorageException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("serve", "http", root, "--read-only", "--addr", HOST + ":0"));
        args.addAll(cfg.vfsArgs());
        Credentials credentials = Credentials.random();
        // What the prepare, the read check and the bypass ask instead of starting rclones of their own. rclone starts it
        // before it serves, on a port of its own.
        RemoteControl rc = RemoteControl.forEnvironment(System.getenv()).orElse(null);
        java.util.Map<String, String> env = new java.util.HashMap<>(credentials.environment());
        if (rc != null) {
            args.addAll(rc.args());
            env.putAll(rc.environment());
        }
        long t0 = System.nanoTime();
        ChildProcess process;
        try {
            process = ChildProcess.start("rclone-serve", tool.command(args), env);
        } catch (IOException e) {
            throw new StorageException(uri, StorageException.Cause.TOOL_FAILED,
                    "cannot read " + uri.input() + ": cannot start " + tool.binary() + ": " + e.getMessage(), e);
        }
        try {
            RcloneControl control = rc == null ? null : awaitControl(process, rc, root, deadline, uri);
            int port = awaitListening(process, root, deadline, uri, control == null ? -1 : control.url().getPort());
            LOG.log(System.Logger.Level.INFO, () -> "http-serve: rclone serve http " + root + " listens on " + HOST + ":" + port
                    + " (pid " + process.pid() + ", " + (System.nanoTime() - t0) / 1_000_000 + " ms)");
            return new ServeProcess(root, process, port, credentials, tool, cfg.dirCacheTime(), control);
        } catch (Throwable t) {
            process.stop(STOP_GRACE);
            throw t;
        }
    }

    /**
     * Waits for rclone to log where its remote control listens (it starts that before it serves). Without the line the
     * process could not tell its two ports apart, so a start that logs none is a failed start.
     */
    private static RcloneControl awaitControl(ChildProcess process, RemoteControl rc, String root, Deadline deadline, AssetUri uri)
            throws StorageException, InterruptedException {
        long pause = 2;
        while (true) {
            Optional<RcloneControl> c = rc.endpoint(process.stderrTail());
            if (c.isPresent()) {
                return c.get();
            }
            if (!process.isAlive()) {
                String tail = process.stderrTail();
                throw new StorageException(uri, StorageException.Cause.TOOL_FAILED, "cannot read " + uri.input()
                        + ": rclone serve http " + root + " exited with code " + process.exitCode().orElse(-1) + ": "
                        + (tail.isEmpty() ? "(it wrote nothing to stderr)" : tail));
            }
            if (deadline.expired()) {
                throw new StorageException(uri, StorageException.Cause.TIMEOUT, "cannot read " + uri.input()
                        + ": rclone serve http " + root + " did not listen within " + deadline.describe()
                        + RcloneErrors.suffix(process.stderrTail()));
            }
            deadline.sleep(pause);
            pause = Math.min(25, pause * 2);
        }
    }

    private static int awaitListening(ChildProcess process, String root, Deadline deadline, AssetUri uri, int rcPort)
            throws StorageException, InterruptedException {
        long pause = 2;
        while (true) {
            OptionalInt port = ListeningPorts.of(process.pid(), rcPort);
            if (port.isPresent()) {
                return port.getAsInt();
            }
            if (!process.isAlive()) {
                String tail = process.stderrTail();
                throw new StorageException(uri, StorageException.Cause.TOOL_FAILED, "cannot read " + uri.input()
                        + ": rclone serve http " + root + " exited with code " + process.exitCode().orElse(-1) + ": "
                        + (tail.isEmpty() ? "(it wrote nothing to stderr)" : tail));
            }
            if (deadline.expired()) {
                throw new StorageException(uri, StorageException.Cause.TIMEOUT, "cannot read " + uri.input()
                        + ": rclone serve http " + root + " did not listen within " + deadline.describe()
                        + RcloneErrors.suffix(process.stderrTail()));
            }
            deadline.sleep(pause);
            pause = Math.min(25, pause * 2);
        }
    }

    /** What ffmpeg opens: the asset's URL with the credentials in it. Never log it. */
    String location(String path) {
        return "http://" + credentials.userInfo() + "@" + HOST + ":" + port + "/" + UrlPaths.escape(path);
    }

    /** {@link #location} without the credentials, for results and logs. */
    String displayLocation(String path) {
        return "http://" + HOST + ":" + port + "/" + UrlPaths.escape(path);
    }

    /** The asset's URL for the node's own requests, which send the credentials in a header. */
    URI uri(String path) {
        return URI.create(displayLocation(path));
    }

    String authorization() {
        return credentials.basicAuthorization();
    }

    /** Its remote control, or null. */
    RcloneControl control() {
        return control;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    String root() {
        return root;
    }

    /** The rclone (binary and config) it runs: what a direct check on the remote must use too. */
    RcloneTool tool() {
        return tool;
    }

    /** Its {@code --dir-cache-time}: at most this long after it last listed a directory, it lists it again. */
    Duration dirCacheTime() {
        return dirCacheTime;
    }

    /** A mark in rclone's stderr, to tell what it logs about one request. */
    long stderrMark() {
        return process.stderrMark();
    }

    String stderrSince(long mark) {
        return process.stderrSince(mark);
    }

    String stderrTail() {
        return process.stderrTail();
    }

    Optional<Integer> exitCode() {
        return process.exitCode();
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void stop() {
        process.stop(STOP_GRACE);
        LOG.log(System.Logger.Level.DEBUG, () -> "http-serve: stopped rclone serve http " + root + " (pid " + process.pid() + ")");
    }

    @Override
    public String toString() {
        return "rclone serve http " + root + " (pid " + process.pid() + ", port " + port + ")";
    }
}
