package io.vmafx.storage.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where the mount of a remote root goes, and taking that directory away again without ever deleting
 * anything that might be on a mount.
 *
 * <p>The name is {@code <first 16 hex digits of sha-256(root)>-<hint>}: the hash keeps roots that sanitize
 * alike apart ({@code a:b} and {@code a_b:}) and out of reach of path tricks, the hint lets an operator tell
 * mounts apart in {@code mount} output.
 */
final class MountPoints {

    private static final System.Logger LOG = System.getLogger(MountPoints.class.getName());
    private static final int HINT_LENGTH = 40;
    /** {@code ,name=value} in an rclone connection string where the name looks like a credential. */
    private static final Pattern SECRET_OPTION = Pattern.compile(
            "([,:])([A-Za-z_]*(?:pass|secret|token|key|sas|credential|auth)[A-Za-z_]*)=(\"(?:[^\"]|\"\")*\"|'[^']*'|[^,:]*)",
            Pattern.CASE_INSENSITIVE);

    private MountPoints() {
    }

    /** The mount point for {@code remoteRoot} below {@code mountRoot}. */
    static Path dirFor(Path mountRoot, String remoteRoot) {
        return mountRoot.resolve(name(remoteRoot));
    }

    static String name(String remoteRoot) {
        // Mount points are listable by every user: options that look secret (a connection string may carry
        // secret_access_key=...) give their name to the hint, never their value.
        String visible = SECRET_OPTION.matcher(remoteRoot).replaceAll("$1$2");
        String hint = visible.replaceAll("[^A-Za-z0-9._-]+", "_").replaceAll("^[_.]+|[_.]+$", "");
        if (hint.length() > HINT_LENGTH) {
            hint = hint.substring(0, HINT_LENGTH);
        }
        return sha256(remoteRoot).substring(0, 16) + "-" + (hint.isEmpty() ? "remote" : hint);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Whether {@code dir} has no entries (a missing directory counts as empty). */
    static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (NoSuchFileException e) {
            return true;
        }
    }

    /**
     * Deletes the directory {@code dir} itself, only when it is no mount point (per {@code /proc/self/mountinfo})
     * and empty; never anything inside it. Otherwise logs why it stays.
     *
     * @return whether the directory is gone
     */
    static boolean removeIfUnmountedAndEmpty(Path dir) {
        if (MountTable.isMounted(dir)) {
            LOG.log(System.Logger.Level.WARNING, "mount: " + dir + " is still a mount point; leaving it");
            return false;
        }
        try {
            Files.delete(dir); // a plain rmdir: fails on a non-empty directory, deletes nothing below
            return true;
        } catch (NoSuchFileException e) {
            return true;
        } catch (DirectoryNotEmptyException e) {
            LOG.log(System.Logger.Level.WARNING, "mount: " + dir + " is not empty; leaving it");
            return false;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "mount: cannot remove " + dir + ": " + e);
            return false;
        }
    }
}
