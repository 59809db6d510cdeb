package io.vmafx.bypass.ebpf.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The libraries bypass-ebpf-native built, as the jar carries them under META-INF/native/linux-<arch>/. */
class NativeLibraryFilesTest {

    private static final int EM_X86_64 = 62;
    private static final int EM_AARCH64 = 183;

    private static Path dir;

    @BeforeAll
    static void copyOut() throws IOException {
        dir = Files.createTempDirectory("vmafx-native-files-");
    }

    @AfterAll
    static void cleanUp() {
        TestSystem.deleteTree(dir);
    }

    /** The library of {@code platform} from the class path (as the jar has it), in a file readelf can read. */
    private static Path library(String platform) throws IOException {
        String name = NativeLoader.resource(platform);
        try (InputStream in = NativeLoader.class.getClassLoader().getResourceAsStream(name)) {
            assertNotNull(in, name + " is not on the class path: bypass-ebpf-native did not build it");
            Path f = dir.resolve(platform + ".so");
            Files.write(f, in.readAllBytes());
            return f;
        }
    }

    private static List<String> needed(Path lib, String readelf) {
        TestSystem.Result r = TestSystem.run(List.of(readelf, "-dW", lib.toString()), 30);
        assertEquals(0, r.exit(), r.out());
        List<String> needed = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            int i = line.indexOf("(NEEDED)");
            if (i >= 0) {
                needed.add(line.substring(line.indexOf('[') + 1, line.indexOf(']')));
            }
        }
        return needed;
    }

    private static int elfMachine(Path lib) throws IOException {
        byte[] h = Files.readAllBytes(lib);
        assertTrue(h.length > 20 && h[0] == 0x7f && h[1] == 'E' && h[2] == 'L' && h[3] == 'F', lib + " is not an ELF file");
        assertEquals(2, h[4], "ELFCLASS64");
        assertEquals(1, h[5], "little endian");
        assertEquals(3, ByteBuffer.wrap(h, 16, 2).order(ByteOrder.LITTLE_ENDIAN).getShort(), "ET_DYN (a shared object)");
        return ByteBuffer.wrap(h, 18, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
    }

    @Test
    void x86_64LibraryIsAnX86_64SharedObjectThatNeedsOnlyGlibc() throws IOException {
        Path lib = library("linux-x86_64");
        assertEquals(EM_X86_64, elfMachine(lib));
        List<String> needed = needed(lib, "readelf");
        System.out.println("[probe tests] linux-x86_64 NEEDED: " + needed);
        assertFalse(needed.isEmpty(), "readelf -d found no NEEDED entries at all");
        for (String n : needed) {
            assertFalse(n.contains("bpf") || n.contains("elf") || n.startsWith("libz"), "depends on " + n + ": " + needed);
            assertTrue(n.matches("libc\\.so\\.6|libm\\.so\\.6|libdl\\.so\\.2|libpthread\\.so\\.0|librt\\.so\\.1|ld-linux-x86-64\\.so\\.2"),
                    "needs " + n + ", which is not part of glibc: " + needed);
        }
    }

    @Test
    void aarch64LibraryIsAnAarch64SharedObjectThatNeedsOnlyGlibc() throws IOException {
        Path lib = library("linux-aarch64");
        assertEquals(EM_AARCH64, elfMachine(lib), "e_machine must be EM_AARCH64 (183)");
        TestSystem.Result h = TestSystem.run(List.of("readelf", "-h", lib.toString()), 30);
        assertTrue(h.out().matches("(?s).*Machine:\\s+AArch64.*"), h.out());
        // binutils reads the dynamic section of any ELF machine
        List<String> needed = needed(lib, "readelf");
        System.out.println("[probe tests] linux-aarch64 NEEDED: " + needed);
        for (String n : needed) {
            assertTrue(n.matches("libc\\.so\\.6|libm\\.so\\.6|libdl\\.so\\.2|libpthread\\.so\\.0|librt\\.so\\.1|ld-linux-aarch64\\.so\\.1"),
                    "needs " + n + ", which is not part of glibc: " + needed);
        }
    }

    @Test
    void librariesExportOnlyTheJniEntryPoints() throws IOException {
        for (String platform : NativeLoader.PLATFORMS) {
            TestSystem.Result r = TestSystem.run(List.of("readelf", "--dyn-syms", "-W", library(platform).toString()), 30);
            for (String line : r.out().split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 8 && f[4].equals("GLOBAL") && !f[6].equals("UND")) {
                    assertTrue(f[7].startsWith("Java_io_vmafx_bypass_ebpf_probe_NativeProbe_") || f[7].equals("JNI_OnLoad"),
                            platform + " exports " + f[7] + " (libbpf/libelf/zlib must stay inside)");
                }
            }
        }
    }
}
