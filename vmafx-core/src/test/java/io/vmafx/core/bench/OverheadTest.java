package io.vmafx.core.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class OverheadTest {

    @Test
    void percentFromTheP50sTheP99sAndThePerRoundRatios() {
        // Drift: every round slower than the last; the probe adds 10 % in each pair.
        List<Double> detached = List.of(100.0, 200.0, 300.0, 400.0);
        List<Double> attached = List.of(110.0, 220.0, 330.0, 440.0);
        Overhead o = Overhead.of(detached, attached);
        assertEquals(10.0, o.p50Percent(), 1e-9, "nearest-rank p50: 200 against 220");
        assertEquals(10.0, o.p99Percent(), 1e-9, "p99: the slowest of each");
        assertEquals(10.0, o.pairedMedianPercent(), 1e-9);
        assertEquals(10.0, o.pairedQ1Percent(), 1e-9);
        assertEquals(10.0, o.pairedQ3Percent(), 1e-9);
    }

    @Test
    void aFasterAttachedRunIsANegativeOverheadAndTheQuartilesShowTheScatter() {
        Overhead o = Overhead.of(List.of(100.0, 100.0, 100.0, 100.0, 100.0), List.of(90.0, 95.0, 100.0, 105.0, 130.0));
        assertEquals(0.0, o.pairedMedianPercent(), 1e-9);
        assertEquals(-5.0, o.pairedQ1Percent(), 1e-9);
        assertEquals(5.0, o.pairedQ3Percent(), 1e-9);
        assertEquals(30.0, o.p99Percent(), 1e-9);
    }

    @Test
    void medianProperAndInterpolatedQuantiles() {
        assertEquals(2.5, Overhead.median(List.of(4.0, 1.0, 3.0, 2.0)));
        assertEquals(3.0, Overhead.median(List.of(5.0, 3.0, 1.0)));
        List<Double> sorted = List.of(1.0, 2.0, 3.0, 4.0, 5.0);
        assertEquals(2.0, Overhead.quantile(sorted, 0.25));
        assertEquals(4.0, Overhead.quantile(sorted, 0.75));
        assertEquals(1.75, Overhead.quantile(List.of(1.0, 2.0, 3.0, 4.0), 0.25), 1e-12);
        assertEquals(7.0, Overhead.quantile(List.of(7.0), 0.75));
    }

    @Test
    void rejectsNoRunsAndTimesThatAreNotPositive() {
        assertThrows(IllegalArgumentException.class, () -> Overhead.of(List.of(), List.of(1.0)));
        assertThrows(IllegalArgumentException.class, () -> Overhead.of(List.of(1.0), List.of(0.0)));
        assertThrows(IllegalArgumentException.class, () -> Overhead.of(List.of(Double.NaN), List.of(1.0)));
    }

    @Test
    void theMediansConfidenceIntervalComesFromOrderStatistics() {
        assertEquals(2, Overhead.ciRank(10), "the 2nd smallest and 2nd largest of 10: 97.9 %");
        assertEquals(1 - 2 * 11.0 / 1024, Overhead.ciCoverage(10, 2), 1e-12);
        assertEquals(1, Overhead.ciRank(5), "fewer than 6: the whole range, which is less than 95 %");
        assertEquals(0.9375, Overhead.ciCoverage(5, 1), 1e-12);
        assertEquals(6, Overhead.ciRank(20), "20 samples: the 6th from each end (95.9 %)");
        assertEquals(1, Overhead.ciRank(1));
        assertEquals(40, Overhead.ciRank(100), "100 samples: the 40th from each end");
        for (int n = 6; n <= 1000; n += 97) {
            double c = Overhead.ciCoverage(n, Overhead.ciRank(n));
            assertTrue(c >= 0.95 && c < 1, n + ": " + c);
        }

        // Ratios 0.90 .. 1.35 in steps of 0.05 (ten rounds): the interval is the 2nd and 9th, -5 % .. +30 %.
        List<Double> detached = java.util.Collections.nCopies(10, 100.0);
        List<Double> attached = java.util.stream.IntStream.range(0, 10).mapToObj(i -> 90.0 + 5 * i).toList();
        Overhead o = Overhead.of(detached, attached);
        assertEquals(-5.0, o.ciLowPercent(), 1e-9);
        assertEquals(30.0, o.ciHighPercent(), 1e-9);
        assertEquals(12.5, o.pairedMedianPercent(), 1e-9);
    }
}
