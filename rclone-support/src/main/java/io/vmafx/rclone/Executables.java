package io.vmafx.rclone;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;

/**
 * Finds executables the way a shell would, so that availability checks and the command actually run agree:
 * a name with a slash is a path, a bare name is looked up on {@code PATH}.
 */
public final class Executables {

    private Executables() {
    }

    /** The executable regular file {@code command} names, absolute, or empty when there is none. */
    public static Optional<Path> find(String command) {
        return find(command, System.getenv("PATH"));
    }

    /** {@link #find(String)} with an explicit search path (for tests). */
    static Optional<Path> find(String command, String searchPath) {
        if (command == null || command.isBlank()) {
            return Optional.empty();
        }
        try {
            if (command.indexOf('/') >= 0) {
                Path p = Path.of(command).toAbsolutePath();
                return runnable(p) ? Optional.of(p) : Optional.empty();
            }
            for (String dir : (searchPath == null ? "" : searchPath).split(File.pathSeparator)) {
                // An empty PATH entry means the working directory to a shell; a node must not run whatever
                // happens to lie there, so it is skipped.
                if (!dir.isEmpty()) {
                    Path p = Path.of(dir, command).toAbsolutePath();
                    if (runnable(p)) {
                        return Optional.of(p);
                    }
                }
            }
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static boolean runnable(Path p) {
        if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
            return false;
        }
        // For root, access(X_OK) can succeed on a file nobody may execute; exec would then fail with EACCES.
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            return perms.contains(PosixFilePermission.OWNER_EXECUTE) || perms.contains(PosixFilePermission.GROUP_EXECUTE)
                    || perms.contains(PosixFilePermission.OTHERS_EXECUTE);
        } catch (IOException | UnsupportedOperationException e) {
            return true; // no POSIX view: trust isExecutable
        }
    }
}
