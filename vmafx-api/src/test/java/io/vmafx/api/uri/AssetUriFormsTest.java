package io.vmafx.api.uri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every accepted form: its kind, decoded parts and where rclone (or ffmpeg, or the file system) finds it. */
class AssetUriFormsTest {

    private static RcloneTarget rclone(AssetUri u) {
        return u.rclone().orElseThrow(() -> new AssertionError("no rclone target for " + u));
    }

    @Nested
    class Cloud {

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', textBlock = """
                s3://bucket/key                  | S3     | s3:     | bucket/key          | bucket    | key
                gcs://bucket/dir/file            | GCS    | gcs:    | bucket/dir/file     | bucket    | dir/file
                azblob://container/blob          | AZBLOB | azblob: | container/blob      | container | blob
                s3://b/dir/sub/clip.mp4          | S3     | s3:     | b/dir/sub/clip.mp4  | b         | dir/sub/clip.mp4
                s3://b/my%20file%C3%A9.mp4       | S3     | s3:     | b/my fileé.mp4      | b         | my fileé.mp4
                s3://b/a+b.mp4                   | S3     | s3:     | b/a+b.mp4           | b         | a+b.mp4
                s3://b/./k                       | S3     | s3:     | b/k                 | b         | k
                """)
        void mapsToTheSchemesRemote(String text, AssetKind kind, String root, String path, String bucket, String key) {
            AssetUri u = AssetUri.parse(text);
            assertEquals(kind, u.kind());
            assertEquals(new RcloneTarget(root, path), rclone(u));
            assertEquals(root + path, rclone(u).remotePath());
            assertEquals(bucket, u.authority());
            assertEquals(key, u.path());
            assertEquals(kind.name().toLowerCase(), u.scheme());
            assertEquals(Optional.empty(), u.localPath());
            assertEquals(Optional.empty(), u.url());
        }

        @Test
        void remoteIsConfigurablePerScheme() {
            UriRules rules = UriRules.defaults().withRemoteForScheme("s3", "s3-prod").withRemoteForScheme("GCS", "gcs-eu");
            assertEquals(new RcloneTarget("s3-prod:", "bucket/key"), rclone(AssetUri.parse("s3://bucket/key", rules)));
            assertEquals("s3-prod:bucket/key", rclone(AssetUri.parse("s3://bucket/key", rules)).remotePath());
            assertEquals(new RcloneTarget("gcs-eu:", "b/f"), rclone(AssetUri.parse("gcs://b/f", rules)));
            // Schemes that were not configured keep their own name.
            assertEquals(new RcloneTarget("azblob:", "c/b"), rclone(AssetUri.parse("azblob://c/b", rules)));
        }

        @Test
        void schemeIsCaseInsensitive() {
            AssetUri u = AssetUri.parse("S3://b/k");
            assertEquals(AssetKind.S3, u.kind());
            assertEquals("s3", u.scheme());
            assertEquals(new RcloneTarget("s3:", "b/k"), rclone(u));
            assertEquals(AssetUri.parse("s3://b/k"), u);
            assertEquals("s3://b/k", u.toString());
            assertEquals(AssetKind.GCS, AssetUri.parse("Gcs://b/k").kind());
            assertEquals(AssetKind.AZBLOB, AssetUri.parse("AZBLOB://c/b").kind());
        }

        @Test
        void keyCaseIsKept() {
            assertEquals(new RcloneTarget("s3:", "Bucket/Key.MP4"), rclone(AssetUri.parse("s3://Bucket/Key.MP4")));
        }

        @Test
        void decodedAndRawSpellingsOfAKeyAreEqual() {
            AssetUri encoded = AssetUri.parse("s3://b/my%20file%C3%A9.mp4");
            AssetUri raw = AssetUri.parse("s3://b/my fileé.mp4");
            assertEquals(encoded, raw);
            assertEquals(encoded.hashCode(), raw.hashCode());
            assertEquals(rclone(encoded), rclone(raw));
            assertEquals("s3:b/my fileé.mp4", rclone(raw).remotePath());
            assertEquals(encoded.toString(), raw.toString());
            assertEquals("s3://b/my%20file%C3%A9.mp4", raw.toString());
        }

        @Test
        void lowerCaseEscapesAreTheSameKey() {
            assertEquals(AssetUri.parse("s3://b/%C3%A9"), AssetUri.parse("s3://b/%c3%a9"));
        }

        @Test
        void plusStaysAPlus() {
            AssetUri u = AssetUri.parse("s3://b/a+b%2Bc.mp4");
            assertEquals("a+b+c.mp4", u.path());
            assertEquals("b/a+b+c.mp4", rclone(u).path());
            assertEquals("s3://b/a+b+c.mp4", u.toString());
        }

        @Test
        void escapedSlashInKeyIsASlash() {
            // S3 keys are flat: a%2Fb and a/b name the same object.
            assertEquals(rclone(AssetUri.parse("s3://b/a/c")), rclone(AssetUri.parse("s3://b/a%2Fc")));
        }
    }

    @Nested
    class Sftp {

        @Test
        void userHostPortAndPath() {
            AssetUri u = AssetUri.parse("sftp://user@host:2222/path/to/f.mp4");
            assertEquals(AssetKind.SFTP, u.kind());
            assertEquals("sftp", u.scheme());
            assertEquals(new RcloneTarget(":sftp,host=host,user=user,port=2222:/", "path/to/f.mp4"), rclone(u));
            assertEquals(":sftp,host=host,user=user,port=2222:/path/to/f.mp4", rclone(u).remotePath());
            assertEquals("path/to/f.mp4", u.path());
            assertEquals("user@host:2222", u.authority());
            assertEquals("f.mp4", u.fileName());
            assertEquals("sftp://user@host:2222/path/to/f.mp4", u.toString());
        }

        @Test
        void withoutPort() {
            assertEquals(new RcloneTarget(":sftp,host=host,user=user:/", "x/y.mp4"),
                    rclone(AssetUri.parse("sftp://user@host/x/y.mp4")));
        }

        @Test
        void withoutUser() {
            AssetUri u = AssetUri.parse("sftp://host/x.mp4");
            assertEquals(new RcloneTarget(":sftp,host=host:/", "x.mp4"), rclone(u));
            assertEquals("host", u.authority());
            assertEquals(new RcloneTarget(":sftp,host=host,port=22:/", "x.mp4"), rclone(AssetUri.parse("sftp://host:22/x.mp4")));
        }

        @Test
        void ipv6HostIsQuoted() {
            AssetUri u = AssetUri.parse("sftp://u@[::1]:22/x");
            assertEquals(new RcloneTarget(":sftp,host=\"::1\",user=u,port=22:/", "x"), rclone(u));
            assertEquals("u@[::1]:22", u.authority());
            assertEquals("sftp://u@[::1]:22/x", u.toString());
            assertEquals(new RcloneTarget(":sftp,host=\"fe80::1\":/", "x"), rclone(AssetUri.parse("sftp://[fe80::1]/x")));
        }

        @Test
        void userIsDecodedAndQuotedWhenItHoldsSpecialCharacters() {
            assertEquals(new RcloneTarget(":sftp,host=h,user=\"a,b\":/", "x"), rclone(AssetUri.parse("sftp://a%2Cb@h/x")));
            assertEquals(new RcloneTarget(":sftp,host=h,user=first last:/", "x"), rclone(AssetUri.parse("sftp://first%20last@h/x")));
        }

        @Test
        void pathIsDecoded() {
            AssetUri u = AssetUri.parse("sftp://h/dir/%C3%A9t%C3%A9%20clip.mp4");
            assertEquals("dir/été clip.mp4", u.path());
            assertEquals("dir/été clip.mp4", rclone(u).path());
        }

        @Test
        void pathIsAbsoluteOnTheHostHoweverManySlashes() {
            // rclone's RcloneTarget forbids a leading '/' in the path; the root carries it.
            RcloneTarget expected = new RcloneTarget(":sftp,host=h:/", "abs/x");
            assertEquals(expected, rclone(AssetUri.parse("sftp://h/abs/x")));
            assertEquals(expected, rclone(AssetUri.parse("sftp://h//abs/x")));
            assertEquals(expected, rclone(AssetUri.parse("sftp://h/%2Fabs/x")));
            assertEquals(AssetUri.parse("sftp://h/abs/x"), AssetUri.parse("sftp://h//abs/x"));
        }

        @Test
        void leadingZerosInThePortAreTheSamePort() {
            AssetUri u = AssetUri.parse("sftp://h:022/x");
            assertEquals(new RcloneTarget(":sftp,host=h,port=22:/", "x"), rclone(u));
            assertEquals(AssetUri.parse("sftp://h:22/x"), u);
        }

        @Test
        void schemeIsCaseInsensitive() {
            assertEquals(AssetUri.parse("sftp://u@h/x"), AssetUri.parse("SFTP://u@h/x"));
        }
    }

    @Nested
    class Rclone {

        @Test
        void rcloneUri() {
            AssetUri u = AssetUri.parse("rclone://remote:path/x");
            assertEquals(AssetKind.RCLONE, u.kind());
            assertEquals("rclone", u.scheme());
            assertEquals(new RcloneTarget("remote:", "path/x"), rclone(u));
            assertEquals("remote", u.authority());
            assertEquals("path/x", u.path());
            assertEquals("rclone://remote:path/x", u.toString());
        }

        /** rclone's VFS (serve, mount) has no "." entries: a path spelled with them must reach it without. */
        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', textBlock = """
                media:./x.y4m          | media:  | x.y4m
                media:a/./b/./c.y4m    | media:  | a/b/c.y4m
                media:/./srv/x.y4m     | media:/ | srv/x.y4m
                rclone://media:./x.y4m | media:  | x.y4m
                media:.x/..y/x.         | media:  | .x/..y/x.
                """)
        void dotSegmentsAreDropped(String text, String root, String path) {
            AssetUri u = AssetUri.parse(text);
            assertEquals(new RcloneTarget(root, path), rclone(u));
            assertEquals(u, AssetUri.parse(u.toString()), "round trip");
        }

        @Test
        void aDotAtTheEndNamesADirectoryNotAnObject() {
            assertThrows(InvalidAssetUriException.class, () -> AssetUri.parse("media:a/."));
            assertThrows(InvalidAssetUriException.class, () -> AssetUri.parse("media:."));
            assertThrows(InvalidAssetUriException.class, () -> AssetUri.parse("s3://b/k/."));
        }

        @Test
        void rcloneUriIsDecoded() {
            assertEquals(new RcloneTarget("media:", "a b/é.mp4"), rclone(AssetUri.parse("rclone://media:a%20b/%C3%A9.mp4")));
        }

        @Test
        void rcloneUriWithAbsolutePath() {
            AssetUri u = AssetUri.parse("rclone://nas:/srv/x.mp4");
            assertEquals(new RcloneTarget("nas:/", "srv/x.mp4"), rclone(u));
            assertEquals("nas:/srv/x.mp4", rclone(u).remotePath());
        }

        @Test
        void remotePassthrough() {
            AssetUri u = AssetUri.parse("remote:bucket/path");
            assertEquals(AssetKind.REMOTE, u.kind());
            assertEquals("", u.scheme());
            assertEquals(new RcloneTarget("remote:", "bucket/path"), rclone(u));
            assertEquals("remote", u.authority());
            assertEquals("bucket/path", u.path());
            assertEquals("remote:bucket/path", u.toString());
        }

        @Test
        void remotePassthroughIsLiteral() {
            // Not a URI: %20 stays three characters, no decoding.
            AssetUri u = AssetUri.parse("remote:a%20b.mp4");
            assertEquals(new RcloneTarget("remote:", "a%20b.mp4"), rclone(u));
            assertEquals("a%20b.mp4", u.fileName());
        }

        @Test
        void remoteNamesMayHoldSpacesAndPunctuation() {
            assertEquals(new RcloneTarget("my remote:", "x"), rclone(AssetUri.parse("my remote:x")));
            assertEquals(new RcloneTarget("a_b.c-d@e+f:", "x"), rclone(AssetUri.parse("a_b.c-d@e+f:x")));
        }

        @Test
        void remotePassthroughWithAbsolutePath() {
            AssetUri u = AssetUri.parse("nas:/srv/clip.mp4");
            assertEquals(new RcloneTarget("nas:/", "srv/clip.mp4"), rclone(u));
            assertEquals("/srv/clip.mp4", u.path());
        }

        @Test
        void onTheFlyConnectionString() {
            String text = ":s3,provider=Minio,endpoint=\"http://127.0.0.1:9000\":bucket/key";
            AssetUri u = AssetUri.parse(text);
            assertEquals(AssetKind.REMOTE, u.kind());
            assertEquals(new RcloneTarget(":s3,provider=Minio,endpoint=\"http://127.0.0.1:9000\":", "bucket/key"), rclone(u));
            assertEquals(text, rclone(u).remotePath());
            assertEquals("key", u.fileName());
        }

        @Test
        void onTheFlyConnectionStringWithSingleQuotesAndDoubledQuotes() {
            assertEquals(new RcloneTarget(":s3,endpoint='http://h:9000':", "b/k"),
                    rclone(AssetUri.parse(":s3,endpoint='http://h:9000':b/k")));
            assertEquals(new RcloneTarget(":s3,x=\"a\"\":b\":", "b/k"), rclone(AssetUri.parse(":s3,x=\"a\"\":b\":b/k")));
        }

        @Test
        void onTheFlyConnectionStringWithoutOptions() {
            assertEquals(new RcloneTarget(":s3:", "bucket/key"), rclone(AssetUri.parse(":s3:bucket/key")));
            assertEquals(new RcloneTarget(":local:/", "srv/x.y4m"), rclone(AssetUri.parse(":local:/srv/x.y4m")));
        }

        @Test
        void onTheFlyConnectionStringWithUnquotedSlashes() {
            // rclone only wants ':' and ',' quoted; a key file path is a plain value.
            AssetUri u = AssetUri.parse(":sftp,host=h,key_file=/home/u/.ssh/id:/srv/x.mp4");
            assertEquals(AssetKind.REMOTE, u.kind());
            assertEquals(new RcloneTarget(":sftp,host=h,key_file=/home/u/.ssh/id:/", "srv/x.mp4"), rclone(u));
        }

        @Test
        void onTheFlyConnectionStringInRcloneUri() {
            AssetUri u = AssetUri.parse("rclone://:s3,provider=Minio,endpoint=%22http://127.0.0.1:9000%22:bucket/key");
            assertEquals(AssetKind.RCLONE, u.kind());
            assertEquals(new RcloneTarget(":s3,provider=Minio,endpoint=\"http://127.0.0.1:9000\":", "bucket/key"), rclone(u));
        }

        @Test
        void configuredRemoteAsScheme() {
            UriRules rules = UriRules.defaults().withConfiguredRemotes(Set.of("name"));
            AssetUri u = AssetUri.parse("name://a/b", rules);
            assertEquals(AssetKind.REMOTE, u.kind());
            assertEquals(new RcloneTarget("name:", "a/b"), rclone(u));
            assertEquals("name:a/b", rclone(u).remotePath());
            assertEquals("a/b", u.path());
            assertEquals("name", u.authority());
            // Same target as the passthrough spelling, and equal to it.
            assertEquals(AssetUri.parse("name:a/b", rules), u);
        }

        @Test
        void configuredRemoteAsSchemeIsDecoded() {
            UriRules rules = UriRules.defaults().withConfiguredRemotes(Set.of("media"));
            assertEquals(new RcloneTarget("media:", "a b/é.mp4"), rclone(AssetUri.parse("media://a%20b/%C3%A9.mp4", rules)));
        }

        @Test
        void configuredRemoteWhoseNameIsNoValidScheme() {
            // '_' and ' ' cannot appear in a URI scheme, but can in a remote name: same meaning as name://.
            UriRules rules = UriRules.defaults().withConfiguredRemotes(Set.of("my_remote", "my remote"));
            assertEquals(new RcloneTarget("my_remote:", "a/b"), rclone(AssetUri.parse("my_remote://a/b", rules)));
            assertEquals(new RcloneTarget("my remote:", "a/b"), rclone(AssetUri.parse("my remote://a/b", rules)));
        }

        @Test
        void configuredRemoteNamesAreCaseSensitive() {
            UriRules rules = UriRules.defaults().withConfiguredRemotes(Set.of("Media"));
            assertEquals(new RcloneTarget("Media:", "x"), rclone(AssetUri.parse("Media://x", rules)));
        }

        @Test
        void configuredRemoteWithAbsolutePath() {
            UriRules rules = UriRules.defaults().withConfiguredRemotes(Set.of("nas"));
            AssetUri u = AssetUri.parse("nas:///srv/x", rules);
            assertEquals(new RcloneTarget("nas:/", "srv/x"), rclone(u));
            assertEquals("/srv/x", u.path());
        }

        @Test
        void builtInSchemesWinOverARemoteOfTheSameName() {
            UriRules rules = UriRules.defaults().withConfiguredRemotes(Set.of("s3"));
            assertEquals(AssetKind.S3, AssetUri.parse("s3://b/k", rules).kind());
        }
    }

    @Nested
    class Plugin {

        private final UriRules rules = UriRules.defaults().withPluginSchemes(Set.of("Vault"));

        @Test
        void pluginScheme() {
            AssetUri u = AssetUri.parse("vault://store%201/dir/a%20b.mp4", rules);
            assertEquals(AssetKind.PLUGIN, u.kind());
            assertEquals("vault", u.scheme());
            assertEquals("store 1", u.authority());
            assertEquals("dir/a b.mp4", u.path());
            assertEquals("a b.mp4", u.fileName());
            assertEquals(Optional.empty(), u.rclone());
            assertEquals(Optional.empty(), u.localPath());
            assertEquals(Optional.empty(), u.url());
            assertEquals("vault://store%201/dir/a%20b.mp4", u.toString());
        }

        @Test
        void pluginSchemeIsCaseInsensitive() {
            AssetUri u = AssetUri.parse("VAULT://x/y", rules);
            assertEquals(AssetKind.PLUGIN, u.kind());
            assertEquals("vault", u.scheme());
        }

        @Test
        void pluginWithoutPath() {
            AssetUri u = AssetUri.parse("vault://only-authority", rules);
            assertEquals("only-authority", u.authority());
            assertEquals("", u.path());
        }

        @Test
        void escapedSlashInAuthorityStaysInTheAuthority() {
            AssetUri u = AssetUri.parse("vault://a%2Fb/c", rules);
            assertEquals("a/b", u.authority());
            assertEquals("c", u.path());
            AssetUri back = AssetUri.parse(u.toString(), rules);
            assertEquals("a/b", back.authority());
            assertEquals("c", back.path());
        }

        @Test
        void pluginWinsOverAConfiguredRemote() {
            UriRules both = rules.withConfiguredRemotes(Set.of("vault"));
            assertEquals(AssetKind.PLUGIN, AssetUri.parse("vault://x/y", both).kind());
        }
    }

    @Nested
    class Http {

        @Test
        void http() {
            AssetUri u = AssetUri.parse("http://host/a b.mp4");
            assertEquals(AssetKind.HTTP, u.kind());
            assertEquals("http", u.scheme());
            assertEquals("host", u.authority());
            assertEquals("/a b.mp4", u.path());
            assertEquals("a b.mp4", u.fileName());
            assertEquals(Optional.of("http://host/a%20b.mp4"), u.url());
            assertEquals(Optional.empty(), u.rclone());
            assertEquals(Optional.empty(), u.localPath());
        }

        @Test
        void https() {
            AssetUri u = AssetUri.parse("https://cdn.example.com:8443/v/clip.mp4?sig=abc&x=1");
            assertEquals(AssetKind.HTTP, u.kind());
            assertEquals("https", u.scheme());
            assertEquals("cdn.example.com:8443", u.authority());
            assertEquals("/v/clip.mp4", u.path());
            assertEquals("clip.mp4", u.fileName());
            assertEquals(Optional.of("https://cdn.example.com:8443/v/clip.mp4?sig=abc&x=1"), u.url());
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', textBlock = """
                http://h/a b.mp4             | http://h/a%20b.mp4
                http://h/a%20b.mp4           | http://h/a%20b.mp4
                http://h/a%20b c.mp4         | http://h/a%20b%20c.mp4
                http://h/été.mp4             | http://h/%C3%A9t%C3%A9.mp4
                http://h/%C3%A9t%C3%A9.mp4   | http://h/%C3%A9t%C3%A9.mp4
                http://h/日本語.mp4           | http://h/%E6%97%A5%E6%9C%AC%E8%AA%9E.mp4
                http://h/a.mp4?q=a b         | http://h/a.mp4?q=a%20b
                http://h/a+b.mp4?x=%2B       | http://h/a+b.mp4?x=%2B
                http://h/"x".mp4             | http://h/%22x%22.mp4
                HTTP://h/x                   | http://h/x
                http://h                     | http://h/
                http://h?x=1                 | http://h/?x=1
                """)
        void urlEscapesRawCharactersAndKeepsExistingEscapes(String text, String url) {
            assertEquals(Optional.of(url), AssetUri.parse(text).url());
        }

        @Test
        void hostEndsAtQuery() {
            AssetUri u = AssetUri.parse("http://host?x=1");
            assertEquals("host", u.authority());
            assertEquals("/", u.path());
        }

        @Test
        void pathIsDecoded() {
            assertEquals("/dir/a b/é.mp4", AssetUri.parse("http://h/dir/a%20b/%C3%A9.mp4?q=1#t").path());
        }

        @Test
        void rawAndEscapedSpellingsAreEqual() {
            assertEquals(AssetUri.parse("http://h/a b.mp4"), AssetUri.parse("http://h/a%20b.mp4"));
        }

        @Test
        void userWithoutPasswordIsAllowed() {
            assertEquals(Optional.of("http://u@h/x"), AssetUri.parse("http://u@h/x").url());
        }
    }

    @Nested
    class Local {

        @Test
        void absolutePath() {
            AssetUri u = AssetUri.parse("/abs/path/clip.y4m");
            assertEquals(AssetKind.LOCAL_PATH, u.kind());
            assertEquals(Optional.of(Path.of("/abs/path/clip.y4m")), u.localPath());
            assertEquals("/abs/path/clip.y4m", u.path());
            assertEquals("clip.y4m", u.fileName());
            assertEquals("", u.scheme());
            assertEquals(Optional.empty(), u.rclone());
            assertEquals(Optional.empty(), u.url());
            assertEquals("/abs/path/clip.y4m", u.toString());
        }

        @Test
        void relativePath() {
            AssetUri u = AssetUri.parse("clips/a.y4m");
            assertEquals(AssetKind.LOCAL_PATH, u.kind());
            assertEquals(Optional.of(Path.of("clips/a.y4m")), u.localPath());
            assertEquals("a.y4m", u.fileName());
        }

        @Test
        void bareFileName() {
            AssetUri u = AssetUri.parse("a.y4m");
            assertEquals(AssetKind.LOCAL_PATH, u.kind());
            assertEquals("a.y4m", u.fileName());
        }

        @Test
        void pathsAreLiteral() {
            // Not URIs: escapes, '#' and '?' are part of the file name.
            AssetUri u = AssetUri.parse("/abs/p%20q #1?.y4m");
            assertEquals(Optional.of(Path.of("/abs/p%20q #1?.y4m")), u.localPath());
        }

        @Test
        void colonAfterASlashIsAPath() {
            AssetUri u = AssetUri.parse("clips/a:b.y4m");
            assertEquals(AssetKind.LOCAL_PATH, u.kind());
            assertEquals(Optional.of(Path.of("clips/a:b.y4m")), u.localPath());
            assertEquals(AssetKind.LOCAL_PATH, AssetUri.parse("/abs/s3://x").kind());
        }

        @Test
        void fileUri() {
            AssetUri u = AssetUri.parse("file:///abs/p%20q.y4m");
            assertEquals(AssetKind.FILE_URI, u.kind());
            assertEquals("file", u.scheme());
            assertEquals(Optional.of(Path.of("/abs/p q.y4m")), u.localPath());
            assertEquals("/abs/p q.y4m", u.path());
            assertEquals("p q.y4m", u.fileName());
            assertEquals(Optional.empty(), u.rclone());
            assertEquals("file:///abs/p%20q.y4m", u.toString());
        }

        @Test
        void fileUriWithLocalhost() {
            AssetUri u = AssetUri.parse("file://localhost/abs/x");
            assertEquals(AssetKind.FILE_URI, u.kind());
            assertEquals(Optional.of(Path.of("/abs/x")), u.localPath());
            assertEquals(AssetUri.parse("file:///abs/x"), u);
            assertEquals(Optional.of(Path.of("/abs/x")), AssetUri.parse("FILE://LocalHost/abs/x").localPath());
        }

        @Test
        void fileUriDecodesNonAscii() {
            assertEquals(Optional.of(Path.of("/v/日本語 é.y4m")), AssetUri.parse("file:///v/%E6%97%A5%E6%9C%AC%E8%AA%9E%20%C3%A9.y4m").localPath());
            assertEquals(Optional.of(Path.of("/v/日本語 é.y4m")), AssetUri.parse("file:///v/日本語 é.y4m").localPath());
        }
    }

    @Test
    void kindsKnowWhereTheBytesAre() {
        assertTrue(AssetKind.LOCAL_PATH.isLocal());
        assertTrue(AssetKind.FILE_URI.isLocal());
        assertFalse(AssetKind.HTTP.isLocal());
        assertFalse(AssetKind.S3.isLocal());
        for (AssetKind k : Set.of(AssetKind.S3, AssetKind.GCS, AssetKind.AZBLOB, AssetKind.SFTP, AssetKind.RCLONE, AssetKind.REMOTE)) {
            assertTrue(k.isRclone(), k.name());
        }
        for (AssetKind k : Set.of(AssetKind.LOCAL_PATH, AssetKind.FILE_URI, AssetKind.HTTP, AssetKind.PLUGIN)) {
            assertFalse(k.isRclone(), k.name());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            s3://b/dir/a%20b.mp4        | a b.mp4
            s3://b/clip.yuv             | clip.yuv
            gcs://b/x/y/z%C3%A9.y4m     | zé.y4m
            sftp://h/dir/f%23.mp4       | f#.mp4
            rclone://r:d/f.mkv          | f.mkv
            remote:bucket/p/q.webm      | q.webm
            http://h/a/b%3F.mp4?x=1     | b?.mp4
            file:///a/b%20c.y4m         | b c.y4m
            /abs/x.yuv                  | x.yuv
            rel.yuv                     | rel.yuv
            """)
    void fileNameIsTheDecodedLastSegment(String text, String fileName) {
        assertEquals(fileName, AssetUri.parse(text).fileName());
    }

    @Test
    void kindMatchesItsTargets() {
        UriRules rules = UriRules.defaults().withPluginSchemes(Set.of("vault")).withConfiguredRemotes(Set.of("media"));
        for (String text : new String[] {"s3://b/k", "gcs://b/k", "azblob://c/b", "sftp://h/x", "rclone://r:x", "r:x", "media://x",
                "vault://a/b", "http://h/x", "https://h/x", "/x", "x", "file:///x"}) {
            AssetUri u = AssetUri.parse(text, rules);
            assertEquals(u.kind().isRclone(), u.rclone().isPresent(), text);
            assertEquals(u.kind().isLocal(), u.localPath().isPresent(), text);
            assertEquals(u.kind() == AssetKind.HTTP, u.url().isPresent(), text);
            assertEquals(text, u.input());
        }
    }
}
