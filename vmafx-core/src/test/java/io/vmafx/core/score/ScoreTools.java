package io.vmafx.core.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.core.testing.TestMedia;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the scorer tests share: the real {@link LibvmafScorer} on the ffprobe scripts/setup.sh installs, Netflix's
 * test vectors from the project's shared directory ({@code ../shared/vmaf/vectors} beside the repository; a test
 * fails, never skips, when they are missing), clips encoded from them by the tests' ffmpeg 4.1, and assertions.
 */
final class ScoreTools {

    /** The layout of Netflix's src01 576x324 10-bit vectors (3 frames each). */
    static final RawVideoFormat SRC01 = new RawVideoFormat(576, 324, "yuv420p10le");
    /** Frames in each src01 vector. */
    static final int SRC01_FRAMES = 3;
    /** The layout of Netflix's q160x90 8-bit vectors (48 frames each). */
    static final RawVideoFormat Q160 = new RawVideoFormat(160, 90, "yuv420p");
    /** Frames in each q160x90 vector. */
    static final int Q160_FRAMES = 48;

    private ScoreTools() {
    }

    /** The scorer under test: 2 libvmaf threads, its private directories in {@code tempRoot}. */
    static LibvmafScorer scorer(Path tempRoot) {
        // A read timeout, so that a server that stops answering fails a test instead of hanging it.
        return new LibvmafScorer(TestMedia.ffprobe(), 2, tempRoot, List.of("rw_timeout=20000000"));
    }

    /** Netflix's vectors; fails the test, naming where they should be, when they are not there. */
    static Path vectors() {
        Path dir = TestMedia.root().resolve("../shared/vmaf/vectors").normalize();
        if (!Files.isRegularFile(dir.resolve("README.md"))) {
            throw new AssertionError("Netflix's VMAF test vectors are missing: expected " + dir + " (the project's"
                    + " shared directory beside the repository, ../shared/vmaf/vectors, with its README.md)");
        }
        return dir;
    }

    /** A file of {@link #vectors()}, which must exist. */
    static Path vector(String name) {
        Path file = vectors().resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new AssertionError("Netflix's test vector " + file + " is missing (see " + vectors().resolve("README.md") + ")");
        }
        return file;
    }

    static Path src01Reference() {
        return vector("src01_hrc00_576x324_3f.yuv420p10le.yuv");
    }

    static Path src01Distorted() {
        return vector("src01_hrc01_576x324_3f.yuv420p10le.yuv");
    }

    static Path q160Reference() {
        return vector("q160x90_ref.yuv");
    }

    static Path q160Distorted() {
        return vector("q160x90_dis.yuv");
    }

    /** The src01 pair, both raw, with {@code options}. */
    static ScoreRequest src01Pair(ScoreOptions options) {
        return new ScoreRequest(src01Reference().toString(), src01Distorted().toString(), SRC01, SRC01, options,
                ProgressListener.NONE);
    }

    /** The raw src01 reference against {@code distorted} ({@code distortedRaw} null for a container). */
    static ScoreRequest againstSrc01Reference(String distorted, RawVideoFormat distortedRaw) {
        return new ScoreRequest(src01Reference().toString(), distorted, SRC01, distortedRaw, ScoreOptions.DEFAULTS,
                ProgressListener.NONE);
    }

    /** The q160x90 pair, both raw, with {@code options}. */
    static ScoreRequest q160Pair(ScoreOptions options) {
        return new ScoreRequest(q160Reference().toString(), q160Distorted().toString(), Q160, Q160, options,
                ProgressListener.NONE);
    }

    /** Default options with {@code features}. */
    static ScoreOptions withFeatures(Feature... features) {
        return new ScoreOptions(List.of(VmafModel.DEFAULT), List.of(features), 1, Scaling.BICUBIC, false);
    }

    /**
     * {@code vector} (raw, {@code layout}) encoded by the tests' ffmpeg into {@code out} with {@code outputOptions}
     * (codec, pixel format, ...); the container follows {@code out}'s extension.
     */
    static Path encode(Path vector, RawVideoFormat layout, Path out, String... outputOptions)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("-f", "rawvideo", "-pix_fmt", layout.pixFmt(), "-s", layout.size(),
                "-r", "25", "-i", vector.toString()));
        args.addAll(List.of(outputOptions));
        args.add(out.toString());
        return TestMedia.run(out, args.toArray(String[]::new));
    }

    /** Asserts {@code actual} is within {@code tolerance} of {@code expected}, naming both in the failure. */
    static void assertNear(double expected, double actual, double tolerance, String what) {
        assertTrue(Math.abs(expected - actual) <= tolerance, () -> String.format(
                "%s: expected %.6f within %s, got %.6f (difference %.6f)", what, expected, tolerance, actual,
                actual - expected));
    }

    /**
     * Python's {@code assertAlmostEqual(actual, expected, places=n)}, as Netflix's tests assert: the difference
     * rounds to 0 at {@code places} decimals, i.e. it is below half a unit of the last place.
     */
    static void assertPlaces(double expected, double actual, int places, String what) {
        assertNear(expected, actual, 0.5 * Math.pow(10, -places), what + " (places=" + places + ")");
    }

    /** Asserts {@code e}'s message is one line. */
    static void assertOneLine(Throwable e) {
        assertNotNull(e.getMessage());
        assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\r"), e.getMessage());
    }

    /** Asserts {@code dir} exists and holds nothing: the scorer left no private directory behind. */
    static void assertNothingLeft(Path dir) throws IOException {
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "the scorer's private temporary directory must be gone");
        }
    }

    /** The pooled values' order that holds for any values: min <= harmonic mean <= mean <= max, p1 <= p5. */
    static void assertPooledOrder(MetricScores m) {
        Pooled p = m.pooled();
        String what = m.name() + " " + p;
        double eps = 1e-9;
        assertTrue(p.min() <= p.p1() + eps && p.p1() <= p.p5() + eps && p.p5() <= p.max() + eps, what);
        assertTrue(p.min() <= p.harmonicMean() + eps && p.harmonicMean() <= p.mean() + eps && p.mean() <= p.max() + eps,
                what);
    }

    /** Writes an executable {@code /bin/sh} script. */
    static Path script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    /** The command lines of this JVM's descendants, from {@code /proc/PID/cmdline} (NULs as spaces). */
    static List<String> descendantCommandLines() {
        List<String> lines = new ArrayList<>();
        ProcessHandle.current().descendants().forEach(p -> {
            try {
                byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
                lines.add(new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip());
            } catch (IOException e) {
                // It exited meanwhile.
            }
        });
        return lines;
    }
}
