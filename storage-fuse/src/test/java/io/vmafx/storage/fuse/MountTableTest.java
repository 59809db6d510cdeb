package io.vmafx.storage.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MountTableTest {

    @Test
    void parsesMountPointFsTypeAndSourceWithOptionalFieldsAndEscapes() {
        String line = "43 27 0:39 / /tmp/my\\040mounts/abc ro,nosuid,nodev,relatime shared:5 master:1 - fuse.rclone media: ro,user_id=0,group_id=0";
        assertEquals(Optional.of(new MountTable.Mount(Path.of("/tmp/my mounts/abc"), "fuse.rclone", "media:", "0:39")), MountTable.parse(line));
        assertEquals(39, MountTable.parse(line).orElseThrow().minor());
        assertEquals(0, MountTable.parse(line).orElseThrow().major());
        assertEquals(Optional.empty(), MountTable.parse("garbage"));
    }

    @Test
    void unescapesOnlyOctalEscapes() {
        assertEquals("a b\tc\\d", MountTable.unescape("a\\040b\\011c\\134d"));
        assertEquals("a\\x", MountTable.unescape("a\\x"));
        assertEquals("a\\04", MountTable.unescape("a\\04"));
    }

    @Test
    void seesTheRootMount() throws Exception {
        assertTrue(MountTable.read().stream().anyMatch(m -> m.mountPoint().equals(Path.of("/"))));
        assertTrue(MountTable.isMounted(Path.of("/")));
        assertEquals(Optional.empty(), MountTable.at(Path.of("/nonexistent/dir")));
    }
}
