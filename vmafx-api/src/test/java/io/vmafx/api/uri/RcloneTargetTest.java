package io.vmafx.api.uri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RcloneTargetTest {

    @ParameterizedTest(name = "{0} + {1}")
    @CsvSource(delimiter = '|', textBlock = """
            s3:                        | bucket/key     | s3:bucket/key
            nas:/                      | srv/x          | nas:/srv/x
            :sftp,host=h,port=22:/     | a/b.mp4        | :sftp,host=h,port=22:/a/b.mp4
            media:                     | a b/é.mp4      | media:a b/é.mp4
            """)
    void remotePathIsRootThenPath(String root, String path, String remotePath) {
        RcloneTarget t = new RcloneTarget(root, path);
        assertEquals(remotePath, t.remotePath());
        assertEquals(remotePath, t.toString());
        assertEquals(root, t.root());
        assertEquals(path, t.path());
    }

    @Test
    void rootMustEndInColonOrSlash() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RcloneTarget("s3", "b/k"));
        assertTrue(e.getMessage().contains("s3"), e.getMessage());
    }

    @Test
    void pathMustNotStartWithSlash() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RcloneTarget("s3:", "/b/k"));
        assertTrue(e.getMessage().contains("/b/k"), e.getMessage());
    }

    @Test
    void nullsAreRejected() {
        assertThrows(NullPointerException.class, () -> new RcloneTarget(null, "x"));
        assertThrows(NullPointerException.class, () -> new RcloneTarget("s3:", null));
    }

    @Test
    void valueSemantics() {
        assertEquals(new RcloneTarget("s3:", "b/k"), new RcloneTarget("s3:", "b/k"));
        assertEquals(new RcloneTarget("s3:", "b/k").hashCode(), new RcloneTarget("s3:", "b/k").hashCode());
        // Same remotePath, different pooling root: not the same target.
        assertNotEquals(new RcloneTarget("nas:/", "x"), new RcloneTarget("nas:", "/x".substring(1)));
    }
}
