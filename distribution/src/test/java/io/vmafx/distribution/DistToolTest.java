package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code distribution/bin/vmafx-dist} as users run it: module sets it refuses (one line each, exit 2, nothing
 * written), reproducible assemblies, and archives of trees with what jlink images may lack (long and non-ASCII
 * names, symlinks, odd modes) read back by the system {@code tar}.
 */
class DistToolTest {

    static final String KNOWN = "(known: vmafx-core, storage-local, storage-httpserve, storage-fuse, bypass-ebpf, vmafx-api, rclone-support; or a preset: full, minimal)";

    @TempDir
    Path tmp;

    @Test
    void refusesUnknownModulesAndSetsThatCannotWorkWithOneLineAndWritesNothing() throws IOException {
        Map<String, String> cases = new TreeMap<>(Map.of(
                "storage-s3", "vmafx-dist: unknown module 'storage-s3' " + KNOWN,
                "vmafx-core,storage-local,,storage-fuse", "vmafx-dist: empty module name in 'vmafx-core,storage-local,,storage-fuse'",
                "vmafx-core,storage-local,bypass-ebpf", "vmafx-dist: module set vmafx-core,storage-local,bypass-ebpf cannot work:"
                        + " bypass-ebpf needs storage-fuse or storage-httpserve (the bypass serves only inputs read through an rclone VFS cache)",
                "storage-local,storage-httpserve", "vmafx-dist: module set storage-local,storage-httpserve cannot work:"
                        + " vmafx-core is missing (it is the node itself)",
                "vmafx-core,storage-fuse", "vmafx-dist: module set vmafx-core,storage-fuse cannot work: storage-local is missing"
                        + " (local paths and file:// inputs always go to it)"));
        Path images = tmp.resolve("images");
        Path dist = tmp.resolve("dist");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Node.Result r = Images.tool(tmp, "assemble", "--images", images.toString(), "--dist", dist.toString(), "minimal", c.getKey());
            assertEquals(c.getValue(), r.failsWith(2), c::getKey);
            assertEquals("", r.stdout(), "every set is checked before anything is built");
            Node.Result check = Images.tool(tmp, "check", c.getKey());
            assertEquals(c.getValue(), check.failsWith(2), c::getKey);
        }
        assertFalse(Files.exists(images));
        assertFalse(Files.exists(dist));

