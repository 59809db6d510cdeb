package io.vmafx.rclone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.api.uri.AssetUri;
import io.vmafx.spi.NodeSettings;
import io.vmafx.spi.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RemoteStat} and {@link WarmMiss} against the real rclone on a local directory, and fake rclones. */
class RemoteStatTest {

    private static final String FILE = "dir/a b é #1.bin";

    private Path base;
    private final Map<String, String> values = new HashMap<>();

    @BeforeEach
    void setUp() throws IOException {
        base = Files.createTempDirectory("vmafx-remotestat-test-");
        Path source = Files.createDirectories(base.resolve("src"));
        Files.createDirectories(source.resolve("dir"));
        Files.write(source.resolve(FILE), new byte[1234]);
        Path config = Files.writeString(base.resolve("rclone.conf"), "[media]\ntype = alias\nremote = " + source + "\n");
        values.put(RcloneTool.CONFIG, config.toString());
    }

    @AfterEach
    void tearDown() throws Exception {
        long end = System.nanoTime() + 3_000_000_000L;
        while (ProcessHandle.current().descendants().anyMatch(ProcessHandle::isAlive)) {
            assertTrue(System.nanoTime() < end, "child processes left");
            Thread.sleep(10);
        }
        try (Stream<Path> walk = Files.walk(base)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private NodeSettings settings(String... extra) {
        Map<String, String> copy = new HashMap<>(values);
        for (int i = 0; i < extra.length; i += 2) {
            copy.put(extra[i], extra[i + 1]);
        }
        return v -> Optional.ofNullable(copy.get(v));
    }

    private RcloneTool rclone() {
        return RcloneTool.find(settings()).orElseThrow();
    }

    private RcloneTool fake(String body) throws IOException {
        Path p = base.resolve("fake-rclone-" + System.nanoTime());
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return RcloneTool.find(settings(RcloneTool.BIN, p.toString())).orElseThrow();
    }

    private static Deadline tenSeconds() {
        return Deadline.after(Duration.ofSeconds(10));
    }

    @Test
    void tellsAFileADirectoryAndNothing() throws Exception {
        long t0 = System.nanoTime();
        RemoteStat file = RemoteStat.of(rclone(), "media:" + FILE, tenSeconds());
        System.out.printf("rclone lsjson --stat on a local remote: %.1f ms%n", (System.nanoTime() - t0) / 1e6);
        assertEquals(RemoteStat.Kind.FILE, file.kind());
        assertEquals(1234, file.size());
        assertTrue(file.modTime().matches("\\d{4}-\\d\\d-\\d\\dT.*"), file.modTime());
        assertEquals("1234 bytes, modified " + file.modTime(), file.fingerprint());
        assertEquals(RemoteStat.Kind.DIRECTORY, RemoteStat.of(rclone(), "media:dir", tenSeconds()).kind());
        assertEquals(new RemoteStat(RemoteStat.Kind.MISSING, -1, "", ""), RemoteStat.of(rclone(), "media:dir/nope.bin", tenSeconds()));
        assertEquals(RemoteStat.Kind.MISSING, RemoteStat.of(rclone(), "media:nodir/nope.bin", tenSeconds()).kind());
    }

    @Test
    void anUnknownRemoteIsUnknownWithRclonesReason() throws Exception {
        RemoteStat stat = RemoteStat.of(rclone(), "nosuch:x", tenSeconds());
        assertEquals(RemoteStat.Kind.UNKNOWN, stat.kind());
        assertTrue(stat.detail().startsWith("rclone lsjson --stat exited with code 1: "), stat.detail());
        assertTrue(stat.detail().contains("didn't find section in config file"), stat.detail());
    }

    @Test
    void aSlowRcloneIsStoppedAtTheDeadline() throws Exception {
        long t0 = System.nanoTime();
        RemoteStat stat = RemoteStat.of(fake("echo 'asking the remote' >&2; exec sleep 30"), "media:x", Deadline.after(Duration.ofMillis(300)));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(new RemoteStat(RemoteStat.Kind.UNKNOWN, -1, "",
                "rclone lsjson --stat did not finish within 300 ms (rclone: asking the remote)"), stat);
        assertTrue(millis >= 250 && millis < 2_000, millis + " ms");
    }

    @Test
    void parsesPrettyAndCompactJson() {
        assertEquals(new RemoteStat(RemoteStat.Kind.FILE, 7, "", ""), RemoteStat.parse("{\"Path\":\"a\",\"Name\":\"a\",\"Size\":7,\"IsDir\":false}"));
        assertEquals("2026-12-04T19:20:01.123456789+00:00", RemoteStat.parse("{\"Path\":\"a\",\"Size\":7,"
                + "\"ModTime\":\"2026-12-04T19:20:01.123456789+00:00\",\"IsDir\":false}").modTime());
        assertEquals(RemoteStat.Kind.DIRECTORY, RemoteStat.parse("{\n\t\"Path\": \"\",\n\t\"Size\": -1,\n\t\"IsDir\": true\n}\n").kind());
        // A name can say anything, but never with an unescaped quote.
        assertEquals(RemoteStat.Kind.FILE, RemoteStat.parse("{\"Path\":\"x\\\"IsDir\\\": true\",\"Size\":1,\"IsDir\":false}").kind());
        RemoteStat garbage = RemoteStat.parse("Usage: rclone lsjson");
        assertEquals(RemoteStat.Kind.UNKNOWN, garbage.kind());
        assertEquals("rclone lsjson --stat answered something unexpected: Usage: rclone lsjson", garbage.detail());
    }

    @Test
    void warmMissIsConfirmedOnlyWhenTheRemoteHasAFile() throws Exception {
        PrepareCounters counters = new PrepareCounters();
        AssetUri uri = AssetUri.parse("media:" + FILE);
        assertTrue(WarmMiss.remoteHasFile("test", rclone(), uri.rclone().orElseThrow(), uri, tenSeconds(), counters));
        AssetUri missing = AssetUri.parse("media:dir/nope.bin");
        assertFalse(WarmMiss.remoteHasFile("test", rclone(), missing.rclone().orElseThrow(), missing, tenSeconds(), counters));
        AssetUri dir = AssetUri.parse("media:dir");
        assertFalse(WarmMiss.remoteHasFile("test", rclone(), dir.rclone().orElseThrow(), dir, tenSeconds(), counters));
        AssetUri unknown = AssetUri.parse("nosuch:x");
        assertFalse(WarmMiss.remoteHasFile("test", rclone(), unknown.rclone().orElseThrow(), unknown, tenSeconds(), counters),
                "a check that fails for another reason leaves the member's answer standing");
        Map<String, Number> c = counters.snapshot(Map.of());
        assertEquals(4L, c.get("warm_miss_checks"));
        assertEquals(1L, c.get("warm_miss_found"));
    }

    @Test
    void warmMissCheckThatIsRefusedOrTooSlowSaysSo() throws Exception {
        PrepareCounters counters = new PrepareCounters();
        AssetUri uri = AssetUri.parse("media:" + FILE);
        RcloneTool refused = fake("echo '2026/01/01 10:00:00 Failed to lsjson: AccessDenied: Access Denied status code: 403' >&2; exit 1");
        StorageException denied = assertThrows(StorageException.class,
                () -> WarmMiss.remoteHasFile("test", refused, uri.rclone().orElseThrow(), uri, tenSeconds(), counters));
        assertEquals(StorageException.Cause.ACCESS_DENIED, denied.reason());
        assertEquals("access denied: media:dir/a b é #1.bin (rclone lsjson --stat exited with code 1: "
                + "Failed to lsjson: AccessDenied: Access Denied status code: 403)", denied.getMessage());

        StorageException slow = assertThrows(StorageException.class, () -> WarmMiss.remoteHasFile("rclone mount media:",
                fake("exec sleep 30"), uri.rclone().orElseThrow(), uri, Deadline.after(Duration.ofMillis(300)), counters));
        assertEquals(StorageException.Cause.TIMEOUT, slow.reason());
        assertEquals("cannot read media:dir/a b é #1.bin: rclone mount media: did not list it, and checking the remote directly"
                + " did not finish within 300 ms (rclone lsjson --stat did not finish within 300 ms)", slow.getMessage());
    }
}
