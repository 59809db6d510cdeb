package io.vmafx.storage.fuse;

import static io.vmafx.rclone.testing.TestRemote.assertNoChildProcesses;
import static io.vmafx.storage.fuse.MountChecks.rcloneMountsUnder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.api.uri.AssetUri;
import io.vmafx.rclone.testing.TestRemote;
import io.vmafx.spi.NodeSettings;
import io.vmafx.spi.storage.PreparedInput;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code PreparedInput.abortReads()} on a real mount whose reads block: a reader thread is stuck in {@code read(2)}
 * on the FUSE mount, abortReads makes that read fail within seconds, and the next prepare of the same remote root
 * mounts afresh and reads. Two ways to block, both with SIGSTOP: the remote behind the mount ({@code rclone serve
 * webdav}, read by the mount's rclone through a {@code webdav} remote) stops answering, or the mount's own rclone
 * stops (a hung FUSE server). The read timeout is set far beyond the test, so only the abort can end the read.
 */
class MountAbortReadsTest {

    private static final String ASSET = "big.bin";
    private static final int SIZE = 48 << 20;

    private TestRemote remote;
    private MountStorageProvider provider;
    private Process webdav;
    private byte[] data;

    @BeforeEach
    void setUp() throws Exception {
        remote = new TestRemote();
        provider = new MountStorageProvider();
        data = remote.write(ASSET, SIZE, 7);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        webdav = new ProcessBuilder("rclone", "serve", "webdav", remote.source.toString(), "--addr", "127.0.0.1:" + port,
                "--config", remote.config.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        Files.writeString(remote.config, "\n[dav]\ntype = webdav\nurl = http://127.0.0.1:" + port + "\nvendor = other\n",
                StandardOpenOption.APPEND);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!answers(port)) {
            assertTrue(System.nanoTime() < end && webdav.isAlive(), "rclone serve webdav did not listen");
            Thread.sleep(20);
        }
    }

    private static boolean answers(int port) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (webdav != null) {
                signal(webdav.pid(), "CONT");
                webdav.destroyForcibly();
                webdav.waitFor(5, TimeUnit.SECONDS);
            }
            provider.close();
            assertNoChildProcesses();
            assertEquals(List.of(), rcloneMountsUnder(remote.base), "mounts left");
            assertEquals(List.of(), MountChecks.underMountRoot(remote.mountRoot), "mount points left");
        } finally {
            remote.close();
        }
    }

    private NodeSettings settings() {
        // No disk cache (every read goes to the remote) and a read timeout no test waits for: only the abort ends the read.
        return remote.settings("VMAFX_VFS_CACHE_MODE", "off", "VMAFX_READ_TIMEOUT", "10m");
    }

    private static void signal(long pid, String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(pid)).start();
        assertTrue(kill.waitFor(5, TimeUnit.SECONDS));
    }

    private static long mountPid(Path mountDir) throws IOException {
        String dir = mountDir.toString();
        return ProcessHandle.current().descendants().filter(h -> h.info().arguments().map(a -> Arrays.asList(a).contains(dir)).orElse(false))
                .findFirst().orElseThrow(() -> new AssertionError("no rclone mount for " + dir)).pid();
    }

    @ParameterizedTest(name = "the {0} stops answering")
    @ValueSource(strings = {"remote", "mount's own rclone"})
    void aReadStuckOnTheMountFailsWithinSecondsOfAbortReadsAndTheNextPrepareMountsAfresh(String what) throws Exception {
        AssetUri uri = AssetUri.parse("dav:" + ASSET);
        PreparedInput in = provider.prepare(uri, settings());
        Path file = Path.of(in.location());
        long firstPid = mountPid(file.getParent());
        CompletableFuture<Object> stuck;
        long stoppedPid = what.equals("remote") ? webdav.pid() : firstPid;
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            ByteBuffer head = ByteBuffer.allocate(64 << 10);
            assertEquals(64 << 10, ch.read(head, 0), "the mount reads before anything stops");
            assertTrue(Arrays.equals(Arrays.copyOf(data, 64 << 10), head.array()));

            signal(stoppedPid, "STOP");
            stuck = CompletableFuture.supplyAsync(() -> {
                try {
                    ByteBuffer b = ByteBuffer.allocate(1 << 20);
                    int n = ch.read(b, 32L << 20); // far beyond anything read ahead
                    return "read returned " + n;
                } catch (IOException e) {
                    return e;
                }
            });
            Thread.sleep(1_500);
            assertFalse(stuck.isDone(), () -> "the read did not block: " + stuck.join());

            long t0 = System.nanoTime();
            assertTrue(in.abortReads(), "a mount input can abort its reads");
            Object outcome = stuck.get(10, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(outcome instanceof IOException, () -> "the stuck read failed with an error, not " + outcome);
            System.out.println("abortReads (" + what + " stopped): the stuck read failed after " + ms + " ms: " + outcome);
            assertTrue(ms < 5_000, "within seconds: " + ms + " ms");
            assertTrue(in.readProblem().isPresent(), "the read check says the bytes cannot be trusted");
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        } finally {
            try {
                ch.close();
            } catch (IOException e) {
                // The connection is aborted: even close(2) says "Transport endpoint is not connected".
            }
            signal(stoppedPid, "CONT");
            in.close();
        }

        long t1 = System.nanoTime();
        try (PreparedInput again = provider.prepare(uri, settings())) {
            long prepareMs = (System.nanoTime() - t1) / 1_000_000;
            Path f = Path.of(again.location());
            assertNotEquals(firstPid, mountPid(f.getParent()), "a fresh rclone mount serves the next prepare");
            ByteBuffer b = ByteBuffer.allocate(1 << 20);
            try (FileChannel fresh = FileChannel.open(f, StandardOpenOption.READ)) {
                assertEquals(1 << 20, fresh.read(b, 32L << 20));
            }
            assertTrue(Arrays.equals(Arrays.copyOfRange(data, 32 << 20, (32 << 20) + (1 << 20)), b.array()), "the right bytes");
            System.out.println("abortReads (" + what + " stopped): the next prepare mounted afresh in " + prepareMs + " ms");
            assertEquals(1L, provider.counters().get("pool_replaced"), provider.counters()::toString);
        }
    }
}
