package demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StatsTest {
    private static double[] oneTo(int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = i + 1;
        }
        return a;
    }

    @Test
    void nearestRankOnOneToHundred() {
        Stats s = Stats.of(oneTo(100));
        assertEquals(100, s.count());
        assertEquals(1, s.min());
        assertEquals(50, s.p50());
        assertEquals(90, s.p90());
        assertEquals(99, s.p99());
        assertEquals(100, s.max());
        assertEquals(50.5, s.mean(), 1e-12);
    }

    @Test
    void nearestRankOnOneToThousand() {
        Stats s = Stats.of(oneTo(1000));
        assertEquals(500, s.p50());
        assertEquals(990, s.p99());
        assertEquals(1000, s.max());
    }

    @Test
    void orderOfTheInputDoesNotMatterAndTheInputIsNotChanged() {
        double[] samples = {250, 3, 4000, 12.5, 7, 7, 1.25, 90, 3100, 5};
        double[] copy = samples.clone();
        Stats s = Stats.of(samples);
        // sorted: 1.25 3 5 7 7 12.5 90 250 3100 4000
        assertEquals(7, s.p50());      // rank ceil(5)  = 5
        assertEquals(3100, s.p90());   // rank ceil(9)  = 9
        assertEquals(4000, s.p99());   // rank ceil(9.9) = 10
        assertEquals(4000, s.max());
        assertEquals(1.25, s.min());
        assertEquals(java.util.Arrays.toString(copy), java.util.Arrays.toString(samples));
    }

    @Test
    void smallSamples() {
        Stats one = Stats.of(new double[] {42});
        assertEquals(42, one.p50());
        assertEquals(42, one.p99());
        assertEquals(42, one.max());
        Stats two = Stats.of(new double[] {10, 20});
        assertEquals(10, two.p50());
        assertEquals(20, two.p99());
    }

    @Test
    void emptyIsNaN() {
        Stats s = Stats.of(new double[0]);
        assertEquals(0, s.count());
        assertTrue(Double.isNaN(s.p50()));
        assertTrue(Double.isNaN(s.max()));
    }

    @Test
    void percentileBounds() {
        double[] sorted = oneTo(10);
        assertEquals(1, Stats.percentile(sorted, 0.001));
        assertEquals(10, Stats.percentile(sorted, 100));
        assertThrows(IllegalArgumentException.class, () -> Stats.percentile(sorted, 0));
        assertThrows(IllegalArgumentException.class, () -> Stats.percentile(sorted, 101));
    }
}
