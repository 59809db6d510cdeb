package io.vmafx.distribution;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The files a node run by a test uses, all below {@code root}: its rclone.conf ({@link #config()}, which the test
 * writes), the mount root, the rclone VFS cache and the JVM's temporary directory. {@link #env} points the node
 * at them; {@link #assertClean} checks that a node that exited left nothing there and no rclone running. Every
 * rclone the node starts has {@code --config <root>/rclone.conf} on its command line: that is how the checks
 * tell the node's rclone from anyone else's.
 */
record NodeDirs(Path root) {

    NodeDirs {
        try {
            Files.createDirectories(root.resolve("mounts"));
            Files.createDirectories(root.resolve("cache"));
            Files.createDirectories(root.resolve("tmp"));
        } catch (IOException e) {
            throw new AssertionError("cannot create the node's directories in " + root + ": " + e, e);
        }
    }

    /** The rclone.conf the node is given ({@code VMAFX_RCLONE_CONFIG}); the test writes it. */
    Path config() {
        return root.resolve("rclone.conf");
    }

    Path mounts() {
        return root.resolve("mounts");
    }

    Path cache() {
        return root.resolve("cache");
    }

    Path tmp() {
        return root.resolve("tmp");
    }

    /**
     * {@code VMAFX_RCLONE_CONFIG} ({@link #config()}), {@code VMAFX_STORAGE_MOUNT_ROOT}, {@code VMAFX_CACHE_DIR}, {@code TMPDIR} and the
     * JVM's {@code java.io.tmpdir} (through the launcher's {@code VMAFX_JAVA_OPTS}), plus {@code extra}.
     */
    Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("VMAFX_RCLONE_CONFIG", config().toString());
        env.put("VMAFX_STORAGE_MOUNT_ROOT", mounts().toString());
        env.put("VMAFX_CACHE_DIR", cache().toString());
        env.put("TMPDIR", tmp().toString());
        env.put("VMAFX_JAVA_OPTS", "-Djava.io.tmpdir=" + tmp());
        // rclone 1.60's s3 backend cannot start at all when AWS_CA_BUNDLE is set ("LoadCustomCABundleError: ...
        // unsupported transport, *fshttp.Transport"); sandboxes and CI images often set it. Empty means unset.
        env.put("AWS_CA_BUNDLE", "");
        env.putAll(extra);
        return env;
    }

    /** No rclone with this node's config runs (but {@code servers}), nothing is mounted below root, mounts/ and tmp/ are empty. */
    void assertClean(Set<Long> servers) throws InterruptedException {
        Leftovers.assertNone(config(), root, servers, mounts(), tmp());
    }
}
