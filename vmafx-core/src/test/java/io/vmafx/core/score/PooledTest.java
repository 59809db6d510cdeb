package io.vmafx.core.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/**
 * {@link Pooled}'s arithmetic against values worked out by hand (percentiles as numpy's default linear
 * interpolation: rank {@code p/100 * (n-1)} between the sorted values). That it pools as libvmaf does is checked
 * against libvmaf's own pooled values in {@link ModelsAndFeaturesTest} and {@link VmafCliScorerTest}.
 */
class PooledTest {

    @Test
    void fiveValuesInAnyOrder() {
        Pooled p = Pooled.of(List.of(30.0, 10.0, 50.0, 20.0, 40.0));
        assertEquals(30.0, p.mean(), 1e-12);
        assertEquals(10.0, p.min(), 0.0);
        assertEquals(50.0, p.max(), 0.0);
        // rank 0.01 * 4 = 0.04: 10 + 0.04 * (20 - 10); rank 0.05 * 4 = 0.2: 10 + 0.2 * 10 (numpy: 10.4, 12.0)
        assertEquals(10.4, p.p1(), 1e-12);
        assertEquals(12.0, p.p5(), 1e-12);
        // 5 / (1/11 + 1/21 + 1/31 + 1/41 + 1/51) - 1
        double harmonic = 5 / (1 / 11.0 + 1 / 21.0 + 1 / 31.0 + 1 / 41.0 + 1 / 51.0) - 1;
        assertEquals(22.279170, harmonic, 1e-6);
        assertEquals(harmonic, p.harmonicMean(), 1e-12);
    }

    @Test
    void percentilesFallOnRanksOfAHundredAndOneValues() {
        List<Double> values = new ArrayList<>(IntStream.rangeClosed(0, 100).mapToObj(i -> (double) i).toList());
        Collections.shuffle(values, new java.util.Random(7));
        Pooled p = Pooled.of(values);
        assertEquals(1.0, p.p1(), 1e-12);
        assertEquals(5.0, p.p5(), 1e-12);
        assertEquals(50.0, p.mean(), 1e-12);
    }

    @Test
    void twoValuesAndOne() {
        Pooled two = Pooled.of(List.of(1.0, 3.0));
        assertEquals(2.0, two.mean(), 1e-12);
        assertEquals(2 / (1 / 2.0 + 1 / 4.0) - 1, two.harmonicMean(), 1e-12); // 5/3
        assertEquals(1.02, two.p1(), 1e-12);
        assertEquals(1.1, two.p5(), 1e-12);

        Pooled one = Pooled.of(List.of(42.5));
        assertEquals(new Pooled(42.5, 42.5, 42.5, 42.5, 42.5, 42.5), new Pooled(one.mean(), round(one.harmonicMean()),
                one.min(), one.max(), one.p1(), one.p5()));
    }

    @Test
    void harmonicMeanOfZerosIsZeroAndNotInfinite() {
        // The +1 in libvmaf's harmonic mean keeps a frame scored 0 from making the pool infinite.
        assertEquals(0.0, Pooled.of(List.of(0.0, 0.0)).harmonicMean(), 1e-12);
        assertEquals(2 / (1 + 1 / 101.0) - 1, Pooled.of(List.of(0.0, 100.0)).harmonicMean(), 1e-12);
    }

    @Test
    void refusesNoValuesAndNonFiniteOnes() {
        assertEquals("no values to pool", assertThrows(IllegalArgumentException.class,
                () -> Pooled.of(List.of())).getMessage());
        assertEquals("frame 1 has no finite value: NaN", assertThrows(IllegalArgumentException.class,
                () -> Pooled.of(List.of(1.0, Double.NaN))).getMessage());
        assertEquals("frame 0 has no finite value: Infinity", assertThrows(IllegalArgumentException.class,
                () -> Pooled.of(List.of(Double.POSITIVE_INFINITY))).getMessage());
    }

    @Test
    void printsItsValuesUnderTheirResultNames() {
        Map<String, Object> json = Pooled.of(List.of(3.0, 1.0)).toJson();
        assertEquals(List.of("mean", "harmonic_mean", "min", "max", "p1", "p5"), List.copyOf(json.keySet()));
        assertEquals(List.of(2.0, 1.0, 3.0, 1.02, 1.1), List.of(json.get("mean"), json.get("min"), json.get("max"),
                round((Double) json.get("p1")), round((Double) json.get("p5"))));
    }

    private static double round(double v) {
        return Math.round(v * 1e9) / 1e9;
    }
}
