package io.vmafx.api.uri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UriRulesTest {

    @Test
    void defaultsMapCloudSchemesToRemotesOfTheSameName() {
        UriRules rules = UriRules.defaults();
        assertEquals("s3", rules.remoteFor("s3"));
        assertEquals("gcs", rules.remoteFor("gcs"));
        assertEquals("azblob", rules.remoteFor("azblob"));
        assertFalse(rules.isConfiguredRemote("s3"));
        assertFalse(rules.isPluginScheme("s3"));
    }

    @Test
    void remoteForSchemeIsCaseInsensitiveInTheScheme() {
        UriRules rules = UriRules.defaults().withRemoteForScheme("S3", "s3-prod");
        assertEquals("s3-prod", rules.remoteFor("s3"));
        assertEquals("s3-prod", rules.remoteFor("S3"));
        assertEquals("gcs", rules.remoteFor("GCS"));
    }

    @Test
    void withersReturnCopies() {
        UriRules base = UriRules.defaults();
        UriRules prod = base.withRemoteForScheme("s3", "s3-prod");
        UriRules remotes = prod.withConfiguredRemotes(Set.of("media"));
        UriRules plugins = remotes.withPluginSchemes(Set.of("vault"));
        assertEquals("s3", base.remoteFor("s3"));
        assertEquals("s3-prod", plugins.remoteFor("s3"));
        assertTrue(plugins.isConfiguredRemote("media"));
        assertTrue(plugins.isPluginScheme("vault"));
        assertFalse(prod.isConfiguredRemote("media"));
        assertFalse(remotes.isPluginScheme("vault"));
        // Later calls replace, not add to, the set.
        assertFalse(plugins.withConfiguredRemotes(Set.of("other")).isConfiguredRemote("media"));
    }

    @Test
    void setsAreCopied() {
        Set<String> remotes = new HashSet<>(Set.of("media"));
        UriRules rules = UriRules.defaults().withConfiguredRemotes(remotes);
        remotes.add("later");
        assertFalse(rules.isConfiguredRemote("later"));
    }

    @Test
    void pluginSchemesAreCaseInsensitive() {
        UriRules rules = UriRules.defaults().withPluginSchemes(Set.of("Vault"));
        assertTrue(rules.isPluginScheme("vault"));
        assertTrue(rules.isPluginScheme("VAULT"));
    }

    @Test
    void configuredRemotesAreCaseSensitive() {
        // rclone remote names are case-sensitive.
        UriRules rules = UriRules.defaults().withConfiguredRemotes(Set.of("Media"));
        assertTrue(rules.isConfiguredRemote("Media"));
        assertFalse(rules.isConfiguredRemote("media"));
    }

    @ParameterizedTest
    @CsvSource({"sftp", "http", "file", "rclone", "foo"})
    void onlyCloudSchemesMapToARemote(String scheme) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UriRules.defaults().withRemoteForScheme(scheme, "x"));
        assertTrue(e.getMessage().contains(scheme), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"''", "' lead'", "'trail '", "a:b", "a/b", "a*b"})
    void remoteMustBeAValidName(String remote) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UriRules.defaults().withRemoteForScheme("s3", remote));
        assertTrue(e.getMessage().contains("'" + remote + "'"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"s3", "s3-prod", "my remote", "a_b.c+d@e", "é日本", "x", "1"})
    void validRemoteNames(String name) {
        assertTrue(AssetUri.isRemoteName(name));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"''", "' x'", "'x '", "a:b", "a/b", "a*b", "a\"b"})
    void invalidRemoteNames(String name) {
        assertFalse(AssetUri.isRemoteName(name));
        assertFalse(AssetUri.isRemoteName(null));
    }
}
