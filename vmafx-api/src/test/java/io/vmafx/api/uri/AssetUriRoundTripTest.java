package io.vmafx.api.uri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link AssetUri#toString()} is canonical: it parses back, with the same rules, to an equal value. */
class AssetUriRoundTripTest {

    static final UriRules RULES = UriRules.defaults()
            .withRemoteForScheme("s3", "s3-prod")
            .withConfiguredRemotes(Set.of("media", "my_remote", "nas"))
            .withPluginSchemes(Set.of("vault"));

    static Stream<String> inputs() {
        return Stream.of(
                // cloud, with every character that needs care in a URI
                "s3://b/k", "s3://b/dir/sub/k.mp4", "S3://Bucket/Key",
                "s3://b/a b.mp4", "s3://b/a%20b.mp4", "s3://b/a#b.mp4", "s3://b/a%23b.mp4", "s3://b/a?b=c.mp4",
                "s3://b/a%3Fb.mp4", "s3://b/100%25.mp4", "s3://b/%2525", "s3://b/a+b.mp4", "s3://b/a%2Bb.mp4",
                "s3://b/é.mp4", "s3://b/%C3%A9.mp4", "s3://b/日本語/動画.mp4", "s3://b/🎬 clip 🎞️.mp4",
                "s3://b/%F0%9F%8E%AC.mp4", "s3://b/a;b,c=d&e$f'(g)!*@h:i~j.mp4", "s3://b/\"<>\\^`{|}[].mp4",
                "s3://b//leading-slash-key", "s3://b/a//b", "s3://b/./k",
                "gcs://b/dir/f%20g #?.y4m", "azblob://c/日本 語#1.mp4",
                // sftp
                "sftp://user@host:2222/path/to/f.mp4", "sftp://host/x", "sftp://u@[::1]:22/a b#?.mp4",
                "sftp://first%20last@h/é", "sftp://a%2Cb@h/x", "sftp://u%40corp@h/x", "sftp://h:022/x", "sftp://h//abs/x",
                "sftp://h/100%25 #1?.mp4",
                // rclone
                "rclone://remote:path/x", "rclone://r:a b/é#?%25.mp4", "rclone://nas:/srv/x",
                "rclone://:s3,provider=Minio,endpoint=%22http://127.0.0.1:9000%22:bucket/key",
                "remote:bucket/path", "remote:a b/%20#?é.mp4", "nas:/srv/x", "my remote:x",
                ":s3,provider=Minio,endpoint=\"http://127.0.0.1:9000\":bucket/key",
                ":sftp,host=h,key_file=/home/u/.ssh/id:/srv/x.mp4",
                "media://a/b", "media://a%20b/%23é%3F.mp4", "media:////x", "my_remote://a/b",
                // plugins
                "vault://store/a b#?.mp4", "vault://a%2Fb/c", "vault://only", "vault://x/", "VAULT://x/%25",
                // http
                "http://h/a b.mp4", "http://h/a%20b.mp4", "https://h:8443/é/日本.mp4?q=a b&sig=%2B#t=1",
                "http://h", "http://h?x=1", "https://u@h/x",
                // local
                "/abs/path", "/abs/p%20q #?é.y4m", "clips/a.y4m", "a.y4m", "日本語.y4m",
                "file:///abs/p%20q.y4m", "file:///abs/p q#?%25é.y4m", "file://localhost/abs/x", "file:///🎬.y4m");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void canonicalTextParsesBackToAnEqualValue(String text) {
        AssetUri u = AssetUri.parse(text, RULES);
        AssetUri back = AssetUri.parse(u.toString(), RULES);
        assertEquals(u, back);
        assertEquals(u.hashCode(), back.hashCode());
        assertEquals(u.kind(), back.kind());
        assertEquals(u.rclone(), back.rclone());
        assertEquals(u.path(), back.path());
        assertEquals(u.authority(), back.authority());
        assertEquals(u.fileName(), back.fileName());
        assertEquals(u.localPath(), back.localPath());
        assertEquals(u.url(), back.url());
        // And the canonical text is a fixed point.
        assertEquals(u.toString(), back.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void canonicalUriFormsArePrintableAscii(String text) {
        AssetUri u = AssetUri.parse(text, RULES);
        if (!u.scheme().isEmpty() && u.kind() != AssetKind.REMOTE) {
            assertTrue(u.toString().chars().allMatch(c -> c > 0x20 && c < 0x7f), u.toString());
        }
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', textBlock = """
            s3://b/my%20file%C3%A9.mp4             | s3://b/my fileé.mp4
            s3://b/%E6%97%A5%E6%9C%AC%E8%AA%9E     | s3://b/日本語
            s3://b/%F0%9F%8E%AC                     | s3://b/🎬
            s3://b/a%23b%3Fc                        | s3://b/a#b?c
            s3://b/%41                              | s3://b/A
            s3://b/a%2Fb                            | s3://b/a/b
            S3://b/k                                | s3://b/k
            sftp://u@h:022/x                        | sftp://u@h:22/x
            sftp://h//x                             | sftp://h/x
            rclone://r:a%20b                        | rclone://r:a b
            media://a%20b                           | media:a b
            media://a/b                             | media:a/b
            media:////x                             | media:/x
            http://h/a%20b                          | http://h/a b
            file:///a%20b                           | file:///a b
            file://localhost/a                      | file:///a
            vault://a%20b/c                         | vault://a b/c
            """)
    void spellingsOfTheSameAssetAreEqual(String a, String b) {
        AssetUri x = AssetUri.parse(a, RULES);
        AssetUri y = AssetUri.parse(b, RULES);
        assertEquals(x, y);
        assertEquals(x.hashCode(), y.hashCode());
        assertEquals(x.rclone(), y.rclone());
        assertEquals(x.path(), y.path());
    }

    @ParameterizedTest(name = "{0} != {1}")
    @CsvSource(delimiter = '|', textBlock = """
            s3://b/a+b          | s3://b/a b
            s3://b/a%2520       | s3://b/a%20
            s3://b/k            | gcs://b/k
            s3://b/k            | s3:b/k
            s3://b/k            | s3://b/K
            s3://b/k            | s3://B/k
            /abs/x              | file:///abs/x
            /abs/a%20b          | /abs/a b
            remote:a%20b        | remote:a b
            rclone://r:x        | r:x
            sftp://h/x          | sftp://h:22/x
            http://h/x          | https://h/x
            """)
    void differentAssetsAreNotEqual(String a, String b) {
        assertNotEquals(AssetUri.parse(a, RULES), AssetUri.parse(b, RULES));
    }

    @Test
    void plusIsNeverASpace() {
        AssetUri u = AssetUri.parse("s3://b/a+b", RULES);
        assertEquals("a+b", u.path());
        assertEquals("a+b", u.fileName());
        assertEquals("s3-prod:b/a+b", u.rclone().orElseThrow().remotePath());
        assertEquals("s3://b/a+b", u.toString());
    }

    @Test
    void theSameTextUnderOtherRulesIsAnotherAsset() {
        assertNotEquals(AssetUri.parse("s3://b/k", RULES), AssetUri.parse("s3://b/k"));
    }

    @Test
    void inputIsKeptAsGiven() {
        assertEquals("S3://b/my%20file", AssetUri.parse("S3://b/my%20file").input());
    }
}
