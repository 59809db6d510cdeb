package io.vmafx.bypass.ebpf.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The on-disk layout of rclone's VFS cache, checked against the real rclone (1.60.1 here): where a mount of each
 * kind of remote root keeps its data and metadata, that {@link RcloneRemoteCheck} finds exactly that place, and
 * what a real metadata file holds.
 */
class CacheLayoutTest {

    private static final String CLIP = "dir/my clip é.bin";
    private RcloneFixture fx;
    private byte[] data;

    @BeforeEach
    void setUp() throws Exception {
        fx = new RcloneFixture();
        data = fx.write(CLIP, 3_000_000, 7);
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    /** Reads the clip through a mount of {@code root}, and returns the one metadata file rclone then wrote. */
    private Path warmAndFindMeta(String root, String path) throws Exception {
        RcloneFixture.Mount m = fx.mount(root);
        assertEquals(RcloneFixture.md5(data), RcloneFixture.md5(RcloneFixture.readAll(m.file(path))));
        Path metaRoot = fx.cacheDir.resolve("vfsMeta");
        RcloneFixture.await("rclone's metadata of " + root + path, 5, () -> {
            try (Stream<Path> walk = Files.walk(metaRoot)) {
                return walk.anyMatch(p -> {
                    VfsMeta meta = p.getFileName().toString().equals("my clip é.bin") ? fx.metaAt(p) : null;
                    return meta != null && meta.complete();
                });
            } catch (Exception e) {
                return false;
            }
        });
        m.unmount();
        try (Stream<Path> walk = Files.walk(metaRoot)) {
            List<Path> found = walk.filter(Files::isRegularFile).toList();
            assertEquals(1, found.size(), "metadata files: " + found);
            return found.get(0);
        }
    }

    private void check(String root, String path, String expectedDirBelowCache) throws Exception {
        Path meta = warmAndFindMeta(root, path);
        RemoteFs fs = new RcloneRemoteCheck(fx.rclone(), Duration.ofSeconds(20)).resolve(root);
        Path expectedMeta = fx.cacheDir.resolve("vfsMeta").resolve(expectedDirBelowCache).resolve(path);
        assertEquals(expectedMeta, meta, "where rclone put the metadata of " + root + path);
        assertEquals(expectedMeta, fs.metaDir(fx.cacheDir).resolve(path), "where the bypass looks for " + root + path);
        Path dataFile = fs.dataDir(fx.cacheDir).resolve(path);
        assertEquals(fx.cacheDir.resolve("vfs").resolve(expectedDirBelowCache).resolve(path), dataFile);
        assertTrue(Files.isRegularFile(dataFile), dataFile + " is rclone's data file");
        assertEquals(RcloneFixture.md5(data), RcloneFixture.md5(Files.readAllBytes(dataFile)));
        cleanCache();
    }

    private void cleanCache() throws Exception {
        try (Stream<Path> walk = Files.walk(fx.cacheDir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void anAliasIsCachedUnderItsTargetNamedLocal() throws Exception {
        check("media:", CLIP, "local" + fx.source);
    }

    @Test
    void anAliasRootWithASubdirectory() throws Exception {
        check("media:dir/", "my clip é.bin", "local" + fx.source.resolve("dir"));
    }

    @Test
    void aNamedRemoteIsCachedUnderItsName() throws Exception {
        check("disk:" + fx.source + "/", CLIP, "disk" + fx.source);
    }

    @Test
    void anAliasOfANamedRemoteIsCachedUnderTheTargetsName() throws Exception {
        check("m2:", "my clip é.bin", "disk" + fx.source.resolve("dir"));
    }

    @Test
    void anOnTheFlyRemoteKeepsItsLeadingColon() throws Exception {
        check(":local:" + fx.source + "/", CLIP, ":local" + fx.source);
    }

    @Test
    void options_inAConnectionStringAddAHashSuffix() throws Exception {
        String root = ":local,case_insensitive=false:" + fx.source + "/";
        Path meta = warmAndFindMeta(root, CLIP);
        String name = fx.cacheDir.resolve("vfsMeta").relativize(meta).getName(0).toString();
        assertTrue(name.matches(":local\\{[A-Za-z0-9_-]{5}\\}"), name);
        RemoteFs fs = new RcloneRemoteCheck(fx.rclone(), Duration.ofSeconds(20)).resolve(root);
        assertEquals(new RemoteFs(name, fx.source.toString()), fs);
        assertEquals(meta, fs.metaDir(fx.cacheDir).resolve(CLIP));
    }

    /** What rclone 1.60 writes into a metadata file, read from a real one. */
    @Test
    void aRealMetadataFileHasTheFieldsTheDecisionReads() throws Exception {
        Files.setLastModifiedTime(fx.src(CLIP), RcloneFixture.FIXED_MTIME);
        Instant before = Instant.now();
        Path metaFile = warmAndFindMeta("media:", CLIP);
        String text = Files.readString(metaFile);
        System.out.println("rclone " + version() + " vfsMeta file " + metaFile + ":\n" + text);
        VfsMeta meta = VfsMeta.parse(Files.readAllBytes(metaFile));
        assertEquals(data.length, meta.size());
        assertEquals(List.of(new VfsMeta.Range(0, data.length)), meta.ranges());
        assertTrue(meta.complete());
        assertFalse(meta.dirty());
        // ModTime and ATime are rclone's own times (when it made and last read the item), RFC 3339.
        Instant modTime = OffsetDateTime.parse(meta.modTime()).toInstant();
        Instant aTime = OffsetDateTime.parse(meta.aTime()).toInstant();
        assertFalse(modTime.isBefore(before.minusSeconds(2)), "ModTime " + modTime + " is the item's, not the object's");
        assertFalse(aTime.isBefore(modTime), aTime + " >= " + modTime);
        // The fingerprint: size, the object's time (Go's time.String() in UTC), md5 (the local backend's first hash).
        assertEquals(data.length + ",2023-11-14 22:13:20 +0000 UTC," + RcloneFixture.md5(data), meta.fingerprint());
        Fingerprint fp = Fingerprint.parse(meta.fingerprint());
        assertEquals(new Fingerprint(data.length, Optional.of(RcloneFixture.FIXED_MTIME.toInstant()), Optional.of(RcloneFixture.md5(data))), fp);
        // The hash type the bypass asks the remote for is that first hash.
        assertEquals(Optional.of("md5"), new RcloneRemoteCheck(fx.rclone(), Duration.ofSeconds(20)).fingerprintHash("media:"));
        // Tab-indented, as Go's json.MarshalIndent(info, "", "\t") writes it.
        assertTrue(text.startsWith("{\n\t\"ModTime\": "), text);
    }

    @Test
    void aPartlyReadFileHasRangesThatDoNotCoverIt() throws Exception {
        byte[] big = fx.write("big.bin", 48 << 20, 9);
        RcloneFixture.Mount m = fx.mount("media:");
        try (var ch = java.nio.channels.FileChannel.open(m.file("big.bin"))) {
            ch.read(java.nio.ByteBuffer.allocate(4096), 0);
        }
        RemoteFs fs = new RcloneRemoteCheck(fx.rclone(), Duration.ofSeconds(20)).resolve("media:");
        RcloneFixture.await("metadata of big.bin", 5, () -> fx.meta(fs, "big.bin") != null);
        VfsMeta meta = fx.meta(fs, "big.bin");
        assertNotNull(meta);
        System.out.println("partly read: " + meta.ranges() + " of " + meta.size() + " = " + meta.percentCached() + "%");
        assertEquals(big.length, meta.size());
        assertFalse(meta.complete(), meta.toString());
        // rclone makes the data file full size at once, sparse: its size says nothing about completeness.
        assertEquals(big.length, Files.size(fs.dataDir(fx.cacheDir).resolve("big.bin")));
    }

    private String version() throws Exception {
        return fx.rclone().run(List.of("version"), Duration.ofSeconds(10)).stdout().lines().findFirst().orElse("?");
    }
}
