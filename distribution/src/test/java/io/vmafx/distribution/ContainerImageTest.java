package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/container/Containerfile}, built for real: {@code scripts/build-image.sh} runs {@code buildah bud
 * --isolation chroot --storage-driver vfs} on a Debian bookworm base made with debootstrap (no image registry is
 * reachable here; the base is cached under the user's cache directory and made again when missing). The built
 * image's root file system is then run as a container would run it, without a container runtime: {@code buildah
 * mount} gives its directory, and its node runs under {@code chroot} with an empty environment: {@code demo} scores
 * the demo pair through local, http-serve and mount, and {@code score}, run as the image's user (10001) and as pid 1
 * of a pid namespace of its own (as in a pod), gives the score this machine's node gives the same pair.
 * Prints the build's phases, the image's size and the run times.
 */
class ContainerImageTest {

    static final Path SCRIPT = Node.ROOT.resolve("scripts/build-image.sh");
    static final String TAG = "localhost/vmafx-node:test";
    static final Pattern PHASE = Pattern.compile("build-image: (\\S+) (\\d+) ms");
    static final String PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    @TempDir
    static Path scratch;

    /** Runs {@code command} within {@code seconds}; stdout and stderr in files under {@code scratch}. */
    static Node.Result run(List<String> command, long seconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile(scratch, "out-", ".txt");
        Path err = Files.createTempFile(scratch, "err-", ".txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            fail("timed out after " + seconds + " s: " + command + "\n" + Files.readString(err));
        }
        return new Node.Result(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    static List<String> buildah(Path store, String... args) {
        List<String> cmd = new ArrayList<>(List.of("buildah", "--root", store.resolve("root").toString(), "--runroot",
                store.resolve("run").toString(), "--storage-driver", "vfs"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * {@code command} as the image's process: under {@code chroot} in the image's root, with {@code /proc} and
     * {@code /dev} mounted in a private mount namespace (they go when the command ends, whatever happens), as
     * {@code userspec}, with an empty environment. With {@code ownPidNamespace} it is pid 1 of a pid namespace of its
     * own, as in a pod; otherwise it shares this machine's pids.
     */
    static List<String> inImage(Path root, boolean ownPidNamespace, String userspec, String... command) {
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private"));
        if (ownPidNamespace) {
            cmd.addAll(List.of("--pid", "--fork"));
        }
        cmd.addAll(List.of("sh", "-c", (ownPidNamespace ? "mount -t proc proc \"$1/proc\"" : "mount --rbind /proc \"$1/proc\"")
                        + " && mount --rbind /dev \"$1/dev\" && exec chroot --userspec=\"$0\" \"$@\"",
                userspec, root.toString(), "/usr/bin/env", "-i", PATH, "HOME=/nonexistent"));
        cmd.addAll(List.of(command));
        return cmd;
    }

    @Test
    @SuppressWarnings("unchecked")
    void theImageBuildsAndItsNodeScoresTheDemoPair() throws Exception {
        if (!Node.isRoot(SCRIPT)) {
            fail("building the image needs root (buildah --isolation chroot, debootstrap), and the suite runs as root on its machines");
        }
        Path store = scratch.resolve("store");
        long t0 = System.nanoTime();
        Node.Result build = run(List.of(SCRIPT.toString(), store.toString(), TAG), 1800);
        long buildMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, build.exit(), () -> "scripts/build-image.sh: " + build);
        assertEquals(TAG, build.stdout().trim());
        StringBuilder phases = new StringBuilder();
        Matcher m = PHASE.matcher(build.stderr());
        while (m.find()) {
            phases.append(m.group(1)).append(' ').append(m.group(2)).append(" ms, ");
        }
        assertTrue(phases.indexOf("build ") >= 0, build::toString);

        Node.Result inspect = run(buildah(store, "inspect", "--type", "image", TAG), 60);
        assertEquals(0, inspect.exit(), inspect::toString);
        Map<String, Object> config = (Map<String, Object>) Node.at(JSON.std.mapFrom(inspect.stdout()), "OCIv1.config");
        assertEquals("10001", config.get("User"), "the image runs as its non-root user");
        assertEquals(List.of("/opt/vmafx-node/bin/vmafx-node"), config.get("Entrypoint"));
        assertEquals(List.of("serve"), config.get("Cmd"));
        Node.Result images = run(buildah(store, "images", "--format", "{{.Name}}:{{.Tag}} {{.Size}}"), 60);

        String ctr = null;
        try {
            Node.Result from = run(buildah(store, "from", "--name", "vmafx-image-test", TAG), 120);
            assertEquals(0, from.exit(), from::toString);
            ctr = from.stdout().trim();
            Node.Result mount = run(buildah(store, "mount", ctr), 60);
            assertEquals(0, mount.exit(), mount::toString);
            Path root = Path.of(mount.stdout().trim());
            assertTrue(Files.isExecutable(root.resolve("opt/vmafx-node/tools/ffprobe")), "the scorer is in the image");
            assertTrue(Files.isExecutable(root.resolve("usr/bin/rclone")) && Files.isExecutable(root.resolve("usr/bin/fusermount3")));
            long imageBytes = duBytes(root);

            long d0 = System.nanoTime();
            // demo's rclone processes share this machine's pids: a node of an older build running beside the test (which
            // took rclone in another pid namespace for a killed node's orphan) cannot mistake them. The score below,
            // which needs no rclone, runs as pid 1 of its own pid namespace.
            Node.Result demo = run(inImage(root, false, "0:0", "/opt/vmafx-node/bin/vmafx-node", "demo", "--seconds", "1", "--size", "320x180"), 300);
            long demoMs = (System.nanoTime() - d0) / 1_000_000;
            assertEquals(0, demo.exit(), () -> "demo in the image: " + demo);
            assertTrue(demo.stdout().contains("the VMAF means agree through local, http-serve, mount"), demo::toString);

            // The pair scored by this machine's node, then by the image's as its own user.
            Path pair = Files.createDirectories(root.resolve("tmp/pair"));
            Path ref = Clips.testPattern(pair.resolve("ref.y4m"), 160, 90, 1);
            Path dis = Clips.degraded(ref, pair.resolve("dis.y4m"), 160, 90);
            Node.worldReadable(pair);
            double here = Node.number(Node.run("score", "--json", "--reference", ref.toString(), "--distorted", dis.toString()).quietJson(), "vmaf.mean");
            long s0 = System.nanoTime();
            Node.Result score = run(inImage(root, true, "10001:10001", "/opt/vmafx-node/bin/vmafx-node", "score", "--json",
                    "--reference", "/tmp/pair/ref.y4m", "--distorted", "/tmp/pair/dis.y4m"), 120);
            long scoreMs = (System.nanoTime() - s0) / 1_000_000;
            assertEquals(0, score.exit(), () -> "score in the image as user 10001: " + score);
            Map<String, Object> json = JSON.std.mapFrom(score.stdout());
            assertEquals(here, Node.number(json, "vmaf.mean"), 1e-9, "the image's node scores as this machine's");
            assertEquals("libvmaf", Node.at(json, "scorer") instanceof Map ? Node.at(json, "scorer.name") : Node.at(json, "scorer"),
                    score::toString);

            System.out.printf("container image: script %d ms (%s), image %s (%.0f MB of files), demo %d ms, score %d ms%n", buildMs,
                    phases.toString().replaceAll(", $", ""), images.stdout().trim().replace('\n', ';'), imageBytes / 1e6, demoMs, scoreMs);
        } finally {
            if (ctr != null) {
                run(buildah(store, "umount", ctr), 60);
                run(buildah(store, "rm", ctr), 120);
            }
            assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(store.toString()), "nothing of the store stays mounted");
        }
    }

    static long duBytes(Path root) throws IOException, InterruptedException {
        Node.Result du = run(List.of("du", "-sb", "--one-file-system", root.toString()), 120);
        return Long.parseLong(du.stdout().split("\\s+")[0]);
    }
}
