package io.vmafx.spi.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PreparedInputTest {

    @Test
    void releaseRunsOnceAcrossCopiesAndThreads() throws Exception {
        AtomicInteger releases = new AtomicInteger();
        PreparedInput original = PreparedInput.of("http-serve", "http://u:p@127.0.0.1:1/a", releases::incrementAndGet);
        PreparedInput copy = original.withDisplayLocation("http://127.0.0.1:1/a")
                .withVfsCache(new VfsCacheLocation(Path.of("/cache"), "media:", "a", null))
                .withReadCheck(Optional::empty);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> closes = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            PreparedInput which = i % 2 == 0 ? original : copy;
            closes.add(pool.submit(which::close));
        }
        for (Future<?> f : closes) {
            f.get();
        }
        pool.shutdown();
        assertEquals(1, releases.get());
        assertTrue(original.isReleased());
        assertTrue(copy.isReleased());
        assertEquals("http://127.0.0.1:1/a", copy.displayLocation());
        assertEquals("http://u:p@127.0.0.1:1/a", copy.location());
    }

    @Test
    void readProblemComesFromTheCheckAndNeverThrows() {
        PreparedInput ok = PreparedInput.of("mount", "/m/a", () -> { });
        assertEquals(Optional.empty(), ok.readProblem());
        assertEquals(Optional.of("rclone died"), ok.withReadCheck(() -> Optional.of("rclone died")).readProblem());
        PreparedInput broken = ok.withReadCheck(() -> {
            throw new IllegalStateException("boom");
        });
        assertEquals(Optional.of("the storage's read check failed: boom"), broken.readProblem());
    }

    @Test
    void abortReadsIsFalseWithoutAnAbortAndReachesTheStoragesThroughEveryCopyUntilReleased() {
        PreparedInput plain = PreparedInput.of("local", "/a", () -> { });
        assertFalse(plain.canAbortReads());
        assertFalse(plain.abortReads(), "nothing to abort for a local file");

        AtomicInteger aborts = new AtomicInteger();
        PreparedInput mount = PreparedInput.of("mount", "/m/a", () -> { }).withReadAbort(() -> aborts.incrementAndGet() > 0);
        PreparedInput copy = mount.withDisplayLocation("/m/a").withReadCheck(Optional::empty)
                .withVfsCache(new VfsCacheLocation(Path.of("/cache"), "media:", "a", Path.of("/m/a")));
        assertTrue(copy.canAbortReads());
        assertTrue(copy.abortReads());
        assertTrue(mount.abortReads(), "may be called more than once");
        assertEquals(2, aborts.get());
        mount.close();
        assertFalse(copy.abortReads(), "a released input aborts nothing: its mount may serve other jobs now");
        assertEquals(2, aborts.get());
    }

    @Test
    void anAbortThatThrowsIsReportedAsNothingAborted() {
        PreparedInput in = PreparedInput.of("mount", "/m/a", () -> { }).withReadAbort(() -> {
            throw new IllegalStateException("boom");
        });
        assertFalse(in.abortReads());
    }
}
