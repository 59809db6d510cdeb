package io.vmafx.core.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.core.bench.Clips;
import io.vmafx.core.config.NodeConfig;
import io.vmafx.core.discovery.ProviderRegistry;
import io.vmafx.core.job.JobException;
import io.vmafx.core.job.JobRequest;
import io.vmafx.core.score.ProgressListener;
import io.vmafx.core.testing.Leftovers;
import io.vmafx.core.testing.TestMedia;
import io.vmafx.storage.fuse.MountStorageProvider;
import io.vmafx.storage.httpserve.HttpServeStorageProvider;
import io.vmafx.storage.local.LocalStorageProvider;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;
import java.util.stream.Stream;

/**
 * A score is the score of both inputs as they were when the job began: a distorted input replaced (copied aside
 * and renamed over, as deployments do), cut or deleted while the real scorer reads it fails the job, naming the
 * input and what happened, through local storage, http-serve and mount (an rclone alias remote on a local
 * directory). The change is made from the job's progress listener, once frames are being compared.
 */
class ChangedWhileReadTest {

    enum Change { REPLACED, TRUNCATED, DELETED }

    @TempDir
    Path dir;
    Path data;
    Path rcloneConfig;

    @BeforeEach
    void clips() throws IOException {
        data = Files.createDirectories(dir.resolve("data"));
        // 4 s at 320x240: long enough that the change lands while the scorer reads.
        Clips.make(data.resolve("ref.y4m"), data.resolve("dis.y4m"), new Clips.Size(320, 240), 4);
        Clips.make(data.resolve("other.y4m"), data.resolve("other-dis.y4m"), new Clips.Size(320, 240), 4);
        rcloneConfig = Files.writeString(dir.resolve("rclone.conf"), "[media]\ntype = alias\nremote = " + data + "\n");
    }

    @AfterEach
    void safetyNet() {
        Leftovers.cleanUp(dir);
    }

    static Stream<Arguments> modesAndChanges() {
        return Stream.of("local", "http-serve", "mount")
                .flatMap(m -> Stream.of(Change.values()).map(c -> Arguments.of(m, c)));
    }

    @ParameterizedTest(name = "{1} through {0}")
    @MethodSource("modesAndChanges")
    void aDistortedInputChangedWhileReadFailsTheJob(String mode, Change change) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("VMAFX_STORAGE_MODE", mode.equals("local") ? "http-serve" : mode);
        env.put("VMAFX_RCLONE_CONFIG", rcloneConfig.toString());
        env.put("VMAFX_STORAGE_MOUNT_ROOT", Files.createDirectories(dir.resolve("mounts")).toString());
        env.put("VMAFX_CACHE_DIR", Files.createDirectories(dir.resolve("cache")).toString());
        // A file cut under rclone's VFS can leave the read blocked in FUSE: the stall watchdog ends it.
        env.put("VMAFX_STALL_TIMEOUT", "5s");
        NodeConfig config = NodeConfig.load(env, Map.of(), TestMedia.root());
        ProviderRegistry registry = ProviderRegistry.of(
                List.of(new LocalStorageProvider(), new HttpServeStorageProvider(), new MountStorageProvider()), List.of());
        Path victim = data.resolve("dis.y4m");
        String ref = mode.equals("local") ? data.resolve("ref.y4m").toString() : "media:ref.y4m";
        String dis = mode.equals("local") ? victim.toString() : "media:dis.y4m";
        AtomicBoolean changed = new AtomicBoolean();
        ProgressListener changeOnce = (frames, fps) -> {
            if (frames > 0 && changed.compareAndSet(false, true)) {
                change(change, victim);
            }
        };
        try (Node node = Node.start(config, registry, env)) {
            JobException e = assertThrows(JobException.class, () -> node.executor().run(
                    new JobRequest(ref, dis, null, null, null), changeOnce), "a changed input must not score");
            assertTrue(changed.get(), "the change was made while the job ran");
            String m = e.getMessage();
            String expected = "distorted " + dis + ": " + (change == Change.DELETED ? "deleted" : "changed") + " while read";
            assertTrue(m.contains(expected), () -> change + " through " + mode + ": " + m);
            assertEquals(-1, m.indexOf('\n'), m);
        }
        assertEquals(List.of(), Leftovers.fuseMounts(dir), "no mount left");
    }

    private void change(Change change, Path victim) {
        try {
            switch (change) {
                case REPLACED -> {
                    Path tmp = data.resolve("dis.y4m.tmp");
                    Files.copy(data.resolve("other-dis.y4m"), tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, victim, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
                case TRUNCATED -> {
                    try (RandomAccessFile f = new RandomAccessFile(victim.toFile(), "rw")) {
                        f.setLength(f.length() / 3);
                    }
                }
                case DELETED -> Files.delete(victim);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
