package dev.timeslice.agent.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timeslice.runtime.PollMath;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * PollMath against a direct simulation of the strip-mined inner loop
 * {@code do { body; i += step; } while (i < lim)} (or {@code >} counting down): every iteration the
 * inner test lets through must pass the original test, the chunk never exceeds the budget, the
 * reported chunk length is exact, and {@code i} only overflows in a chunk of exactly one iteration.
 */
class PollMathTest {
    private static final int[] STARTS = {Integer.MIN_VALUE, Integer.MIN_VALUE + 1, Integer.MIN_VALUE + 5, -100, -1, 0,
        1, 100, Integer.MAX_VALUE - 40_000, Integer.MAX_VALUE - 7, Integer.MAX_VALUE - 1, Integer.MAX_VALUE};
    private static final int[] STEPS = {1, 2, 3, 7, 127, 32_767};
    private static final int[] BUDGETS = {1, 2, 3, 100, 8192, 65_536};

    @Test
    void countingUpMatchesSimulation() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i0 : STARTS) {
            for (int step : STEPS) {
                for (int budget : BUDGETS) {
                    long[] ends = {(long) i0 - 1, i0, (long) i0 + 1, (long) i0 + step * 3L + 1, Integer.MAX_VALUE,
                        (long) Integer.MAX_VALUE + 1, Integer.MIN_VALUE, (long) i0 + rnd.nextInt(1, 1_000_000)};
                    for (long end : ends) {
                        end = Math.min(end, (long) Integer.MAX_VALUE + 1);
                        end = Math.max(end, Integer.MIN_VALUE);
                        simulateUp(i0, end, step, budget);
                    }
                }
            }
        }
    }

    @Test
    void countingDownMatchesSimulation() {
        SplittableRandom rnd = new SplittableRandom(2);
        for (int i0 : STARTS) {
            for (int step : STEPS) {
                for (int budget : BUDGETS) {
                    long[] ends = {(long) i0 + 1, i0, (long) i0 - 1, (long) i0 - step * 3L - 1, Integer.MIN_VALUE,
                        (long) Integer.MIN_VALUE - 1, Integer.MAX_VALUE, (long) i0 - rnd.nextInt(1, 1_000_000)};
                    for (long end : ends) {
                        end = Math.max(end, (long) Integer.MIN_VALUE - 1);
                        end = Math.min(end, Integer.MAX_VALUE);
                        simulateDown(i0, end, -step, budget);
                    }
                }
            }
        }
    }

    @Test
    void largeBudgetsStayWithinBounds() {
        for (int i0 : STARTS) {
            for (int step : STEPS) {
                int lim = PollMath.upLimit(i0, (long) Integer.MAX_VALUE + 1, step, Integer.MAX_VALUE);
                long chunk = PollMath.upChunk(i0, lim, step);
                assertTrue(chunk >= 1 && chunk <= Integer.MAX_VALUE);
                if (lim != Integer.MIN_VALUE) {
                    assertTrue((long) i0 + chunk * step <= Integer.MAX_VALUE + (long) step, "no overflow inside the chunk");
                }
            }
        }
    }

    private static void simulateUp(int i0, long end, int step, int budget) {
        String what = "up i0=" + i0 + " end=" + end + " step=" + step + " budget=" + budget;
        int lim = PollMath.upLimit(i0, end, step, budget);
        int chunk = PollMath.upChunk(i0, lim, step);
        assertTrue(lim == Integer.MIN_VALUE || lim <= end, what + ": limit past the end");
        int i = i0;
        long exact = i0;
        long k = 0;
        do {
            k++;
            if (k > 1) {
                assertTrue(i < end, what + ": iteration the original test refuses");
            }
            i += step;
            exact += step;
            if (exact != i) {
                assertEquals(1, k, what + ": overflow in a chunk longer than one iteration");
            }
            assertTrue(k <= budget, what + ": chunk longer than the budget");
        } while (i < lim);
        assertEquals(k, chunk, what + ": chunk length");
    }

    private static void simulateDown(int i0, long end, int step, int budget) {
        String what = "down i0=" + i0 + " end=" + end + " step=" + step + " budget=" + budget;
        int lim = PollMath.downLimit(i0, end, step, budget);
        int chunk = PollMath.downChunk(i0, lim, step);
        assertTrue(lim == Integer.MAX_VALUE || lim >= end, what + ": limit past the end");
        int i = i0;
        long exact = i0;
        long k = 0;
        do {
            k++;
            if (k > 1) {
                assertTrue(i > end, what + ": iteration the original test refuses");
            }
            i += step;
            exact += step;
            if (exact != i) {
                assertEquals(1, k, what + ": overflow in a chunk longer than one iteration");
            }
            assertTrue(k <= budget, what + ": chunk longer than the budget");
        } while (i > lim);
        assertEquals(k, chunk, what + ": chunk length");
    }

    @Test
    void tripCountsMatchTheLoopTheyDescribe() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i0 : STARTS) {
            for (int step : STEPS) {
                long[] ends = {(long) i0 - 5, i0, (long) i0 + 1, (long) i0 + step * 3L + 1, Integer.MAX_VALUE,
                    (long) Integer.MAX_VALUE + 1, (long) i0 + rnd.nextInt(1, 2_000_000)};
                for (long end : ends) {
                    end = Math.max(Math.min(end, (long) Integer.MAX_VALUE + 1), Integer.MIN_VALUE);
                    assertEquals(countUp(i0, end, step), PollMath.upTrip(i0, end, step), "up " + i0 + " " + end + " " + step);
                    long down = Math.max(Math.min(2L * i0 - end, Integer.MAX_VALUE), (long) Integer.MIN_VALUE - 1);
                    assertEquals(countDown(i0, down, -step), PollMath.downTrip(i0, down, -step),
                            "down " + i0 + " " + down + " " + -step);
                }
            }
        }
    }

    /**
     * A finite count must be exactly the iterations of {@code for (int i = i0; i < end; i += step)},
     * which must not overflow on the way; MAX_VALUE is allowed only when wrapping is possible or the
     * count is that large.
     */
    private static int countUp(int i0, long end, int step) {
        int trip = PollMath.upTrip(i0, end, step);
        if (trip == Integer.MAX_VALUE) {
            long exact = end <= i0 ? 0 : (end - i0 + step - 1) / step;
            assertTrue(end > (long) Integer.MAX_VALUE - step + 1 || exact >= Integer.MAX_VALUE);
            return trip;
        }
        return (int) simulate(i0, end, step, trip);
    }

    private static int countDown(int i0, long end, int step) {
        int trip = PollMath.downTrip(i0, end, step);
        if (trip == Integer.MAX_VALUE) {
            long exact = end >= i0 ? 0 : (i0 - end - step - 1) / -step;
            assertTrue(end < (long) Integer.MIN_VALUE - step - 1 || exact >= Integer.MAX_VALUE);
            return trip;
        }
        return (int) simulate(i0, end, step, trip);
    }

    /** Runs the int loop (or checks it arithmetically when long) and returns its iteration count. */
    private static long simulate(int i0, long end, int step, int trip) {
        if (trip > 3_000_000) {
            long last = i0 + (long) (trip - 1) * step;
            assertTrue(step > 0 ? last < end && last + step >= end && last + step <= Integer.MAX_VALUE
                    : last > end && last + step <= end && last + step >= Integer.MIN_VALUE);
            return trip;
        }
        long n = 0;
        int i = i0;
        while (step > 0 ? i < end : i > end) {
            long next = (long) i + step;
            assertTrue(next >= Integer.MIN_VALUE && next <= Integer.MAX_VALUE, "a finite count, yet i wraps");
            i = (int) next;
            n++;
        }
        return n;
    }
}
