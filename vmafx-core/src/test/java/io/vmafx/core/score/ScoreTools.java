package io.vmafx.core.score;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real tools the scorer tests run: the static ffmpeg with libvmaf ({@code VMAFX_FFMPEG}, else
 * {@code ${vmafx.root}/.tools/ffmpeg/ffmpeg}, which scripts/setup.sh installs) and the VMAF model
 * ({@code VMAFX_VMAF_MODEL}, else {@code ${vmafx.root}/../shared/vmaf/vmaf_v0.6.1.pkl}). A missing tool fails
 * the tests with a message saying how to get it; they are never skipped.
 */
final class ScoreTools {

    /** Frames in {@link #referenceClip}: 2 s at 25 fps. */
    static final int FRAMES = 50;
    /** The layout of {@link #referenceClip} as raw video. */
    static final RawVideoFormat CLIP_RAW = new RawVideoFormat(320, 240, "yuv420p");

    private ScoreTools() {
    }

    static Path root() {
        return Path.of(System.getProperty("vmafx.root", ".")).toAbsolutePath().normalize();
    }

    static Path ffmpeg() {
        String env = System.getenv("VMAFX_FFMPEG");
        Path path = env != null && !env.isBlank() ? Path.of(env) : root().resolve(".tools/ffmpeg/ffmpeg");
        if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
            throw new AssertionError("no ffmpeg with libvmaf at " + path
                    + ": run scripts/setup.sh (it installs one there), or set VMAFX_FFMPEG");
        }
        return path;
    }

    static Path model() {
        String env = System.getenv("VMAFX_VMAF_MODEL");
        Path path = env != null && !env.isBlank() ? Path.of(env)
                : root().resolve("../shared/vmaf/vmaf_v0.6.1.pkl").normalize();
        if (!Files.isRegularFile(path)) {
            throw new AssertionError("no VMAF model at " + path
                    + ": set VMAFX_VMAF_MODEL to vmaf_v0.6.1.pkl (with its .pkl.model beside it)");
        }
        return path;
    }

    /** A 2 s 320x240 25 fps yuv420p test pattern in {@code out} (.y4m). */
    static Path referenceClip(Path out) throws IOException, InterruptedException {
        ffmpegOk("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2", "-pix_fmt", "yuv420p",
                out.toString());
        return out;
    }

    /** {@code reference} scaled down to 80x60 and back: a clearly lower score. */
    static Path degradedCopy(Path reference, Path out) throws IOException, InterruptedException {
        ffmpegOk("-i", reference.toString(), "-vf", "scale=80x60,scale=320x240", "-pix_fmt", "yuv420p", out.toString());
        return out;
    }

    /** {@code clip} as headerless raw yuv420p. */
    static Path rawCopy(Path clip, Path out) throws IOException, InterruptedException {
        ffmpegOk("-i", clip.toString(), "-f", "rawvideo", "-pix_fmt", "yuv420p", out.toString());
        return out;
    }

    /** Runs ffmpeg quietly with {@code args}; fails the test with its output when it fails. */
    static void ffmpegOk(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ffmpeg().toString(), "-nostdin", "-hide_banner",
                "-loglevel", "error", "-y"));
        command.addAll(List.of(args));
        Result result = run(command);
        if (result.exit() != 0) {
            throw new AssertionError("ffmpeg failed: " + command + "\n" + result.stderr());
        }
    }

    /** What a process printed and how it exited. */
    record Result(int exit, String stdout, String stderr) {
    }

    /** Runs {@code command} to completion (at most 60 s), its output captured through files. */
    static Result run(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("vmafx-test-out", ".txt");
        Path err = Files.createTempFile("vmafx-test-err", ".txt");
        try {
            Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("timed out: " + command);
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Writes an executable {@code /bin/sh} script. */
    static Path script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }
}
