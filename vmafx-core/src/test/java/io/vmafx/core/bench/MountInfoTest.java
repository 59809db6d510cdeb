package io.vmafx.core.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MountInfoTest {

    @Test
    void readsMountPointTypeAndSourceOfAnRcloneMount() {
        MountInfo.Mount m = MountInfo.parse("43 27 0:39 / /tmp/vmafx-bench-1/mounts/ab-vmafx-bench-x ro,nosuid,nodev,relatime"
                + " - fuse.rclone /tmp/vmafx-bench-1/data ro,user_id=0,group_id=0").orElseThrow();
        assertEquals(Path.of("/tmp/vmafx-bench-1/mounts/ab-vmafx-bench-x"), m.mountPoint());
        assertEquals("fuse.rclone", m.fsType());
        assertEquals("/tmp/vmafx-bench-1/data", m.source());
    }

    @Test
    void optionalFieldsBeforeTheSeparatorAreSkippedAndEscapesDecoded() {
        MountInfo.Mount m = MountInfo.parse("36 35 98:0 /mnt1 /mnt/my\\040disk rw,noatime master:1 shared:7 - ext3 /dev/root rw")
                .orElseThrow();
        assertEquals(Path.of("/mnt/my disk"), m.mountPoint());
        assertEquals("ext3", m.fsType());
        assertEquals("/dev/root", m.source());
    }

    @Test
    void aMalformedLineIsNoMount() {
        assertTrue(MountInfo.parse("").isEmpty());
        assertTrue(MountInfo.parse("1 2 3:4 / /x rw").isEmpty());
    }

    @Test
    void aBackslashWithoutThreeOctalDigitsStaysAsItIs() {
        assertEquals("a\\9b", MountInfo.unescape("a\\9b"));
        assertEquals("tab\there", MountInfo.unescape("tab\\011here"));
        assertEquals("end\\", MountInfo.unescape("end\\"));
    }
}
