package io.vmafx.storage.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What the mount tests look at in the kernel's mount table and the mount root. */
final class MountChecks {

    private MountChecks() {
    }

    /** The fuse.rclone mounts this process sees below {@code dir}. */
    static List<String> rcloneMountsUnder(Path dir) throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/mountinfo"))) {
            return lines.filter(l -> l.contains(" - fuse.rclone ")).filter(l -> l.split(" ")[4].startsWith(dir.toString())).toList();
        }
    }

    /** The entries below {@code mountRoot} (the root itself may stay). */
    static List<Path> underMountRoot(Path mountRoot) throws IOException {
        if (!Files.isDirectory(mountRoot)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(mountRoot)) {
            return entries.toList();
        }
    }
}
