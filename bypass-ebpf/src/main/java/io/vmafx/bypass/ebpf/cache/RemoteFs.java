package io.vmafx.bypass.ebpf.cache;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The rclone file system a remote root opens as, named the way rclone's VFS cache names its directories: the cache
 * of a mount of {@code <root>} lives in {@code <cacheDir>/vfs/<name>/<fsRoot>} (data) and
 * {@code <cacheDir>/vfsMeta/<name>/<fsRoot>} (metadata), rclone's {@code fs.Name()} and {@code fs.Root()} of
 * the backend the root opens (found by experiment with rclone 1.60.1, see {@code CacheLayoutTest}):
 *
 * <table>
 * <caption>remote root → cache directory below {@code vfs/}</caption>
 * <tr><td>{@code disk:} (type local) + {@code /srv/a/}</td><td>{@code disk/srv/a}</td></tr>
 * <tr><td>{@code media:} (alias of {@code /srv/a})</td><td>{@code local/srv/a}: an alias opens its target, named
 * after the target's remote ({@code local} for a plain path)</td></tr>
 * <tr><td>{@code m2:} (alias of {@code disk:/srv/a/dir})</td><td>{@code disk/srv/a/dir}</td></tr>
 * <tr><td>{@code :local:/srv/a/}</td><td>{@code :local/srv/a}</td></tr>
 * <tr><td>{@code :local,case_insensitive=false:/srv/a/}</td><td>{@code :local{gDIhX}/srv/a}: options set on the
 * command line, in a connection string or in {@code RCLONE_<BACKEND>_<OPTION>} variables add a suffix of 5
 * characters of a hash of them</td></tr>
 * <tr><td>{@code s3:} + {@code bucket/key}</td><td>{@code s3/bucket/key}</td></tr>
 * </table>
 *
 * <p>Which is why it is not computed here but read from rclone, see {@link #fromConfigString}.
 *
 * @param name the backend's name, suffix included ({@code local}, {@code disk}, {@code :sftp{AbCdE}})
 * @param root its root, a slash-separated path without a trailing slash, absolute for local paths
 */
public record RemoteFs(String name, String root) {

    public RemoteFs {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(root, "root");
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("not a usable rclone file system name: '" + name + "'");
        }
        for (String segment : root.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("not a clean rclone root: '" + root + "'");
            }
        }
    }

    /**
     * The file system of rclone's canonical config string for it ({@code fs.ConfigString}): {@code name:root}, or
     * only the root for the local backend named {@code local}. A name never holds {@code :} except the leading one
     * of an on-the-fly remote ({@code :local{gDIhX}:/srv/a}).
     */
    static RemoteFs fromConfigString(String s) {
        if (s.startsWith("/")) {
            return new RemoteFs("local", s);
        }
        int colon = s.indexOf(':', s.startsWith(":") ? 1 : 0);
        if (colon <= 0) {
            throw new IllegalArgumentException("not an rclone config string: '" + s + "'");
        }
        return new RemoteFs(s.substring(0, colon), s.substring(colon + 1));
    }

    /** {@code <cacheDir>/vfs/<name>/<root>}: where rclone keeps the data of this file system's files. */
    public Path dataDir(Path cacheDir) {
        return below(cacheDir.resolve("vfs").resolve(name));
    }

    /** {@code <cacheDir>/vfsMeta/<name>/<root>}: where rclone keeps their metadata. */
    public Path metaDir(Path cacheDir) {
        return below(cacheDir.resolve("vfsMeta").resolve(name));
    }

    private Path below(Path base) {
        Path p = base;
        for (String segment : root.split("/")) {
            if (!segment.isEmpty()) {
                p = p.resolve(segment);
            }
        }
        return p;
    }

    @Override
    public String toString() {
        return name + ":" + root;
    }
}
