package io.vmafx.core.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The mounts this process sees, from {@code /proc/self/mountinfo}: enough to tell what a scratch directory still has mounted. */
final class MountInfo {

    static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    /** One mount: where, what file system type, and its source ({@code fuse.rclone} shows the remote's path). */
    record Mount(Path mountPoint, String fsType, String source) {
    }

    private MountInfo() {
    }

    /** Every mount; empty when the table cannot be read (not Linux). */
    static List<Mount> read() {
        List<Mount> mounts = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(MOUNTINFO)) {
                parse(line).ifPresent(mounts::add);
            }
        } catch (IOException | RuntimeException e) {
            // No table: nothing can be said to be mounted.
        }
        return mounts;
    }

    /**
     * One line of mountinfo: {@code id parent major:minor root mountpoint options [optional...] - fstype source superoptions},
     * with spaces, tabs, newlines and backslashes in paths written as octal escapes ({@code \040}).
     */
    static Optional<Mount> parse(String line) {
        String[] f = line.split(" ");
        int dash = -1;
        for (int i = 6; i < f.length; i++) {
            if (f[i].equals("-")) {
                dash = i;
                break;
            }
        }
        if (f.length < 5 || dash < 0 || dash + 2 >= f.length) {
            return Optional.empty();
        }
        return Optional.of(new Mount(Path.of(unescape(f[4])), f[dash + 1], unescape(f[dash + 2])));
    }

    static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
