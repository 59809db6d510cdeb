package io.vmafx.bypass.ebpf.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.spi.bypass.BypassDecision;
import io.vmafx.spi.storage.VfsCacheLocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The decision's rules on a cache laid out by hand (the layout rclone 1.60 writes, see {@link CacheLayoutTest}) and
 * a remote that answers what each case needs: the cases a real rclone cannot be made to produce on demand.
 */
class CacheBypassUnitTest {

    private static final String PATH = "d/clip.mp4";
    private static final Instant MTIME = Instant.parse("2023-11-14T22:13:20.123456789Z");
    private static final String MD5 = "5e4d1ffff5a8d860248eb6a32df5400c";

    private Path cacheDir;
    private byte[] data;
    private RemoteCheck.RemoteObject remoteNow;
    private Optional<String> hashType;
    private final BypassCounters counters = new BypassCounters();
    private CacheBypass bypass;

    private final RemoteCheck fake = new RemoteCheck() {
        @Override
        public RemoteFs resolve(String remoteRoot) {
            return new RemoteFs("fake", "/root");
        }

        @Override
        public Optional<String> fingerprintHash(String remoteRoot) {
            return hashType;
        }

        @Override
        public boolean hashIsSlow(String remoteRoot) {
            return slowHash;
        }

        @Override
        public RemoteObject stat(String remoteRoot, String path, Optional<String> hashType) throws RemoteException {
            hashesAsked.add(hashType);
            if (remoteNow == null) {
                throw new RemoteException("rclone lsjson --stat exited with code 1: Failed to lsjson: 403 Forbidden");
            }
            return remoteNow;
        }
    };

    @BeforeEach
    void setUp() throws IOException {
        cacheDir = Files.createTempDirectory("vmafx-bypass-unit-");
        data = new byte[1000];
        new java.util.Random(1).nextBytes(data);
        writeCache(data.length, "[{\"Pos\": 0, \"Size\": 1000}]", data.length + ",2023-11-14 22:13:20.123456789 +0000 UTC," + MD5, false);
        remoteNow = new RemoteCheck.RemoteObject(RemoteCheck.RemoteObject.Kind.FILE, data.length, Optional.of(MTIME), Map.of("md5", MD5));
        hashType = Optional.of("md5");
        bypass = new CacheBypass(fake, counters, false);
    }

