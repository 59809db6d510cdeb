package io.vmafx.api.uri;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One input of a scoring job, parsed and classified.
 *
 * <table>
 *   <caption>Accepted forms</caption>
 *   <tr><th>form</th><th>kind</th><th>rclone</th></tr>
 *   <tr><td>{@code /abs/path}, {@code rel/path}</td><td>LOCAL_PATH</td><td>-</td></tr>
 *   <tr><td>{@code file:///abs/path}</td><td>FILE_URI</td><td>-</td></tr>
 *   <tr><td>{@code http(s)://host/path}</td><td>HTTP</td><td>-</td></tr>
 *   <tr><td>{@code s3://bucket/key}</td><td>S3</td><td>{@code <VMAFX_REMOTE_S3 or s3>:bucket/key}</td></tr>
 *   <tr><td>{@code gcs://bucket/dir/file}</td><td>GCS</td><td>{@code <VMAFX_REMOTE_GCS or gcs>:bucket/dir/file}</td></tr>
 *   <tr><td>{@code azblob://container/blob}</td><td>AZBLOB</td><td>{@code <VMAFX_REMOTE_AZBLOB or azblob>:container/blob}</td></tr>
 *   <tr><td>{@code sftp://user@host[:port]/path}</td><td>SFTP</td><td>{@code :sftp,host=host,user=user,port=port:/path}</td></tr>
 *   <tr><td>{@code rclone://remote:path}</td><td>RCLONE</td><td>{@code remote:path}</td></tr>
 *   <tr><td>{@code remote:bucket/path}</td><td>REMOTE</td><td>{@code remote:bucket/path} (passed through)</td></tr>
 *   <tr><td>{@code name://path}, {@code name} a configured remote</td><td>REMOTE</td><td>{@code name:path}</td></tr>
 *   <tr><td>{@code scheme://...}, a plugin's scheme</td><td>PLUGIN</td><td>-</td></tr>
 * </table>
 *
 * <p>URI forms ({@code scheme://}) are percent-decoded as UTF-8; raw spaces and non-ASCII characters are
 * accepted too. Paths and {@code remote:path} are taken literally. {@link #toString()} gives the canonical
 * text, which parses back to an equal value. Rejected, with a message naming the input: empty text, leading or
 * trailing whitespace, control characters (also when percent-encoded), {@code ..} segments, malformed escapes,
 * passwords in URIs (masked in the message), an unknown scheme with no remote or plugin of that name, and URIs
 * that name no object.
 */
public final class AssetUri {

    private static final Pattern SECRET_OPTION =
            Pattern.compile(".*(pass|secret|token|credentials).*|key|account_key|key_pem|sas_url");
    private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://(.*)", Pattern.DOTALL);
    /** {@code name://...} where {@code name} is no valid scheme but may be a remote ({@code my_remote://}). */
    private static final Pattern NAMED = Pattern.compile("([^/:]+)://(.*)", Pattern.DOTALL);
    /** An rclone backend name, as in the connection string {@code :s3,provider=Minio:bucket/key}. */
    private static final Pattern BACKEND = Pattern.compile("[A-Za-z0-9_-]+");
    /** rclone's remote names: letters, digits, {@code _ . + @ -} and inner spaces. */
    private static final Pattern REMOTE_NAME = Pattern.compile("[\\p{L}\\p{N}_.+@-](?:[\\p{L}\\p{N}_.+@ -]*[\\p{L}\\p{N}_.+@-])?");

    private final String input;
    private final AssetKind kind;
    private final String scheme;
    private final String authority;
    private final String path;
    private final Path localPath;
    private final RcloneTarget rclone;
    private final String canonical;

    private AssetUri(String input, AssetKind kind, String scheme, String authority, String path,
                     Path localPath, RcloneTarget rclone, String canonical) {
        this.input = input;
        this.kind = kind;
        this.scheme = scheme;
        this.authority = authority;
        this.path = path;
        this.localPath = localPath;
        this.rclone = rclone;
        this.canonical = canonical;
    }

    /** Parses with {@link UriRules#defaults()}. */
    public static AssetUri parse(String text) {
        return parse(text, UriRules.defaults());
    }

    /**
     * Parses and classifies {@code text}.
     *
     * @throws InvalidAssetUriException when the text is none of the accepted forms; the message names it
     */
    public static AssetUri parse(String text, UriRules rules) {
        Objects.requireNonNull(rules, "rules");
        if (text == null) {
            throw new InvalidAssetUriException("", "it is missing (null)");
        }
        if (text.isBlank()) {
            throw new InvalidAssetUriException(text, "it is empty");
        }
        rejectControl(text, text);
        if (!text.equals(text.strip())) {
            // " s3://b/k" would otherwise be a relative local path and "s3://b/k " a key ending in a space:
            // almost always a copy-paste slip, so say so rather than guess.
            throw new InvalidAssetUriException(text, "it starts or ends with whitespace (in a URI, write a space that belongs to the name as %20)");
        }
        var m = SCHEME.matcher(text);
        if (m.matches()) {
            return parseSchemed(text, m.group(1).toLowerCase(Locale.ROOT), m.group(2), rules);
        }
        var n = NAMED.matcher(text);
        if (n.matches() && isRemoteName(n.group(1))) {
            // A remote whose name is no valid scheme (my_remote://a/b) means the same as one whose name is.
            return named(text, n.group(1), n.group(2), rules);
        }
        if (text.startsWith("/")) {
            return local(text, AssetKind.LOCAL_PATH, text);
        }
        int colon = remoteColon(text);
        if (text.startsWith(":") && colon < 0) {
            // Nobody means a relative file named ":x/y"; this is a connection string gone wrong.
            throw new InvalidAssetUriException(text, "expected an rclone connection string :backend[,option=value...]:path"
                    + " (quote values that hold ':' or ',')");
        }
        if (colon > 0) {
            return remote(text, AssetKind.REMOTE, "", text.substring(0, colon + 1), text.substring(colon + 1));
        }
        if (text.contains(":") && !text.contains("/")) {
            // "foo:" with an impossible remote name: neither a path we would guess at nor a remote.
            throw new InvalidAssetUriException(text, "'" + text.substring(0, text.indexOf(':')) + "' is not a valid rclone remote name");
        }
        return local(text, AssetKind.LOCAL_PATH, text);
    }

    /** Whether {@code name} is a valid rclone remote name (without the colon). */
    public static boolean isRemoteName(String name) {
        return name != null && REMOTE_NAME.matcher(name).matches();
    }

    private static AssetUri parseSchemed(String text, String scheme, String rest, UriRules rules) {
        switch (scheme) {
            case "file": {
                // file:///abs/path or file://localhost/abs/path
                String p = rest.regionMatches(true, 0, "localhost/", 0, 10) ? rest.substring("localhost".length()) : rest;
                if (!p.startsWith("/")) {
                    throw new InvalidAssetUriException(text, "a file URI needs an absolute path (file:///abs/path)");
                }
                return local(text, AssetKind.FILE_URI, PercentCodec.decode(text, p));
            }
            case "http":
            case "https":
                return http(text, scheme, rest);
            case "s3":
            case "gcs":
            case "azblob":
                return cloud(text, scheme, rest, rules);
            case "sftp":
                return sftp(text, rest);
            case "rclone": {
                String decoded = PercentCodec.decode(text, rest);
                rejectControl(text, decoded);
                int colon = remoteColon(decoded);
                if (colon <= 0) {
                    throw new InvalidAssetUriException(text, "expected rclone://remote:path");
                }
                return remote(text, AssetKind.RCLONE, scheme, decoded.substring(0, colon + 1), decoded.substring(colon + 1));
            }
            default:
                break;
        }
        return named(text, text.substring(0, text.indexOf(':')), rest, rules);
    }

    /** {@code name://rest} for no built-in scheme: a plugin's scheme, else a configured remote, else an error. */
    private static AssetUri named(String text, String name, String rest, UriRules rules) {
        // Schemes are case-insensitive; rclone remote names are not, so the remote is looked up as typed.
        String scheme = name.toLowerCase(Locale.ROOT);
        if (rules.isPluginScheme(scheme)) {
            return plugin(text, scheme, rest);
        }
        if (rules.isConfiguredRemote(name)) {
            return remote(text, AssetKind.REMOTE, scheme, name + ":", PercentCodec.decode(text, rest));
        }
        throw new InvalidAssetUriException(text, "unknown scheme '" + scheme
                + "': no storage plugin claims it and no rclone remote named '" + name + "' is configured");
    }

    private static AssetUri local(String text, AssetKind kind, String path) {
        rejectControl(text, path);
        rejectDotDot(text, path);
        Path file = filePath(text, path);
        if (kind == AssetKind.FILE_URI) {
            return new AssetUri(text, kind, "file", "", path, file, null,
                    "file://" + PercentCodec.encodePath(path));
        }
        return new AssetUri(text, kind, "", "", path, file, null, path);
    }

    /** The path as this JVM's file system sees it; non-ASCII names need a UTF-8 locale (sun.jnu.encoding). */
    private static Path filePath(String text, String path) {
        try {
            return Path.of(path);
        } catch (java.nio.file.InvalidPathException e) {
            throw new InvalidAssetUriException(text, "not a valid file name here (" + e.getReason()
                    + "; file names with non-ASCII characters need a UTF-8 locale, e.g. LC_ALL=C.UTF-8)");
        }
    }

    private static AssetUri http(String text, String scheme, String rest) {
        // The authority ends at the first '/', '?' or '#' (RFC 3986): http://host?x=1 is host "host".
        int end = 0;
        while (end < rest.length() && "/?#".indexOf(rest.charAt(end)) < 0) {
            end++;
        }
        String host = rest.substring(0, end);
        String pathAndQuery = rest.startsWith("/", end) ? rest.substring(end) : "/" + rest.substring(end);
        int at = host.lastIndexOf('@');
        if (at >= 0) {
            user(text, host.substring(0, at));
        }
        if (host.isEmpty() || at == host.length() - 1) {
            throw new InvalidAssetUriException(text, "an http URL needs a host");
        }
        String pathOnly = pathAndQuery.split("[?#]", 2)[0];
        String decodedPath = PercentCodec.decode(text, pathOnly);
        rejectControl(text, decodedPath);
        rejectDotDot(text, decodedPath);
        // ffmpeg wants a valid URL: escape what a user typed raw (spaces, non-ASCII), keep existing escapes.
        String canonical = scheme + "://" + host + PercentCodec.escapeRaw(pathAndQuery);
        return new AssetUri(text, AssetKind.HTTP, scheme, host, decodedPath, null, null, canonical);
    }

    private static AssetUri cloud(String text, String scheme, String rest, UriRules rules) {
        String container = scheme.equals("azblob") ? "container" : "bucket";
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String key = slash < 0 ? "" : rest.substring(slash + 1);
        bucket = PercentCodec.decode(text, bucket);
        key = PercentCodec.decode(text, key);
        rejectControl(text, bucket + key);
        // A '/' in the bucket (s3://a%2Fb/k) would silently move into the key in rclone's "a/b/k".
        if (bucket.isEmpty() || bucket.contains(" ") || bucket.contains("/")) {
            throw new InvalidAssetUriException(text, "expected " + scheme + "://" + container + "/object, the " + container + " is missing or invalid");
        }
        rejectDotDot(text, key);
        key = withoutDotSegments(key);
        if (key.isEmpty() || key.endsWith("/")) {
            throw new InvalidAssetUriException(text, "it names no object (" + scheme + "://" + container + "/object)");
        }
        String remote = rules.remoteFor(scheme);
        String canonical = scheme + "://" + PercentCodec.encodePath(bucket) + "/" + PercentCodec.encodePath(key);
        return new AssetUri(text, AssetKind.valueOf(scheme.toUpperCase(Locale.ROOT)), scheme, bucket, key, null,
                new RcloneTarget(remote + ":", bucket + "/" + key), canonical);
    }

    private static AssetUri sftp(String text, String rest) {
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String user = "";
        String hostPort = authority;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            user = user(text, authority.substring(0, at));
            hostPort = authority.substring(at + 1);
        }
        String host;
        String port = "";
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw new InvalidAssetUriException(text, "unclosed '[' in the IPv6 host");
            }
            host = hostPort.substring(1, close);
            String after = hostPort.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new InvalidAssetUriException(text, "unexpected '" + after + "' after the host");
                }
                port = after.substring(1);
            }
        } else {
            int colon = hostPort.lastIndexOf(':');
            host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            port = colon < 0 ? "" : hostPort.substring(colon + 1);
            if (host.contains(":")) {
                // sftp://fe80::1/x would otherwise be host "fe80:" port 1.
                throw new InvalidAssetUriException(text, "an IPv6 host goes in brackets (sftp://user@[::1]:22/path)");
            }
        }
        if (host.isEmpty()) {
            throw new InvalidAssetUriException(text, "the sftp host is missing");
        }
        if (!port.isEmpty()) {
            if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw new InvalidAssetUriException(text, "the port '" + port + "' is not a number from 1 to 65535");
            }
            port = String.valueOf(Integer.parseInt(port)); // :022 and :22 are the same connection
        }
        String path = slash < 0 ? "" : PercentCodec.decode(text, rest.substring(slash + 1));
        rejectControl(text, path);
        rejectDotDot(text, path);
        // sftp://h//abs and sftp://h/abs both mean /abs: the root below already ends in '/'.
        path = withoutDotSegments(path).replaceFirst("^/+", "");
        if (path.isEmpty() || path.endsWith("/")) {
            throw new InvalidAssetUriException(text, "it names no file (sftp://user@host[:port]/path)");
        }
        StringBuilder root = new StringBuilder(":sftp,host=").append(connectionValue(host));
        if (!user.isEmpty()) {
            root.append(",user=").append(connectionValue(user));
        }
        if (!port.isEmpty()) {
            root.append(",port=").append(port);
        }
        root.append(":/");
        String canonicalHost = host.contains(":") ? "[" + host + "]" : host;
        String decodedAuthority = (user.isEmpty() ? "" : user + "@") + canonicalHost + (port.isEmpty() ? "" : ":" + port);
        String canonical = "sftp://" + (user.isEmpty() ? "" : PercentCodec.encodePath(user) + "@") + canonicalHost
                + (port.isEmpty() ? "" : ":" + port) + "/" + PercentCodec.encodePath(path);
        return new AssetUri(text, AssetKind.SFTP, "sftp", decodedAuthority, path, null,
                new RcloneTarget(root.toString(), path), canonical);
    }

    /**
     * The decoded user of a URI's {@code userinfo} (which starts right after {@code ://}); rejects a password
     * without repeating it in the message, since messages end up in logs.
     */
    private static String user(String text, String userInfo) {
        int colon = userInfo.indexOf(':');
        if (colon < 0) {
            colon = userInfo.toUpperCase(Locale.ROOT).indexOf("%3A");
        }
        if (colon >= 0) {
            int start = text.indexOf("://") + 3;
            String shown = text.substring(0, start + colon) + ":***" + text.substring(start + userInfo.length());
            throw new InvalidAssetUriException(text, shown,
                    "passwords do not belong in URIs (they end up in logs); use a key, or a remote in rclone.conf (rclone obscure)");
        }
        String user = PercentCodec.decode(text, userInfo);
        rejectControl(text, user);
        return user;
    }

    /** rclone connection-string values that hold {@code , : = " '} must be double-quoted, quotes doubled. */
    private static String connectionValue(String v) {
        if (v.chars().anyMatch(c -> c == ',' || c == ':' || c == '=' || c == '"' || c == '\'')) {
            return '"' + v.replace("\"", "\"\"") + '"';
        }
        return v;
    }

    private static AssetUri remote(String text, AssetKind kind, String scheme, String root, String path) {
        rejectControl(text, path);
        rejectDotDot(text, path);
        if (root.startsWith(":")) {
            rejectInlineSecrets(text, root);
        }
        String r = root;
        String p = withoutDotSegments(path);
        if (p.startsWith("/")) {
            // remote:/abs is absolute on the remote (sftp, local); keep the slash in the root.
            r = root + "/";
            p = p.replaceFirst("^/+", "");
        }
        if (p.isEmpty() || p.endsWith("/")) {
            throw new InvalidAssetUriException(text, "it names no object below the remote '" + root + "'");
        }
        // name:////x must spell its target as name:/x, or it would parse back as name://x (name:x).
        String canonical = kind == AssetKind.RCLONE ? "rclone://" + PercentCodec.encodePath(root + path)
                : kind == AssetKind.REMOTE && !scheme.isEmpty() ? r + p
                : text;
        // path() has one leading slash for a path absolute on the remote, however many were typed.
        return new AssetUri(text, kind, scheme, root.substring(0, root.length() - 1), r.equals(root) ? p : "/" + p, null,
                new RcloneTarget(r, p), canonical);
    }

    private static AssetUri plugin(String text, String scheme, String rest) {
        int slash = rest.indexOf('/');
        String authority = PercentCodec.decode(text, slash < 0 ? rest : rest.substring(0, slash));
        String path = PercentCodec.decode(text, slash < 0 ? "" : rest.substring(slash + 1));
        rejectControl(text, authority + path);
        rejectDotDot(text, path);
        String canonical = scheme + "://" + PercentCodec.encodeSegment(authority) + (slash < 0 ? "" : "/" + PercentCodec.encodePath(path));
        return new AssetUri(text, AssetKind.PLUGIN, scheme, authority, path, null, null, canonical);
    }

    /**
     * An on-the-fly connection string ends up on rclone's command line, which every local user can read in
     * {@code /proc}, and in logs: secrets belong in rclone.conf. Option names that hold secrets across rclone's
     * backends contain pass, secret, token or credentials, or are key / account_key / key_pem / sas_url; paths
     * to secret files ({@code key_file}, {@code service_account_file}) are fine.
     */
    private static void rejectInlineSecrets(String text, String root) {
        String options = root.substring(1, root.length() - 1);
        StringBuilder name = new StringBuilder();
        boolean inName = false;
        char quote = 0;
        for (int i = 0; i <= options.length(); i++) {
            char c = i < options.length() ? options.charAt(i) : ',';
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == ',') {
                inName = true;
                name.setLength(0);
            } else if (c == '=' && inName) {
                String option = name.toString().trim().toLowerCase(Locale.ROOT);
                if (SECRET_OPTION.matcher(option).matches() && !option.endsWith("_file")) {
                    throw new InvalidAssetUriException(text, "the connection string sets the secret option '" + option
                            + "'; put secrets in rclone.conf (or RCLONE_CONFIG_* variables), not in URIs");
                }
                inName = false;
            } else if (inName) {
                name.append(c);
            }
        }
    }

    /**
     * The index of the colon that ends a remote ({@code name:} or {@code :backend,opt="a:b":}) at the start
     * of {@code text}, or -1 when the text does not start with one.
     */
    private static int remoteColon(String text) {
        if (text.startsWith(":")) {
            // On-the-fly connection string :backend[,opt=value...]:path. Values may hold '/' unquoted
            // (key_file=/home/u/.ssh/id), and ':' or ',' when quoted; so skip quoted values, stop at no '/'.
            int nameEnd = 1;
            while (nameEnd < text.length() && text.charAt(nameEnd) != ',' && text.charAt(nameEnd) != ':') {
                nameEnd++;
            }
            if (!BACKEND.matcher(text.substring(1, nameEnd)).matches()) {
                return -1;
            }
            char quote = 0;
            for (int i = nameEnd; i < text.length(); i++) {
                char c = text.charAt(i);
                if (quote != 0) {
                    if (c == quote) {
                        quote = 0;
                    }
                } else if (c == '"' || c == '\'') {
                    quote = c;
                } else if (c == ':') {
                    return i;
                }
            }
            return -1;
        }
        int colon = text.indexOf(':');
        if (colon <= 0) {
            return -1;
        }
        int slash = text.indexOf('/');
        if (slash >= 0 && slash < colon) {
            return -1;
        }
        return isRemoteName(text.substring(0, colon)) ? colon : -1;
    }

    /**
     * Rejects control characters (C0, DEL and C1: U+0085 is a line break too) and unpaired surrogates, which
     * have no UTF-8 form: encoding would silently turn them into '?'.
     */
    private static void rejectControl(String text, String part) {
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (Character.isISOControl(c)) {
                throw new InvalidAssetUriException(text, String.format("it contains the control character U+%04X", (int) c));
            }
            if (Character.isHighSurrogate(c) && i + 1 < part.length() && Character.isLowSurrogate(part.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidAssetUriException(text, String.format("it contains the unpaired surrogate U+%04X", (int) c));
            }
        }
    }

    private static void rejectDotDot(String text, String path) {
        for (String segment : path.split("/", -1)) {
            if (segment.equals("..")) {
                throw new InvalidAssetUriException(text, "'..' path segments are not allowed");
            }
        }
    }

    /**
     * {@code path} without its {@code .} segments: {@code ./x.y4m} is {@code x.y4m}, {@code a/./b} is {@code a/b}, and
     * a last {@code .} leaves the trailing slash of a directory ({@code a/.} is {@code a/}). rclone's VFS, which serves
     * and mounts the remote, has no {@code .} entries: served as typed, {@code media:./x.y4m} would be a path nothing
     * answers for (a 404 from serve http), though the object exists.
     */
    static String withoutDotSegments(String path) {
        if (!path.equals(".") && !path.startsWith("./") && !path.contains("/./") && !path.endsWith("/.")) {
            return path;
        }
        String[] segments = path.split("/", -1);
        StringBuilder b = new StringBuilder(path.length());
        boolean first = true;
        for (int i = 0; i < segments.length; i++) {
            if (segments[i].equals(".")) {
                if (i == segments.length - 1) {
                    b.append(first ? "" : "/"); // "a/." is the directory a/; a lone "." names nothing
                }
                continue;
            }
            if (!first) {
                b.append('/');
            }
            b.append(segments[i]);
            first = false;
        }
        return b.toString();
    }

    /** The text as given. */
    public String input() {
        return input;
    }

    public AssetKind kind() {
        return kind;
    }

    /** The scheme in lower case ({@code s3}, {@code sftp}, a plugin's), or empty for paths and {@code remote:path}. */
    public String scheme() {
        return scheme;
    }

    /** The decoded authority: a bucket, container, {@code user@host:port}, remote name or host; may be empty. */
    public String authority() {
        return authority;
    }

    /** The decoded path: the object key, the path on the remote or the local path. */
    public String path() {
        return path;
    }

    /** The last segment of {@link #path()}, decoded: what tells a {@code .yuv} from a {@code .mp4}. */
    public String fileName() {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    /** The local file, for {@link AssetKind#isLocal() local} kinds. */
    public Optional<Path> localPath() {
        return Optional.ofNullable(localPath);
    }

    /** Where rclone finds the asset, for {@link AssetKind#isRclone() rclone} kinds. */
    public Optional<RcloneTarget> rclone() {
        return Optional.ofNullable(rclone);
    }

    /** The URL ffmpeg opens, for {@link AssetKind#HTTP}. */
    public Optional<String> url() {
        return kind == AssetKind.HTTP ? Optional.of(canonical) : Optional.empty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AssetUri && ((AssetUri) o).kind == kind && ((AssetUri) o).canonical.equals(canonical)
                && Objects.equals(((AssetUri) o).rclone, rclone);
    }

    @Override
    public int hashCode() {
        return canonical.hashCode();
    }

    /** The canonical text: parsing it (with the same rules) gives an equal {@code AssetUri}. */
    @Override
    public String toString() {
        return canonical;
    }
}
