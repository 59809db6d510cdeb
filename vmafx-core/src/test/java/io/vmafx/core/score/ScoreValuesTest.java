package io.vmafx.core.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The value types: {@link VmafScores}, {@link RawVideoFormat}, {@link ScoreRequest}, {@link ScoringException}. */
class ScoreValuesTest {

    @Test
    void fromFramesPoolsLikeLibvmaf() {
        VmafScores s = VmafScores.fromFrames("ffmpeg", List.of(90.0, 60.0, 75.0));
        assertEquals(75.0, s.mean(), 1e-12);
        assertEquals(60.0, s.min(), 0.0);
        assertEquals(90.0, s.max(), 0.0);
        assertEquals(3 / (1 / 91.0 + 1 / 61.0 + 1 / 76.0) - 1, s.harmonicMean(), 1e-12);
        assertEquals(3, s.frameCount());
        assertEquals(List.of(90.0, 60.0, 75.0), s.frames());
        assertTrue(s.min() <= s.harmonicMean() && s.harmonicMean() <= s.mean() && s.mean() <= s.max());

        VmafScores perfect = VmafScores.fromFrames("x", List.of(100.0, 100.0));
        assertEquals(100.0, perfect.harmonicMean(), 1e-12);
    }

    @Test
    void fromFramesRejectsNothingAndNonsense() {
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> VmafScores.fromFrames("x", List.of()));
        assertEquals("no frame scores to pool", empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VmafScores.fromFrames("x", List.of(1.0, Double.NaN)));
        assertThrows(IllegalArgumentException.class, () -> new VmafScores("x", List.of(1.0), 1, 1, 1, 1, 2));
    }

    @Test
    void scoresAreImmutable() {
        List<Double> frames = new ArrayList<>(List.of(1.0, 2.0));
        VmafScores s = VmafScores.fromFrames("x", frames);
        frames.add(3.0);
        assertEquals(2, s.frames().size());
        assertThrows(UnsupportedOperationException.class, () -> s.frames().add(4.0));
    }

    @Test
    void rawVideoFormatValidates() {
        RawVideoFormat f = new RawVideoFormat(320, 240, "yuv420p");
        assertEquals("320x240", f.size());
        assertEquals(8, f.bitDepth());
        assertEquals("420", f.chroma());
        assertEquals(320 * 240 * 3 / 2, f.frameBytes());
        assertEquals(10, new RawVideoFormat(2, 2, "yuv444p10le").bitDepth());
        assertEquals(2 * 2 * 3 * 2, new RawVideoFormat(2, 2, "yuv444p10le").frameBytes());
        assertEquals("400", new RawVideoFormat(2, 2, "gray").chroma());

        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> new RawVideoFormat(320, 240, "rgb24"));
        assertTrue(bad.getMessage().contains("'rgb24'"), bad.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> new RawVideoFormat(0, 240, "yuv420p"));
        assertTrue(size.getMessage().contains("0x240"), size.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RawVideoFormat(320, -1, "yuv420p"));
        assertThrows(NullPointerException.class, () -> new RawVideoFormat(320, 240, null));
    }

    @Test
    void scoreRequestValidatesAndHidesCredentials() {
        Path model = Path.of("/m/vmaf.pkl");
        assertThrows(IllegalArgumentException.class,
                () -> new ScoreRequest("/r.yuv", "/d.y4m", null, true, false, model, ProgressListener.NONE));
        assertThrows(NullPointerException.class,
                () -> new ScoreRequest("/r", "/d", null, false, false, model, null));
        assertThrows(IllegalArgumentException.class, () -> ScoreRequest.of(" ", "/d", model));

        ScoreRequest r = ScoreRequest.of("https://u:pw@h/r.y4m", "/d.y4m", model);
        assertSame(ProgressListener.NONE, r.progress());
        assertFalse(r.toString().contains("pw"), r.toString());
        assertTrue(r.toString().contains("https://***@h/r.y4m"), r.toString());

        ScoreRequest raw = r.withRaw(InputSide.DISTORTED, new RawVideoFormat(2, 2, "yuv420p"));
        assertTrue(raw.distortedRaw());
        assertFalse(raw.referenceRaw());
        assertEquals("/d.y4m", raw.location(InputSide.DISTORTED));
        assertTrue(raw.isRaw(InputSide.DISTORTED));
    }

    @Test
    void scoringExceptionIsOneLineWithoutCredentials() {
        ScoringException e = new ScoringException(
                "cannot open reference input http://alice:s3cr@t@host:8080/a.y4m: Server returned 401\nmore", InputSide.REFERENCE);
        assertEquals("cannot open reference input http://***@host:8080/a.y4m: Server returned 401 more", e.getMessage());
        assertEquals(Optional.of(InputSide.REFERENCE), e.side());
        assertEquals(Optional.empty(), new ScoringException("x").side());
    }

    @Test
    void redactorHandlesSeveralUrlsAndLeavesOthersAlone() {
        assertEquals("a s3://***@bucket/k and ftp://***@h/x", CredentialRedactor.redact("a s3://k:s@bucket/k and ftp://u@h/x"));
        assertEquals("/plain/path:with@at", CredentialRedactor.redact("/plain/path:with@at"));
        assertEquals("http://host/p?q=a@b", CredentialRedactor.redact("http://host/p?q=a@b"));
    }
}
