package io.vmafx.storage.fuse;

import io.vmafx.rclone.testing.TestRemote;

import static io.vmafx.rclone.testing.TestRemote.CLIP;
import static io.vmafx.rclone.testing.TestRemote.OTHER;
import static io.vmafx.rclone.testing.TestRemote.WEIRD;
import static io.vmafx.rclone.testing.TestRemote.assertNoChildProcesses;
import static io.vmafx.storage.fuse.MountChecks.rcloneMountsUnder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.api.uri.AssetUri;
import io.vmafx.spi.Availability;
import io.vmafx.spi.NodeSettings;
import io.vmafx.spi.storage.PreparedInput;
import io.vmafx.spi.storage.StorageException;
import io.vmafx.spi.storage.VfsCacheLocation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mount provider against the real rclone and the real FUSE, mounting a local directory. */
class MountStorageProviderTest {

    private TestRemote remote;
    private MountStorageProvider provider;

    @BeforeEach
    void setUp() throws IOException {
        remote = new TestRemote();
        provider = new MountStorageProvider();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            provider.close();
            assertNoChildProcesses();
            assertEquals(List.of(), rcloneMountsUnder(remote.base), "mounts left");
            assertEquals(List.of(), MountChecks.underMountRoot(remote.mountRoot), "mount points left");
        } finally {
            remote.close();
        }
    }

    private static AssetUri media(String path) {
        return AssetUri.parse("media:" + path);
    }

    private Path mountDir() {
        return remote.mountRoot.resolve(MountPoints.name("media:"));
    }

    private static String cmdline(long pid) throws IOException {
        return Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
    }

    @Test
    void readsAnAssetWithSpacesAndNonAsciiThroughAReadOnlyMount() throws Exception {
        try (PreparedInput in = provider.prepare(media(CLIP), remote.settings())) {
            Path file = mountDir().resolve(CLIP);
            assertEquals("mount", in.provider());
            assertEquals(file.toString(), in.location());
            assertEquals(in.location(), in.displayLocation());
            assertArrayEquals(remote.bytes(CLIP), Files.readAllBytes(file));

            List<String> mounts = rcloneMountsUnder(remote.mountRoot);
            assertEquals(1, mounts.size(), mounts.toString());
            assertTrue(mounts.get(0).split(" ")[5].startsWith("ro"), mounts.get(0));
            assertThrows(IOException.class, () -> Files.writeString(mountDir().resolve("dir/new.txt"), "x"), "read-only");

            VfsCacheLocation cache = in.vfsCache().orElseThrow();
            assertEquals(new VfsCacheLocation(remote.cacheDir, "media:", CLIP, file, cache.control()), cache);
            // The mount's private remote control, which the bypass asks: loopback, a port of its own.
            assertNotNull(cache.control(), "the location names the mount's remote control");
            assertEquals("127.0.0.1", cache.control().url().getHost());
            assertTrue(cache.control().authorization().startsWith("Basic "));
            assertFalse(cache.control().toString().contains(cache.control().authorization().substring(6)), "no credentials in toString");
            String cmd = cmdline(TestRemote.childPids().get(0));
            assertTrue(cmd.endsWith(" mount media: " + mountDir() + " --read-only --dir-cache-time 5000ms --timeout 30000ms --contimeout 10000ms --vfs-cache-mode full --cache-dir " + remote.cacheDir
                    + " --vfs-cache-max-size 10737418240B --vfs-cache-max-age 3600000ms"
                    + " --rc --rc-addr 127.0.0.1:0 --rc-no-auth=false --rc-serve=false --rc-web-gui=false --rc-htpasswd= "), cmd);
            assertTrue(cmd.contains("--config " + remote.config), cmd);
        }
        // The cache outlives the mount: the next job's mount reads from it.
        provider.close();
        try (Stream<Path> cached = Files.walk(remote.cacheDir.resolve("vfs"))) {
            assertTrue(cached.anyMatch(p -> p.getFileName().toString().equals("my clip é.bin") && sizeOf(p) == 1 << 20),
                    "rclone's VFS cache holds the asset");
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void namesWithHashQuestionMarkAndPercentWork() throws Exception {
        try (PreparedInput in = provider.prepare(media(WEIRD), remote.settings())) {
            assertTrue(in.location().endsWith("/dir/weird #1?%+&.bin"), in.location());
            assertArrayEquals(remote.bytes(WEIRD), Files.readAllBytes(Path.of(in.location())));
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
            }
        }
        Map<String, Number> c = provider.counters();
        System.out.printf("mount prepare: cold %.1f ms, pooled (best of 10) %.2f ms, pooled mean %.2f ms%n",
                coldNanos / 1e6, warmNanos / 1e6, c.get("prepare_warm_us_sum").doubleValue() / c.get("prepare_warm_count").doubleValue() / 1e3);
        assertEquals(1L, c.get("pool_misses"));
        assertEquals(10L, c.get("pool_hits"));
        assertEquals(1L, c.get("pool_started"));
        assertEquals(1, TestRemote.childPids().size());
        // How much faster is a benchmark's question (bench storage); the counters above are what a pool hit is.
    }

    @Test
    void missingObjectIsNotFoundAtOnceColdAndWarm() throws Exception {
        // The first round mounts; the second finds the mount up, so the remote is asked directly too.
        for (String round : List.of("cold", "warm")) {
            long t0 = System.nanoTime();
            StorageException e = assertThrows(StorageException.class, () -> provider.prepare(media("dir/nope.bin"), remote.settings()));
            long millis = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("mount: missing object, " + round + ": NOT_FOUND in " + millis + " ms");
            assertEquals(StorageException.Cause.NOT_FOUND, e.reason());
            assertEquals("object not found: media:dir/nope.bin", e.getMessage());
            assertTrue(millis < 2_000, millis + " ms");
        }
        StorageException dir = assertThrows(StorageException.class, () -> provider.prepare(media("dir"), remote.settings()));
        assertEquals(StorageException.Cause.NOT_A_FILE, dir.reason());
        assertEquals("not a file: media:dir (a directory)", dir.getMessage());
        Map<String, Number> c = provider.counters();
        assertEquals(0, c.get("pool_leases"));
        assertEquals(1L, c.get("pool_started"));
        assertEquals(1L, c.get("warm_miss_checks"));
        assertEquals(0L, c.get("warm_miss_found"));
    }

    @Test
    void objectUploadedAfterTheWarmMountListedItsDirectoryIsFoundAtOnce() throws Exception {
        provider.prepare(media(CLIP), remote.settings()).close(); // the mount lists dir/ now
        long pid = TestRemote.childPids().get(0);
        assertThrows(StorageException.class, () -> provider.prepare(media("dir/uploaded later.bin"), remote.settings()));
        byte[] uploaded = remote.write("dir/uploaded later.bin", 200_000, 7);

        long t0 = System.nanoTime();
        try (PreparedInput in = provider.prepare(media("dir/uploaded later.bin"), remote.settings())) {
            long millis = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("mount: object uploaded after the warm mount listed its directory: found in " + millis + " ms");
            assertEquals(List.of(pid), TestRemote.childPids(), "the same, warm mount");
            assertArrayEquals(uploaded, Files.readAllBytes(Path.of(in.location())));
            assertTrue(millis < 2_000, millis + " ms");
        }
        Map<String, Number> c = provider.counters();
        assertEquals(2L, c.get("warm_miss_checks"));
        assertEquals(1L, c.get("warm_miss_found"));
        assertEquals(1L, c.get("failures"), "only the prepare before the upload failed");
        assertEquals(1L, c.get("pool_started"));

        // Listed now: the next job's prepare is a plain hit again, one stat.
        provider.prepare(media("dir/uploaded later.bin"), remote.settings()).close();
        assertEquals(2L, provider.counters().get("warm_miss_checks"));
    }

    @Test
    void replacedObjectIsReadWithItsNewSizeAndBytesThroughTheVfsCache() throws Exception {
        assertReplacedObjectIsReadAnew(remote.settings("VMAFX_RCLONE_DIR_CACHE_TIME", "1s"));
    }

    @Test
    void replacedObjectIsReadWithItsNewSizeAndBytesWithoutTheVfsCache() throws Exception {
        assertReplacedObjectIsReadAnew(remote.settings("VMAFX_RCLONE_DIR_CACHE_TIME", "1s", "VMAFX_VFS_CACHE_MODE", "off"));
    }

    /** Prepare and read, replace the source with other bytes of another size, prepare (warm) and read again. */
    private void assertReplacedObjectIsReadAnew(NodeSettings settings) throws Exception {
        try (PreparedInput first = provider.prepare(media(CLIP), settings)) {
            assertArrayEquals(remote.bytes(CLIP), Files.readAllBytes(Path.of(first.location())));
        }
        long pid = TestRemote.childPids().get(0);
        byte[] replaced = remote.write(CLIP, 300_000, 42);
        // A job that starts VMAFX_RCLONE_DIR_CACHE_TIME (plus the kernel's attribute cache, 1 s, which expires
        // first here) after the replacement sees it.
        Thread.sleep(1_300);
        long t0 = System.nanoTime();
        try (PreparedInput second = provider.prepare(media(CLIP), settings)) {
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(List.of(pid), TestRemote.childPids(), "the same, warm mount");
            Path file = Path.of(second.location());
            assertEquals(300_000L, Files.size(file));
            assertArrayEquals(replaced, Files.readAllBytes(file));
            System.out.println("mount: replaced object read anew (warm prepare " + millis + " ms)");
        }
        Map<String, Number> c = provider.counters();
        assertEquals(1L, c.get("pool_started"));
        assertEquals(0L, c.get("warm_miss_checks"), "a hit costs no check on the remote");
    }

    @Test
    void missingRcloneBinaryMakesTheProviderUnusableAndPrepareFailClearly() throws Exception {
        NodeSettings missing = remote.settings("VMAFX_RCLONE_BIN", "/nonexistent/rclone");
        Availability a = provider.availability(missing);
        assertFalse(a.usable());
        assertEquals("rclone not found: /nonexistent/rclone is not an executable file (VMAFX_RCLONE_BIN)", a.reason());
        StorageException e = assertThrows(StorageException.class, () -> provider.prepare(media(CLIP), missing));
        assertEquals(StorageException.Cause.TOOL_FAILED, e.reason());
        assertEquals("cannot read media:dir/my clip é.bin: " + a.reason(), e.getMessage());
        assertEquals(List.of(), MountChecks.underMountRoot(remote.mountRoot));
    }

    @Test
    void availabilityNamesWhatIsMissing() throws Exception {
        assertTrue(provider.availability(remote.settings()).usable());
        assertTrue(Files.isDirectory(remote.mountRoot), "the mount root is created");

        try (MountStorageProvider noFuse = new MountStorageProvider(Path.of("/nonexistent/fuse"), "fusermount3")) {
            assertEquals(Availability.unusable("/nonexistent/fuse is missing (no FUSE in this kernel or container)"),
                    noFuse.availability(remote.settings()));
        }
        // A regular file (or a directory) where /dev/fuse should be is no FUSE, though it exists and is writable.
        Path fakeDevice = Files.writeString(remote.base.resolve("fuse"), "");
        try (MountStorageProvider fileFuse = new MountStorageProvider(fakeDevice, "fusermount3")) {
            assertEquals(Availability.unusable(fakeDevice + " is not a character device but a regular file (no FUSE in this kernel or container)"),
                    fileFuse.availability(remote.settings()));
        }
        try (MountStorageProvider dirFuse = new MountStorageProvider(remote.base, "fusermount3")) {
            assertEquals(Availability.unusable(remote.base + " is not a character device but a directory (no FUSE in this kernel or container)"),
                    dirFuse.availability(remote.settings()));
        }
        Path linkToDevice = Files.createSymbolicLink(remote.base.resolve("fuse-link"), Path.of("/dev/fuse"));
        try (MountStorageProvider linked = new MountStorageProvider(linkToDevice, "fusermount3")) {
            assertTrue(linked.availability(remote.settings()).usable(), "a link to the device is followed");
        }
        try (MountStorageProvider noFusermount = new MountStorageProvider(Path.of("/dev/fuse"), "vmafx-no-fusermount3")) {
            assertEquals(Availability.unusable("vmafx-no-fusermount3 is not on the PATH (install fuse3)"),
                    noFusermount.availability(remote.settings()));
        }
        Path file = Files.writeString(remote.base.resolve("a-file"), "x");
        Availability rootUnderAFile = provider.availability(remote.settings("VMAFX_STORAGE_MOUNT_ROOT", file.resolve("mounts").toString()));
        assertFalse(rootUnderAFile.usable());
        assertTrue(rootUnderAFile.reason().startsWith("the mount root " + file.resolve("mounts") + " cannot be created"), rootUnderAFile.reason());

        // Malformed settings are errors naming the variable (core stops start-up with them), not unusable answers.
        assertEquals("VMAFX_RCLONE_DIR_CACHE_TIME: expected a duration such as 500ms, 15s, 2m or 1h, got 'often'",
                assertThrows(IllegalArgumentException.class,
                        () -> provider.availability(remote.settings("VMAFX_RCLONE_DIR_CACHE_TIME", "often"))).getMessage());
        assertEquals("VMAFX_VFS_CACHE_MODE: expected one of off, minimal, writes, full, got 'sometimes'",
                assertThrows(IllegalArgumentException.class,
                        () -> provider.availability(remote.settings("VMAFX_VFS_CACHE_MODE", "sometimes"))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> provider.availability(remote.settings("VMAFX_VFS_CACHE_MAX_SIZE", "lots"))).getMessage()
                .startsWith("VMAFX_VFS_CACHE_MAX_SIZE"));
    }

    @Test
    void unknownRemoteFailsAtOnceWithRclonesStderrAndLeavesNoMountPoint() throws Exception {
        long t0 = System.nanoTime();
        StorageException e = assertThrows(StorageException.class, () -> provider.prepare(AssetUri.parse("nosuch:x/y"), remote.settings()));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(StorageException.Cause.TOOL_FAILED, e.reason());
        assertTrue(e.getMessage().startsWith("cannot read nosuch:x/y: rclone mount nosuch: exited with code 1: "), e.getMessage());
        assertTrue(e.getMessage().contains("didn't find section in config file"), e.getMessage());
        assertTrue(millis < 2_000, millis + " ms");
        assertNoChildProcesses();
        assertEquals(List.of(), MountChecks.underMountRoot(remote.mountRoot));
    }

    @Test
    void killedRcloneIsCleanedUpAndReplacedOnTheNextPrepare() throws Exception {
        provider.prepare(media(CLIP), remote.settings()).close();
        long pid = TestRemote.childPids().get(0);
        assertEquals(0, new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor());
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
        assertEquals(1, rcloneMountsUnder(remote.mountRoot).size(), "a dead FUSE mount stays until someone unmounts it");

        try (PreparedInput next = provider.prepare(media(CLIP), remote.settings())) {
            assertArrayEquals(remote.bytes(CLIP), Files.readAllBytes(Path.of(next.location())));
            assertNotEquals(List.of(pid), TestRemote.childPids());
            assertEquals(1, rcloneMountsUnder(remote.mountRoot).size(), "the dead mount was unmounted first");
        }
        Map<String, Number> c = provider.counters();
        assertEquals(1L, c.get("pool_replaced"));
        assertEquals(2L, c.get("pool_started"));
    }

    @Test
    void staleMountLeftByAKilledNodeIsUnmountedBeforeMounting() throws Exception {
        Files.createDirectories(mountDir());
        Process orphan = new ProcessBuilder("rclone", "--config", remote.config.toString(), "mount", "media:", mountDir().toString(), "--read-only")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long end = System.nanoTime() + 10_000_000_000L;
        while (rcloneMountsUnder(mountDir()).isEmpty()) {
            assertTrue(System.nanoTime() < end, "the orphan mount did not come up");
            Thread.sleep(20);
        }
        orphan.destroyForcibly().waitFor();

        try (PreparedInput in = provider.prepare(media(OTHER), remote.settings())) {
            assertArrayEquals(remote.bytes(OTHER), Files.readAllBytes(Path.of(in.location())));
        }
    }

    @Test
    void filesInTheMountPointAreNeverMountedOverNorDeleted() throws Exception {
        Path stray = Files.writeString(Files.createDirectories(mountDir()).resolve("keep-me.txt"), "precious");
        StorageException e = assertThrows(StorageException.class, () -> provider.prepare(media(CLIP), remote.settings()));
        assertEquals(StorageException.Cause.TOOL_FAILED, e.reason());
        assertTrue(e.getMessage().contains("is not empty"), e.getMessage());
        assertEquals("precious", Files.readString(stray));
        Files.delete(stray);
        Files.delete(mountDir());
    }

    @Test
    void concurrentPreparesShareOneMountAndCloseLeavesNothing() throws Exception {
        int threads = 8;
        int rounds = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger ok = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        byte[] clip = remote.bytes(CLIP);
        byte[] other = remote.bytes(OTHER);
        for (int t = 0; t < threads; t++) {
            int id = t;
            futures.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < rounds; i++) {
                    // One job: both inputs held at once, like a reference and a distorted video.
                    try (PreparedInput ref = provider.prepare(media(CLIP), remote.settings());
                         PreparedInput dis = provider.prepare(media(OTHER), remote.settings())) {
                        if ((i + id) % 5 == 0) {
                            try (InputStream s = Files.newInputStream(Path.of(ref.location()))) {
                                assertArrayEquals(Arrays.copyOf(clip, 4096), s.readNBytes(4096));
                            }
                            assertArrayEquals(other, Files.readAllBytes(Path.of(dis.location())));
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
        int prepares = threads * rounds * 2;
        Map<String, Number> c = provider.counters();
        System.out.println("mount: " + prepares + " concurrent prepares in " + millis + " ms; counters " + c);
        assertEquals(prepares, ok.get());
        assertEquals((long) prepares, c.get("prepares"));
        assertEquals(1L, c.get("pool_misses"));
        assertEquals(prepares - 1L, c.get("pool_hits"));
        assertEquals(0L, c.get("failures"));
        assertEquals(0, c.get("pool_leases"));

        long t1 = System.nanoTime();
        provider.close();
        System.out.printf("mount: close (unmount, stop rclone, remove the mount point) took %.0f ms%n", (System.nanoTime() - t1) / 1e6);
        assertNoChildProcesses();
        assertEquals(List.of(), rcloneMountsUnder(remote.base));
        assertEquals(List.of(), MountChecks.underMountRoot(remote.mountRoot));
        assertEquals(StorageException.Cause.UNAVAILABLE,
                assertThrows(StorageException.class, () -> provider.prepare(media(CLIP), remote.settings())).reason());
    }

    @Test
    void idleMountIsTakenDownAfterTheIdlePeriodAndComesBackOnDemand() throws Exception {
        NodeSettings quick = remote.settings("VMAFX_MOUNT_IDLE", "300ms");
        PreparedInput held = provider.prepare(media(CLIP), quick);
        Thread.sleep(700);
        assertEquals(1, rcloneMountsUnder(remote.mountRoot).size(), "a leased mount stays");
        held.close();
        assertNoChildProcesses();
        long end = System.nanoTime() + 3_000_000_000L;
        while (!MountChecks.underMountRoot(remote.mountRoot).isEmpty() && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertEquals(List.of(), rcloneMountsUnder(remote.mountRoot));
        assertEquals(List.of(), MountChecks.underMountRoot(remote.mountRoot));
        assertEquals(1L, provider.counters().get("pool_evicted"));

        try (PreparedInput again = provider.prepare(media(CLIP), quick)) {
            assertArrayEquals(remote.bytes(CLIP), Files.readAllBytes(Path.of(again.location())));
        }
    }

    @Test
    void closeWithAFileStillOpenUnmountsLazily() throws Exception {
        PreparedInput in = provider.prepare(media(CLIP), remote.settings());
        InputStream open = Files.newInputStream(Path.of(in.location()));
        assertEquals(1024, open.readNBytes(1024).length);
        provider.close(); // fusermount3 -u says busy; -uz detaches it
        assertNoChildProcesses();
        assertEquals(List.of(), rcloneMountsUnder(remote.base));
        assertEquals(List.of(), MountChecks.underMountRoot(remote.mountRoot));
        try {
            open.close();
        } catch (IOException ignored) {
            // Closing a file of a stopped mount may fail; what matters is what is left behind.
        }
        in.close();
    }

    @Test
    void mountRootBehindASymbolicLinkIsComparedByItsRealPath() throws Exception {
        Path real = Files.createDirectories(remote.base.resolve("real-mounts"));
        Path link = Files.createSymbolicLink(remote.base.resolve("linked-mounts"), real);
        NodeSettings linked = remote.settings("VMAFX_STORAGE_MOUNT_ROOT", link.toString(), "VMAFX_MOUNT_IDLE", "0s");
        try (PreparedInput in = provider.prepare(media(CLIP), linked)) {
            assertTrue(in.location().startsWith(real.toString()), in.location());
            assertArrayEquals(remote.bytes(CLIP), Files.readAllBytes(Path.of(in.location())));
        }
        long end = System.nanoTime() + 3_000_000_000L;
        while (Files.list(real).findAny().isPresent()) {
            assertTrue(System.nanoTime() < end, "the idle mount was not taken down");
            Thread.sleep(20);
        }
        assertEquals(List.of(), rcloneMountsUnder(real));
        Files.delete(link);
        Files.delete(real);
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
        assertEquals(List.of(), rcloneMountsUnder(remote.base));
        assertEquals(List.of(), MountChecks.underMountRoot(remote.mountRoot));
        Map<String, Number> c = provider.counters();
        assertEquals(1L, c.get("interrupted"));
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
        assertEquals(0, provider.counters().get("pool_leases"));
        assertEquals(1, provider.counters().get("pool_members"));
    }

    @Test
    void cacheModeOffForNodesWithoutLocalDisk() throws Exception {
        try (PreparedInput in = provider.prepare(media(CLIP), remote.settings("VMAFX_VFS_CACHE_MODE", "off"))) {
            assertTrue(in.vfsCache().isEmpty());
            assertArrayEquals(remote.bytes(CLIP), Files.readAllBytes(Path.of(in.location())));
            String cmd = cmdline(TestRemote.childPids().get(0));
            assertTrue(cmd.contains(" --read-only --dir-cache-time 5000ms --timeout 30000ms --contimeout 10000ms --vfs-cache-mode off --rc "), cmd);
        }
        assertFalse(Files.exists(remote.cacheDir.resolve("vfs")));
    }

    @Test
    void cacheBoundsComeFromTheSettings() throws Exception {
        try (PreparedInput in = provider.prepare(media(CLIP), remote.settings("VMAFX_VFS_CACHE_MAX_SIZE", "512M", "VMAFX_VFS_CACHE_MAX_AGE", "90s"))) {
            String cmd = cmdline(TestRemote.childPids().get(0));
            assertTrue(cmd.contains(" --vfs-cache-max-size 536870912B --vfs-cache-max-age 90000ms"), cmd);
        }
    }

    @Test
    void httpUrlsGoStraightToFfmpeg() throws Exception {
        try (PreparedInput in = provider.prepare(AssetUri.parse("http://example.com/a b.mp4"), remote.settings())) {
            assertEquals("http://example.com/a%20b.mp4", in.location());
        }
        assertEquals(List.of(), TestRemote.childPids());
        assertEquals(1L, provider.counters().get("passthrough"));
    }
}
