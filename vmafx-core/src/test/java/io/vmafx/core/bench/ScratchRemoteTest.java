package io.vmafx.core.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.core.config.NodeConfig;
import io.vmafx.core.config.Variable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchRemoteTest {

    @TempDir
    Path tmp;

    @Test
    void privateDirectoryWithAnAliasRemoteAndEverythingInsideUnlessTheUserSetIt() throws Exception {
        ScratchRemote s = ScratchRemote.create("test");
        try {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(s.dir())));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(s.rcloneConfig())));
            String conf = Files.readString(s.rcloneConfig());
            assertTrue(conf.contains("[" + s.remote() + "]\ntype = alias\nremote = " + s.data() + "\n"), conf);
            assertTrue(s.remote().matches("vmafx-test-[0-9a-f]{6}"), s.remote());
            assertEquals(s.remote() + ":a.y4m", s.uri("a.y4m"));

            NodeConfig c = s.config(Map.of(), Map.of(), tmp, Map.of(Variable.STORAGE_MODE, "mount"));
            assertEquals(s.rcloneConfig().toString(), c.get(Variable.RCLONE_CONFIG).orElseThrow());
            assertEquals(s.dir().resolve("mounts").toString(), c.get(Variable.STORAGE_MOUNT_ROOT).orElseThrow());
            assertEquals(s.dir().resolve("cache").toString(), c.get(Variable.CACHE_DIR).orElseThrow());
            assertEquals("mount", c.storageMode().label());

            Path userCache = tmp.resolve("user-cache");
            NodeConfig u = s.config(Map.of("VMAFX_CACHE_DIR", userCache.toString()),
                    Map.of(Variable.STORAGE_MOUNT_ROOT, tmp.resolve("mnt").toString()), tmp, Map.of());
            assertEquals(userCache.toString(), u.get(Variable.CACHE_DIR).orElseThrow(), "a user's cache directory is kept");
            assertEquals(tmp.resolve("mnt").toString(), u.get(Variable.STORAGE_MOUNT_ROOT).orElseThrow(), "a user's mount root is kept");
        } finally {
            s.close();
        }
        assertFalse(Files.exists(s.dir()));
        assertTrue(s.cleanup().clean(), s.cleanup().describe());
    }

    @Test
    void removesItsOwnEntriesFromAUserCacheDirectoryAndNothingElse() throws Exception {
        Path cache = tmp.resolve("cache");
        Path theirs = Files.createDirectories(cache.resolve("vfs/local/theirs")).resolve("file");
        Files.writeString(theirs, "x");
        ScratchRemote s = ScratchRemote.create("test");
        try {
            s.config(Map.of("VMAFX_CACHE_DIR", cache.toString()), Map.of(), tmp, Map.of());
            // What rclone writes for an alias of a local directory, for mount and for http-serve.
            Path relative = Path.of("/").relativize(s.data());
            for (Path p : new Path[] {cache.resolve("vfs/local").resolve(relative), cache.resolve("vfsMeta/local").resolve(relative),
                    cache.resolve("httpserve/vfs/local").resolve(relative)}) {
                Files.createDirectories(p);
                Files.writeString(p.resolve("asset.bin"), "cached");
            }
        } finally {
            s.close();
        }
        assertTrue(Files.exists(theirs), "someone else's cache entry stays");
        assertTrue(Files.isDirectory(cache.resolve("vfs/local")), "a directory that existed before stays");
        assertFalse(Files.exists(cache.resolve("vfsMeta")), "a directory only our entries needed goes");
        assertFalse(Files.exists(cache.resolve("httpserve")), "a directory only our entries needed goes");
        assertFalse(Files.exists(cache.resolve("vfs/local").resolve(Path.of("/").relativize(s.data()).getName(0))));
        assertTrue(s.cleanup().clean(), s.cleanup().describe());
    }

    @Test
    void setMeansAFlagOrANonBlankVariable() {
        assertTrue(ScratchRemote.isSet(Map.of("VMAFX_CACHE_DIR", "/c"), Map.of(), Variable.CACHE_DIR));
        assertTrue(ScratchRemote.isSet(Map.of(), Map.of(Variable.CACHE_DIR, "/c"), Variable.CACHE_DIR));
        assertFalse(ScratchRemote.isSet(Map.of("VMAFX_CACHE_DIR", " "), Map.of(), Variable.CACHE_DIR));
        assertFalse(ScratchRemote.isSet(Map.of(), Map.of(), Variable.CACHE_DIR));
    }

    @Test
    void whatAnOwnerLeftBehindIsReportedAndStillRemovedWithTheDirectory() throws Exception {
        ScratchRemote s = ScratchRemote.create("test");
        Path link = Files.createDirectories(s.dir().resolve("cache/.vmafx-bypass/1-2-abcd/ef")).resolve("a.bin");
        Files.writeString(link, "x");
        s.checkAtClose(() -> Files.exists(link) ? java.util.List.of("the link " + link + " is still there") : java.util.List.of());
        s.checkAtClose(() -> {
            throw new IllegalStateException("boom");
        });
        s.close();
        assertFalse(Files.exists(s.dir()), "removed all the same");
        assertFalse(s.cleanup().clean());
        assertEquals(java.util.List.of("the link " + link + " is still there", "a cleanup check failed: java.lang.IllegalStateException: boom"),
                s.cleanup().problems());
        assertTrue(s.cleanup().describe().startsWith("cleanup: left behind: the link "), s.cleanup().describe());
    }
}
