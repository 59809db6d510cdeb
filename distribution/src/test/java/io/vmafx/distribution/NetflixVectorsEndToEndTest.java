package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Netflix's own libvmaf test pairs ({@code ../shared/vmaf/vectors/}), scored by the real launcher through each
 * storage mode (local paths, http-serve and mount over an rclone alias remote), against the values Netflix's tests
 * assert: the 10-bit 576x324 pair (VMAF 82.564225, psnr_y 32.571433, float_ssim 0.897863, float_ms_ssim 0.974749)
 * and the 8-bit 160x90 pair (VMAF 92.520959), each within 0.005 VMAF.
 */
class NetflixVectorsEndToEndTest {

    static final double VMAF_10BIT = 82.56422466666668;
    static final double VMAF_8BIT = 92.52095888042386;
    static final String REF10 = "src01_hrc00_576x324_3f.yuv420p10le.yuv";
    static final String DIS10 = "src01_hrc01_576x324_3f.yuv420p10le.yuv";

    @TempDir
    static Path scratch;
    static Path data;
    static NodeDirs dirs;

    @BeforeAll
    static void copyVectors() throws Exception {
        Path vectors = Node.ROOT.resolve("../shared/vmaf/vectors").normalize();
        if (!Files.isDirectory(vectors)) {
            fail("Netflix's test vectors are not at " + vectors + " (../shared beside the repository)");
        }
        data = Files.createDirectories(scratch.resolve("data/vectors"));
        for (String f : List.of(REF10, DIS10, "q160x90_ref.yuv", "q160x90_dis.yuv")) {
            Files.copy(vectors.resolve(f), data.resolve(f));
        }
        dirs = new NodeDirs(scratch.resolve("node"));
        Files.writeString(dirs.config(), "[nf]\ntype = alias\nremote = " + data + "\n");
    }

    @AfterEach
    void safetyNet() {
        Leftovers.cleanUp(dirs.config(), Set.of());
    }

    private static String uri(String mode, String file) {
        return mode.equals("local") ? data.resolve(file).toString() : "nf:" + file;
    }

    @ParameterizedTest(name = "through {0}")
    @ValueSource(strings = {"local", "http-serve", "mount"})
    void tenBitPairScoresAsNetflixsLibvmaf(String mode) throws Exception {
        Node.Result r = Node.run(dirs.env(Map.of()), Node.ROOT, "score", "--json", "--storage-mode",
                mode.equals("local") ? "http-serve" : mode, "--reference", uri(mode, REF10), "--distorted", uri(mode, DIS10),
                "--width", "576", "--height", "324", "--pix-fmt", "yuv420p10le",
                "--feature", "psnr,float_ssim,float_ms_ssim");
        r.assertNoStackTrace();
        Map<String, Object> json = r.quietJson();
        assertEquals(VMAF_10BIT, Node.number(json, "vmaf.mean"), 0.005, r::toString);
        assertEquals(32.571433, Node.number(json, "metrics.psnr_y.mean"), 0.0005, r::toString);
        assertEquals(0.897863, Node.number(json, "metrics.float_ssim.mean"), 0.000005, r::toString);
        assertEquals(0.974749, Node.number(json, "metrics.float_ms_ssim.mean"), 0.000005, r::toString);
        assertEquals(3, Node.number(json, "frame_counts.reference"));
        assertEquals(3, Node.number(json, "frame_counts.distorted"));
        assertEquals("576x324 yuv420p10le", Node.at(json, "formats.reference"));
        assertEquals(mode, Node.at(json, "reference.storage"), r::toString);
        dirs.assertClean(Set.of());
    }

    @ParameterizedTest(name = "through {0}")
    @ValueSource(strings = {"local", "http-serve", "mount"})
    void eightBitPairScoresAsNetflixsLibvmaf(String mode) throws Exception {
        Node.Result r = Node.run(dirs.env(Map.of()), Node.ROOT, "score", "--json", "--storage-mode",
                mode.equals("local") ? "http-serve" : mode, "--reference", uri(mode, "q160x90_ref.yuv"),
                "--distorted", uri(mode, "q160x90_dis.yuv"), "--width", "160", "--height", "90", "--pix-fmt", "yuv420p");
        Map<String, Object> json = r.quietJson();
        assertEquals(VMAF_8BIT, Node.number(json, "vmaf.mean"), 0.005, r::toString);
        assertEquals(48, Node.number(json, "frames"));
        assertEquals(mode, Node.at(json, "distorted.storage"), r::toString);
        dirs.assertClean(Set.of());
    }

    @ParameterizedTest(name = "through {0}")
    @ValueSource(strings = {"local", "mount"})
    void aRawFileOfTheWrongSizeFailsNamingTheInputAndTheCounts(String mode) throws Exception {
        String line = Node.run(dirs.env(Map.of()), Node.ROOT, "score", "--storage-mode",
                mode.equals("local") ? "http-serve" : mode, "--reference", uri(mode, "q160x90_ref.yuv"),
                "--distorted", uri(mode, "q160x90_dis.yuv"), "--width", "176", "--height", "144", "--pix-fmt", "yuv420p")
                .failsWith(1);
        assertTrue(line.startsWith("vmafx-node: reference " + uri(mode, "q160x90_ref.yuv")), line);
        assertTrue(line.contains("not a whole number of 176x144 yuv420p frames"), line);
        dirs.assertClean(Set.of());
    }
}
