package io.vmafx.core.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TargetTest {

    @Test
    void speedupIsTheReferenceTimeOverTheTimeAndNaNWithoutEither() {
        assertEquals(20.0, Target.speedup(10, 200));
        assertEquals(0.9, Target.speedup(10, 9), 1e-12);
        assertTrue(Double.isNaN(Target.speedup(0, 9)));
        assertTrue(Double.isNaN(Target.speedup(10, Double.NaN)));
    }

    @Test
    void aRatioTargetIsMetAtOrAboveItsThresholdJudgedOnP50() {
        Target t = Target.atLeast("bypass vs FUSE", 20.0, 3.0, 20);
        assertTrue(t.met(), "exactly the target is met, whatever the p99");
        assertEquals("yes", t.verdict());
        assertEquals(">= 20.00x", t.targetText());
        assertEquals("20.00x", t.format(t.p50()));
        assertEquals("-", t.intervalText(), "a ratio target is judged on its p50 alone");
        Target below = Target.atLeast("bypass vs FUSE", 13.04, 10.6, 20);
        assertFalse(below.met());
        assertEquals("NO", below.verdict());
        assertEquals(false, below.toJson().get("met"));
    }

    @Test
    void aPercentTargetWithAnIntervalIsJudgedOnTheWholeInterval() {
        Target ok = Target.percentAtMost("overhead", 0.4, 12, 2, -1.2, 1.96, 0.979);
        assertTrue(ok.met());
        assertEquals("yes", ok.verdict());
        assertEquals("+0.4%", ok.format(ok.p50()));
        assertEquals("<= +2.0%", ok.targetText());
        assertEquals("-1.2%..+2.0% (98%)", ok.intervalText());
        assertEquals("-0.5%", ok.format(-0.5));

        Target noisy = Target.percentAtMost("overhead", 0.4, 12, 2, -4.4, 6.7, 0.979);
        assertFalse(noisy.met(), "a median under the target is not enough when the interval reaches over it");
        assertFalse(noisy.missed());
        assertEquals("unresolved", noisy.verdict());
        assertNull(noisy.toJson().get("met"));
        assertEquals("unresolved", noisy.toJson().get("verdict"));

        Target few = Target.percentAtMost("overhead", 0.4, 0.4, 2, 0.4, 0.4, 0.5);
        assertEquals("unresolved", few.verdict(), "two runs give a 50 % interval: no verdict");

        Target over = Target.percentAtMost("overhead", 9, 12, 2, 2.5, 14, 0.979);
        assertTrue(over.missed());
        assertEquals("NO", over.verdict());
        assertEquals(false, over.toJson().get("met"));
    }

    @Test
    void notMeasuredIsADashNeverAVerdictAndInformationHasNone() {
        Target none = Target.atLeast("x", Double.NaN, Double.NaN, 0.9);
        assertFalse(none.measured());
        assertFalse(none.met());
        assertEquals("-", none.verdict());
        assertEquals("-", none.format(none.p50()));
        assertNull(none.toJson().get("met"));
        assertNull(none.toJson().get("p50"));
        Target info = Target.info("y", 25, 20, 20);
        assertEquals("(info)", info.verdict());
        assertNull(info.toJson().get("met"));
    }
}