    @AfterEach
    void tearDown() throws IOException {
        bypass.close();
        assertFalse(Files.exists(cacheDir.resolve(LinkArea.DIR)) && Files.isDirectory(cacheDir.resolve(LinkArea.DIR)), "link area left");
        try (Stream<Path> walk = Files.walk(cacheDir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private void writeCache(long size, String ranges, String fingerprint, boolean dirty) throws IOException {
        Path meta = cacheDir.resolve("vfsMeta/fake/root").resolve(PATH);
        Path file = cacheDir.resolve("vfs/fake/root").resolve(PATH);
        Files.createDirectories(meta.getParent());
        Files.createDirectories(file.getParent());
        Files.writeString(meta, "{\n\t\"ModTime\": \"2026-11-21T06:45:49.831545212Z\",\n\t\"ATime\": \"2026-11-21T06:45:49.860577496Z\",\n\t\"Size\": "
                + size + ",\n\t\"Rs\": " + ranges + ",\n\t\"Fingerprint\": \"" + fingerprint + "\",\n\t\"Dirty\": " + dirty + "\n}");
        if (!Files.exists(file)) {
            Files.write(file, data);
        }
    }

    private String decide(String path) {
        try (BypassDecision d = bypass.decide(new VfsCacheLocation(cacheDir, "fake:", path, Path.of("/nonexistent/mount").resolve(path)))) {
            if (d.bypassed()) {
                try {
                    assertArrayEquals(data, Files.readAllBytes(Path.of(d.location().orElseThrow())));
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                return "bypassed";
            }
            return d.reason();
        }
    }

    private String decide() {
        return decide(PATH);
    }

    private boolean slowHash;
    private final java.util.List<Optional<String>> hashesAsked = new java.util.ArrayList<>();

    /** S3, GCS, Azure store the hash: every decision asks for it and compares it, so a rewrite is always seen. */
    @Test
    void aStoredHashIsComparedByEveryDecision() {
        assertEquals("bypassed", decide());
        assertEquals("bypassed", decide());
        remoteNow = new RemoteCheck.RemoteObject(RemoteCheck.RemoteObject.Kind.FILE, 1000, Optional.of(MTIME), Map.of("md5", "0".repeat(32)));
        assertEquals("remote object changed since it was cached (other md5)", decide());
        assertEquals(java.util.List.of(hashType, hashType, hashType), hashesAsked);
        assertEquals(0L, bypass.counters().get("hashes_remembered"));
    }

    /**
     * Local and SFTP compute it by reading the object: compared once per cached fingerprint; later decisions ask for
     * size and time only, and still see a change of either.
     */
    @Test
    void aSlowHashIsComparedOnce_laterDecisionsCompareSizeAndTime() {
        slowHash = true;
        assertEquals("bypassed", decide());
        assertEquals("bypassed", decide());
        assertEquals("bypassed", decide());
        assertEquals(java.util.List.of(hashType, Optional.empty(), Optional.empty()), hashesAsked);
        assertEquals(1L, bypass.counters().get("hashes_checked"));
        assertEquals(2L, bypass.counters().get("hashes_remembered"));
        remoteNow = new RemoteCheck.RemoteObject(RemoteCheck.RemoteObject.Kind.FILE, 1000, Optional.of(MTIME.plusSeconds(1)), Map.of());
        assertTrue(decide().startsWith("remote object changed since it was cached (modified "), decide());
    }

    /** A hash that did not match is not remembered: the next decision compares it again. */
    @Test
    void aSlowHashThatDifferedIsComparedAgain() {
        slowHash = true;
        remoteNow = new RemoteCheck.RemoteObject(RemoteCheck.RemoteObject.Kind.FILE, 1000, Optional.of(MTIME), Map.of("md5", "0".repeat(32)));
        assertEquals("remote object changed since it was cached (other md5)", decide());
        assertEquals("remote object changed since it was cached (other md5)", decide());
        assertEquals(java.util.List.of(hashType, hashType), hashesAsked);
    }

    @Test
    void freshCompleteCleanIsBypassed() {
        assertEquals("bypassed", decide());
        assertEquals(1L, bypass.counters().get("bypassed"));
        assertEquals(1000L, bypass.counters().get("bytes_bypassed"));
    }

    @Test
    void hexHashesCompareWithoutCase() {
        remoteNow = new RemoteCheck.RemoteObject(RemoteCheck.RemoteObject.Kind.FILE, 1000, Optional.of(MTIME), Map.of("md5", MD5.toUpperCase()));
        assertEquals("bypassed", decide());
    }

    @Test
    void changedModTimeSizeOrHash() {
        remoteNow = new RemoteCheck.RemoteObject(RemoteCheck.RemoteObject.Kind.FILE, 1000, Optional.of(MTIME.plusNanos(1)), Map.of("md5", MD5));
        assertEquals("remote object changed since it was cached (modified 2023-11-14T22:13:20.123456789Z -> 2023-11-14T22:13:20.123456790Z)", decide());
        remoteNow = new RemoteCheck.RemoteObject(RemoteCheck.RemoteObject.Kind.FILE, 1001, Optional.of(MTIME), Map.of("md5", MD5));
        assertEquals("remote object changed since it was cached (size 1000 -> 1001)", decide());
        remoteNow = new RemoteCheck.RemoteObject(RemoteCheck.RemoteObject.Kind.FILE, 1000, Optional.of(MTIME), Map.of("md5", "0".repeat(32)));
        assertEquals("remote object changed since it was cached (other md5)", decide());
        remoteNow = new RemoteCheck.RemoteObject(RemoteCheck.RemoteObject.Kind.DIRECTORY, -1, Optional.empty(), Map.of());
        assertEquals("remote object changed since it was cached (now a directory)", decide());
        assertEquals(4L, bypass.counters().get("declined_changed"));
    }

    @Test
    void whatCannotBeVerifiedIsDeclined() throws IOException {
        remoteNow = new RemoteCheck.RemoteObject(RemoteCheck.RemoteObject.Kind.FILE, 1000, Optional.of(MTIME), Map.of());
        assertEquals("cannot tell whether the remote object changed (the remote gives no md5 hash)", decide());
        remoteNow = new RemoteCheck.RemoteObject(RemoteCheck.RemoteObject.Kind.FILE, 1000, Optional.empty(), Map.of("md5", MD5));
        assertEquals("cannot tell whether the remote object changed (the remote shows no modification time)", decide());
        hashType = Optional.empty();
        assertEquals("cannot tell whether the remote object changed (the fingerprint has a hash but rclone lists no hash type for fake:)", decide());
        writeCache(1000, "[{\"Pos\": 0, \"Size\": 1000}]", "1000", false);
        assertEquals("cannot tell whether the remote object changed (rclone's fingerprint of it holds only the size)", decide());
        writeCache(1000, "[{\"Pos\": 0, \"Size\": 1000}]", "", false);
        assertEquals("cannot tell whether the remote object changed (rclone has not fingerprinted the cached data yet)", decide());
        remoteNow = null;
        writeCache(1000, "[{\"Pos\": 0, \"Size\": 1000}]", "1000,2023-11-14 22:13:20.123456789 +0000 UTC", false);
        assertEquals("cannot check the remote object (rclone lsjson --stat exited with code 1: Failed to lsjson: 403 Forbidden)", decide());
    }

    @Test
    void withoutAHashInTheFingerprintSizeAndTimeDecide() throws IOException {
        writeCache(1000, "[{\"Pos\": 0, \"Size\": 1000}]", "1000,2023-11-14 22:13:20.123456789 +0000 UTC", false);
        hashType = Optional.empty();
        remoteNow = new RemoteCheck.RemoteObject(RemoteCheck.RemoteObject.Kind.FILE, 1000, Optional.of(MTIME), Map.of());
        assertEquals("bypassed", decide());
    }

    @Test
    void gone() {
        remoteNow = RemoteCheck.RemoteObject.missing();
        assertEquals("the remote object is gone", decide());
    }

    @Test
    void localStates() throws IOException {
        writeCache(1000, "[{\"Pos\": 0, \"Size\": 730}]", "1000,2023-11-14 22:13:20.123456789 +0000 UTC," + MD5, false);
        assertEquals("cache file incomplete (73% cached)", decide());
        writeCache(1000, "[{\"Pos\": 0, \"Size\": 1000}]", "1000,2023-11-14 22:13:20.123456789 +0000 UTC," + MD5, true);
        assertEquals("cache file is dirty", decide());
        writeCache(1000, "[{\"Pos\": 0, \"Size\": 1000}]", "999,2023-11-14 22:13:20.123456789 +0000 UTC," + MD5, false);
        assertEquals("the cache metadata cannot be read (the fingerprint says 999 bytes, the metadata 1000)", decide());
        assertEquals("not in the cache", decide("d/other.mp4"));
        assertEquals("the path has characters rclone encodes in its cache", decide("d/a\uFF0Fb.mp4"));
    }

    @Test
    void aDataFileOfAnotherSizeIsARace_declinedAfterOneRetry() throws IOException {
        Files.write(cacheDir.resolve("vfs/fake/root").resolve(PATH), new byte[10]);
        assertEquals("the cache file changed while it was being checked (the data file has 10 bytes, the metadata says 1000)", decide());
        assertEquals(1L, bypass.counters().get("declined_race"));
        assertEquals(1L, bypass.counters().get("offers"));
    }

    @Test
    void whenNoLinkCanBeMadeItDeclines() throws IOException {
        Files.writeString(cacheDir.resolve(LinkArea.DIR), "in the way");
        assertTrue(decide().startsWith("cannot link the cache file (cannot make " + cacheDir.resolve(LinkArea.DIR)), decide());
        Files.delete(cacheDir.resolve(LinkArea.DIR));
        assertEquals("bypassed", decide(), "and recovers once the way is clear");
    }
}