        Node.Result ok = Images.tool(tmp, "check", "full", "vmafx-core,storage-local,storage-fuse,bypass-ebpf",
                "vmafx-core,storage-local,storage-httpserve,bypass-ebpf", "storage-local,vmafx-core,vmafx-api");
        assertEquals(0, ok.exit(), ok::toString);
        assertEquals("""
                full: vmafx-core,storage-local,storage-httpserve,storage-fuse,bypass-ebpf (jlink --add-modules io.vmafx.core,io.vmafx.storage.local,io.vmafx.storage.httpserve,io.vmafx.storage.fuse,io.vmafx.bypass.ebpf)
                custom: vmafx-core,storage-local,storage-fuse,bypass-ebpf (jlink --add-modules io.vmafx.core,io.vmafx.storage.local,io.vmafx.storage.fuse,io.vmafx.bypass.ebpf)
                custom: vmafx-core,storage-local,storage-httpserve,bypass-ebpf (jlink --add-modules io.vmafx.core,io.vmafx.storage.local,io.vmafx.storage.httpserve,io.vmafx.bypass.ebpf)
                custom: vmafx-core,storage-local,vmafx-api (jlink --add-modules io.vmafx.core,io.vmafx.storage.local)
                """, ok.stdout());
    }

    @Test
    void refusesAnAutomaticModuleAndAMissingModuleNamingTheJar() throws IOException {
        Path mods = copyModules(tmp.resolve("mods"));
        Path local;
        try (Stream<Path> s = Files.list(mods)) {
            local = s.filter(p -> p.getFileName().toString().startsWith("storage-local-")).findFirst().orElseThrow();
        }
        Files.delete(local);
        Node.Result missing = Images.tool(tmp, "assemble", "--modules-dir", mods.toString(), "--images", tmp.resolve("i").toString(),
                "--dist", tmp.resolve("d").toString(), "minimal");
        assertEquals("vmafx-dist: --modules-dir " + mods + ": no module io.vmafx.storage.local (storage-local) in it", missing.failsWith(2));

        // A plain jar that claims the module's name in its manifest: an automatic module.
        Path manifest = Files.writeString(tmp.resolve("MANIFEST.MF"), "Manifest-Version: 1.0\nAutomatic-Module-Name: io.vmafx.storage.local\n");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(empty.resolve("README.txt"), "no classes\n");
        Path automatic = mods.resolve("storage-local-automatic.jar");
        // The only automatic jar in the directory, so that the refusal can name no other (the JDBC driver the
        // PostgreSQL job store runs with is one too, and a directory lists in no set order).
        try (Stream<Path> s = Files.list(mods)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("postgresql-")).toList()) {
                Files.delete(p);
            }
        }
        java.util.spi.ToolProvider jar = java.util.spi.ToolProvider.findFirst("jar").orElseThrow();
        assertEquals(0, jar.run(System.out, System.err, "--create", "--file", automatic.toString(), "--manifest", manifest.toString(),
                "-C", empty.toString(), "."));
        Node.Result auto = Images.tool(tmp, "assemble", "--modules-dir", mods.toString(), "--images", tmp.resolve("i").toString(),
                "--dist", tmp.resolve("d").toString(), "minimal");
        assertEquals("vmafx-dist: " + automatic + " is an automatic module (no module-info.class): only explicit modules go into a node image",
                auto.failsWith(2));
        assertFalse(Files.exists(tmp.resolve("i")));
    }

    @Test
    void twoAssembliesOfTheSameModuleSetAreByteIdentical() throws IOException {
        // Different working directories, output directories and input file times; the same jars.
        Path mods1 = copyModules(tmp.resolve("a/mods"));
        Path mods2 = copyModules(tmp.resolve("b/mods"));
        try (Stream<Path> s = Files.list(mods2)) {
            for (Path p : s.toList()) {
                Files.setLastModifiedTime(p, FileTime.from(Instant.parse("2030-06-01T12:00:00Z")));
            }
        }
        // No CDS archive: the JDK 17 class data dump is not byte-reproducible (see README); everything else is.
        String set = "vmafx-core,storage-local,storage-httpserve";
        Node.Result one = Images.tool(Files.createDirectories(tmp.resolve("a/cwd")), "assemble", "--no-cds", "--version", "9.9",
                "--modules-dir", mods1.toString(), "--images", tmp.resolve("a/images").toString(), "--dist", tmp.resolve("a/dist").toString(), set);
        assertEquals(0, one.exit(), one::toString);
        Node.Result two = Images.tool(Files.createDirectories(tmp.resolve("b/cwd")), "assemble", "--no-cds", "--version", "9.9",
                "--modules-dir", mods2.toString(), "--images", tmp.resolve("b/images").toString(), "--dist", tmp.resolve("b/dist").toString(), set);
        assertEquals(0, two.exit(), two::toString);
        assertTrue(two.stdout().contains("image minimal (vmafx-core,storage-local,storage-httpserve) built in"), "built again, not reused: " + two);

        Path a = tmp.resolve("a/dist/vmafx-node-minimal-9.9.tar.gz");
        Path b = tmp.resolve("b/dist/vmafx-node-minimal-9.9.tar.gz");
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "the same module set gives the same bytes");
        assertEquals(Files.readString(Path.of(a + ".sha256")), Files.readString(Path.of(b + ".sha256")));
        assertEquals(ImagesTest.sha256(a) + "  vmafx-node-minimal-9.9.tar.gz\n", Files.readString(Path.of(a + ".sha256")));
        assertFalse(Files.exists(tmp.resolve("a/images/minimal/lib/server/classes.jsa")), "--no-cds");
        try (Stream<Path> s = Files.list(tmp.resolve("a/images"))) {
            assertEquals(List.of("minimal"), s.map(p -> p.getFileName().toString()).toList(), "no work directories left");
        }
    }

    @Test
    void archiveKeepsModesSymlinksLongAndNonAsciiNamesAndIsReproducible() throws IOException {
        Path tree = tmp.resolve("tree");
        String longDir = "d".repeat(60) + "/" + "e".repeat(60) + "/" + "f".repeat(60);
        String longName = longDir + "/" + "a-file-name-that-is-long-too-".repeat(4) + ".txt";
        Files.createDirectories(tree.resolve(longDir));
        Files.writeString(tree.resolve(longName), "long\n");
        Files.createDirectories(tree.resolve("bin"));
        Path run = Files.writeString(tree.resolve("bin/run"), "#!/bin/sh\necho run\n");
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path secret = Files.writeString(tree.resolve("bin/secret.conf"), "k=v\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r-----"));
        Files.writeString(tree.resolve("Ärger und Überraschung.txt"), "ü\n", StandardCharsets.UTF_8);
        Files.createSymbolicLink(tree.resolve("bin/alias"), Path.of("run"));
        Files.createSymbolicLink(tree.resolve("link-to-long"), Path.of(longName));
        Files.createDirectories(tree.resolve("empty"));

        Path one = tmp.resolve("out1/x.tar.gz");
        Node.Result r1 = Images.tool(tmp, "archive", "--prefix", "x-1.0", tree.toString(), one.toString());
        assertEquals(0, r1.exit(), r1::toString);
        assertEquals(ImagesTest.sha256(one) + "  " + one + "\n", r1.stdout());

        // Other times on every input, from another directory: the same bytes.
        try (Stream<Path> s = Files.walk(tree)) {
            for (Path p : s.toList()) {
                if (!Files.isSymbolicLink(p)) {
                    Files.setLastModifiedTime(p, FileTime.from(Instant.parse("2031-02-03T04:05:06Z")));
                }
            }
        }
        Path two = tmp.resolve("out2/x.tar.gz");
        Node.Result r2 = Images.tool(Files.createDirectories(tmp.resolve("elsewhere")), "archive", "--prefix", "x-1.0", tree.toString(), two.toString());
        assertEquals(0, r2.exit(), r2::toString);
        assertArrayEquals(Files.readAllBytes(one), Files.readAllBytes(two));

        Map<String, TarArchiveEntry> entries = ImagesTest.entries(one);
        assertTrue(entries.containsKey("x-1.0/" + longName), () -> entries.keySet().toString());
        assertTrue(entries.get("x-1.0/bin/alias").isSymbolicLink());
        assertEquals("run", entries.get("x-1.0/bin/alias").getLinkName());
        assertEquals(0640, entries.get("x-1.0/bin/secret.conf").getMode() & 07777);

        // The system tar reads it back as it was.
        Path out = Files.createDirectories(tmp.resolve("unpacked"));
        Node.Result untar = Node.exec(List.of("tar", "-xzf", one.toString(), "-C", out.toString()), Map.of("LC_ALL", "C.UTF-8"), out);
        assertEquals(0, untar.exit(), untar::toString);
        Path back = out.resolve("x-1.0");
        assertEquals(describe(tree), describe(back));
        assertEquals("long\n", Files.readString(back.resolve("link-to-long")));
        Node.Result listing = Node.exec(List.of("tar", "-tvzf", one.toString()), Map.of("LC_ALL", "C.UTF-8", "TZ", "UTC"), out);
        assertTrue(listing.stdout().lines().allMatch(l -> l.contains(" root/root ") && l.contains(" 2026-01-01 00:00 ")), listing::toString);
    }

    @Test
    void badCommandLinesAreOneLine() {
        assertEquals("vmafx-dist: unknown command 'build' (assemble, check, archive, report; --help)", Images.tool(tmp, "build").failsWith(2));
        assertEquals("vmafx-dist: assemble needs at least one SET (full, minimal, or modules joined by commas)",
                Images.tool(tmp, "assemble").failsWith(2));
        assertEquals("vmafx-dist: --mtime 'yesterday': expected an ISO-8601 time such as 2026-01-01T00:00:00Z or epoch seconds",
                Images.tool(tmp, "archive", "--mtime", "yesterday", tmp.toString(), tmp.resolve("../x.tar.gz").toString()).failsWith(2));
        assertEquals("vmafx-dist: cannot archive " + tmp.resolve("nope") + ": not a directory",
                Images.tool(tmp, "archive", tmp.resolve("nope").toString(), tmp.resolve("x.tar.gz").toString()).failsWith(2));
        assertEquals("vmafx-dist: --runs 'many': expected a whole number from 1 to 1000", Images.tool(tmp, "report", "--runs", "many").failsWith(2));
        assertEquals("vmafx-dist: " + tmp + ": not a node image (no executable bin/vmafx-node)",
                Images.tool(tmp, "report", "--runs", "1", tmp.toString()).failsWith(2));
    }

    @Test
    void reportGivesEachImagesSizeAndLaunchTimesWithAndWithoutItsCdsArchive() throws IOException {
        Path minimal = Images.unpack(Images.tarball("minimal"), tmp.resolve("unpacked"));
        long bytes = 0;
        try (Stream<Path> s = Files.walk(minimal)) {
            for (Path p : s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                bytes += (Files.size(p) + 4095) / 4096 * 4096;
            }
        }
        Node.Result r = Images.tool(tmp, "report", "--runs", "2", minimal.toString());
        assertEquals(0, r.exit(), r::toString);
        List<String> lines = r.stdout().lines().toList();
        assertEquals(4, lines.size(), r::toString);
        String name = minimal.getFileName().toString();
        String size = String.format(java.util.Locale.ROOT, "%.1f %9.1f", bytes / 1e6, bytes / 1048576.0);
        assertTrue(lines.get(1).matches(java.util.regex.Pattern.quote(name) + "\\s+" + java.util.regex.Pattern.quote(size)
                + "  on\\s+\\d+ / \\d+\\s+\\d+ / \\d+\\s*"), r::toString);
        assertTrue(lines.get(2).matches(java.util.regex.Pattern.quote(name) + "\\s+" + java.util.regex.Pattern.quote(size)
                + "  off \\(-Xshare\\)\\s+\\d+ / \\d+\\s+\\d+ / \\d+\\s*"), r::toString);
        assertEquals("(2 runs of bin/vmafx-node providers each, after one warm-up; size: files in 4 KiB blocks)", lines.get(3));
    }

    // ---- helpers

    /** Every path below {@code root}: its type, permission bits, and content or link target. */
    private static List<String> describe(Path root) throws IOException {
        List<String> d = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted().toList()) {
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    d.add(rel + " -> " + Files.readSymbolicLink(p));
                } else {
                    String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                    d.add(rel + " " + perms + (Files.isDirectory(p) ? " dir" : " " + Files.readString(p, StandardCharsets.UTF_8)));
                }
            }
        }
        return d;
    }

    /** A copy of the node's module jars. */
    private static Path copyModules(Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(Node.MODULES)) {
            for (Path jar : s.filter(p -> p.toString().endsWith(".jar")).toList()) {
                Files.copy(jar, to.resolve(jar.getFileName()));
            }
        }
        return to;
    }
}
