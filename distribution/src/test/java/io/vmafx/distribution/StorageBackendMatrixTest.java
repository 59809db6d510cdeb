package io.vmafx.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.distribution.Remotes.Backend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every storage backend through every remote storage mode, end to end: the real launcher scores a pair kept
 * on a local-directory remote, on SFTP ({@code rclone serve sftp}), on WebDAV ({@code rclone serve webdav}) and on
 * S3 (S3Proxy), on Azure Blob (Azurite) and on an SFTP server that is not rclone (OpenSSH's sshd), each reached through {@code http-serve} and through {@code mount}, with an rclone.conf written
 * here. File names have spaces and non-ASCII characters, and the URIs use every form (raw and
 * percent-encoded, {@code remote:path}, {@code name://}, {@code rclone://}, {@code s3://}, {@code azblob://}). The score must be
 * the one the same pair gets from local disk, and each run must leave no rclone, mount or temporary file.
 */
class StorageBackendMatrixTest {

    static final String DIR = "dir é";
    static final String REF = "ref clip.y4m";
    static final String DIS = "dis clip.y4m";

    @TempDir
    static Path scratch;
    static Remotes remotes;
    static NodeDirs dirs;
    static double localMean;
    static List<Double> localFrames;
    static long matrixStart;
    static final Map<String, Long> millis = new ConcurrentHashMap<>();

    @BeforeAll
    static void startServers() throws Exception {
        Path data = scratch.resolve("data");
        Path ref = Clips.reference(data.resolve(DIR).resolve(REF));
        Path dis = Clips.degraded(ref, data.resolve(DIR).resolve(DIS));
        Map<String, Object> local = Node.run("score", "--json", "--reference", ref.toString(), "--distorted", dis.toString()).quietJson();
        localMean = Node.number(local, "vmaf.mean");
        localFrames = frames(local);
        assertEquals(Clips.FRAMES, localFrames.size());
        assertTrue(localMean < 90, () -> "the degraded pair must score clearly lower: " + local);
        matrixStart = System.nanoTime();
        remotes = Remotes.start(scratch.resolve("servers"), data, EnumSet.allOf(Backend.class));
        dirs = new NodeDirs(scratch.resolve("node"));
        remotes.writeConfig(dirs.config());
    }

    @AfterEach
    void safetyNet() {
        // After a failed assertion: nothing of the node's may outlive the test (the servers stay for the next one).
        Leftovers.cleanUp(scratch, remotes == null ? Set.of() : remotes.serverPids());
    }

    @AfterAll
    static void stopServers() {
        long total = (System.nanoTime() - matrixStart) / 1_000_000;
        if (remotes != null) {
            remotes.close();
        }
        Leftovers.cleanUp(scratch, Set.of());
        System.out.println("storage matrix: " + total + " ms in all (servers started once), per run " + new TreeMap<>(millis));
    }

    static Stream<Arguments> backendsAndModes() {
        List<Arguments> all = new ArrayList<>();
        for (Backend b : Backend.values()) {
            for (String mode : List.of("http-serve", "mount")) {
                all.add(Arguments.of(b, mode));
            }
        }
        return all.stream();
    }

    /** The reference and distorted URIs for {@code backend}: one raw, one percent-encoded, in different forms. */
    static String[] uris(Backend backend) {
        String raw = DIR + "/";
        String encoded = "dir%20%C3%A9/";
        return switch (backend) {
            case LOCAL -> new String[] {"loc:" + raw + REF, "rclone://loc:" + encoded + "dis%20clip.y4m"};
            case SFTP -> new String[] {"sf://" + raw + REF, "sf:" + raw + DIS};
            case WEBDAV -> new String[] {"dav:" + raw + REF, "dav://" + encoded + "dis%20clip.y4m"};
            case S3 -> new String[] {"s3://" + Remotes.S3_BUCKET + "/" + raw + REF,
                    "s3://" + Remotes.S3_BUCKET + "/" + encoded + "dis%20clip.y4m"};
            case AZURE -> new String[] {"azblob://" + Remotes.AZURE_CONTAINER + "/" + encoded + "ref%20clip.y4m",
                    "azt:" + Remotes.AZURE_CONTAINER + "/" + raw + DIS};
            case OPENSSH -> new String[] {"osf:" + raw + REF, "osf://" + encoded + "dis%20clip.y4m"};
        };
    }

    @ParameterizedTest(name = "{0} through {1}")
    @MethodSource("backendsAndModes")
    void scoresAsFromLocalDisk(Backend backend, String mode) throws Exception {
        String[] uri = uris(backend);
        long t0 = System.nanoTime();
        Node.Result r = Node.run(dirs.env(Map.of("VMAFX_REMOTE_S3", Remotes.remote(Backend.S3),
                        "VMAFX_REMOTE_AZBLOB", Remotes.remote(Backend.AZURE))), Node.ROOT,
                "score", "--json", "--storage-mode", mode, "--reference", uri[0], "--distorted", uri[1]);
        millis.put(backend + "/" + mode, (System.nanoTime() - t0) / 1_000_000);
        r.assertNoStackTrace();
        Map<String, Object> json = r.quietJson();

        assertEquals(localMean, Node.number(json, "vmaf.mean"), 1e-6, () -> "same pair, same score as from local disk: " + r);
        List<Double> frames = frames(json);
        assertEquals(localFrames.size(), frames.size(), r::toString);
        for (int i = 0; i < frames.size(); i++) {
            assertEquals(localFrames.get(i), frames.get(i), 1e-6, "frame " + i);
        }
        for (int side = 0; side < 2; side++) {
            String name = side == 0 ? "reference" : "distorted";
            assertEquals(uri[side], Node.at(json, name + ".uri"));
            assertEquals(mode, Node.at(json, name + ".storage"), () -> name + " read through the mode: " + r);
            String location = (String) Node.at(json, name + ".location");
            assertFalse(location.contains("@") || location.contains(Remotes.PASSWORD) || location.contains(Remotes.S3_SECRET),
                    () -> "the reported location carries no credentials: " + location);
            if (mode.equals("mount")) {
                assertTrue(location.startsWith(dirs.mounts().toString() + "/"), () -> "a path on the mount: " + location);
                assertTrue(location.endsWith("/" + DIR + "/" + (side == 0 ? REF : DIS)), location);
            } else {
                assertTrue(location.startsWith("http://127.0.0.1:"), () -> "a loopback URL: " + location);
            }
        }
        dirs.assertClean(remotes.serverPids());
    }

    static List<Double> frames(Map<String, Object> json) {
        return ((List<?>) Node.at(json, "vmaf.per_frame")).stream().map(n -> ((Number) n).doubleValue()).toList();
    }
}
