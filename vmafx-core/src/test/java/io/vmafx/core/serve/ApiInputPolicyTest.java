package io.vmafx.core.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.api.uri.UriRules;
import io.vmafx.core.config.ConfigException;
import io.vmafx.core.config.NodeConfig;
import io.vmafx.core.config.Variable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an API job may read, on real files and links in a temporary directory: each input form against each
 * setting, the refusal's field and text, and what a refusal never says.
 */
class ApiInputPolicyTest {

    @TempDir
    Path dir;
    Path root;
    Path models;
    Path outside;
    UriRules rules;

    @BeforeEach
    void files() throws Exception {
        root = Files.createDirectories(dir.resolve("media"));
        Files.writeString(root.resolve("ref.y4m"), "y4m");
        models = Files.createDirectories(dir.resolve("models"));
        Files.writeString(models.resolve("m.pkl"), "pkl");
        outside = Files.createDirectories(dir.resolve("private"));
        Files.writeString(outside.resolve("secret.txt"), "secret");
        Files.createSymbolicLink(root.resolve("escape.y4m"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(models.resolve("escape.pkl"), outside.resolve("secret.txt"));
        rules = UriRules.defaults().withConfiguredRemotes(Set.of("media", "s3")).withPluginSchemes(Set.of("vault"));
    }

    private ApiInputPolicy policy(List<Path> roots, List<String> hosts, boolean onTheFly) {
        return new ApiInputPolicy(new ApiInputSettings(roots, hosts.stream().map(HostRule::parse).toList(), onTheFly), rules);
    }

    private ApiInputPolicy defaults() {
        return new ApiInputPolicy(ApiInputSettings.NONE, rules);
    }

    private ApiInputPolicy open() throws Exception {
        return policy(List.of(root.toRealPath()), List.of("media.example.com", "127.0.0.1:8443", "[fd00::5]"), true);
    }

    private static String refused(ApiInputPolicy p, String uri) {
        ApiInputPolicy.Refused r = assertThrows(ApiInputPolicy.Refused.class, () -> p.checkInput("distorted_uri", uri), uri);
        assertEquals("distorted_uri", r.field());
        assertTrue(r.getMessage().startsWith("distorted_uri: "), r::getMessage);
        return r.getMessage();
    }

    private static void allowed(ApiInputPolicy p, String uri) throws ApiInputPolicy.Refused {
        p.checkInput("distorted_uri", uri);
    }

    @Test
    void byDefaultConfiguredRemotesAndPluginsOnly() throws Exception {
        ApiInputPolicy p = defaults();
        allowed(p, "media:clips/dis.mp4");
        allowed(p, "media://clips/dis.mp4");
        allowed(p, "rclone://media:clips/dis.mp4");
        allowed(p, "s3://bucket/dis.mp4");
        allowed(p, "vault://shelf/dis.y4m");
        assertTrue(refused(p, "other:clips/dis.mp4").contains("the rclone remote 'other' is not configured on this node"));
        assertTrue(refused(p, "gcs://bucket/dis.mp4").contains("'gcs' is not configured"), "gcs:// needs its remote configured");
        assertTrue(refused(p, root.resolve("ref.y4m").toString()).contains("that API jobs may read (local files only below VMAFX_API_LOCAL_ROOTS)"));
        assertTrue(refused(p, "file://" + root.resolve("ref.y4m")).contains("VMAFX_API_LOCAL_ROOTS"));
        assertTrue(refused(p, "http://127.0.0.3:18997/x.y4m").contains("connects to 127.0.0.3:18997, which is not a host API jobs may read from"));
        assertTrue(refused(p, ":webdav,url=\"http://127.0.0.3:18997/\":x.y4m").contains("on-the-fly rclone remotes (:webdav,...: and sftp://) are off"));
        assertTrue(refused(p, ":local:/etc/passwd").contains("on-the-fly rclone remotes"));
        assertTrue(refused(p, "sftp://u@h/x.y4m").contains("on-the-fly rclone remotes (:sftp,...: and sftp://) are off"));
    }

    @Test
    void localFilesOnlyBelowARootAndMissingReadsLikeForbidden() throws Exception {
        ApiInputPolicy p = open();
        allowed(p, root.resolve("ref.y4m").toString());
        allowed(p, "file://" + root.resolve("ref.y4m"));
        String missing = refused(p, root.resolve("missing.y4m").toString());
        String elsewhere = refused(p, outside.resolve("secret.txt").toString());
        String link = refused(p, root.resolve("escape.y4m").toString());
        String etc = refused(p, "/etc/passwd");
        // The same words for a file that is missing and one that exists but is not to be read: no existence oracle.
        for (String m : List.of(missing, elsewhere, link, etc)) {
            assertTrue(m.matches("distorted_uri: no file \\S+ that API jobs may read \\(local files only below VMAFX_API_LOCAL_ROOTS\\)"), m);
        }
        assertTrue(refused(p, root.toString()).contains("no file"), "the root itself is no input");
        assertTrue(refused(p, root + "/../private/secret.txt").contains("'..' path segments are not allowed"));
    }

    @Test
    void hostsOnlyFromTheListSpelledExactly() throws Exception {
        ApiInputPolicy p = open();
        allowed(p, "http://media.example.com/a.mp4");
        allowed(p, "https://MEDIA.example.com./a.mp4");
        allowed(p, "https://media.example.com:8443/a.mp4");
        allowed(p, "https://127.0.0.1:8443/a.mp4");
        allowed(p, "http://[fd00::5]:81/a.mp4");
        assertTrue(refused(p, "http://127.0.0.1/a.mp4").contains("127.0.0.1:80"), "127.0.0.1 is allowed on 8443 only");
        for (String other : List.of("http://127.1:8443/a", "http://2130706433:8443/a", "http://localhost:8443/a",
                "http://media.example.com.evil.net/a", "http://evil.net/a")) {
            assertTrue(refused(p, other).contains("not a host API jobs may read from (VMAFX_API_HOSTS)"), other);
        }
        ApiInputPolicy any = policy(List.of(), List.of("*"), false);
        allowed(any, "http://anything.example/a.mp4");
    }

    @Test
    void onTheFlyRemotesPassAnAllowListOfOptionsAndHosts() throws Exception {
        ApiInputPolicy p = open();
        allowed(p, ":http,url=\"https://media.example.com/\":a.mp4");
        allowed(p, ":webdav,url='http://media.example.com/dav/',vendor=nextcloud:a.mp4");
        allowed(p, ":sftp,host=media.example.com,user=vmafx,port=22:/srv/a.mp4");
        allowed(p, "sftp://vmafx@media.example.com/srv/a.mp4");
        allowed(p, ":s3,provider=Minio,endpoint=\"https://127.0.0.1:8443\":bucket/a.mp4");

        assertTrue(refused(p, ":webdav,url=\"http://127.0.0.3:18997/\":x.y4m").contains("connects to 127.0.0.3:18997"));
        assertTrue(refused(p, "sftp://vmafx@evil.net/srv/a.mp4").contains("connects to evil.net:22"));
        assertTrue(refused(p, ":local:/etc/passwd").contains("the on-the-fly backend 'local' is not allowed"));
        assertTrue(refused(p, ":alias,remote=/etc:passwd").contains("backend 'alias' is not allowed"));
        assertTrue(refused(p, ":http:a.mp4").contains("needs its option 'url'"));
        assertTrue(refused(p, ":s3,provider=AWS:bucket/a.mp4").contains("needs its option 'endpoint'"));
        assertTrue(refused(p, ":http,url=\"ftp://media.example.com/\":a").contains("must be an http:// or https:// URL"));
        assertTrue(refused(p, ":http,url=\"http://u@media.example.com/\":a").contains("has user information"));
        assertTrue(refused(p, ":http,url=\"https://media.example.com/\",url=\"http://evil.net/\":a").contains("'url' appears twice"));
        assertTrue(refused(p, ":sftp,host=media.example.com,port=99999:/a").contains("'port' is not a valid port"));

        // Secrets, commands, local files and redirections: refused by name, the value never repeated.
        Map<String, String> secrets = Map.of(
                ":http,url=\"https://media.example.com/\",headers=\"Authorization,Bearer X-SECRET-1\":a.mp4", "headers",
                ":s3,provider=AWS,endpoint=\"https://127.0.0.1:8443\",sse_customer_key=X-SECRET-2:b/a.mp4", "sse_customer_key",
                ":s3,endpoint=\"https://127.0.0.1:8443\",env_auth:b/a.mp4", "env_auth",
                ":webdav,url=\"https://media.example.com/\",bearer_token_command=\"curl X-SECRET-3\":a", "bearer_token_command",
                ":sftp,host=media.example.com,key_file=/root/.ssh/X-SECRET-4:/a", "key_file",
                ":sftp,host=media.example.com,ssh=\"X-SECRET-5 evil\":/a", "ssh",
                ":ftp,host=media.example.com,NO-CHECK-CERTIFICATE:/a", "no_check_certificate",
                ":storj,access_grant=X-SECRET-6:bucket/a", "'storj'");
        for (Map.Entry<String, String> e : secrets.entrySet()) {
            String m = refused(p, e.getKey());
            assertTrue(m.contains(e.getValue()), () -> "names " + e.getValue() + ": " + m);
            assertFalse(m.contains("X-SECRET"), () -> "repeats a value: " + m);
        }
        // The parser's own refusals (a password in the URI, a secret option) say why without the input either.
        String pass = refused(p, ":sftp,host=media.example.com,pass=X-SECRET-7:/a");
        assertTrue(pass.contains("secret option 'pass'") && !pass.contains("X-SECRET"), pass);
        String user = refused(p, "http://u:X-SECRET-8@media.example.com/a.mp4");
        assertTrue(user.contains("passwords do not belong in URIs") && !user.contains("X-SECRET"), user);
        String quote = refused(p, ":http,url=media\"x\":a");
        assertTrue(quote.contains("quotes go around a whole value only"), quote);
    }

    @Test
    void settingsAreReadCheckedAndNamed() throws Exception {
        NodeConfig config = NodeConfig.load(Map.of("VMAFX_API_LOCAL_ROOTS", root + ":" + outside, "VMAFX_API_HOSTS",
                " media.example.com , 10.0.0.5:8080,[fd00::5]:443 ", "VMAFX_API_ONTHEFLY", "1"), Map.of(), dir);
        ApiInputSettings s = ApiInputSettings.from(config);
        assertEquals(List.of(root.toRealPath(), outside.toRealPath()), s.localRoots());
        assertEquals("[media.example.com, 10.0.0.5:8080, [fd00::5]:443]", s.hosts().toString());
        assertTrue(s.onTheFly());
        assertEquals(ApiInputSettings.NONE, ApiInputSettings.from(NodeConfig.load(Map.of(), Map.of(), dir)));

        assertEquals("VMAFX_API_LOCAL_ROOTS: 'media' is not an absolute path",
                refusedSetting(Map.of("VMAFX_API_LOCAL_ROOTS", "media"), Map.of()));
        assertEquals("--api-local-roots: '" + dir.resolve("nope") + "' is not a directory that can be read (NoSuchFileException)",
                refusedSetting(Map.of(), Map.of(Variable.API_LOCAL_ROOTS, dir.resolve("nope").toString())));
        assertEquals("VMAFX_API_HOSTS: 'exa mple.com' is not a host name or IP address",
                refusedSetting(Map.of("VMAFX_API_HOSTS", "exa mple.com"), Map.of()));
        assertEquals("VMAFX_API_HOSTS: 'h:0': the port is not a number from 1 to 65535", refusedSetting(Map.of("VMAFX_API_HOSTS", "h:0"), Map.of()));
        assertEquals("VMAFX_API_HOSTS: 'fd00::5': an IPv6 address goes in brackets ([fd00::5]:8080)",
                refusedSetting(Map.of("VMAFX_API_HOSTS", "fd00::5"), Map.of()));
        assertEquals("--api-onthefly: expected 1/true/yes/on or 0/false/no/off, got 'maybe'",
                refusedSetting(Map.of(), Map.of(Variable.API_ONTHEFLY, "maybe")));
    }

    private String refusedSetting(Map<String, String> env, Map<Variable, String> flags) {
        return assertThrows(ConfigException.class, () -> ApiInputSettings.from(NodeConfig.load(env, flags, dir))).getMessage();
    }
}
