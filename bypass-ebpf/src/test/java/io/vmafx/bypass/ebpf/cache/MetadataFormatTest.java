package io.vmafx.bypass.ebpf.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reading rclone's metadata, fingerprints and answers: the formats, their edge cases, and what is refused. */
class MetadataFormatTest {

    /** A metadata file as rclone 1.60.1 wrote it (CacheLayoutTest reads a live one). */
    static final String REAL = "{\n\t\"ModTime\": \"2026-11-21T06:45:49.831545212Z\",\n\t\"ATime\": \"2026-11-21T06:45:49.860577496Z\",\n"
            + "\t\"Size\": 3000000,\n\t\"Rs\": [\n\t\t{\n\t\t\t\"Pos\": 0,\n\t\t\t\"Size\": 3000000\n\t\t}\n\t],\n"
            + "\t\"Fingerprint\": \"3000000,2026-11-21 06:45:46.219298985 +0000 UTC,5e4d1ffff5a8d860248eb6a32df5400c\",\n"
            + "\t\"Dirty\": false\n}\n";

    private static VfsMeta meta(String json) throws VfsMeta.FormatException {
        return VfsMeta.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    /** The same metadata, one field a line, with {@code field} set to {@code value} (raw JSON). */
    private static String with(String field, String value) {
        String flat = "{\n\"ModTime\": \"2026-11-21T06:45:49.831545212Z\",\n\"ATime\": \"2026-11-21T06:45:49.860577496Z\",\n"
                + "\"Size\": 3000000,\n\"Rs\": [{\"Pos\": 0, \"Size\": 3000000}],\n"
                + "\"Fingerprint\": \"3000000,2026-11-21 06:45:46.219298985 +0000 UTC,5e4d1ffff5a8d860248eb6a32df5400c\",\n\"Dirty\": false\n}\n";
        String out = flat.replaceFirst("\"" + field + "\": [^\\n]*?(,?)\\n", java.util.regex.Matcher.quoteReplacement("\"" + field + "\": " + value) + "$1\n");
        if (out.equals(flat) && !value.isEmpty()) {
            throw new AssertionError("no field " + field);
        }
        return out;
    }

    @Test
    void readsRealMetadata() throws Exception {
        VfsMeta m = meta(REAL);
        assertEquals(3_000_000, m.size());
        assertEquals(List.of(new VfsMeta.Range(0, 3_000_000)), m.ranges());
        assertFalse(m.dirty());
        assertTrue(m.complete());
        assertEquals(100, m.percentCached());
        assertEquals("2026-11-21T06:45:49.860577496Z", m.aTime());
    }

    @Test
    void rangesMayBeNullUnsortedOverlappingOrBeyondTheSize() throws Exception {
        VfsMeta none = meta(with("Rs", "null"));
        assertEquals(0, none.cachedBytes());
        assertEquals(0, none.percentCached());
        assertFalse(none.complete());
        VfsMeta gaps = meta(with("Rs", "[{\"Pos\": 2000000, \"Size\": 2000000}, {\"Pos\": 0, \"Size\": 1000000}, {\"Pos\": 500000, \"Size\": 600000}]"));
        assertEquals(1_100_000 + 1_000_000, gaps.cachedBytes()); // [0,1.1M) and [2M,3M): beyond the size does not count
        assertEquals(70, gaps.percentCached());
        assertFalse(gaps.complete());
        VfsMeta pieces = meta(with("Rs", "[{\"Pos\": 1000000, \"Size\": 2000000}, {\"Pos\": 0, \"Size\": 1000000}]"));
        assertTrue(pieces.complete());
        VfsMeta almost = meta(with("Rs", "[{\"Pos\": 0, \"Size\": 2999999}]"));
        assertFalse(almost.complete());
        assertEquals(99, almost.percentCached(), "rounded down: never 100% unless complete");
        VfsMeta empty = new VfsMeta("2026-11-21T06:45:49Z", "2026-11-21T06:45:49Z", 0, List.of(), "0", false);
        assertTrue(empty.complete(), "an empty object is complete with no ranges");
    }

    @Test
    void sameItemIgnoresTheAccessTimeOnly() throws Exception {
        VfsMeta a = meta(REAL);
        assertTrue(a.sameItemAs(meta(with("ATime", "\"2030-01-01T00:00:00Z\""))));
        assertFalse(a.sameItemAs(meta(with("ModTime", "\"2030-01-01T00:00:00Z\""))));
        assertFalse(a.sameItemAs(meta(with("Rs", "[{\"Pos\": 0, \"Size\": 1}]"))));
        assertFalse(a.sameItemAs(meta(with("Fingerprint", "\"3000000\""))));
        assertFalse(a.sameItemAs(meta(with("Dirty", "true"))));
    }

    @Test
    void refusesWhatRcloneDoesNotWrite() {
        for (String bad : new String[] {"", "{", "[]", "{\"Size\": 1}", with("Size", "\"3\""), with("Size", "-1"), with("Dirty", "\"no\""),
                with("Rs", "{}"), with("Rs", "[{\"Pos\": -1, \"Size\": 1}]"), with("Fingerprint", "null"), REAL + "x",
                REAL.replace("\"Dirty\": false", "\"Dirty\": false, \"Dirty\": true")}) {
            assertThrows(VfsMeta.FormatException.class, () -> meta(bad), bad);
        }
        assertThrows(VfsMeta.FormatException.class, () -> VfsMeta.parse(new byte[] {(byte) 0xff, '{', '}'}));
    }

    @Test
    void fingerprints() throws Exception {
        Instant t = Instant.parse("2026-11-21T06:45:46.219298985Z");
        assertEquals(new Fingerprint(3000000, Optional.of(t), Optional.of("5e4d1ffff5a8d860248eb6a32df5400c")),
                Fingerprint.parse("3000000,2026-11-21 06:45:46.219298985 +0000 UTC,5e4d1ffff5a8d860248eb6a32df5400c"));
        // whole seconds: Go prints no fraction; trailing zeros are cut
        assertEquals(Optional.of(Instant.parse("2023-11-14T22:13:20Z")), Fingerprint.parse("5,2023-11-14 22:13:20 +0000 UTC").modTime());
        assertEquals(Optional.of(Instant.parse("2023-11-14T22:13:20.5Z")), Fingerprint.parse("5,2023-11-14 22:13:20.5 +0000 UTC").modTime());
        assertEquals(Optional.of(Instant.parse("2023-11-14T21:13:20Z")), Fingerprint.parse("5,2023-11-14 22:13:20 +0100 CET").modTime());
        // no time (a backend without modification times, or --vfs-fast-fingerprint on S3): size and hash
        Fingerprint sizeHash = Fingerprint.parse("5,d41d8cd98f00b204e9800998ecf8427e");
        assertEquals(Optional.empty(), sizeHash.modTime());
        assertEquals(Optional.of("d41d8cd98f00b204e9800998ecf8427e"), sizeHash.hash());
        // no hash (a backend without hashes, or a slow one with --vfs-fast-fingerprint)
        assertEquals(Optional.empty(), Fingerprint.parse("5,2023-11-14 22:13:20 +0000 UTC").hash());
        Fingerprint sizeOnly = Fingerprint.parse("5");
        assertFalse(sizeOnly.hasModTimeOrHash());
        for (String bad : new String[] {"", "x", "5,not a time or hash!", "5,a,b", "5,1,2,3"}) {
            assertThrows(VfsMeta.FormatException.class, () -> Fingerprint.parse(bad), bad);
        }
        assertTrue(Fingerprint.sameHash("5E4D", "5e4d"));
        assertFalse(Fingerprint.sameHash("AAAA+/==", "aaaa+/=="), "base64 hashes are compared exactly");
    }

    @Test
    void canonicalNamesFromRclonesDebugLog() {
        String log = "2026/11/21 06:46:47 DEBUG : rclone: Version \"v1.60.1-DEV\" starting\n"
                + "2026/11/21 06:46:47 DEBUG : Creating backend with remote \"media:\"\n"
                + "2026/11/21 06:46:47 DEBUG : Creating backend with remote \"/srv/a b\"\n"
                + "2026/11/21 06:46:47 DEBUG : fs cache: renaming cache item \"media:\" to be canonical \"/srv/a b\"\n";
        assertEquals("/srv/a b", RcloneRemoteCheck.canonical("media:", log));
        assertEquals(new RemoteFs("local", "/srv/a b"), RemoteFs.fromConfigString("/srv/a b"));
        assertEquals("s3:", RcloneRemoteCheck.canonical("s3:", log), "no line: already canonical");
        assertEquals(new RemoteFs("s3", ""), RemoteFs.fromConfigString("s3:"));
        String onTheFly = "x DEBUG : fs cache: renaming cache item \":local,case_insensitive=false:/srv/\" to be canonical \":local{gDIhX}:/srv\"\n";
        assertEquals(new RemoteFs(":local{gDIhX}", "/srv"), RemoteFs.fromConfigString(RcloneRemoteCheck.canonical(":local,case_insensitive=false:/srv/", onTheFly)));
        assertEquals(new RemoteFs("edit", "/srv/media"), RemoteFs.fromConfigString("edit:/srv/media"));
        // Go's %q escapes
        int[] end = new int[1];
        assertEquals("a\"b\\c\té\u00e9\u263a", RcloneRemoteCheck.goUnquote("\"a\\\"b\\\\c\\té\\u00e9\\u263a\" rest", 0, end));
        assertEquals(" rest", "\"a\\\"b\\\\c\\té\\u00e9\\u263a\" rest".substring(end[0]));
        assertEquals("\u00e9", RcloneRemoteCheck.goUnquote("\"\\xc3\\xa9\"", 0, end), "bytes of UTF-8");
        assertEquals(null, RcloneRemoteCheck.goUnquote("\"unterminated", 0, end));
        assertThrows(IllegalArgumentException.class, () -> new RemoteFs("a/b", ""));
        assertThrows(IllegalArgumentException.class, () -> new RemoteFs("x", "/a/../b"));
        assertEquals(java.nio.file.Path.of("/c/vfs/:sftp{AbCdE}/srv/m"), new RemoteFs(":sftp{AbCdE}", "/srv/m").dataDir(java.nio.file.Path.of("/c")));
        assertEquals(java.nio.file.Path.of("/c/vfsMeta/s3/bucket"), new RemoteFs("s3", "bucket").metaDir(java.nio.file.Path.of("/c")));
    }

    @Test
    void lsjsonStatAnswers() {
        RemoteCheck.RemoteObject o = RcloneRemoteCheck.parseStat("{\n\t\"Path\": \"a.bin\",\n\t\"Name\": \"a.bin\",\n\t\"Size\": 5,\n"
                + "\t\"ModTime\": \"2017-05-31T16:15:57.034468261+01:00\",\n\t\"IsDir\": false,\n\t\"Hashes\": {\n\t\t\"md5\": \"abc\"\n\t}\n}");
        assertEquals(RemoteCheck.RemoteObject.Kind.FILE, o.kind());
        assertEquals(5, o.size());
        assertEquals(Optional.of(Instant.parse("2017-05-31T15:15:57.034468261Z")), o.modTime());
        assertEquals(Map.of("md5", "abc"), o.hashes());
        assertEquals(RemoteCheck.RemoteObject.Kind.DIRECTORY, RcloneRemoteCheck.parseStat("{\"Path\":\"d\",\"Size\":-1,\"IsDir\":true}").kind());
        assertEquals(Optional.empty(), RcloneRemoteCheck.parseStat("{\"Size\":1,\"ModTime\":\"\",\"IsDir\":false}".replace("\"ModTime\":\"\",", "")).modTime());
        assertThrows(IllegalArgumentException.class, () -> RcloneRemoteCheck.parseStat("{\"IsDir\":false}"));
    }

    @Test
    void json() {
        assertEquals(Map.of("a", List.of(1L, 2.5, true, false), "b", "x\n\u00e9/"), Json.parse(" {\"a\": [1, 2.5, true, false], \"b\": \"x\\n\\u00e9\\/\"} "));
        assertEquals(null, Json.parse("null"));
        for (String bad : new String[] {"{", "{\"a\" 1}", "[1,]", "\"\\q\"", "01x", "{\"a\":1,\"a\":2}", "\"a\nb\""}) {
            assertThrows(Json.ParseException.class, () -> Json.parse(bad), bad);
        }
        assertThrows(Json.ParseException.class, () -> Json.parse("[".repeat(100) + "]".repeat(100)), "too deep");
    }
}
