package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The node distributions this module's build makes ({@code vmafx-dist assemble full minimal} in
 * {@code process-test-classes}), unpacked with the system {@code tar}, and the vmafx-dist tool itself.
 */
final class Images {

    static final Path TARGET = Node.ROOT.resolve("distribution/target");
    static final Path DIST = TARGET.resolve("dist");
    /** {@code distribution/bin/vmafx-dist}: the tool as users run it. */
    static final Path TOOL = Node.ROOT.resolve("distribution/bin/vmafx-dist");

    private Images() {
    }

    /** {@code distribution/target/dist/vmafx-node-<name>-<version>.tar.gz}: the only one of that name. */
    static Path tarball(String name) throws IOException {
        List<Path> found;
        try (var s = Files.list(DIST)) {
            found = s.filter(p -> p.getFileName().toString().matches("vmafx-node-" + name + "-[^-].*\\.tar\\.gz")).toList();
        }
        assertEquals(1, found.size(), () -> "one " + name + " tarball in " + DIST + ": " + found + " (did process-test-classes run vmafx-dist?)");
        return found.get(0);
    }

    /** The directory inside a tarball: its name without {@code .tar.gz}. */
    static String prefix(Path tarball) {
        return tarball.getFileName().toString().replaceFirst("\\.tar\\.gz$", "");
    }

    /** Unpacks {@code tarball} with the system tar into {@code into}; returns the image directory. */
    static Path unpack(Path tarball, Path into) throws IOException {
        Files.createDirectories(into);
        Node.Result r = Node.exec(List.of("tar", "-xzf", tarball.toString(), "-C", into.toString()), Map.of(), into);
        assertEquals(0, r.exit(), r::toString);
        Path image = into.resolve(prefix(tarball));
        assertTrue(Files.isExecutable(image.resolve("bin/vmafx-node")), () -> "no executable bin/vmafx-node in " + image);
        return image;
    }

    /**
     * Runs {@code launcher args} in {@code dir}, with the scorer ({@code VMAFX_FFPROBE}: an image carries none, it is
     * installed beside it as {@code tools/ffprobe} or named) and {@code env}.
     */
    static Node.Result node(Path launcher, Map<String, String> env, Path dir, String... args) {
        Map<String, String> all = new HashMap<>();
        all.put("VMAFX_FFPROBE", Clips.ffprobe());
        all.putAll(env);
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        return Node.exec(command, all, dir);
    }

    /** Runs {@code distribution/bin/vmafx-dist args} in {@code dir}. */
    static Node.Result tool(Path dir, String... args) {
        if (!Files.isExecutable(TOOL)) {
            fail("no executable " + TOOL);
        }
        List<String> command = new ArrayList<>(List.of(TOOL.toString()));
        command.addAll(List.of(args));
        return Node.exec(command, Map.of(), dir);
    }

    /** The modules {@code image/bin/java --list-modules} lists, without versions. */
    static List<String> modules(Path image) {
        Node.Result r = Node.exec(List.of(image.resolve("bin/java").toString(), "--list-modules"), Map.of(), image);
        assertEquals(0, r.exit(), r::toString);
        return r.stdout().lines().map(l -> l.replaceFirst("@.*", "")).sorted().toList();
    }
}
