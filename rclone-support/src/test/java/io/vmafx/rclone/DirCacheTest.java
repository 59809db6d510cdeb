package io.vmafx.rclone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vmafx.spi.NodeSettings;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DirCacheTest {

    private static NodeSettings with(String value) {
        return v -> v.equals(DirCache.TIME) ? Optional.ofNullable(value) : Optional.empty();
    }

    @Test
    void defaultsToFiveSecondsNotRclonesFiveMinutes() {
        assertEquals(Duration.ofSeconds(5), DirCache.time(with(null)));
        assertEquals(Duration.ofSeconds(5), DirCache.time(with(" ")));
        assertEquals(List.of("--dir-cache-time", "5000ms"), DirCache.args(DirCache.time(with(null))));
    }

    @Test
    void takesTheNodesDurationsIncludingZero() {
        assertEquals(Duration.ofMillis(250), DirCache.time(with("250ms")));
        assertEquals(Duration.ofMinutes(2), DirCache.time(with("2m")));
        assertEquals(Duration.ZERO, DirCache.time(with("0")));
        assertEquals(List.of("--dir-cache-time", "0ms"), DirCache.args(Duration.ZERO));
    }

    @Test
    void aMalformedValueNamesTheVariable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DirCache.time(with("soon")));
        assertEquals("VMAFX_RCLONE_DIR_CACHE_TIME: expected a duration such as 500ms, 15s, 2m or 1h, got 'soon'", e.getMessage());
    }

    @Test
    void describesDurationsForMessages() {
        assertEquals("5 s", DirCache.describe(Duration.ofSeconds(5)));
        assertEquals("1500 ms", DirCache.describe(Duration.ofMillis(1500)));
        assertEquals("5 min", DirCache.describe(Duration.ofMinutes(5)));
        assertEquals("1 h", DirCache.describe(Duration.ofHours(1)));
        assertEquals("0 s", DirCache.describe(Duration.ZERO));
    }
}
