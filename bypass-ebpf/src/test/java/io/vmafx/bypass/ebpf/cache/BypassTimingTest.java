package io.vmafx.bypass.ebpf.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.spi.bypass.BypassDecision;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * What the bypass saves and what a decision costs, on this machine, printed (not asserted: timings vary): a warm
 * sequential read through the mount against the same read through the bypass's link, and the decision's latency,
 * first for a remote root (two extra rclone runs: the cache directory's name, the fingerprint's hash type) and
 * then warm (one {@code rclone lsjson --stat}, which for the local backend hashes the source).
 */
class BypassTimingTest {

    private static final int SIZE = 64 << 20;

    private static long read(Path p) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buf = new byte[64 << 10];
        try (InputStream in = Files.newInputStream(p)) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                crc.update(buf, 0, n);
            }
        }
        return crc.getValue();
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    @Test
    void bypassAgainstFuse() throws Exception {
        try (RcloneFixture fx = new RcloneFixture()) {
            byte[] data = fx.write("big.bin", SIZE, 42);
            CRC32 expected = new CRC32();
            expected.update(data);
            RcloneFixture.Mount m = fx.mount("media:");
            read(m.file("big.bin")); // warms the cache
            RemoteCheck check = new RcloneRemoteCheck(fx.rclone(), Duration.ofSeconds(30));
            try (CacheBypass bypass = new CacheBypass(check, new BypassCounters(), false)) {
                RcloneFixture.await("a complete cache", 10, () -> {
                    VfsMeta meta = fx.metaAt(fx.cacheDir.resolve("vfsMeta/local").resolve(fx.source.toString().substring(1)).resolve("big.bin"));
                    return meta != null && meta.complete();
                });
                long t0 = System.nanoTime();
                BypassDecision first = bypass.decide(m.location("big.bin"));
                long firstNanos = System.nanoTime() - t0;
                assertTrue(first.bypassed(), first.reason());
                first.close();
                long warmBest = Long.MAX_VALUE;
                long warmSum = 0;
                for (int i = 0; i < 5; i++) {
                    long t = System.nanoTime();
                    bypass.decide(m.location("big.bin")).close();
                    long d = System.nanoTime() - t;
                    warmBest = Math.min(warmBest, d);
                    warmSum += d;
                }
                long t1 = System.nanoTime();
                BypassDecision cold = bypass.decide(m.location("absent.bin"));
                long declineNanos = System.nanoTime() - t1;
                assertEquals("not in the cache", cold.reason());

                long fuseBest = Long.MAX_VALUE;
                long linkBest = Long.MAX_VALUE;
                try (BypassDecision d = bypass.decide(m.location("big.bin"))) {
                    Path link = Path.of(d.location().orElseThrow());
                    for (int i = 0; i < 3; i++) {
                        long t = System.nanoTime();
                        assertEquals(expected.getValue(), read(m.file("big.bin")));
                        fuseBest = Math.min(fuseBest, System.nanoTime() - t);
                        t = System.nanoTime();
                        assertEquals(expected.getValue(), read(link));
                        linkBest = Math.min(linkBest, System.nanoTime() - t);
                    }
                }
                System.out.printf("decision: first for the root %.1f ms, warm best %.1f ms / mean %.1f ms (64 MiB, md5 by lsjson),"
                        + " decline 'not in the cache' %.1f ms%n", ms(firstNanos), ms(warmBest), ms(warmSum / 5), ms(declineNanos));
                System.out.printf("read 64 MiB warm (best of 3): FUSE %.1f ms (%.0f MiB/s), bypass link %.1f ms (%.0f MiB/s): %.1fx%n",
                        ms(fuseBest), 64 / (fuseBest / 1e9), ms(linkBest), 64 / (linkBest / 1e9), (double) fuseBest / linkBest);
            }
        }
    }
}
