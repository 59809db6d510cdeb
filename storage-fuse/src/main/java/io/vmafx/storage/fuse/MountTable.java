package io.vmafx.storage.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mounts this process sees, from {@code /proc/self/mountinfo}: how the provider knows that an
 * {@code rclone mount} is up, and that a directory is no mount point any more before it removes it.
 */
final class MountTable {

    static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    /**
     * One row: where it is mounted, what ({@code fuse.rclone}), and the device number of its root, {@code st_dev}
     * as {@code major:minor} (for FUSE, major 0 and minor the connection's number in {@code /sys/fs/fuse/connections}).
     */
    record Mount(Path mountPoint, String fsType, String source, String device) {

        /** The minor device number, or -1 when the row's {@code major:minor} cannot be read. */
        long minor() {
            int colon = device.indexOf(':');
            try {
                return colon < 0 ? -1 : Long.parseLong(device.substring(colon + 1));
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        /** The major device number, or -1. */
        long major() {
            int colon = device.indexOf(':');
            try {
                return colon < 0 ? -1 : Long.parseLong(device.substring(0, colon));
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    private MountTable() {
    }

    /**
     * The mount at {@code dir} (the last one, should several be stacked there).
     *
     * @throws IOException when the table cannot be read: callers must then assume it is mounted
     */
    static Optional<Mount> at(Path dir) throws IOException {
        Mount found = null;
        for (Mount m : read()) {
            if (m.mountPoint().equals(dir)) {
                found = m;
            }
        }
        return Optional.ofNullable(found);
    }

    /** Whether {@code dir} is a mount point; {@code true} when that cannot be told (the safe answer). */
    static boolean isMounted(Path dir) {
        try {
            return at(dir).isPresent();
        } catch (IOException e) {
            return true;
        }
    }

    static List<Mount> read() throws IOException {
        List<Mount> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(MOUNTINFO)) {
            parse(line).ifPresent(mounts::add);
        }
        return mounts;
    }

    /**
     * One mountinfo line: {@code id parent major:minor root mount-point options [optional...] - fstype source
     * super-options}; the mount point and source are octal-escaped ({@code \040} for a space).
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
        if (f.length < 7 || dash < 0 || dash + 2 >= f.length) {
            return Optional.empty();
        }
        return Optional.of(new Mount(Path.of(unescape(f[4])), f[dash + 1], unescape(f[dash + 2]), f[2]));
    }

    /** Undoes the kernel's {@code \ooo} escapes of space, tab, newline and backslash. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
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
