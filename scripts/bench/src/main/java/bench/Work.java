package bench;

/** CPU-bound work as an ordinary loop: xorshift hashing for about {@code ms} milliseconds of one core. */
final class Work {
    /** Iterations per millisecond of one core, roughly (calibrated once on a 2-core VM). */
    static final long PER_MS = 400_000;

    private Work() {
    }

    static long hash(int ms) {
        long x = 0x9E3779B97F4A7C15L;
        long n = ms * PER_MS;
        for (long i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            x += i;
        }
        return x;
    }
}
