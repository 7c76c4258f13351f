package demo;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.LongSupplier;

/**
 * The CPU-bound part of {@code /work}: a Murmur3-style hash over 64-byte blocks, with every
 * block depending on the hash of the one before, so the JIT can neither remove nor shorten it.
 *
 * <p>The work is plain Java loops in this class (no long-running JDK call): that is what a
 * bytecode rewriter such as Timeslice can make preemptible. The amount of work is a number of
 * blocks; {@link #calibrate} measures how many blocks this machine hashes per millisecond of CPU time, so
 * {@code /work?ms=N} costs about N ms of CPU time however the request is scheduled.
 */
public final class Work {
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;
    private static final int LONGS_PER_BLOCK = 8;

    private Work() {
    }

    /** Hashes {@code blocks} 64-byte blocks starting from {@code seed}; returns the hash. */
    public static long hashBlocks(long blocks, long seed) {
        long[] block = new long[LONGS_PER_BLOCK];
        for (int i = 0; i < LONGS_PER_BLOCK; i++) {
            block[i] = seed + i * C1;
        }
        long h = seed;
        for (long b = 0; b < blocks; b++) {
            for (int i = 0; i < LONGS_PER_BLOCK; i++) {
                long k = block[i] * C1;
                k = (k << 31) | (k >>> 33);
                h ^= k * C2;
                h = ((h << 27) | (h >>> 37)) * 5 + 0x52dce729;
            }
            // feed the hash back into the data: the next block depends on this one
            block[(int) (b & (LONGS_PER_BLOCK - 1))] ^= h;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }

    /**
     * Measures blocks hashed per millisecond of CPU time: a warm-up (so the JIT has compiled
     * {@link #hashBlocks}) and then a run of about {@code measureMillis}. CPU time, not wall
     * time, so other programs competing for the cores do not shrink the work; where this thread's
     * CPU time cannot be read, wall time is used instead.
     */
    public static double calibrate(long measureMillis) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        boolean cpu = mx.isCurrentThreadCpuTimeSupported() && mx.getCurrentThreadCpuTime() >= 0;
        LongSupplier clock = cpu ? mx::getCurrentThreadCpuTime : System::nanoTime;
        long sink = 0;
        long chunk = 1_000;
        // warm-up: until C2 has had a fair chance, at least a third of the measuring time
        long warmEnd = clock.getAsLong() + Math.max(50, measureMillis / 3) * 1_000_000L;
        while (clock.getAsLong() < warmEnd) {
            sink += hashBlocks(chunk, sink);
            chunk = Math.min(chunk * 2, 100_000);
        }
        long blocks = 0;
        long start = clock.getAsLong();
        long end = start + measureMillis * 1_000_000L;
        long now;
        do {
            sink += hashBlocks(chunk, sink);
            blocks += chunk;
            now = clock.getAsLong();
        } while (now < end);
        Blackhole.consume(sink);
        double millis = (now - start) / 1e6;
        return Math.max(1.0, blocks / millis);
    }

    /** Keeps a value alive so the JIT cannot drop the computation that produced it. */
    static final class Blackhole {
        static volatile long sink;

        static void consume(long v) {
            sink ^= v;
        }
    }
}
