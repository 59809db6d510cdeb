package io.vmafx.rclone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which of a pooled rclone's log lines can be about one object, as the providers' messages use them. */
class RcloneErrorsTest {

    @Test
    void linesAboutOtherFilesAreLeftOut() {
        String stderr = "NOTICE: fifo: Can't transfer non file/directory | NOTICE: dir é/other.y4m: Can't follow symlink without -L/--copy-links";
        assertEquals("", RcloneErrors.about(stderr, "dir é/x.y4m"));
        assertEquals("", RcloneErrors.suffix(RcloneErrors.about(stderr, "dir é/x.y4m")));
    }

    @Test
    void linesAboutTheObjectOrItsDirectoriesStay() {
        String stderr = "NOTICE: fifo: Can't transfer non file/directory | ERROR : dir é: error listing: permission denied"
                + " | INFO  : dir é/x.y4m: vfs cache: downloader: error | ERROR : /: error reading source root directory: boom";
        assertEquals("ERROR : dir é: error listing: permission denied | INFO  : dir é/x.y4m: vfs cache: downloader: error"
                + " | ERROR : /: error reading source root directory: boom", RcloneErrors.about(stderr, "dir é/x.y4m"));
        assertTrue(RcloneErrors.accessDenied(RcloneErrors.about(stderr, "dir é/x.y4m")));
    }

    @Test
    void seriousLinesWithoutASubjectAndLinesThatAreNotLogLinesStay() {
        assertEquals("ERROR : Attempt 1/3 failed with 1 errors | panic: runtime error",
                RcloneErrors.about("ERROR : Attempt 1/3 failed with 1 errors | NOTICE: Serving on 127.0.0.1:1 | panic: runtime error", "x"));
    }

    @Test
    void aRefusalLoggedAboutAnotherFileDoesNotMakeAMissingObjectAnAccessDenial() {
        String stderr = "ERROR : private/secret.y4m: Failed to open: permission denied";
        assertFalse(RcloneErrors.accessDenied(RcloneErrors.about(stderr, "public/x.y4m")));
    }
}
