package io.vmafx.core.serve;

import io.vmafx.api.uri.AssetKind;
import io.vmafx.api.uri.AssetUri;
import io.vmafx.api.uri.InvalidAssetUriException;
import io.vmafx.api.uri.RcloneTarget;
import io.vmafx.api.uri.UriRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a job that comes over the API may read; the command line is not subject to it (a local user reads what
 * the node's user can). {@link JobSubmission} calls {@link #checkInput} for each URI, before a job exists, so that a refusal is a {@code 400} naming the field; {@link JobService} asks again
 * when a queued job starts (a file may have been replaced by a link meanwhile).
 *
 * <p>Always allowed: remotes configured on the node (sections of rclone.conf, {@code RCLONE_CONFIG_<NAME>_TYPE}
 * variables; {@code s3://} and the other cloud schemes when their remote is one of these) and the schemes of
 * installed plugins. Only when the operator says so ({@link ApiInputSettings}):
 * <ul>
 *   <li>local paths and {@code file://}: when the file's real path (links resolved) is below a
 *       {@code VMAFX_API_LOCAL_ROOTS} directory. A file that is missing and one that is elsewhere get the same
 *       answer, so the API is no oracle for what exists on the node;
 *   <li>{@code http(s)://}: to a host of {@code VMAFX_API_HOSTS};
 *   <li>on-the-fly remotes ({@code :backend,option=value:path}, and {@code sftp://}, which becomes one): with
 *       {@code VMAFX_API_ONTHEFLY=1}, of the backends in {@link #BACKENDS} only, each option on that backend's allow-list
 *       (options that hold no secret, name no local file or command, and cannot send rclone elsewhere), and the host
 *       they connect to in {@code VMAFX_API_HOSTS}. A refused option is named; its value never is.
 * </ul>
 *
 * <p>Models are not this class's: a job names built-in models, or files in {@code VMAFX_MODELS_DIR} only
 * ({@code VmafModel.parse}), where missing and forbidden read the same too.
 */
public final class ApiInputPolicy {

    /** A refused input: the message names the field and says why, without repeating anything secret. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final String field;

        Refused(String field, String message) {
            super(message);
            this.field = field;
        }

        /** The JSON field at fault ({@code reference_uri}, {@code distorted_uri}, {@code model}). */
        public String field() {
            return field;
        }
    }

    /**
     * What one on-the-fly backend may be given.
     *
     * @param options    the options allowed, the host-bearing one included
     * @param hostOption the option that names where rclone connects (required)
     * @param isUrl      whether that option is an http(s) URL (else a bare host, with {@code port} beside it)
     */
    record BackendRule(Set<String> options, String hostOption, boolean isUrl) {
    }

    /**
     * The on-the-fly backends API jobs may use and their allowed options. Left out on purpose: everything that
     * carries a secret ({@code pass}, {@code bearer_token}, {@code headers}, {@code sse_customer_key},
     * {@code access_grant}, keys), names a local file ({@code key_file}, {@code known_hosts_file}), runs a command
     * ({@code bearer_token_command}, {@code ssh}, {@code md5sum_command}), weakens TLS ({@code no_check_certificate}),
     * or takes credentials from the node ({@code env_auth}); and the backends that read the node's own files or wrap
     * other remotes ({@code local}, {@code alias}, {@code union}, {@code crypt}...).
     */
    static final Map<String, BackendRule> BACKENDS = Map.of(
            "http", new BackendRule(Set.of("url", "no_head", "no_slash", "no_escape"), "url", true),
            "webdav", new BackendRule(Set.of("url", "vendor"), "url", true),
            "sftp", new BackendRule(Set.of("host", "port", "user"), "host", false),
            "ftp", new BackendRule(Set.of("host", "port", "user", "tls", "explicit_tls"), "host", false),
            "s3", new BackendRule(Set.of("provider", "region", "endpoint", "force_path_style"), "endpoint", true));

    private final ApiInputSettings settings;
    private final UriRules rules;

    public ApiInputPolicy(ApiInputSettings settings, UriRules rules) {
        this.settings = settings;
        this.rules = rules;
    }

    /** The settings it applies. */
    public ApiInputSettings settings() {
        return settings;
    }

    /**
     * Whether a job may read {@code text}, given in the JSON field {@code field}.
     *
     * @throws Refused naming the field and why: not a valid URI, a remote not configured, a local file outside the
     *                 roots (or missing), a host not allowed, on-the-fly remotes off, a backend or option not allowed
     */
    public void checkInput(String field, String text) throws Refused {
        AssetUri uri;
        try {
            uri = AssetUri.parse(text, rules);
        } catch (InvalidAssetUriException e) {
            // The reason without the input: a connection string may hold a secret (which the parser refuses to take).
            throw new Refused(field, field + ": not an input this node can read: " + e.reason());
        }
        AssetKind kind = uri.kind();
        if (kind.isLocal()) {
            checkLocal(field, uri);
        } else if (kind == AssetKind.HTTP) {
            checkHost(field, "the URL", authorityHost(field, uri.authority(), uri.scheme()));
        } else if (kind.isRclone()) {
            checkRemote(field, uri.rclone().orElseThrow());
        }
        // PLUGIN: a scheme of a plugin the operator installed, read the way that plugin reads it.
    }

    private void checkLocal(String field, AssetUri uri) throws Refused {
        Path file = uri.localPath().orElseThrow();
        if (!realFileBelow(file, settings.localRoots())) {
            throw new Refused(field, field + ": no file " + uri.input() + " that API jobs may read (local files only below "
                    + "VMAFX_API_LOCAL_ROOTS)");
        }
    }

    /**
     * Whether {@code file} exists and its real path (every link resolved) is below one of {@code roots} (real paths).
     * Missing and elsewhere both answer false; the caller says the same for both.
     */
    private static boolean realFileBelow(Path file, List<Path> roots) {
        if (roots.isEmpty()) {
            return false;
        }
        Path real;
        try {
            real = file.toAbsolutePath().toRealPath();
        } catch (IOException | SecurityException e) {
            return false;
        }
        for (Path root : roots) {
            if (real.startsWith(root) && !real.equals(root)) {
                return Files.exists(real);
            }
        }
        return false;
    }

    private void checkRemote(String field, RcloneTarget target) throws Refused {
        String root = target.root();
        if (!root.startsWith(":")) {
            String name = root.substring(0, root.indexOf(':'));
            if (!rules.isConfiguredRemote(name)) {
                throw new Refused(field, field + ": the rclone remote '" + name + "' is not configured on this node (API jobs read "
                        + "the remotes of its rclone.conf and RCLONE_CONFIG_* variables)");
            }
            return;
        }
        ConnectionString cs;
        try {
            cs = ConnectionString.parse(root);
        } catch (IllegalArgumentException e) {
            throw new Refused(field, field + ": not an input this node can read: " + e.getMessage());
        }
        if (!settings.onTheFly()) {
            throw new Refused(field, field + ": on-the-fly rclone remotes (:" + cs.backend() + ",...: and sftp://) are off for API "
                    + "jobs (VMAFX_API_ONTHEFLY=1 allows them); name a remote configured on the node");
        }
        BackendRule rule = BACKENDS.get(cs.backend());
        if (rule == null) {
            throw new Refused(field, field + ": the on-the-fly backend '" + cs.backend() + "' is not allowed for API jobs (allowed: "
                    + String.join(", ", new java.util.TreeSet<>(BACKENDS.keySet())) + ")");
        }
        Set<String> seen = new HashSet<>();
        String hostValue = null;
        String portValue = null;
        for (ConnectionString.Option o : cs.options()) {
            if (!rule.options().contains(o.name())) {
                // The option's name only: its value may be the secret the client should not have sent.
                throw new Refused(field, field + ": the on-the-fly remote's option '" + o.name() + "' is not allowed for API jobs "
                        + "(allowed for " + cs.backend() + ": " + String.join(", ", new java.util.TreeSet<>(rule.options()))
                        + "); secrets and credentials belong in a remote configured on the node");
            }
            if (!seen.add(o.name())) {
                throw new Refused(field, field + ": the on-the-fly remote's option '" + o.name() + "' appears twice");
            }
            if (o.name().equals(rule.hostOption())) {
                hostValue = o.value();
            } else if (o.name().equals("port")) {
                portValue = o.value();
            }
        }
        if (hostValue == null) {
            throw new Refused(field, field + ": the on-the-fly " + cs.backend() + " remote needs its option '" + rule.hostOption()
                    + "' (a host of VMAFX_API_HOSTS)");
        }
        Host host;
        if (rule.isUrl()) {
            host = urlHost(field, rule.hostOption(), hostValue);
        } else {
            Optional<String> h = HostRule.normalize(hostValue);
            int port = portValue == null ? defaultPort(cs.backend()) : HostRule.port(portValue);
            if (h.isEmpty() || port < 0) {
                throw new Refused(field, field + ": the on-the-fly remote's option '" + (h.isEmpty() ? rule.hostOption() : "port")
                        + "' is not a valid " + (h.isEmpty() ? "host" : "port"));
            }
            host = new Host(h.get(), port);
        }
        checkHost(field, "the on-the-fly remote", host);
    }

    /** A host and port a job would connect to. */
    private record Host(String name, int port) {
    }

    private void checkHost(String field, String what, Host host) throws Refused {
        for (HostRule r : settings.hosts()) {
            if (r.allows(host.name(), host.port())) {
                return;
            }
        }
        String shown = (host.name().contains(":") ? "[" + host.name() + "]" : host.name()) + ":" + host.port();
        throw new Refused(field, field + ": " + what + " connects to " + shown + ", which is not a host API jobs may read from "
                + "(VMAFX_API_HOSTS)");
    }

    /** The host of an option's URL value; a URL with a password in it is refused without showing it. */
    private static Host urlHost(String field, String option, String url) throws Refused {
        int sep = url.indexOf("://");
        String scheme = sep < 0 ? "" : url.substring(0, sep).toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new Refused(field, field + ": the on-the-fly remote's option '" + option + "' must be an http:// or https:// URL");
        }
        String rest = url.substring(sep + 3);
        int end = 0;
        while (end < rest.length() && "/?#\\".indexOf(rest.charAt(end)) < 0) {
            end++;
        }
        String authority = rest.substring(0, end);
        if (authority.contains("@")) {
            throw new Refused(field, field + ": the on-the-fly remote's option '" + option + "' has user information; "
                    + "credentials belong in a remote configured on the node");
        }
        return authorityHost(field, authority, scheme);
    }

    /** {@code host}, {@code host:port} or {@code [v6]:port} (user information already dropped or refused). */
    private static Host authorityHost(String field, String authority, String scheme) throws Refused {
        String a = authority.substring(authority.lastIndexOf('@') + 1);
        String host;
        String port = null;
        if (a.startsWith("[")) {
            int close = a.indexOf(']');
            host = close < 0 ? "" : a.substring(0, close + 1);
            if (close >= 0 && a.length() > close + 1) {
                port = a.charAt(close + 1) == ':' ? a.substring(close + 2) : "x";
            }
        } else {
            int colon = a.lastIndexOf(':');
            host = colon < 0 ? a : a.substring(0, colon);
            port = colon < 0 ? null : a.substring(colon + 1);
        }
        Optional<String> h = HostRule.normalize(host);
        int p = port == null || port.isEmpty() ? (scheme.equals("https") ? 443 : 80) : HostRule.port(port);
        if (h.isEmpty() || p < 0) {
            throw new Refused(field, field + ": not an input this node can read: the URL's host or port is not valid");
        }
        return new Host(h.get(), p);
    }

    private static int defaultPort(String backend) {
        return backend.equals("sftp") ? 22 : 21;
    }
}
