package dev.timeslice.runtime;

/**
 * Pure arithmetic for strip-mined loops; called only from code rewritten by the Timeslice agent.
 *
 * <p>A strip-mined loop keeps its original exit test as the <em>outer</em> test and runs its body
 * in an inner loop {@code do { body; i += step; } while (i < lim)} (or {@code i > lim} when
 * counting down). The methods here pick {@code lim} so that the inner loop
 * <ul>
 *   <li>never runs an iteration the original test would have refused ({@code lim} is never past
 *       {@code end}, the first value at which the original loop stops),</li>
 *   <li>runs at most {@code budget} iterations, and</li>
 *   <li>never overflows {@code i}: when the next step would wrap around, the chunk is exactly one
 *       iteration and the original outer test sees the wrapped value, as the original loop
 *       would.</li>
 * </ul>
 * and report how many iterations that chunk will run, which the rewritten code charges to its
 * per-invocation poll budget before it enters the chunk. A loop counting up by a stride local
 * ({@code j += i}) passes the stride as {@code step}: when it is not positive the up methods make
 * every chunk one iteration (the original test then decides, as in the original loop). Everything is computed in {@code long} so
 * no intermediate value can overflow. The methods are small so C1 and C2 inline them; with a
 * constant {@code step} the divisions fold away.
 *
 * <p>A versioned loop first asks {@link #upTrip}/{@link #downTrip} how many iterations it is about to
 * run; unless that is more than a whole budget it charges them up front (polling first when the
 * budget left is too small) and runs the original, unchanged loop.
 *
 * <p>No state, no allocation, no calls: safe to call from any thread, in any class loader.
 *
 * <p>Rewritten application code names this class ({@code PollCode.POLL_MATH} in the agent's
 * {@code rewrite.PollCode}): its package, name and the methods it calls are fixed.
 */
public final class PollMath {
    private PollMath() {
    }

    /**
     * Inner-loop limit for a loop that counts up ({@code step > 0}) while {@code i < end}.
     *
     * @param i      the induction variable at chunk entry
     * @param end    exclusive end of the original loop ({@code n} for {@code i < n}, {@code n + 1}
     *               for {@code i <= n})
     * @param step   the constant increment, {@code > 0}
     * @param budget remaining poll budget, {@code >= 1}
     * @return the limit for the inner test {@code i < lim}; {@link Integer#MIN_VALUE} when
     *         {@code i + step} would overflow (the inner loop then runs exactly once)
     */
    public static int upLimit(int i, long end, int step, int budget) {
        if (step <= 0) {
            return Integer.MIN_VALUE; // a stride local that is not positive: one iteration per chunk
        }
        long n = Math.min((long) budget, ((long) Integer.MAX_VALUE - i) / step);
        return n <= 0 ? Integer.MIN_VALUE : (int) Math.min(end, i + n * step);
    }

    /** Iterations the inner loop {@code do {...; i += step} while (i < lim)} runs from {@code i}. */
    public static int upChunk(int i, int lim, int step) {
        long d = (long) lim - i;
        return d <= step ? 1 : (int) ((d + step - 1) / step);
    }

    /**
     * Inner-loop limit for a loop that counts down ({@code step < 0}) while {@code i > end}.
     *
     * @param end exclusive end of the original loop ({@code n} for {@code i > n}, {@code n - 1}
     *            for {@code i >= n})
     * @return the limit for the inner test {@code i > lim}; {@link Integer#MAX_VALUE} when
     *         {@code i + step} would overflow (the inner loop then runs exactly once)
     */
    public static int downLimit(int i, long end, int step, int budget) {
        long n = Math.min((long) budget, ((long) i - Integer.MIN_VALUE) / -(long) step);
        return n <= 0 ? Integer.MAX_VALUE : (int) Math.max(end, i + n * step);
    }

    /** Iterations the inner loop {@code do {...; i += step} while (i > lim)} runs from {@code i}. */
    public static int downChunk(int i, int lim, int step) {
        long d = (long) i - lim;
        long s = -(long) step;
        return d <= s ? 1 : (int) ((d + s - 1) / s);
    }

    /**
     * Iterations of a loop about to start that counts up ({@code step > 0}) while {@code i < end};
     * {@link Integer#MAX_VALUE} when that many or more, or when {@code i} could wrap around before
     * reaching {@code end} (the count would then not be what it seems).
     */
    public static int upTrip(int i, long end, int step) {
        if (step <= 0 || end > (long) Integer.MAX_VALUE - step + 1) {
            return Integer.MAX_VALUE;
        }
        long trip = end <= i ? 0 : (end - i + step - 1) / step;
        return (int) Math.min(trip, Integer.MAX_VALUE);
    }

    /** As {@link #upTrip}, for a loop that counts down ({@code step < 0}) while {@code i > end}. */
    public static int downTrip(int i, long end, int step) {
        if (end < (long) Integer.MIN_VALUE - step - 1) {
            return Integer.MAX_VALUE;
        }
        long trip = end >= i ? 0 : ((long) i - end - step - 1) / -(long) step;
        return (int) Math.min(trip, Integer.MAX_VALUE);
    }
}
