package dev.timeslice.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
    @Test
    void percentilesAreWithinTheBucketResolution() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 1; i <= 100_000; i++) {
            h.record(i * 10L); // 10 ns .. 1 ms, uniform
        }
        assertEquals(100_000, h.count());
        assertClose(500_000, h.percentile(0.50));
        assertClose(990_000, h.percentile(0.99));
        assertClose(1_000_000, h.max());
    }

    @Test
    void bucketBoundsContainTheirValues() {
        for (long v : new long[] {0, 1, 15, 16, 17, 31, 32, 1000, 123_456_789L, Long.MAX_VALUE / 4}) {
            int i = LatencyHistogram.index(v);
            assertTrue(LatencyHistogram.upperBound(i) >= v, "upper bound of " + v);
            if (i > 0) {
                assertTrue(LatencyHistogram.upperBound(i - 1) < v, "previous bucket below " + v);
            }
        }
    }

    @Test
    void emptyHistogramReportsZero() {
        assertEquals(0, new LatencyHistogram().percentile(0.99));
    }

    private static void assertClose(long expected, long actual) {
        assertTrue(Math.abs(actual - expected) <= expected * 0.07, "expected ~" + expected + " got " + actual);
    }
}
