package io.vmafx.core.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** {@link TerminalProgress}: one rewritten line, rate-limited, cleared at the end. */
class TerminalProgressTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final TerminalProgress progress = new TerminalProgress(out, now::get);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void drawsOneLineAtMostFiveTimesASecondAndClearsIt() {
        progress.update(1, 0);
        assertEquals("\rVMAF: 1 frame, 0.0 fps", printed());

        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
        progress.update(5, 50);
        assertEquals("\rVMAF: 1 frame, 0.0 fps", printed(), "within 200 ms: not redrawn");

        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
        progress.update(12, 57.24);
        assertEquals("\rVMAF: 1 frame, 0.0 fps\rVMAF: 12 frames, 57.2 fps", printed());

        bytes.reset();
        progress.done();
        String blank = " ".repeat("VMAF: 12 frames, 57.2 fps".length());
        assertEquals("\r" + blank + "\r", printed());

        bytes.reset();
        progress.done();
        assertEquals("", printed(), "nothing to clear twice");
    }

    @Test
    void shorterTextOverwritesTheLongerOne() {
        progress.update(123456, 999.9);
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        bytes.reset();
        progress.update(1, 1);
        String longer = "VMAF: 123456 frames, 999.9 fps";
        String shorter = "VMAF: 1 frame, 1.0 fps";
        assertEquals("\r" + shorter + " ".repeat(longer.length() - shorter.length()), printed());
    }

    @Test
    void quietWhenNotOnATerminal() {
        if (System.console() == null) {
            assertSame(ProgressListener.NONE, TerminalProgress.forConsole());
        }
        bytes.reset();
        progress.done();
        assertEquals("", printed(), "done() without updates prints nothing");
    }
}
