package io.vmafx.api.uri;

import java.util.Objects;

/**
 * Where rclone finds an asset: a remote root ({@code s3:}, {@code media:}, {@code :sftp,host=h,user=u,port=22:/})
 * and the asset's path below it ({@code bucket/key.mp4}), decoded, never starting with {@code /}.
 *
 * <p>Storage providers pool one rclone process per {@link #root()} and address the asset by {@link #path()}.
 *
 * @param root the remote root, ending in {@code :} or {@code /}
 * @param path the path below the root, without a leading slash
 */
public record RcloneTarget(String root, String path) {

    public RcloneTarget {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(path, "path");
        if (!(root.endsWith(":") || root.endsWith("/"))) {
            throw new IllegalArgumentException("an rclone root ends in ':' or '/': " + root);
        }
        if (path.startsWith("/")) {
            throw new IllegalArgumentException("an rclone path below a root has no leading '/': " + path);
        }
    }

    /** The {@code remote:path} string rclone's commands take. */
    public String remotePath() {
        return root + path;
    }

    @Override
    public String toString() {
        return remotePath();
    }
}
