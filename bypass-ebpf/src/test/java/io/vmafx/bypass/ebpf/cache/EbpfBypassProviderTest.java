package io.vmafx.bypass.ebpf.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.bypass.ebpf.EbpfBypassProvider;
import io.vmafx.spi.Availability;
import io.vmafx.spi.bypass.BypassDecision;
import io.vmafx.spi.bypass.BypassException;
import io.vmafx.spi.bypass.BypassProvider;
import io.vmafx.spi.bypass.TrafficWatch;
import io.vmafx.spi.storage.PreparedInput;
import io.vmafx.spi.storage.VfsCacheLocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The provider as core drives it: availability, start, offer and watch per input, counters, close. */
class EbpfBypassProviderTest {

    private RcloneFixture fx;
    private EbpfBypassProvider provider;

    @BeforeEach
    void setUp() throws Exception {
        fx = new RcloneFixture();
        provider = new EbpfBypassProvider();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            provider.close();
            assertFalse(Files.exists(fx.cacheDir.resolve(LinkArea.DIR)), "link directories left");
        } finally {
            fx.close();
        }
    }

    private static PreparedInput input(VfsCacheLocation cache) {
        PreparedInput in = PreparedInput.of("mount", cache.fusePath() == null ? "plugin://shelf/x" : cache.fusePath().toString(), () -> { });
        return in.withVfsCache(cache);
    }

    @Test
    void isNamedEbpf() {
        assertEquals("ebpf", provider.name());
        BypassProvider asSpi = provider; // found by ServiceLoader through module-info's provides (core's discovery tests)
        assertEquals("ebpf", asSpi.name());
    }

    @Test
    void availabilityNamesAMissingRclone() {
        Availability a = provider.availability(fx.settings("VMAFX_RCLONE_BIN", "/nonexistent/rclone"));
        assertFalse(a.usable());
        assertTrue(a.reason().startsWith("rclone not found: /nonexistent/rclone is not an executable file (VMAFX_RCLONE_BIN)"), a.reason());
        Availability here = provider.availability(fx.settings());
        // with rclone found, only the probe's preflight can object (kernel, BTF, tracefs, capabilities)
        assertFalse(here.reason().contains("rclone"), here.reason());
        System.out.println("availability here: " + (here.usable() ? "usable" : here.reason()));
        assertThrows(BypassException.class, () -> provider.start(fx.settings("VMAFX_RCLONE_BIN", "/nonexistent/rclone")));
    }

    @Test
    void bypassesAWarmInputOnAWatchedMount_andDeclinesTheRest() throws Exception {
        byte[] source = fx.write("a/clip.y4m", 1_000_000, 1);
        RcloneFixture.Mount m = fx.mount("media:");
        RcloneFixture.readAll(m.file("a/clip.y4m"));
        VfsCacheLocation loc = m.location("a/clip.y4m");

        assertEquals("the bypass is not started", provider.offer(input(loc)).reason());
        provider.start(fx.settings("VMAFX_EBPF_MOUNT_PREFIX", fx.mountRoot.toString()));
        RemoteFs fs = new RcloneRemoteCheck(fx.rclone(), CacheBypass.REMOTE_TIMEOUT).resolve("media:");
        RcloneFixture.await("a complete cache", 5, () -> {
            VfsMeta meta = fx.meta(fs, "a/clip.y4m");
            return meta != null && meta.complete();
        });

        try (BypassDecision d = provider.offer(input(loc));
             TrafficWatch bypassed = provider.watch(input(loc)).orElseThrow(() -> new AssertionError("the probe watches the input"))) {
            assertTrue(d.bypassed(), d.reason());
            assertTrue(d.location().orElseThrow().endsWith("/clip.y4m"), d.location().get());
            assertArrayEquals(source, Files.readAllBytes(Path.of(d.location().get())));
            // Read around FUSE: the probe saw (almost) nothing go through it.
            assertTrue(bypassed.traffic().bytes() <= 4096, "FUSE bytes of a bypassed read: " + bypassed.traffic());
        }
        try (TrafficWatch throughFuse = provider.watch(input(loc)).orElseThrow()) {
            RcloneFixture.readAll(m.file("a/clip.y4m"));
            // The read through the mount: every byte is seen, within 1 %.
            assertEquals(1_000_000, throughFuse.traffic().bytes(), 10_000, "FUSE bytes of a FUSE read: " + throughFuse.traffic());
        }
        assertEquals("not on a watched mount (/elsewhere/a/clip.y4m is not below " + fx.mountRoot + ")",
                provider.offer(input(new VfsCacheLocation(fx.cacheDir, "media:", "a/clip.y4m", Path.of("/elsewhere/a/clip.y4m")))).reason());
        assertEquals("not read through a FUSE mount or rclone serve http",
                provider.offer(input(new VfsCacheLocation(fx.cacheDir, "media:", "a/clip.y4m", null))).reason());
        assertEquals("not read through an rclone VFS cache", provider.offer(PreparedInput.of("local", "/x.y4m", () -> { })).reason());

        Map<String, Number> c = provider.counters();
        assertEquals(5L, c.get("offers"));
        assertEquals(1L, c.get("bypassed"));
        assertEquals(1_000_000L, c.get("bytes_bypassed"));
        assertEquals(4L, c.get("declined"));
        assertEquals(1L, c.get("declined_not_started"));
        assertEquals(1L, c.get("declined_not_watched"));
        assertEquals(1L, c.get("declined_not_mounted"));
        assertEquals(1L, c.get("declined_no_vfs_cache"));
        assertEquals(1L, c.get("probe_running"));

        provider.close();
        assertEquals("the bypass is shutting down", provider.offer(input(loc)).reason());
        provider.close(); // idempotent
    }

    @Test
    void thePrefixDefaultsToTheMountRoot_andStartCleansStaleLinks() throws Exception {
        Path stale = Files.createDirectories(fx.cacheDir.resolve(LinkArea.DIR).resolve("4194999-1-deadbeef").resolve("0a"));
        Files.writeString(stale.resolve("x"), "x");
        provider.start(fx.settings()); // VMAFX_EBPF_MOUNT_PREFIX unset: VMAFX_STORAGE_MOUNT_ROOT
        assertFalse(Files.exists(stale.getParent()), "a stale session directory is removed at start");
        assertEquals(1L, provider.counters().get("stale_link_dirs_removed"));
        Files.delete(fx.cacheDir.resolve(LinkArea.DIR));
        fx.write("b.bin", 10, 2);
        RcloneFixture.Mount m = fx.mount("media:");
        assertEquals("not in the cache", provider.offer(input(m.location("b.bin"))).reason(), "watched: decided on the cache");
        assertEquals(List.of(), RcloneFixture.tree(fx.cacheDir.resolve(LinkArea.DIR)));
    }

    @Test
    void aBrokenInputIsADeclineNotAnException() throws Exception {
        provider.start(fx.settings());
        BypassDecision d = provider.offer(input(new VfsCacheLocation(fx.cacheDir, "nosuchremote:", "a.bin", fx.mountRoot.resolve("m/a.bin"))));
        assertFalse(d.bypassed());
        assertTrue(d.reason().startsWith("cannot check the remote object (rclone cannot open nosuchremote: (exit code "), d.reason());
    }
}
