package io.vmafx.api.uri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Texts that are no asset: each is an {@link InvalidAssetUriException} naming the input and the cause. */
class AssetUriRejectionTest {

    /** Parses, expects a rejection, checks that it names the input (as printed) and returns the message. */
    private static String rejected(String text, UriRules rules) {
        InvalidAssetUriException e = assertThrows(InvalidAssetUriException.class, () -> AssetUri.parse(text, rules),
                () -> "accepted: " + text);
        assertEquals(text == null ? "" : text, e.input());
        assertTrue(e.getMessage().startsWith("invalid asset URI '" + InvalidAssetUriException.printable(e.input()) + "': "),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "message is one line: " + e.getMessage());
        return e.getMessage();
    }

    private static String rejected(String text) {
        return rejected(text, UriRules.defaults());
    }

    private static void assertContains(String message, String expected) {
        assertTrue(message.contains(expected), () -> "'" + expected + "' not in: " + message);
    }

    @Test
    void nullIsRejected() {
        assertContains(rejected(null), "null");
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource
    void emptyAndBlankAreRejected(String text) {
        assertContains(rejected(text), "it is empty");
    }

    static Stream<String> emptyAndBlankAreRejected() {
        return Stream.of("", " ", "   ", "\t", " \n ");
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiter = '|', quoteCharacter = '"', ignoreLeadingAndTrailingWhitespace = false, value = {
        " s3://b/k", "s3://b/k ", " /abs/x", "clips/a.y4m ", "\u2003/abs/x"})
    void leadingOrTrailingWhitespaceIsRejected(String text) {
        // " s3://b/k" would otherwise be a relative local path: say so instead of guessing.
        assertContains(rejected(text), "whitespace");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "../x", "a/../b", "..", "a/..", "/abs/../etc/passwd",
        "s3://b/../k", "s3://b/k/..", "s3://b/%2E%2E/k", "s3://b/%2e%2e/k", "s3://b/..%2Fk", "gcs://b/a/../c",
        "sftp://h/../etc/passwd", "sftp://h/a/%2E./b", "rclone://r:a/../b", "remote:a/../b", "remote:../b",
        "http://h/a/../b", "http://h/%2E%2E/b", "file:///a/../b", "file:///a/%2E%2E/b",
        ":s3,provider=Minio:b/../k"})
    void dotDotSegmentsAreRejected(String text) {
        assertContains(rejected(text), "'..'");
    }

    @Test
    void dotDotInConfiguredRemoteAndPluginIsRejected() {
        UriRules rules = UriRules.defaults().withConfiguredRemotes(Set.of("media")).withPluginSchemes(Set.of("vault"));
        assertContains(rejected("media://a/%2E%2E/b", rules), "'..'");
        assertContains(rejected("vault://a/../b", rules), "'..'");
    }

    @Test
    void dotsThatAreNoSegmentAreFine() {
        assertEquals("a..b/...", AssetUri.parse("s3://b/a..b/...").path());
        assertEquals("..x", AssetUri.parse("..x").fileName());
    }

