package io.vmafx.core.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PercentilesTest {

    private static double[] oneTo(int n) {
        return IntStream.rangeClosed(1, n).asDoubleStream().toArray();
    }

    @Test
    void nearestRankOfOneToHundredIsTheRankItself() {
        double[] v = oneTo(100);
        assertEquals(50, Percentiles.of(v, 50));
        assertEquals(99, Percentiles.of(v, 99));
        assertEquals(100, Percentiles.of(v, 100));
        assertEquals(1, Percentiles.of(v, 1));
        assertEquals(1, Percentiles.of(v, 0.5), "ranks round up, never below the first sample");
    }

    @Test
    void twentySamplesP50IsTheTenthAndP99TheSlowest() {
        double[] v = oneTo(20);
        assertEquals(10, Percentiles.of(v, 50), "ceil(0.5 * 20) = rank 10: the lower middle, no interpolation");
        assertEquals(20, Percentiles.of(v, 99), "ceil(0.99 * 20) = rank 20");
    }

    @Test
    void oddCountMedianIsTheMiddleAndOrderDoesNotMatter() {
        double[] v = {9, 1, 5, 3, 7};
        assertEquals(5, Percentiles.of(v, 50));
        assertArrayEquals(new double[] {9, 1, 5, 3, 7}, v, "the samples are not modified");
    }

    @Test
    void oneSampleIsEveryPercentile() {
        assertEquals(4.2, Percentiles.of(new double[] {4.2}, 50));
        assertEquals(4.2, Percentiles.of(new double[] {4.2}, 99));
    }

    @Test
    void rejectsNoSamplesNaNAndPercentilesOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> Percentiles.of(new double[0], 50));
        assertThrows(IllegalArgumentException.class, () -> Percentiles.of(new double[] {1, Double.NaN}, 50));
        assertThrows(IllegalArgumentException.class, () -> Percentiles.of(oneTo(3), 0));
        assertThrows(IllegalArgumentException.class, () -> Percentiles.of(oneTo(3), 100.5));
    }

    @Test
    void summaryHasMinMaxMeanAndBothPercentiles() {
        Percentiles.Summary s = Percentiles.Summary.of(List.of(4.0, 1.0, 3.0, 2.0));
        assertEquals(4, s.count());
        assertEquals(1, s.min());
        assertEquals(4, s.max());
        assertEquals(2.5, s.mean());
        assertEquals(2, s.p50());
        assertEquals(4, s.p99());
        assertEquals(2.5, s.toJson().get("mean"));
    }

    @Test
    void jsonValuesAreRoundedToThreeDecimals() {
        Percentiles.Summary s = Percentiles.Summary.of(new double[] {1.23456});
        assertEquals(1.235, s.toJson().get("p50"));
    }
}
