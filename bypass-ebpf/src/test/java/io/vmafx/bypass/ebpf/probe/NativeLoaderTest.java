package io.vmafx.bypass.ebpf.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Extraction and the loader's messages (loading itself: ProbeFallbackTest, in child JVMs). */
class NativeLoaderTest {

    private Path work;

    @BeforeEach
    void setUp() throws IOException {
        work = Files.createTempDirectory("vmafx-loader-");
    }

    @AfterEach
    void tearDown() {
        TestSystem.deleteTree(work);
    }

    @Test
    void platformOfEachArchitecture() throws Exception {
        assertEquals("linux-x86_64", NativeLoader.platform("Linux", "amd64"));
        assertEquals("linux-x86_64", NativeLoader.platform("Linux", "x86_64"));
        assertEquals("linux-aarch64", NativeLoader.platform("Linux", "aarch64"));
        NativeLoader.LoadException e = assertThrows(NativeLoader.LoadException.class, () -> NativeLoader.platform("Linux", "ppc64le"));
        System.out.println("[probe tests] ppc64le: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("no native library for linux-ppc64le in the jar (it has linux-x86_64, linux-aarch64)"),
                e.getMessage());
        e = assertThrows(NativeLoader.LoadException.class, () -> NativeLoader.platform("Mac OS X", "aarch64"));
        assertEquals("the eBPF probe runs on Linux only, not on Mac OS X", e.getMessage());
    }

    @Test
    void extractsIntoAPrivateDirectoryByContentHashAndReusesAnIdenticalCopy() throws Exception {
        Path dir = work.resolve("lib");
        Path f = NativeLoader.extract(dir, "linux-x86_64");
        byte[] expected = NativeLoader.libraryBytes("linux-x86_64");
        String hash = NativeLoader.sha256(expected);
        assertEquals("libvmafx_bypass_ebpf-" + hash.substring(0, 16) + ".so", f.getFileName().toString());
        assertEquals(dir, f.getParent());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertArrayEquals(expected, Files.readAllBytes(f));
        assertEquals(List.of(f), listing(dir), "no temporary file left");

        FileTime before = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(f, before);
        assertEquals(f, NativeLoader.extract(dir, "linux-x86_64"));
        assertEquals(before, Files.getLastModifiedTime(f), "an identical copy is reused, not rewritten");

        Files.write(f, new byte[] {1, 2, 3}); // damaged (or another build with a colliding prefix): replaced
        assertEquals(f, NativeLoader.extract(dir, "linux-x86_64"));
        assertArrayEquals(expected, Files.readAllBytes(f));

        Path other = NativeLoader.extract(dir, "linux-aarch64");
        assertNotEquals(f, other, "another library, another name");
    }

    @Test
    void tightensTheModeOfItsOwnDirectory() throws Exception {
        Path dir = Files.createDirectory(work.resolve("loose"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        NativeLoader.privateDirectory(dir);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    }

    @Test
    void refusesADirectoryOfAnotherUser() throws Exception {
        TestSystem.require(TestSystem.isRoot(), "giving a directory to another user needs root");
        Path dir = Files.createDirectory(work.resolve("theirs"));
        Files.setAttribute(dir, "unix:uid", 65534);
        NativeLoader.LoadException e = assertThrows(NativeLoader.LoadException.class, () -> NativeLoader.privateDirectory(dir));
        System.out.println("[probe tests] foreign directory: " + e.getMessage());
        assertTrue(e.getMessage().contains("belongs to uid 65534, not to this user (uid 0)"), e.getMessage());
    }

    @Test
    void refusesASymbolicLinkAsTheDirectory() throws Exception {
        Path target = Files.createDirectory(work.resolve("real"));
        Path link = Files.createSymbolicLink(work.resolve("link"), target);
        NativeLoader.LoadException e = assertThrows(NativeLoader.LoadException.class, () -> NativeLoader.privateDirectory(link));
        assertTrue(e.getMessage().contains("is not a directory"), e.getMessage());
    }

    @Test
    void overrideFileMustExist() throws Exception {
        NativeLoader.LoadException e = assertThrows(NativeLoader.LoadException.class,
                () -> NativeLoader.overrideFile(work.resolve("missing.so").toString()));
        assertEquals("-Dvmafx.bypass.library=" + work.resolve("missing.so") + ": no such file", e.getMessage());
        e = assertThrows(NativeLoader.LoadException.class, () -> NativeLoader.overrideFile(work.toString()));
        assertTrue(e.getMessage().endsWith(": not a regular file"), e.getMessage());
    }

    @Test
    void theRunningJvmLoadedTheLibraryOfItsArchitecture() {
        TestSystem.require(ProbeSession.isSupported(), "the library did not load: " + ProbeSession.unsupportedReason().orElse("?"));
        assertEquals(NativeProbe.ABI_VERSION, NativeProbe.abiVersion());
        assertTrue(ProbeSession.libbpfVersion().startsWith("v1."), ProbeSession.libbpfVersion());
    }

    private static List<Path> listing(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.toList();
        }
    }
}