    static Stream<Arguments> controlCharacters() {
        return Stream.of(
                Arguments.of("s3://b/a%0Ab", "U+000A"),
                Arguments.of("s3://b/a\nb", "U+000A"),
                Arguments.of("s3://b/a\tb", "U+0009"),
                Arguments.of("s3://b/a%09b", "U+0009"),
                Arguments.of("s3://b/a\u007fb", "U+007F"),
                Arguments.of("s3://b/a%7Fb", "U+007F"),
                Arguments.of("s3://b/a%00b", "U+0000"),
                Arguments.of("s3://b%0D/k", "U+000D"),
                Arguments.of("s3://b/a%C2%85b", "U+0085"),   // NEL, a C1 control and a line break
                Arguments.of("/abs/a\u0000b", "U+0000"),
                Arguments.of("clips/a\rb", "U+000D"),
                Arguments.of("remote:a\tb", "U+0009"),
                Arguments.of("rclone://r:a%0Ab", "U+000A"),
                Arguments.of("sftp://h/a%0Ab", "U+000A"),
                Arguments.of("sftp://u%0A@h/a", "U+000A"),
                Arguments.of("http://h/a%0Ab", "U+000A"),
                Arguments.of("https://h/a?x=\n", "U+000A"),
                Arguments.of("file:///a%0Ab", "U+000A"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("controlCharacters")
    void controlCharactersAreRejected(String text, String codePoint) {
        String message = rejected(text);
        assertContains(message, "control character " + codePoint);
        // The message escapes them, so it stays on one line.
        assertContains(message, InvalidAssetUriException.printable(text));
    }

    @Test
    void controlCharactersInConfiguredRemoteAndPluginAreRejected() {
        UriRules rules = UriRules.defaults().withConfiguredRemotes(Set.of("media")).withPluginSchemes(Set.of("vault"));
        assertContains(rejected("media://a%0Ab", rules), "U+000A");
        assertContains(rejected("vault://a%0Ab/c", rules), "U+000A");
        assertContains(rejected("vault://a/b%7F", rules), "U+007F");
    }

    @Test
    void unpairedSurrogatesAreRejected() {
        // They have no UTF-8 form; encoding would silently turn them into '?'.
        assertContains(rejected("s3://b/a\ud800b"), "unpaired surrogate U+D800");
        assertContains(rejected("s3://b/a\udc00%20"), "unpaired surrogate U+DC00");
        assertContains(rejected("/abs/\ud83d"), "unpaired surrogate");
        assertEquals("🎬.mp4", AssetUri.parse("s3://b/🎬.mp4").path());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"foo://x/y", "FOO://x/y", "ftp://h/x", "my_remote://x/y", "git+ssh://h/x"})
    void unknownSchemeIsRejected(String text) {
        String message = rejected(text);
        String scheme = text.substring(0, text.indexOf(':')).toLowerCase();
        assertContains(message, "unknown scheme '" + scheme + "'");
        assertContains(message, "plugin");
        assertContains(message, "remote");
    }

    @Test
    void schemeOfAnotherRemoteIsStillUnknown() {
        UriRules rules = UriRules.defaults().withConfiguredRemotes(Set.of("media")).withPluginSchemes(Set.of("vault"));
        assertContains(rejected("foo://x/y", rules), "unknown scheme 'foo'");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"s3://bucket", "s3://bucket/", "s3://bucket/dir/", "gcs://b/", "azblob://c/dir/", "s3://b/%2F"})
    void cloudUriThatNamesNoObjectIsRejected(String text) {
        assertContains(rejected(text), "names no object");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"s3://", "s3:///key", "s3://%20/k", "s3://a%2Fb/k", "azblob:///blob"})
    void cloudUriWithoutAValidBucketIsRejected(String text) {
        assertContains(rejected(text), "missing or invalid");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            s3://b/%zz        | '%zz'
            s3://b/a%g0.mp4   | '%g0'
            s3://b/a%2        | incomplete
            s3://b/a%         | incomplete
            s3://b/%          | incomplete
            s3://b%/k         | incomplete
            sftp://h/a%zz     | '%zz'
            rclone://r:%zz    | '%zz'
            http://h/a%zz     | '%zz'
            file:///a%zz      | '%zz'
            file:///a%        | incomplete
            """)
    void malformedEscapesAreRejected(String text, String cause) {
        String message = rejected(text);
        assertContains(message, cause);
        assertContains(message, "escape");
    }

    @Test
    void nonAsciiDigitsAreNoHexDigits() {
        // Character.digit would read full-width digits: %４１ must not decode to 'A'.
        assertContains(rejected("s3://b/%\uff14\uff11"), "bad percent-escape");
        assertContains(rejected("s3://b/%\uff10\uff21"), "bad percent-escape");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"s3://b/%C3%28", "s3://b/%C3", "s3://b/%FF", "s3://b/%C0%AF", "s3://b/%ED%A0%80", "sftp://h/%E6%97"})
    void invalidUtf8IsRejected(String text) {
        assertContains(rejected(text), "not valid UTF-8");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"file://relative", "file://relative/x", "file://otherhost/abs/x", "file://"})
    void fileUriNeedsAnAbsolutePath(String text) {
        assertContains(rejected(text), "absolute path");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            sftp://u:pw@h/x         | pw
            sftp://u:@h/x           | ''
            sftp://u%3Apw@h/x       | pw
            sftp://u%3apw@h:22/x    | pw
            sftp://u:s3cr%2Ft@h/x   | s3cr
            sftp://u:p%zz@h/x       | p%zz
            sftp://u:a:b@h/x        | a:b
            sftp://u:a@b@h/x        | a@b
            http://u:pw@h/x         | pw
            https://u%3Apw@h/x      | pw
            """)
    void passwordsAreRejectedWithoutRepeatingThem(String text, String password) {
        InvalidAssetUriException e = assertThrows(InvalidAssetUriException.class, () -> AssetUri.parse(text));
        assertTrue(e.getMessage().contains("password"), e.getMessage());
        if (!password.isEmpty()) {
            assertFalse(e.getMessage().contains(password), "the password leaks into the message: " + e.getMessage());
        }
        assertTrue(e.getMessage().contains(":***@"), e.getMessage());
        assertEquals(text, e.input());
    }

