package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Through the real launcher: every bad {@code rclone.conf} is a bad setting (exit 2, one line naming the variable and
 * what is wrong), {@code remote:./path} reads the object, and rclone's notices about other files of a directory stay
 * out of an "object not found" message.
 */
class BadSettingsAndPathsTest {

    @TempDir
    static Path scratch;
    static NodeDirs dirs;
    static Path data;

    @BeforeAll
    static void clips() throws Exception {
        data = scratch.resolve("data");
        Clips.testPattern(data.resolve("ref.y4m"), 160, 90, 1);
        Clips.degraded(data.resolve("ref.y4m"), data.resolve("dis.y4m"), 160, 90);
        // A named pipe beside the clips: rclone notices it ("Can't transfer non file/directory") each time it lists.
        Process mkfifo = new ProcessBuilder("mkfifo", data.resolve("pipe").toString()).start();
        assertEquals(0, mkfifo.waitFor());
        dirs = new NodeDirs(scratch.resolve("node"));
        Files.writeString(dirs.config(), "[loc]\ntype = alias\nremote = " + data + "\n");
    }

    @AfterEach
    void safetyNet() {
        Leftovers.cleanUp(scratch, Set.of());
    }

    private static Map<String, String> env(String... extra) {
        Map<String, String> e = new HashMap<>();
        for (int i = 0; i < extra.length; i += 2) {
            e.put(extra[i], extra[i + 1]);
        }
        return dirs.env(e);
    }

    private static String failsWithExit2(Map<String, String> env) {
        Node.Result r = Node.run(env, Node.ROOT, "score", "--reference", "loc:ref.y4m", "--distorted", "loc:dis.y4m");
        String line = r.failsWith(2);
        r.assertNoStackTrace();
        return line;
    }

    @Test
    void aDirectoryAsRcloneConfIsABadSetting() throws Exception {
        Path dir = Files.createDirectories(scratch.resolve("conf-dir"));
        assertEquals("vmafx-node: VMAFX_RCLONE_CONFIG: " + dir + " is a directory, not an rclone config file",
                failsWithExit2(env("VMAFX_RCLONE_CONFIG", dir.toString())));
    }

    @Test
    void aMissingRcloneConfIsABadSetting() {
        Path missing = scratch.resolve("nowhere/rclone.conf");
        assertEquals("vmafx-node: VMAFX_RCLONE_CONFIG: no such file " + missing, failsWithExit2(env("VMAFX_RCLONE_CONFIG", missing.toString())));
    }

    @Test
    void aMalformedRcloneConfIsABadSettingThatDoesNotEchoTheLine() throws Exception {
        Path bad = Files.writeString(scratch.resolve("malformed.conf"), "[loc]\ntype = alias\nsecret_access_key s3cr3tvalue\n");
        String line = failsWithExit2(env("VMAFX_RCLONE_CONFIG", bad.toString()));
        assertEquals("vmafx-node: VMAFX_RCLONE_CONFIG: " + bad + " is not an rclone config file rclone can read: line 3 is neither"
                + " [section], key = value nor a comment", line);
        assertFalse(line.contains("s3cr3t"), "a broken line may be a secret: it is not shown");
    }

    @Test
    void anUnreadableRcloneConfIsABadSetting() throws Exception {
        assertTrue(Node.isRoot(dirs.config()), "this test runs as root, so that the node can run as another user (nobody)");
        Path dir = Files.createDirectories(scratch.resolve("private"));
        Path conf = Files.writeString(dir.resolve("rclone.conf"), "[loc]\ntype = alias\nremote = " + data + "\n");
        Node.worldReadable(scratch.resolve("private"));
        // nobody must reach the file, to be refused by its own mode rather than by a directory on the way
        Files.setPosixFilePermissions(scratch, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
        Node.Result r = Node.runAsNobody(scratch, Map.of("VMAFX_RCLONE_CONFIG", conf.toString(), "VMAFX_STORAGE_MOUNT_ROOT",
                scratch.resolve("nobody-mounts").toString(), "VMAFX_CACHE_DIR", scratch.resolve("nobody-cache").toString()),
                Node.ROOT, "score", "--reference", "loc:ref.y4m", "--distorted", "loc:dis.y4m");
        String line = r.failsWith(2);
        assertEquals("vmafx-node: VMAFX_RCLONE_CONFIG: cannot read " + conf + ": permission denied (the node's user must be able"
                + " to read it)", line);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http-serve", "mount"})
    void aPathWithDotSegmentsReadsTheObject(String mode) {
        Node.Result r = Node.run(env(), Node.ROOT, "score", "--json", "--storage-mode", mode,
                "--reference", "loc:./ref.y4m", "--distorted", "loc:./././dis.y4m");
        Map<String, Object> json = r.quietJson();
        assertEquals("loc:./ref.y4m", Node.at(json, "reference.uri"));
        assertTrue(Node.number(json, "vmaf.mean") > 0, r::toString);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http-serve", "mount"})
    void noticesAboutOtherFilesStayOutOfObjectNotFound(String mode) throws Exception {
        Node.Result r = Node.run(env(), Node.ROOT, "score", "--storage-mode", mode,
                "--reference", "loc:ref.y4m", "--distorted", "loc:missing.y4m");
        String line = r.failsWith(1);
        assertEquals("vmafx-node: distorted: object not found: loc:missing.y4m", line);
        dirs.assertClean(Set.of());
    }
}
