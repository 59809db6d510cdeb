package io.vmafx.core.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClipsTest {

    @Test
    void sizesAreWxHEvenAndInRange() {
        assertEquals(new Clips.Size(1280, 720), Clips.Size.parse("1280x720"));
        assertEquals("640x360", Clips.Size.parse(" 640x360 ").toString());
        for (String bad : new String[] {"", "1280", "1280x", "x720", "1280X720", "1281x720", "1280x721", "8x8", "16x15", "8000x4320", "-2x4", "1e3x720"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Clips.Size.parse(bad), bad);
            assertTrue(e.getMessage().contains("WxH"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Clips.Size.parse(null));
    }

    @Test
    void y4mSizeCoversWhatFfmpegWrites() {
        // ffmpeg 4.1's testsrc2 1280x720 5 s at 25 fps in yuv420p: 172800809 bytes (a 59-byte header, 125 frames).
        long estimate = Clips.y4mBytes(new Clips.Size(1280, 720), 5);
        assertTrue(estimate >= 172_800_809L && estimate - 172_800_809L < 100, Long.toString(estimate));
        assertEquals(100 + (16 * 16 * 3 / 2 + 6) * 25, Clips.y4mBytes(new Clips.Size(16, 16), 1));
        assertEquals(100 + (18 * 20 + 2 * 9 * 10 + 6) * 25, Clips.y4mBytes(new Clips.Size(18, 20), 1));
    }
}
