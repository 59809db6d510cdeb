package io.vmafx.storage.httpserve;

import io.vmafx.rclone.testing.TestRemote;

import static io.vmafx.rclone.testing.TestRemote.CLIP;
import static io.vmafx.rclone.testing.TestRemote.OTHER;
import static io.vmafx.rclone.testing.TestRemote.WEIRD;
import static io.vmafx.rclone.testing.TestRemote.assertNoChildProcesses;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.api.uri.AssetUri;
import io.vmafx.spi.Availability;
import io.vmafx.spi.NodeSettings;
import io.vmafx.spi.storage.PreparedInput;
import io.vmafx.spi.storage.StorageException;
import io.vmafx.spi.storage.RcloneControl;
import io.vmafx.spi.storage.VfsCacheLocation;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The http-serve provider against the real rclone, serving a local directory. */
class HttpServeStorageProviderTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .proxy(HttpClient.Builder.NO_PROXY).build();

    private TestRemote remote;
    private HttpServeStorageProvider provider;

    @BeforeEach
    void setUp() throws IOException {
        remote = new TestRemote();
        provider = new HttpServeStorageProvider();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            provider.close();
            assertNoChildProcesses();
            assertEquals(0, provider.counters().get("pool_members").intValue());
        } finally {
            remote.close();
        }
    }

    private static AssetUri media(String path) {
        return AssetUri.parse("media:" + path);
    }

    /** GET through the location ffmpeg would open, credentials taken from its user info. */
    static HttpResponse<byte[]> get(String location) throws IOException, InterruptedException {
        URI withCredentials = URI.create(location);
        URI plain = URI.create(location.replace(withCredentials.getRawUserInfo() + "@", ""));
        HttpRequest request = HttpRequest.newBuilder(plain)
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        withCredentials.getRawUserInfo().getBytes(StandardCharsets.UTF_8)))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static long port(PreparedInput in) {
        return URI.create(in.location()).getPort();
    }

    @Test
    void servesAnAssetWithSpacesAndNonAsciiAtALoopbackUrlWithCredentials() throws Exception {
        try (PreparedInput in = provider.prepare(media(CLIP), remote.settings())) {
            assertEquals("http-serve", in.provider());
            assertTrue(in.location().matches("http://vmafx-[0-9a-f]{12}:[0-9a-f]{48}@127\\.0\\.0\\.1:\\d+/dir/my%20clip%20%C3%A9\\.bin"),
                    in.displayLocation());
            assertEquals(in.location().replaceFirst("//[^@]+@", "//"), in.displayLocation());
            assertFalse(in.displayLocation().contains("@"));
            assertTrue(in.vfsCache().isEmpty());

            HttpResponse<byte[]> response = get(in.location());
            assertEquals(200, response.statusCode());
            assertArrayEquals(remote.bytes(CLIP), response.body());

            // Without the credentials the port serves nothing.
            HttpResponse<Void> anonymous = HTTP.send(HttpRequest.newBuilder(URI.create(in.displayLocation())).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertEquals(401, anonymous.statusCode());
        }
    }

    @Test
    void escapesHashQuestionMarkPercentAndPlusInNames() throws Exception {
        try (PreparedInput in = provider.prepare(media(WEIRD), remote.settings())) {
            assertTrue(in.displayLocation().endsWith("/dir/weird%20%231%3F%25%2B%26.bin"), in.displayLocation());
            assertArrayEquals(remote.bytes(WEIRD), get(in.location()).body());
        }
    }

    @Test
    void servesAPathAbsoluteOnTheRemote() throws Exception {
        AssetUri uri = AssetUri.parse("disk:" + remote.source.resolve(CLIP));
        assertEquals("disk:/", uri.rclone().orElseThrow().root());
        try (PreparedInput in = provider.prepare(uri, remote.settings())) {
            assertArrayEquals(remote.bytes(CLIP), get(in.location()).body());
        }
    }

    @Test
    void credentialsStayOutOfTheCommandLineAndTheDisplayLocation() throws Exception {
        try (PreparedInput in = provider.prepare(media(CLIP), remote.settings())) {
            String password = URI.create(in.location()).getUserInfo().split(":")[1];
            long pid = TestRemote.childPids().get(0);
            String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
            assertTrue(cmdline.contains("serve http media: --read-only --addr 127.0.0.1:0 --dir-cache-time 5000ms --timeout 30000ms --contimeout 10000ms"), cmdline);
            assertFalse(cmdline.contains(password), "the password is world-readable in /proc/<pid>/cmdline");
            assertFalse(in.displayLocation().contains(password));
        }
    }

    @Test
    void secondPrepareIsAPoolHit() throws Exception {
        long t0 = System.nanoTime();
        PreparedInput cold = provider.prepare(media(CLIP), remote.settings());
        long coldNanos = System.nanoTime() - t0;
        cold.close();
        long warmNanos = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            long t1 = System.nanoTime();
            try (PreparedInput warm = provider.prepare(media(i % 2 == 0 ? CLIP : OTHER), remote.settings())) {
                warmNanos = Math.min(warmNanos, System.nanoTime() - t1);
                assertEquals(port(cold), port(warm), "the same serve process");
            }
        }
        Map<String, Number> c = provider.counters();
        System.out.printf("http-serve prepare: cold %.1f ms, pooled (best of 10) %.2f ms, pooled mean %.2f ms%n",
                coldNanos / 1e6, warmNanos / 1e6, c.get("prepare_warm_us_sum").doubleValue() / c.get("prepare_warm_count").doubleValue() / 1e3);
        assertEquals(11L, c.get("prepares"));
        assertEquals(1L, c.get("pool_misses"));
        assertEquals(10L, c.get("pool_hits"));
        assertEquals(1L, c.get("pool_started"));
        assertEquals(1, c.get("pool_members"));
        assertEquals(0, c.get("pool_leases"));
        // How much faster is a benchmark's question (bench storage); the counters above are what a pool hit is.
    }

    @Test
    void missingObjectIsNotFoundAtOnceColdAndWarm() throws Exception {
        // The first round starts the process; the second finds it running, so the remote is asked directly too.
        for (String round : List.of("cold", "warm")) {
            long t0 = System.nanoTime();
            StorageException e = assertThrows(StorageException.class, () -> provider.prepare(media("dir/nope.bin"), remote.settings()));
            long millis = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("http-serve: missing object, " + round + ": NOT_FOUND in " + millis + " ms");
            assertEquals(StorageException.Cause.NOT_FOUND, e.reason());
            assertEquals("object not found: media:dir/nope.bin", e.getMessage());
            assertTrue(millis < 2_000, millis + " ms");
        }
        // A directory is no object either: rclone answers 404 without the trailing slash.
        assertEquals(StorageException.Cause.NOT_FOUND,
                assertThrows(StorageException.class, () -> provider.prepare(media("dir"), remote.settings())).reason());
        Map<String, Number> c = provider.counters();
        assertEquals(3L, c.get("failures_not_found"));
        assertEquals(2L, c.get("warm_miss_checks"));
        assertEquals(0L, c.get("warm_miss_found"));
        assertEquals(1L, c.get("pool_started"));
        assertEquals(0, c.get("pool_leases"));
    }

    @Test
    void objectUploadedAfterTheWarmProcessListedItsDirectoryIsFound() throws Exception {
        PreparedInput first = provider.prepare(media(CLIP), remote.settings()); // the process lists dir/ now
        long port = port(first);
        first.close();
        byte[] uploaded = remote.write("dir/uploaded later.bin", 200_000, 7);

        long t0 = System.nanoTime();
        try (PreparedInput in = provider.prepare(media("dir/uploaded later.bin"), remote.settings())) {
            long millis = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("http-serve: object uploaded after the warm process listed its directory: found in " + millis
                    + " ms (default VMAFX_RCLONE_DIR_CACHE_TIME 5 s)");
            assertEquals(port, port(in), "the same, warm process");
            assertArrayEquals(uploaded, get(in.location()).body());
            assertTrue(millis < 5_000 + 1_500, millis + " ms");
        }
        Map<String, Number> c = provider.counters();
        assertEquals(1L, c.get("warm_miss_checks"));
        assertEquals(1L, c.get("warm_miss_found"));
        assertEquals(0L, c.get("failures"));
        assertEquals(1L, c.get("pool_started"));

        // Listed now: the next job's prepare is a plain hit again, one HEAD.
        long t1 = System.nanoTime();
        provider.prepare(media("dir/uploaded later.bin"), remote.settings()).close();
        long millis = (System.nanoTime() - t1) / 1_000_000;
        assertTrue(millis < 500, millis + " ms");
        assertEquals(1L, provider.counters().get("warm_miss_checks"));
    }

    @Test
    void shorterDirCacheTimeFindsAnUploadSooner() throws Exception {
        NodeSettings quick = remote.settings("VMAFX_RCLONE_DIR_CACHE_TIME", "500ms");
        provider.prepare(media(CLIP), quick).close();
        byte[] uploaded = remote.write("dir/new.bin", 1000, 8);
        long t0 = System.nanoTime();
        try (PreparedInput in = provider.prepare(media("dir/new.bin"), quick)) {
            long millis = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("http-serve: upload found in " + millis + " ms with VMAFX_RCLONE_DIR_CACHE_TIME=500ms");
            assertArrayEquals(uploaded, get(in.location()).body());
            assertTrue(millis < 1_500, millis + " ms");
        }
        String cmdline = Files.readString(Path.of("/proc/" + TestRemote.childPids().get(0) + "/cmdline")).replace('\0', ' ');
        assertTrue(cmdline.contains(" --dir-cache-time 500ms"), cmdline);
    }

    @Test
    void replacedObjectIsServedWithItsNewSizeAndBytes() throws Exception {
        assertReplacedObjectIsServedAnew(remote.settings("VMAFX_RCLONE_DIR_CACHE_TIME", "1s"));
    }

    @Test
    void replacedObjectIsServedAnewFromTheVfsCacheToo() throws Exception {
        assertReplacedObjectIsServedAnew(remote.settings("VMAFX_RCLONE_DIR_CACHE_TIME", "1s", "VMAFX_HTTPSERVE_VFS_CACHE", "1"));
    }

    /** Prepare and read, replace the source with other bytes of another size, prepare (warm) and read again. */
    private void assertReplacedObjectIsServedAnew(NodeSettings settings) throws Exception {
        long port;
        try (PreparedInput first = provider.prepare(media(CLIP), settings)) {
            port = port(first);
            assertArrayEquals(remote.bytes(CLIP), get(first.location()).body());
        }
        byte[] replaced = remote.write(CLIP, 300_000, 42);
        // A job that starts VMAFX_RCLONE_DIR_CACHE_TIME after the replacement sees it.
        Thread.sleep(1_200);
        long t0 = System.nanoTime();
        try (PreparedInput second = provider.prepare(media(CLIP), settings)) {
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(port, port(second), "the same, warm process");
            HttpResponse<byte[]> r = get(second.location());
            assertEquals(200, r.statusCode());
            assertEquals(300_000L, r.headers().firstValueAsLong("Content-Length").orElse(-1));
            assertArrayEquals(replaced, r.body());
            System.out.println("http-serve: replaced object served anew (warm prepare " + millis + " ms)");
        }
        Map<String, Number> c = provider.counters();
        assertEquals(1L, c.get("pool_started"));
        assertEquals(0L, c.get("warm_miss_checks"), "a hit costs no check on the remote");
    }

    @Test
    void uploadTheWarmProcessCannotListBeforeTheDeadlineIsATimeoutThatSaysWhy() throws Exception {
        NodeSettings slow = remote.settings("VMAFX_RCLONE_DIR_CACHE_TIME", "1h", "VMAFX_HTTPSERVE_READY_TIMEOUT", "1500ms");
        provider.prepare(media(CLIP), slow).close();
        remote.write("dir/late.bin", 1000, 9);
        long t0 = System.nanoTime();
        StorageException e = assertThrows(StorageException.class, () -> provider.prepare(media("dir/late.bin"), slow));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(StorageException.Cause.TIMEOUT, e.reason());
        assertEquals("cannot read media:dir/late.bin: the remote has it, but rclone serve http media: still answered 404 after"
                + " 1500 ms (it lists a directory again at most VMAFX_RCLONE_DIR_CACHE_TIME = 1 h after it last did)", e.getMessage());
        assertTrue(millis >= 1_400 && millis < 3_000, millis + " ms");
        assertEquals(0, provider.counters().get("pool_leases"));
    }

    @Test
    void missingRcloneBinaryMakesTheProviderUnusableAndPrepareFailClearly() throws Exception {
        NodeSettings byPath = remote.settings("VMAFX_RCLONE_BIN", "/nonexistent/rclone");
        Availability a = provider.availability(byPath);
        assertFalse(a.usable());
        assertEquals("rclone not found: /nonexistent/rclone is not an executable file (VMAFX_RCLONE_BIN)", a.reason());
        StorageException e = assertThrows(StorageException.class, () -> provider.prepare(media(CLIP), byPath));
        assertEquals(StorageException.Cause.TOOL_FAILED, e.reason());
        assertEquals("cannot read media:dir/my clip é.bin: " + a.reason(), e.getMessage());

        NodeSettings byName = remote.settings("VMAFX_RCLONE_BIN", "vmafx-no-such-rclone");
        assertEquals("rclone not found: no executable 'vmafx-no-such-rclone' on the PATH (install rclone or set VMAFX_RCLONE_BIN)",
                provider.availability(byName).reason());
        assertTrue(provider.availability(remote.settings()).usable());
        assertEquals(0, provider.counters().get("pool_members").intValue());
    }

    @Test
    void badSettingIsAnErrorNamingTheVariable() {
        // Core turns this into a one-line start-up error.
        IllegalArgumentException idle = assertThrows(IllegalArgumentException.class,
                () -> provider.availability(remote.settings("VMAFX_HTTPSERVE_IDLE", "soon")));
        assertTrue(idle.getMessage().startsWith("VMAFX_HTTPSERVE_IDLE: expected a duration"), idle.getMessage());
        StorageException e = assertThrows(StorageException.class,
                () -> provider.prepare(media(CLIP), remote.settings("VMAFX_HTTPSERVE_READY_TIMEOUT", "x")));
        assertEquals(StorageException.Cause.UNAVAILABLE, e.reason());

        IllegalArgumentException dirCache = assertThrows(IllegalArgumentException.class,
                () -> provider.availability(remote.settings("VMAFX_RCLONE_DIR_CACHE_TIME", "often")));
        assertEquals("VMAFX_RCLONE_DIR_CACHE_TIME: expected a duration such as 500ms, 15s, 2m or 1h, got 'often'", dirCache.getMessage());
        StorageException bad = assertThrows(StorageException.class,
                () -> provider.prepare(media(CLIP), remote.settings("VMAFX_RCLONE_DIR_CACHE_TIME", "often")));
        assertEquals(StorageException.Cause.UNAVAILABLE, bad.reason());
        assertEquals("cannot read media:dir/my clip é.bin: " + dirCache.getMessage(), bad.getMessage());
    }

    @Test
    void unknownRemoteFailsAtOnceWithRclonesStderr() throws Exception {
        long t0 = System.nanoTime();
        StorageException e = assertThrows(StorageException.class, () -> provider.prepare(AssetUri.parse("nosuch:x/y"), remote.settings()));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(StorageException.Cause.TOOL_FAILED, e.reason());
        assertTrue(e.getMessage().startsWith("cannot read nosuch:x/y: rclone serve http nosuch: exited with code 1: "), e.getMessage());
        assertTrue(e.getMessage().contains("didn't find section in config file"), e.getMessage());
        assertTrue(millis < 2_000, millis + " ms");
        assertEquals(1L, provider.counters().get("failures_tool_failed"));
        assertNoChildProcesses();
    }

    @Test
    void rcloneThatNeverListensTimesOutAfterTheConfiguredTimeAndIsStopped() throws Exception {
        Path fake = remote.script("rclone-silent", "echo 'starting slowly' >&2; exec sleep 30");
        long t0 = System.nanoTime();
        StorageException e = assertThrows(StorageException.class, () -> provider.prepare(media(CLIP),
                remote.settings("VMAFX_RCLONE_BIN", fake.toString(), "VMAFX_HTTPSERVE_READY_TIMEOUT", "700ms")));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(StorageException.Cause.TIMEOUT, e.reason());
        assertEquals("cannot read media:dir/my clip é.bin: rclone serve http media: did not listen within 700 ms (rclone: starting slowly)",
                e.getMessage());
        assertTrue(millis >= 650 && millis < 3_000, millis + " ms");
        assertNoChildProcesses();
    }

    @Test
    void rcloneExitingShowsTheTailOfItsStderr() throws Exception {
        Path fake = remote.script("rclone-failing", "echo 'line one' >&2; echo '2026/01/01 10:00:00 CRITICAL: bad token' >&2; exit 3");
        StorageException e = assertThrows(StorageException.class,
                () -> provider.prepare(media(CLIP), remote.settings("VMAFX_RCLONE_BIN", fake.toString())));
        assertEquals(StorageException.Cause.TOOL_FAILED, e.reason());
        assertEquals("cannot read media:dir/my clip é.bin: rclone serve http media: exited with code 3: line one | CRITICAL: bad token",
                e.getMessage());
    }

    @Test
    void killedProcessIsReplacedOnTheNextPrepare() throws Exception {
        PreparedInput first = provider.prepare(media(CLIP), remote.settings());
        first.close();
        List<Long> pids = TestRemote.childPids();
        assertEquals(1, pids.size());
        long pid = pids.get(0);
        assertEquals(0, new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor());
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());

        try (PreparedInput second = provider.prepare(media(CLIP), remote.settings())) {
            assertArrayEquals(remote.bytes(CLIP), get(second.location()).body());
            assertNotEquals(List.of(pid), TestRemote.childPids());
        }
        Map<String, Number> c = provider.counters();
        assertEquals(2L, c.get("pool_misses"));
        assertEquals(1L, c.get("pool_replaced"));
        assertEquals(2L, c.get("pool_started"));
    }

    @Test
    void processKilledWhileLeasedIsReplacedForTheNextJob() throws Exception {
        PreparedInput held = provider.prepare(media(CLIP), remote.settings());
        long pid = TestRemote.childPids().get(0);
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
        try (PreparedInput next = provider.prepare(media(OTHER), remote.settings())) {
            assertArrayEquals(remote.bytes(OTHER), get(next.location()).body());
        }
        held.close(); // the dead member's lease: giving it back must not disturb the new one
        try (PreparedInput again = provider.prepare(media(OTHER), remote.settings())) {
            assertEquals(200, get(again.location()).statusCode());
        }
        assertEquals(2L, provider.counters().get("pool_started"));
    }

    @Test
    void idleProcessIsStoppedAfterTheIdlePeriodButNotWhileLeased() throws Exception {
        NodeSettings quick = remote.settings("VMAFX_HTTPSERVE_IDLE", "300ms");
        PreparedInput held = provider.prepare(media(CLIP), quick);
        Thread.sleep(700);
        assertEquals(1, TestRemote.childPids().size(), "a leased process is kept");
        held.close();
        assertNoChildProcesses();
        Map<String, Number> c = provider.counters();
        assertEquals(1L, c.get("pool_evicted"));
        assertEquals(0, c.get("pool_members"));
        try (PreparedInput again = provider.prepare(media(CLIP), quick)) {
            assertEquals(200, get(again.location()).statusCode());
        }
        assertEquals(2L, provider.counters().get("pool_misses"));
    }

    @Test
    void interruptedColdPrepareThrowsAndLeavesNothing() throws Exception {
        Thread.currentThread().interrupt();
        try {
            assertThrows(InterruptedException.class, () -> provider.prepare(media(CLIP), remote.settings()));
        } finally {
            Thread.interrupted();
        }
        assertNoChildProcesses();
        Map<String, Number> c = provider.counters();
        assertEquals(1L, c.get("interrupted"));
        assertEquals(0, c.get("pool_members"));
        assertEquals(0, c.get("pool_leases"));
    }

    @Test
    void interruptedWarmPrepareGivesItsLeaseBack() throws Exception {
        provider.prepare(media(CLIP), remote.settings()).close();
        Thread.currentThread().interrupt();
        try {
            assertThrows(InterruptedException.class, () -> provider.prepare(media(CLIP), remote.settings()));
        } finally {
            Thread.interrupted();
        }
        Map<String, Number> c = provider.counters();
        assertEquals(0, c.get("pool_leases"));
        assertEquals(1, c.get("pool_members"), "the warm process stays for the next job");
        try (PreparedInput in = provider.prepare(media(CLIP), remote.settings())) {
            assertEquals(200, get(in.location()).statusCode());
        }
    }

    @Test
    void concurrentPreparesShareOneProcessAndCloseLeavesNothing() throws Exception {
        int threads = 8;
        int rounds = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger ok = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        byte[] clipHead = java.util.Arrays.copyOf(remote.bytes(CLIP), 16);
        for (int t = 0; t < threads; t++) {
            int id = t;
            futures.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < rounds; i++) {
                    // One job: both inputs held at once, like a reference and a distorted video.
                    try (PreparedInput ref = provider.prepare(media(CLIP), remote.settings());
                         PreparedInput dis = provider.prepare(media(OTHER), remote.settings())) {
                        if ((i + id) % 5 == 0) { // some reads while others prepare
                            HttpResponse<byte[]> r = get(ref.location());
                            assertEquals(200, r.statusCode());
                            assertArrayEquals(clipHead, java.util.Arrays.copyOf(r.body(), 16));
                            assertEquals(200, get(dis.location()).statusCode());
                        }
                        ok.addAndGet(2);
                    }
                }
                return null;
            }));
        }
        long t0 = System.nanoTime();
        go.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        Map<String, Number> c = provider.counters();
        int prepares = threads * rounds * 2;
        System.out.println("http-serve: " + prepares + " concurrent prepares in " + millis + " ms; counters " + c);
        assertEquals(prepares, ok.get());
        assertEquals((long) prepares, c.get("prepares"));
        assertEquals(1L, c.get("pool_misses"));
        assertEquals(prepares - 1L, c.get("pool_hits"));
        assertEquals(0L, c.get("failures"));
        assertEquals(1L, c.get("pool_started"));
        assertEquals(0, c.get("pool_leases"));

        provider.close();
        assertNoChildProcesses();
        assertEquals(1L, provider.counters().get("pool_stopped"));
        StorageException closed = assertThrows(StorageException.class, () -> provider.prepare(media(CLIP), remote.settings()));
        assertEquals(StorageException.Cause.UNAVAILABLE, closed.reason());
    }

    @Test
    void httpUrlsGoStraightToFfmpeg() throws Exception {
        AssetUri uri = AssetUri.parse("https://example.com/videos/a b.mp4");
        try (PreparedInput in = provider.prepare(uri, remote.settings())) {
            assertEquals("https://example.com/videos/a%20b.mp4", in.location());
            assertEquals(in.location(), in.displayLocation());
        }
        assertEquals(List.of(), TestRemote.childPids());
        assertEquals(1L, provider.counters().get("passthrough"));
        assertTrue(provider.handles(uri));
        assertFalse(provider.handles(AssetUri.parse("/local/file.mp4")));
    }

    @Test
    void vfsCacheModeWhenAskedFor() throws Exception {
        try (PreparedInput in = provider.prepare(media(CLIP), remote.settings("VMAFX_HTTPSERVE_VFS_CACHE", "1"))) {
            VfsCacheLocation cache = in.vfsCache().orElseThrow();
            assertEquals(remote.cacheDir.resolve("httpserve"), cache.cacheDir());
            assertEquals("media:", cache.remoteRoot());
            assertEquals(CLIP, cache.path());
            assertNull(cache.fusePath());
            assertArrayEquals(remote.bytes(CLIP), get(in.location()).body());
            String cmdline = Files.readString(Path.of("/proc/" + TestRemote.childPids().get(0) + "/cmdline")).replace('\0', ' ');
            assertTrue(cmdline.contains("--vfs-cache-mode full --cache-dir " + cache.cacheDir()
                    + " --vfs-cache-max-size 10737418240B --vfs-cache-max-age 3600000ms "), cmdline);
            // Its private remote control, which the bypass asks: loopback, authenticated, no credentials in argv.
            assertTrue(cmdline.endsWith(" --rc --rc-addr 127.0.0.1:0 --rc-no-auth=false --rc-serve=false --rc-web-gui=false --rc-htpasswd= "), cmdline);
            assertFalse(cmdline.contains("RCLONE_RC_PASS") || cmdline.contains("rc-pass"), cmdline);
            RcloneControl control = cache.control();
            assertNotNull(control, "the location names the serve process's remote control");
            assertEquals("127.0.0.1", control.url().getHost());
            assertNotEquals(port(in), control.url().getPort());
            HttpRequest.Builder stat = HttpRequest.newBuilder(control.url().resolve("operations/stat"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"fs\":\"media:\",\"remote\":\"" + CLIP + "\"}"));
            HttpResponse<String> ok = HttpClient.newHttpClient().send(stat.copy().header("Authorization", control.authorization()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode(), ok.body());
            assertTrue(ok.body().contains("\"Size\": " + remote.bytes(CLIP).length), ok.body());
            assertEquals(401, HttpClient.newHttpClient().send(stat.build(), HttpResponse.BodyHandlers.ofString()).statusCode(),
                    "the remote control refuses a call without its credentials");
            assertTrue(Files.isDirectory(cache.cacheDir().resolve("vfs")), "rclone's cache is in place");
        }
    }

    @Test
    void twoRemoteRootsGetTwoProcesses() throws Exception {
        try (PreparedInput a = provider.prepare(media(CLIP), remote.settings());
             PreparedInput b = provider.prepare(AssetUri.parse("disk:" + remote.source.resolve(OTHER)), remote.settings())) {
            assertNotEquals(port(a), port(b));
            assertEquals(2, TestRemote.childPids().size());
            assertArrayEquals(remote.bytes(OTHER), get(b.location()).body());
        }
    }
}
