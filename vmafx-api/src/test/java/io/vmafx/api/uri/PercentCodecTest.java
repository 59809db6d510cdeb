package io.vmafx.api.uri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class PercentCodecTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            plain             | plain
            a%20b             | a b
            a b               | a b
            a+b               | a+b
            %2B               | +
            %25               | %
            %2525             | %25
            %C3%A9            | é
            %c3%a9            | é
            é%20              | 'é '
            %E6%97%A5本        | 日本
            %F0%9F%8E%AC      | 🎬
            🎬%20             | '🎬 '
            %2F%2f            | //
            ''                | ''
            """)
    void decodes(String encoded, String decoded) {
        assertEquals(decoded, PercentCodec.decode("in", encoded));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            %             | incomplete percent-escape at '%'
            ab%4          | incomplete percent-escape at '%4'
            %zz           | bad percent-escape '%zz'
            %g1           | bad percent-escape '%g1'
            %-1           | bad percent-escape '%-1'
            %+1           | bad percent-escape '%+1'
            %C3%28        | not valid UTF-8
            %80           | not valid UTF-8
            %C0%80        | not valid UTF-8
            %ED%B0%80     | not valid UTF-8
            """)
    void rejectsMalformedInput(String encoded, String cause) {
        InvalidAssetUriException e = assertThrows(InvalidAssetUriException.class, () -> PercentCodec.decode("the-input", encoded));
        assertEquals("the-input", e.input());
        assertTrue(e.getMessage().contains("the-input"), e.getMessage());
        assertTrue(e.getMessage().contains(cause), e.getMessage());
    }

    @Test
    void hexDigitsAreAsciiOnly() {
        // Character.digit takes full-width and other Unicode digits: %４１ is no escape for 'A'.
        assertThrows(InvalidAssetUriException.class, () -> PercentCodec.decode("in", "%\uff14\uff11"));
        assertThrows(InvalidAssetUriException.class, () -> PercentCodec.decode("in", "%\u0664\u0661"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = "=>", textBlock = """
            plain/path.mp4        => plain/path.mp4
            a b                   => a%20b
            %                     => %25
            a#b?c                 => a%23b%3Fc
            é                     => %C3%A9
            🎬                    => %F0%9F%8E%AC
            -._~/!$&()*+,;=:@     => -._~/!$&()*+,;=:@
            "<>\\^`{|}[]          => %22%3C%3E%5C%5E%60%7B%7C%7D%5B%5D
            """)
    void encodesPaths(String raw, String encoded) {
        assertEquals(encoded, PercentCodec.encodePath(raw));
    }

    @Test
    void encodesQuoteAndControlCharacters() {
        assertEquals("'%0A%7F", PercentCodec.encodePath("'\n\u007f"));
    }

    @Test
    void encodesSegmentsWithTheSlash() {
        assertEquals("a%2Fb%20c:@", PercentCodec.encodeSegment("a/b c:@"));
    }

    static Stream<String> texts() {
        return Stream.of("a b", "100%", "%25", "a+b", "é日本語🎬", "a#b?c&d=e", "\"'<>", "/x//y/", "");
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("texts")
    void encodeThenDecodeIsIdentity(String s) {
        assertEquals(s, PercentCodec.decode("in", PercentCodec.encodePath(s)));
        assertEquals(s, PercentCodec.decode("in", PercentCodec.encodeSegment(s)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = "=>", textBlock = """
            /a b.mp4            => /a%20b.mp4
            /a%20b.mp4          => /a%20b.mp4
            /é?x=ü              => /%C3%A9?x=%C3%BC
            /a?x=1&y=%2B#t      => /a?x=1&y=%2B#t
            /"<>\\^`{|}         => /%22%3C%3E%5C%5E%60%7B%7C%7D
            /a+b                => /a+b
            """)
    void escapesOnlyWhatCannotStandRaw(String raw, String escaped) {
        assertEquals(escaped, PercentCodec.escapeRaw(raw));
        // Idempotent: escaping again changes nothing.
        assertEquals(escaped, PercentCodec.escapeRaw(escaped));
    }
}
