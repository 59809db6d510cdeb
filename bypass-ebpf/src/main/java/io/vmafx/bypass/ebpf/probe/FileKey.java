package io.vmafx.bypass.ebpf.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file as stat(2) names it, which is how the probe keys its per-file counters: {@code st_dev} (glibc's
 * {@code makedev} encoding, what {@code Files.getAttribute(p, "unix:dev")} returns) and {@code st_ino}.
 *
 * @param dev st_dev
 * @param ino st_ino
 */
public record FileKey(long dev, long ino) {

    /** The key of {@code path} (symbolic links followed), by stat. */
    public static FileKey of(Path path) throws IOException {
        long dev = ((Number) Files.getAttribute(path, "unix:dev")).longValue();
        long ino = ((Number) Files.getAttribute(path, "unix:ino")).longValue();
        return new FileKey(dev, ino);
    }

    /** The device's major number (glibc's {@code major()}). */
    public long major() {
        return ((dev >>> 8) & 0xfffL) | ((dev >>> 32) & 0xfffff000L);
    }

    /** The device's minor number (glibc's {@code minor()}). */
    public long minor() {
        return (dev & 0xffL) | ((dev >>> 12) & 0xffffff00L);
    }

    /** {@code major:minor/inode}. */
    @Override
    public String toString() {
        return major() + ":" + minor() + "/" + Long.toUnsignedString(ino);
    }
}
