package io.vmafx.api.uri;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the parser needs to know about this node: which rclone remote each cloud scheme maps to
 * ({@code VMAFX_REMOTE_S3=s3-prod}), which remotes rclone has configured (so {@code name://path} can mean
 * {@code name:path}), and which schemes storage plugins claim.
 */
public final class UriRules {

    private static final Set<String> CLOUD_SCHEMES = Set.of("s3", "gcs", "azblob");

    private final Map<String, String> remoteForScheme;
    private final Set<String> configuredRemotes;
    private final Set<String> pluginSchemes;

    private UriRules(Map<String, String> remoteForScheme, Set<String> configuredRemotes, Set<String> pluginSchemes) {
        this.remoteForScheme = Map.copyOf(remoteForScheme);
        this.configuredRemotes = Set.copyOf(configuredRemotes);
        this.pluginSchemes = Set.copyOf(pluginSchemes);
    }

    /** Cloud schemes map to remotes of the same name; no remote configured; no plugin schemes. */
    public static UriRules defaults() {
        return new UriRules(Map.of(), Set.of(), Set.of());
    }

    /** A copy in which {@code scheme} ({@code s3}, {@code gcs} or {@code azblob}) maps to {@code remote}. */
    public UriRules withRemoteForScheme(String scheme, String remote) {
        String s = scheme.toLowerCase(Locale.ROOT);
        if (!CLOUD_SCHEMES.contains(s)) {
            throw new IllegalArgumentException("only s3, gcs and azblob map to a configurable remote, not " + scheme);
        }
        if (!AssetUri.isRemoteName(remote)) {
            throw new IllegalArgumentException("'" + remote + "' is not an rclone remote name");
        }
        Map<String, String> m = new HashMap<>(remoteForScheme);
        m.put(s, remote);
        return new UriRules(m, configuredRemotes, pluginSchemes);
    }

    /** A copy that knows rclone has these remotes configured. */
    public UriRules withConfiguredRemotes(Set<String> remotes) {
        return new UriRules(remoteForScheme, Objects.requireNonNull(remotes), pluginSchemes);
    }

    /** A copy in which these schemes belong to storage plugins. */
    public UriRules withPluginSchemes(Set<String> schemes) {
        Set<String> lower = new java.util.HashSet<>();
        schemes.forEach(s -> lower.add(s.toLowerCase(Locale.ROOT)));
        return new UriRules(remoteForScheme, configuredRemotes, lower);
    }

    /** The rclone remote for a cloud scheme: the configured one, else the scheme's own name. */
    public String remoteFor(String scheme) {
        // Stored in lower case, so look up in lower case too: schemes are case-insensitive.
        String s = scheme.toLowerCase(Locale.ROOT);
        return remoteForScheme.getOrDefault(s, s);
    }

    public boolean isConfiguredRemote(String name) {
        return configuredRemotes.contains(name);
    }

    public boolean isPluginScheme(String scheme) {
        return pluginSchemes.contains(scheme.toLowerCase(Locale.ROOT));
    }
}
