package io.vmafx.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The typed readers of {@link NodeSettings}, over a map-backed instance. */
class NodeSettingsTest {

    private static final String VAR = "VMAFX_TEST_SETTING";

    private static NodeSettings of(Map<String, String> values) {
        return variable -> Optional.ofNullable(values.get(variable));
    }

    /** Settings in which {@link #VAR} has {@code value}. */
    private static NodeSettings with(String value) {
        return of(Map.of(VAR, value));
    }

    private static final NodeSettings EMPTY = of(Map.of());

    private static void assertNamesVariable(IllegalArgumentException e, String value) {
        assertTrue(e.getMessage().startsWith(VAR + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("'" + value.trim() + "'"), e.getMessage());
    }

    @Nested
    class Get {

        @Test
        void getWithFallback() {
            assertEquals("v", with("v").get(VAR, "fallback"));
            assertEquals("fallback", EMPTY.get(VAR, "fallback"));
            // An explicitly empty value is a value for get(); only the typed readers treat it as unset.
            assertEquals("", with("").get(VAR, "fallback"));
        }

        @Test
        void path() {
            assertEquals(Optional.of(Path.of("/opt/rclone")), with("/opt/rclone").path(VAR));
            assertEquals(Optional.empty(), with("").path(VAR));
            assertEquals(Optional.empty(), with("  ").path(VAR));
            assertEquals(Optional.empty(), EMPTY.path(VAR));
        }
    }

    @Nested
    class Flag {

        @ParameterizedTest(name = "[{0}]")
        @ValueSource(strings = {"1", "true", "TRUE", "True", "yes", "YES", "Yes", "on", "ON", "On", " true ", "\tyes\n"})
        void trueValues(String value) {
            assertTrue(with(value).flag(VAR, false));
        }

        @ParameterizedTest(name = "[{0}]")
        @ValueSource(strings = {"0", "false", "FALSE", "False", "no", "NO", "No", "off", "OFF", "Off", " off "})
        void falseValues(String value) {
            assertFalse(with(value).flag(VAR, true));
        }

        @ParameterizedTest(name = "[{0}]")
        @ValueSource(strings = {"", "  "})
        void unsetOrBlankIsTheFallback(String value) {
            assertTrue(with(value).flag(VAR, true));
            assertFalse(with(value).flag(VAR, false));
            assertTrue(EMPTY.flag(VAR, true));
            assertFalse(EMPTY.flag(VAR, false));
        }

        @ParameterizedTest(name = "[{0}]")
        @ValueSource(strings = {"maybe", "2", "-1", "y", "n", "t", "f", "enabled", "truee", "1.0", "o n"})
        void otherValuesNameTheVariable(String value) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> with(value).flag(VAR, false));
            assertNamesVariable(e, value);
        }

        @Test
        void messageListsTheAcceptedValues() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> with("maybe").flag(VAR, false));
            for (String word : new String[] {"1", "0", "true", "false", "yes", "no", "on", "off"}) {
                assertTrue(e.getMessage().contains(word), e.getMessage());
            }
        }
    }

    @Nested
    class Durations {

        @ParameterizedTest(name = "{0} = {1} ms")
        @CsvSource(delimiter = '|', textBlock = """
                250ms  | 250
                0ms    | 0
                15s    | 15000
                2m     | 120000
                1h     | 3600000
                7      | 7000
                0      | 0
                ' 30s '| 30000
                90m    | 5400000
                007s   | 7000
                """)
        void parsesNumberAndUnit(String value, long millis) {
            assertEquals(Duration.ofMillis(millis), with(value).duration(VAR, Duration.ofDays(1)));
        }

        @Test
        void unsetOrBlankIsTheFallback() {
            assertEquals(Duration.ofSeconds(42), EMPTY.duration(VAR, Duration.ofSeconds(42)));
            assertEquals(Duration.ofSeconds(42), with("").duration(VAR, Duration.ofSeconds(42)));
            assertEquals(Duration.ofSeconds(42), with(" ").duration(VAR, Duration.ofSeconds(42)));
        }

        @ParameterizedTest(name = "[{0}]")
        @ValueSource(strings = {"abc", "-5s", "1.5s", "15 s", "15sec", "s", "ms", "1d", "15S", "1H", "PT15S", "1h30m", "+5s", "５s"})
        void badValuesNameTheVariable(String value) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> with(value).duration(VAR, Duration.ZERO));
            assertNamesVariable(e, value);
        }

        @ParameterizedTest(name = "[{0}]")
        @ValueSource(strings = {"99999999999999999999", "99999999999999999999ms", "9223372036854775807h", "9223372036854775807m"})
        void tooLargeValuesNameTheVariable(String value) {
            // Not a NumberFormatException or ArithmeticException without the variable's name.
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> with(value).duration(VAR, Duration.ZERO));
            assertEquals(IllegalArgumentException.class, e.getClass());
            assertNamesVariable(e, value);
        }

        @Test
        void largestValuesThatFitAreFine() {
            assertEquals(Duration.ofMillis(Long.MAX_VALUE), with(Long.MAX_VALUE + "ms").duration(VAR, Duration.ZERO));
            assertEquals(Duration.ofSeconds(Long.MAX_VALUE), with(Long.toString(Long.MAX_VALUE)).duration(VAR, Duration.ZERO));
        }
    }

    @Nested
    class Sizes {

        @ParameterizedTest(name = "{0} = {1}")
        @CsvSource(delimiter = '|', textBlock = """
                1024     | 1024
                0        | 0
                512M     | 536870912
                10G      | 10737418240
                4KiB     | 4096
                4K       | 4096
                4k       | 4096
                4KB      | 4096
                4kib     | 4096
                2Ki      | 2048
                100B     | 100
                100b     | 100
                1T       | 1099511627776
                3TiB     | 3298534883328
                512MiB   | 536870912
                ' 1G '   | 1073741824
                """)
        void parsesNumberAndBinaryUnit(String value, long bytes) {
            assertEquals(bytes, with(value).size(VAR, -1));
        }

        @Test
        void unsetOrBlankIsTheFallback() {
            assertEquals(77, EMPTY.size(VAR, 77));
            assertEquals(77, with("").size(VAR, 77));
            assertEquals(77, with("   ").size(VAR, 77));
        }

        @ParameterizedTest(name = "[{0}]")
        @ValueSource(strings = {"abc", "-1", "1.5G", "10 G", "10X", "G", "KiB", "10GG", "10iB", "10BB", "1P", "0x10", "１０G"})
        void badValuesNameTheVariable(String value) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> with(value).size(VAR, 0));
            assertNamesVariable(e, value);
        }

        @ParameterizedTest(name = "[{0}]")
        @ValueSource(strings = {"16777216T", "8388608T", "9223372036854775807K", "8589934592G", "99999999999999999999"})
        void tooLargeValuesNameTheVariable(String value) {
            // Not a silent wrap-around to 0 or a negative size.
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> with(value).size(VAR, 0));
            assertEquals(IllegalArgumentException.class, e.getClass());
            assertNamesVariable(e, value);
        }

        @Test
        void largestSizesThatFitAreFine() {
            assertEquals(8388607L << 40, with("8388607T").size(VAR, 0));
            assertEquals(Long.MAX_VALUE, with(Long.toString(Long.MAX_VALUE)).size(VAR, 0));
        }
    }
}
