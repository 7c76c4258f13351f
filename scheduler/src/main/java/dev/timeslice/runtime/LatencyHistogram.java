package dev.timeslice.runtime;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free log-linear histogram of nanosecond latencies: each power of two is split into
 * {@value #SUB} linear sub-buckets, so a reported percentile is within ~6 % of the true value.
 * Any thread may {@link #record}; readers see a racy but monotonic snapshot.
 */
public final class LatencyHistogram {
    private static final int SUB_BITS = 4;
    private static final int SUB = 1 << SUB_BITS;
    private static final int BUCKETS = 64 * SUB;
    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    public void record(long nanos) {
        counts.incrementAndGet(index(Math.max(0, nanos)));
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int msb = 63 - Long.numberOfLeadingZeros(v);
        int sub = (int) (v >>> (msb - SUB_BITS)) & (SUB - 1);
        return (msb - SUB_BITS + 1) * SUB + sub;
    }

    /** The largest value that falls in bucket {@code i}. */
    static long upperBound(int i) {
        if (i < SUB) {
            return i;
        }
        int msb = i / SUB + SUB_BITS - 1;
        long sub = i % SUB;
        long lower = (1L << msb) | (sub << (msb - SUB_BITS));
        return lower + (1L << (msb - SUB_BITS)) - 1;
    }

    public long count() {
        long n = 0;
        for (int i = 0; i < BUCKETS; i++) {
            n += counts.get(i);
        }
        return n;
    }

    /** The value at quantile {@code q} (0..1), as a bucket upper bound; 0 when empty. */
    public long percentile(double q) {
        long[] snap = new long[BUCKETS];
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            snap[i] = counts.get(i);
            total += snap[i];
        }
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * total);
        rank = Math.max(1, Math.min(total, rank));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += snap[i];
            if (seen >= rank) {
                return upperBound(i);
            }
        }
        return upperBound(BUCKETS - 1);
    }

    public long max() {
        for (int i = BUCKETS - 1; i >= 0; i--) {
            if (counts.get(i) != 0) {
                return upperBound(i);
            }
        }
        return 0;
    }
}
