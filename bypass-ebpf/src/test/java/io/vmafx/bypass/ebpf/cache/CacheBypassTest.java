package io.vmafx.bypass.ebpf.cache;

import static io.vmafx.bypass.ebpf.cache.RcloneFixture.FIXED_MTIME;
import static io.vmafx.bypass.ebpf.cache.RcloneFixture.await;
import static io.vmafx.bypass.ebpf.cache.RcloneFixture.md5;
import static io.vmafx.bypass.ebpf.cache.RcloneFixture.tree;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.spi.bypass.BypassDecision;
import io.vmafx.spi.storage.VfsCacheLocation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cache decision against a real {@code rclone mount} of a local directory through an alias remote, with real
 * files: warm, cold, partly read, changed at the source, evicted while read, and every way it must decline.
 */
class CacheBypassTest {

    private static final String CLIP = "dir/my clip é.bin";

    private RcloneFixture fx;
    private RcloneFixture.Mount mount;
    private RemoteCheck real;
    private RemoteFs fs;
    private BypassCounters counters;
    private CacheBypass bypass;

    @BeforeEach
    void setUp() throws Exception {
        fx = new RcloneFixture();
        mount = fx.mount("media:");
        real = new RcloneRemoteCheck(fx.rclone(), Duration.ofSeconds(20));
        fs = real.resolve("media:");
        counters = new BypassCounters();
        bypass = new CacheBypass(real, counters, true);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            bypass.close();
            assertEquals(List.of(), tree(fx.cacheDir.resolve(LinkArea.DIR)), "link directories left");
            assertFalse(Files.exists(fx.cacheDir.resolve(LinkArea.DIR)), "the link area is removed with its last session");
        } finally {
            fx.close(); // unmounts, checks that no mount and no rclone is left, deletes the directory
        }
    }

    /** Reads {@code path} fully through the mount and waits until rclone's metadata says it is complete. */
    private byte[] warm(String path) throws Exception {
        byte[] read = RcloneFixture.readAll(mount.file(path));
        await("the cache of " + path + " to be complete", 5, () -> {
            VfsMeta m = fx.meta(fs, path);
            return m != null && m.complete() && m.size() == read.length;
        });
        return read;
    }

    private Path dataFile(String path) {
        return fs.dataDir(fx.cacheDir).resolve(path);
    }

    private Path metaFile(String path) {
        return fs.metaDir(fx.cacheDir).resolve(path);
    }

    private static String perms(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aWarmFileIsBypassed_theLinkReadsTheSourceBytes_andGoesOnClose() throws Exception {
        byte[] source = fx.write(CLIP, 3_000_000, 1);
        assertArrayEquals(source, warm(CLIP));
        String aTimeBefore = fx.meta(fs, CLIP).aTime();

        BypassDecision d = bypass.decide(mount.location(CLIP));
        assertTrue(d.bypassed(), d.reason());
        assertEquals("", d.reason());
        Path link = Path.of(d.location().orElseThrow());
        // <cacheDir>/.vmafx-bypass/<session>/<job>/<the asset's own name>, every directory 0700
        Path area = fx.cacheDir.resolve(LinkArea.DIR);
        assertEquals(area, link.getParent().getParent().getParent());
        assertEquals("my clip é.bin", link.getFileName().toString());
        assertEquals("rwx------", perms(area));
        assertEquals("rwx------", perms(link.getParent().getParent()));
        assertEquals("rwx------", perms(link.getParent()));
        // A hard link to rclone's data file: the same inode, not a copy.
        assertEquals(Files.readAttributes(dataFile(CLIP), BasicFileAttributes.class).fileKey(),
                Files.readAttributes(link, BasicFileAttributes.class).fileKey());
        assertArrayEquals(source, Files.readAllBytes(link));

        Map<String, Number> c = bypass.counters();
        assertEquals(1L, c.get("offers"));
        assertEquals(1L, c.get("bypassed"));
        assertEquals(3_000_000L, c.get("bytes_bypassed"));
        assertEquals(0L, c.get("declined"));
        assertEquals(1L, c.get("links_live"));

        // The access is recorded with rclone (a one-byte FUSE read), so the file is not evicted as unused.
        assertTrue(bypass.toucher().awaitIdle(5000));
        assertEquals(1L, bypass.counters().get("access_touches"));
        await("rclone to record the access", 5, () -> {
            VfsMeta m = fx.meta(fs, CLIP); // null while rclone rewrites it
            return m != null && !m.aTime().equals(aTimeBefore);
        });

        d.close();
        assertFalse(Files.exists(link), "the link is removed on close");
        assertFalse(Files.exists(link.getParent()), "and its directory");
        assertEquals(0L, bypass.counters().get("links_live"));
        assertTrue(Files.isRegularFile(dataFile(CLIP)), "rclone's cache file stays");
        assertArrayEquals(source, Files.readAllBytes(dataFile(CLIP)));
        d.close(); // idempotent
    }

    /** The access is recorded through FUSE at most once a minute per cache file, not on every decision. */
    @Test
    void decisionsInAMinute_touchTheFileThroughTheMountOnce() throws Exception {
        fx.write(CLIP, 500_000, 3);
        warm(CLIP);
        for (int i = 0; i < 3; i++) {
            try (BypassDecision d = bypass.decide(mount.location(CLIP))) {
                assertTrue(d.bypassed(), d.reason());
            }
        }
        assertTrue(bypass.toucher().awaitIdle(5000));
        assertEquals(1L, bypass.counters().get("access_touches"));
        assertEquals(2L, bypass.counters().get("access_touches_skipped"));
    }

    @Test
    void aFileNeverReadThroughTheMountIsNotInTheCache() throws Exception {
        fx.write(CLIP, 100_000, 2);
        assertEquals(100_000, Files.size(mount.file(CLIP))); // listed and stat'ed through the mount, never read
        BypassDecision d = bypass.decide(mount.location(CLIP));
        assertFalse(d.bypassed());
        assertEquals("not in the cache", d.reason());
        assertEquals(1L, bypass.counters().get("declined_not_cached"));
    }

    @Test
    void aPartlyReadFileIsIncomplete() throws Exception {
        fx.write("big.bin", 48 << 20, 3);
        try (FileChannel ch = FileChannel.open(mount.file("big.bin"))) {
            ch.read(ByteBuffer.allocate(4096), 0);
        }
        await("metadata of big.bin", 5, () -> fx.meta(fs, "big.bin") != null);
        BypassDecision d = bypass.decide(mount.location("big.bin"));
        assertFalse(d.bypassed());
        assertTrue(d.reason().matches("cache file incomplete \\(\\d{1,2}% cached\\)"), d.reason());
        assertEquals(1L, bypass.counters().get("declined_incomplete"));
    }

    /** The source changes after the cache was warmed; the bypass declines, and FUSE reads the new bytes. */
    private void changedAtTheSource(int newSize, boolean keepModTime, String expectedDetail) throws Exception {
        changedAtTheSource(newSize, keepModTime, expectedDetail, true);
    }

    /** {@code decideBefore}: a decision bypasses the warm file before the change (and so checks its hash once). */
    private void changedAtTheSource(int newSize, boolean keepModTime, String expectedDetail, boolean decideBefore) throws Exception {
        byte[] old = fx.write(CLIP, 2_000_000, 4);
        Files.setLastModifiedTime(fx.src(CLIP), FIXED_MTIME);
        assertArrayEquals(old, warm(CLIP));
        if (decideBefore) {
            assertTrue(bypass.decide(mount.location(CLIP)).bypassed(), "warm before the change");
            // The bypass's one-byte FUSE read has happened: nothing reads the file through the mount after the change.
            assertTrue(bypass.toucher().awaitIdle(5000));
        }
        byte[] changed = fx.write(CLIP, newSize, 5);
        if (keepModTime) {
            Files.setLastModifiedTime(fx.src(CLIP), FIXED_MTIME);
        }
        BypassDecision d = bypass.decide(mount.location(CLIP));
        assertFalse(d.bypassed());
        assertTrue(d.reason().startsWith("remote object changed since it was cached (" + expectedDetail), d.reason());
        assertEquals(1L, bypass.counters().get("declined_changed"));

        // The job reads through FUSE, which sees the new object once the mount lists the directory again.
        await("the mount to read the changed source", 15, () -> {
            try {
                return Arrays.equals(changed, RcloneFixture.readAll(mount.file(CLIP)));
            } catch (IOException e) {
                return false;
            }
        });
        // That read replaced rclone's stale copy. rclone saves the new copy without a fingerprint and fingerprints
        // it on the next FUSE open; until then the bypass cannot tell which object it holds. Each declined job reads
        // through FUSE (here: a one-byte read) and so moves it on; then the bypass serves the new bytes.
        List<String> reasons = new ArrayList<>();
        BypassDecision again = bypass.decide(mount.location(CLIP));
        for (int i = 0; i < 50 && !again.bypassed(); i++) {
            reasons.add(again.reason());
            assertTrue(again.reason().equals("cannot tell whether the remote object changed (rclone has not fingerprinted the cached data yet)")
                    || again.reason().startsWith("cache file incomplete"), again.reason());
            AccessToucher.touchNow(mount.file(CLIP));
            Thread.sleep(50);
            again = bypass.decide(mount.location(CLIP));
        }
        System.out.println("after the change, before the bypass served the new object again: " + reasons);
        try (BypassDecision d2 = again) {
            assertTrue(d2.bypassed(), d2.reason());
            assertArrayEquals(changed, Files.readAllBytes(Path.of(d2.location().orElseThrow())));
        }
    }

    @Test
    void sameSizeOtherBytesSameModTime_beforeAnyDecision_isChanged_byTheHash() throws Exception {
        changedAtTheSource(2_000_000, true, "other md5)", false);
    }

    /**
     * The local backend computes its md5 by reading the object: a decision compares it once per cached fingerprint
     * and later ones compare size and time (as the backend's own object keeps its hash while those stay). A rewrite
     * that keeps both is then not seen: the documented limit, asserted so that it stays what the docs say.
     */
    @Test
    void sameSizeOtherBytesSameModTime_afterADecision_isNotSeen_theHashIsRemembered() throws Exception {
        fx.write(CLIP, 2_000_000, 4);
        Files.setLastModifiedTime(fx.src(CLIP), FIXED_MTIME);
        warm(CLIP);
        try (BypassDecision d = bypass.decide(mount.location(CLIP))) {
            assertTrue(d.bypassed(), d.reason());
        }
        assertEquals(1L, bypass.counters().get("hashes_checked"));
        assertTrue(bypass.toucher().awaitIdle(5000));
        fx.write(CLIP, 2_000_000, 5);
        Files.setLastModifiedTime(fx.src(CLIP), FIXED_MTIME);
        try (BypassDecision d = bypass.decide(mount.location(CLIP))) {
            assertTrue(d.bypassed(), d.reason());
        }
        assertEquals(1L, bypass.counters().get("hashes_checked"));
        assertEquals(1L, bypass.counters().get("hashes_remembered"));
    }

    @Test
    void sameSizeOtherBytesNewModTime_isChanged() throws Exception {
        changedAtTheSource(2_000_000, false, "modified " + FIXED_MTIME.toInstant() + " -> ");
    }

    @Test
    void anotherSize_isChanged() throws Exception {
        changedAtTheSource(1_500_000, false, "size 2000000 -> 1500000)");
    }

    @Test
    void aRemoteObjectThatIsGoneIsDeclined() throws Exception {
        fx.write(CLIP, 200_000, 6);
        warm(CLIP);
        Files.delete(fx.src(CLIP));
        BypassDecision d = bypass.decide(mount.location(CLIP));
        assertEquals("the remote object is gone", d.reason());
    }

    /** rclone evicts (removes) or replaces its cache file while ffmpeg reads the link: the read is still right. */
    private void evictedWhileRead(boolean replace) throws Exception {
        byte[] source = fx.write(CLIP, 16 << 20, 7);
        warm(CLIP);
        BypassDecision d = bypass.decide(mount.location(CLIP));
        assertTrue(d.bypassed(), d.reason());
        assertTrue(bypass.toucher().awaitIdle(5000)); // its FUSE read is done: nothing re-creates the cache file
        Path link = Path.of(d.location().orElseThrow());
        ByteBuffer got = ByteBuffer.allocate(source.length);
        try (FileChannel ch = FileChannel.open(link)) {
            ByteBuffer first = got.slice(0, 1 << 20);
            while (first.hasRemaining() && ch.read(first) >= 0) {
                // reading the first MiB
            }
            got.position(1 << 20);
            // What rclone's Item._remove does on eviction (and before writing a new copy): unlink data and metadata.
            Files.delete(dataFile(CLIP));
            Files.delete(metaFile(CLIP));
            if (replace) {
                byte[] other = new byte[source.length];
                new java.util.Random(99).nextBytes(other);
                Files.write(dataFile(CLIP), other); // a new inode at the same path
                assertFalse(Files.isSameFile(link, dataFile(CLIP)));
            }
            while (got.hasRemaining() && ch.read(got) >= 0) {
                // reading the rest, after the eviction
            }
        }
        assertFalse(got.hasRemaining(), "read to the end");
        assertEquals(md5(source), md5(got.array()), "the bytes read through the link are the object's, to the end");
        // a job that starts now is not bypassed
        assertEquals("not in the cache", bypass.decide(mount.location(CLIP)).reason());
        d.close();
        assertFalse(Files.exists(link));
        if (replace) {
            Files.delete(dataFile(CLIP));
        }
    }

    @Test
    void evictionDuringARead_theLinkStillReadsTheRightBytesToTheEnd() throws Exception {
        evictedWhileRead(false);
    }

    @Test
    void replacementDuringARead_theLinkStillReadsTheRightBytesToTheEnd() throws Exception {
        evictedWhileRead(true);
    }

    @Test
    void aDirtyCacheFileIsDeclined() throws Exception {
        fx.write(CLIP, 100_000, 8);
        warm(CLIP);
        String meta = Files.readString(metaFile(CLIP));
        Files.writeString(metaFile(CLIP), meta.replace("\"Dirty\": false", "\"Dirty\": true"));
        assertEquals("cache file is dirty", bypass.decide(mount.location(CLIP)).reason());
    }

    @Test
    void unreadableMetadataIsDeclined() throws Exception {
        fx.write(CLIP, 100_000, 9);
        warm(CLIP);
        Files.writeString(metaFile(CLIP), "{\"ModTime\": ");
        BypassDecision d = bypass.decide(mount.location(CLIP));
        assertTrue(d.reason().startsWith("the cache metadata cannot be read (not JSON"), d.reason());
        assertEquals(1L, bypass.counters().get("declined_bad_metadata"));
    }

    /** A remote check that runs {@code hook} before delegating each stat to the real one. */
    private RemoteCheck hooked(Runnable beforeStat) {
        return new RemoteCheck() {
            @Override
            public RemoteFs resolve(String remoteRoot) throws RemoteException, InterruptedException {
                return real.resolve(remoteRoot);
            }

            @Override
            public Optional<String> fingerprintHash(String remoteRoot) throws RemoteException, InterruptedException {
                return real.fingerprintHash(remoteRoot);
            }

            @Override
            public RemoteObject stat(String remoteRoot, String path, Optional<String> hashType) throws RemoteException, InterruptedException {
                beforeStat.run();
                return real.stat(remoteRoot, path, hashType);
            }
        };
    }

    @Test
    void everyExceptionInsideTheDecisionIsADecline() throws Exception {
        fx.write(CLIP, 100_000, 10);
        warm(CLIP);
        VfsCacheLocation loc = mount.location(CLIP);
        try (CacheBypass broken = new CacheBypass(new RemoteCheck() {
            @Override
            public RemoteFs resolve(String remoteRoot) {
                throw new IllegalStateException("boom");
            }

            @Override
            public Optional<String> fingerprintHash(String remoteRoot) {
                return Optional.empty();
            }

            @Override
            public RemoteObject stat(String remoteRoot, String path, Optional<String> hashType) {
                return RemoteObject.missing();
            }
        }, counters, false)) {
            BypassDecision d = broken.decide(loc);
            assertFalse(d.bypassed());
            assertEquals("bypass error (IllegalStateException: boom)", d.reason());
        }
        // After the local checks passed: nothing leased stays behind.
        try (CacheBypass late = new CacheBypass(hooked(() -> {
            throw new UnsupportedOperationException("late failure");
        }), counters, false)) {
            assertEquals("bypass error (UnsupportedOperationException: late failure)", late.decide(loc).reason());
            assertEquals(0L, late.counters().get("links_live"));
        }
        // An I/O error of the cache directory itself (here a regular file where the cache directory should be).
        VfsCacheLocation fileAsCacheDir = new VfsCacheLocation(fx.src(CLIP), "media:", CLIP, mount.file(CLIP));
        BypassDecision d = bypass.decide(fileAsCacheDir);
        assertTrue(d.reason().startsWith("bypass error (FileSystemException: "), d.reason());
        assertEquals(3L, counters.declined(Decline.ERROR));
        assertEquals(3L, bypass.counters().get("offers"));
        assertEquals(3L, bypass.counters().get("declined_error"));
    }

    @Test
    void anInterruptedDecisionDeclinesAndKeepsTheInterrupt() throws Exception {
        fx.write(CLIP, 100_000, 11);
        warm(CLIP);
        try (CacheBypass b = new CacheBypass(new RemoteCheck() {
            @Override
            public RemoteFs resolve(String remoteRoot) throws InterruptedException {
                throw new InterruptedException();
            }

            @Override
            public Optional<String> fingerprintHash(String remoteRoot) {
                return Optional.empty();
            }

            @Override
            public RemoteObject stat(String remoteRoot, String path, Optional<String> hashType) {
                return RemoteObject.missing();
            }
        }, counters, false)) {
            assertEquals("interrupted while checking the cache", b.decide(mount.location(CLIP)).reason());
            assertTrue(Thread.interrupted(), "the interrupt is kept for the job");
        }
    }

    @Test
    void aCacheFileThatChangesWhileCheckedIsRetriedOnce_thenDeclined() throws Exception {
        fx.write(CLIP, 100_000, 12);
        warm(CLIP);
        Path meta = metaFile(CLIP);
        AtomicInteger stats = new AtomicInteger();
        Runnable rewriteOnce = () -> {
            // What rclone does when it replaces an item: a new item, a new ModTime in its metadata.
            if (stats.getAndIncrement() == 0) {
                rewriteModTime(meta, "2020-01-01T00:00:00Z");
            }
        };
        try (CacheBypass b = new CacheBypass(hooked(rewriteOnce), counters, false)) {
            // The first attempt read the old metadata, then found a new one: retried, and the retry bypasses.
            try (BypassDecision d = b.decide(mount.location(CLIP))) {
                assertTrue(d.bypassed(), d.reason());
            }
            assertEquals(2, stats.get());
        }
        AtomicInteger n = new AtomicInteger();
        try (CacheBypass b = new CacheBypass(hooked(() -> rewriteModTime(meta, "2021-01-01T00:00:0" + (n.getAndIncrement() % 10) + "Z")),
                counters, false)) {
            BypassDecision d = b.decide(mount.location(CLIP));
            assertEquals("the cache file changed while it was being checked (its metadata changed)", d.reason());
            assertEquals(0L, b.counters().get("links_live"));
            assertEquals(List.of(), tree(b.sessions().values().iterator().next()), "no link left behind");
        }
    }

    private static void rewriteModTime(Path meta, String modTime) {
        try {
            String text = Files.readString(meta);
            Files.writeString(meta, text.replaceFirst("\"ModTime\": \"[^\"]*\"", "\"ModTime\": \"" + modTime + "\""));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void evictedBetweenTheChecksAndTheLink_isNotInTheCache() throws Exception {
        fx.write(CLIP, 100_000, 13);
        warm(CLIP);
        Runnable evict = () -> {
            try {
                Files.delete(dataFile(CLIP));
                Files.delete(metaFile(CLIP));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        try (CacheBypass b = new CacheBypass(hooked(evict), counters, false)) {
            assertEquals("not in the cache (evicted while being checked)", b.decide(mount.location(CLIP)).reason());
        }
    }

    @Test
    void staleLinkDirectoriesOfStoppedNodesAreRemovedAtStart() throws Exception {
        byte[] source = fx.write(CLIP, 100_000, 14);
        warm(CLIP);
        Path area = Files.createDirectories(fx.cacheDir.resolve(LinkArea.DIR));
        long deadPid = Long.parseLong(Files.readString(Path.of("/proc/sys/kernel/pid_max")).trim()) + 1;
        Path stale = Files.createDirectories(area.resolve(deadPid + "-1700000000000-deadbeef").resolve("0123456789abcdef"));
        Files.createLink(stale.resolve("my clip é.bin"), dataFile(CLIP));
        // a live process (this one) that started at another time: a reused pid, stale too
        Path reused = Files.createDirectories(area.resolve(ProcessHandle.current().pid() + "-1000-cafebabe"));
        Path foreign = Files.createDirectories(area.resolve("not-ours"));

        bypass.cleanStale(List.of(fx.cacheDir, fx.cacheDir.resolve("httpserve")));
        assertFalse(Files.exists(stale.getParent()), "stale session removed");
        assertFalse(Files.exists(reused), "a session of a reused pid removed");
        assertTrue(Files.exists(foreign), "what it does not recognise stays");
        assertEquals(2L, bypass.counters().get("stale_link_dirs_removed"));
        assertArrayEquals(source, Files.readAllBytes(dataFile(CLIP)), "removing links never touches the cache file");
        Files.delete(foreign);

        // A live session (this process's) is not stale.
        try (BypassDecision d = bypass.decide(mount.location(CLIP))) {
            assertTrue(d.bypassed(), d.reason());
            assertEquals(0, LinkArea.cleanStale(fx.cacheDir));
            assertTrue(Files.exists(Path.of(d.location().orElseThrow())));
        }
    }

    @Test
    void closingTheBypassRemovesEveryLink_andLaterOffersDecline() throws Exception {
        byte[] a = fx.write(CLIP, 100_000, 15);
        byte[] b = fx.write("other/b.bin", 50_000, 16);
        warm(CLIP);
        warm("other/b.bin");
        BypassDecision da = bypass.decide(mount.location(CLIP));
        BypassDecision db = bypass.decide(mount.location("other/b.bin"));
        assertTrue(da.bypassed() && db.bypassed(), da.reason() + db.reason());
        assertArrayEquals(a, Files.readAllBytes(Path.of(da.location().orElseThrow())));
        assertArrayEquals(b, Files.readAllBytes(Path.of(db.location().orElseThrow())));
        assertNotEquals(Path.of(da.location().get()).getParent(), Path.of(db.location().get()).getParent(), "one directory per job");
        assertEquals(2L, bypass.counters().get("links_live"));

        bypass.close();
        assertFalse(Files.exists(Path.of(da.location().get())));
        assertFalse(Files.exists(Path.of(db.location().get())));
        assertFalse(Files.exists(fx.cacheDir.resolve(LinkArea.DIR)));
        da.close(); // after the bypass closed: harmless
        db.close();
        assertEquals("the bypass is shutting down", bypass.decide(mount.location(CLIP)).reason());
    }

    @Test
    void theSameFileTwiceInOneJob_bothBypassed() throws Exception {
        byte[] source = fx.write(CLIP, 500_000, 17);
        warm(CLIP);
        try (BypassDecision ref = bypass.decide(mount.location(CLIP)); BypassDecision dis = bypass.decide(mount.location(CLIP))) {
            assertTrue(ref.bypassed(), ref.reason());
            assertTrue(dis.bypassed(), dis.reason());
            assertNotEquals(ref.location(), dis.location());
            assertArrayEquals(source, Files.readAllBytes(Path.of(dis.location().orElseThrow())));
        }
    }

    /**
     * Many jobs on one warm file at once, as core offers inputs from many threads: each bypass's one-byte FUSE read
     * makes rclone rewrite the metadata (in place) while the others read it. Every offer is bypassed, to the right
     * bytes.
     */
    @Test
    void manyJobsAtOnce_allBypassed() throws Exception {
        byte[] source = fx.write(CLIP, 300_000, 18);
        warm(CLIP);
        int threads = 6;
        int each = 4;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<String>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    StringBuilder out = new StringBuilder();
                    for (int i = 0; i < each; i++) {
                        try (BypassDecision d = bypass.decide(mount.location(CLIP))) {
                            if (!d.bypassed()) {
                                out.append(d.reason()).append("; ");
                            } else if (!Arrays.equals(source, Files.readAllBytes(Path.of(d.location().orElseThrow())))) {
                                out.append("wrong bytes; ");
                            }
                        }
                    }
                    return out.toString();
                }));
            }
            for (java.util.concurrent.Future<String> f : results) {
                assertEquals("", f.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals((long) threads * each, bypass.counters().get("bypassed"));
        assertEquals(0L, bypass.counters().get("links_live"));
    }
}