    @Test
    void passwordMessageKeepsTheRestOfTheInput() {
        InvalidAssetUriException e = assertThrows(InvalidAssetUriException.class, () -> AssetUri.parse("sftp://u:secret@h:22/x.mp4"));
        assertTrue(e.getMessage().startsWith("invalid asset URI 'sftp://u:***@h:22/x.mp4': "), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"sftp://h:0/x", "sftp://h:65536/x", "sftp://h:99999/x", "sftp://h:abc/x", "sftp://h:-1/x", "sftp://h:123456/x",
        "sftp://u@[::1]:x/x", "sftp://h:２２/x"})
    void badPortIsRejected(String text) {
        assertContains(rejected(text), "is not a number from 1 to 65535");
    }

    @Test
    void sftpNeedsAHostAndAFile() {
        assertContains(rejected("sftp:///x"), "host is missing");
        assertContains(rejected("sftp://u@/x"), "host is missing");
        assertContains(rejected("sftp://u@:22/x"), "host is missing");
        assertContains(rejected("sftp://[]/x"), "host is missing");
        assertContains(rejected("sftp://h"), "names no file");
        assertContains(rejected("sftp://h/"), "names no file");
        assertContains(rejected("sftp://h/dir/"), "names no file");
        assertContains(rejected("sftp://h//"), "names no file");
    }

    @Test
    void sftpIpv6HostNeedsBrackets() {
        assertContains(rejected("sftp://u@fe80::1/x"), "brackets");
        assertContains(rejected("sftp://[::1/x"), "unclosed '['");
        assertContains(rejected("sftp://[::1]x/x"), "after the host");
    }

    @Test
    void httpNeedsAHost() {
        assertContains(rejected("http:///x"), "needs a host");
        assertContains(rejected("https://"), "needs a host");
        assertContains(rejected("http://u@/x"), "needs a host");
    }

    @Test
    void remoteThatNamesNoObjectIsRejected() {
        assertContains(rejected("remote:"), "names no object");
        assertContains(rejected("remote:dir/"), "names no object");
        assertContains(rejected("remote:/"), "names no object");
        assertContains(rejected("rclone://r:"), "names no object");
        assertContains(rejected(":s3:"), "names no object");
        assertContains(rejected("media://", UriRules.defaults().withConfiguredRemotes(Set.of("media"))), "names no object");
    }

    @Test
    void rcloneUriNeedsARemote() {
        assertContains(rejected("rclone://nocolon/x"), "expected rclone://remote:path");
        assertContains(rejected("rclone://:x"), "expected rclone://remote:path");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({":x/y", ":", "::x", ":s3,endpoint=\"unclosed:b/k", ":bad name:x", ":s3,endpoint=x"})
    void brokenConnectionStringsAreRejected(String text) {
        assertContains(rejected(text), "rclone connection string");
    }

    @Test
    void impossibleRemoteNameIsRejected() {
        assertContains(rejected("x=:y"), "not a valid rclone remote name");
        assertContains(rejected("a*b:c"), "not a valid rclone remote name");
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {
        ":s3,provider=Other,secret_access_key=abc:bucket/key.mp4",
        ":s3,access_key_id=AK,session_token=t:bucket/key.mp4",
        ":sftp,host=h,pass=obscured:/x.mp4",
        ":sftp,host=h,key_pem=\"-----BEGIN\":/x.mp4",
        ":azureblob,account=a,key=k:container/blob.mp4",
        ":webdav,url=\"http://127.0.0.1:8080\",bearer_token=t:x.mp4",
        ":drive,client_secret=s:x.mp4"})
    void secretsInConnectionStringsAreRejected(String text) {
        // They would show in rclone's command line (/proc/PID/cmdline) and in logs.
        assertContains(rejected(text), "put secrets in rclone.conf");
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {
        ":sftp,host=h,key_file=/home/u/.ssh/id:/x.mp4",
        ":s3,provider=Other,endpoint=\"http://127.0.0.1:9000\",env_auth=true:bucket/key.mp4",
        ":gcs,service_account_file=/etc/gcs.json:bucket/x.mp4",
        ":webdav,url=\"http://h/?token=visible-in-a-value\":x.mp4"})
    void connectionStringsWithoutSecretsAreAccepted(String text) {
        assertTrue(AssetUri.parse(text).rclone().isPresent(), text);
    }
}
