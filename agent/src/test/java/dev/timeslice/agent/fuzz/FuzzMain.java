package dev.timeslice.agent.fuzz;

/**
 * Long mode of the rewriter fuzzer ({@code scripts/fuzz-rewriter.sh --seconds N --seed S}):
 * prints the seed, progress once a minute, every failure with a minimal reproducer, and a summary;
 * exit status 1 if anything failed.
 */
public final class FuzzMain {
    private FuzzMain() {
    }

    public static void main(String[] args) {
        long seconds = 60;
        long seed = System.nanoTime();
        int maxFindings = 1000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Long.parseLong(args[++i]);
                case "--seed" -> seed = Long.decode(args[++i]);
                case "--max-failures" -> maxFindings = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("fuzz-rewriter: unknown argument " + args[i] + "; accepted: --seconds N --seed S [--max-failures K]");
                    System.exit(1);
                }
            }
        }
        System.out.println("fuzz-rewriter: seed " + seed + ", " + seconds + " s");
        long start = System.currentTimeMillis();
        long end = start + seconds * 1000;
        try (FuzzSession s = new FuzzSession(System.out, 10_000, 120_000)) {
            java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
            long nextReport = start + 60_000;
            for (long i = 0; System.currentTimeMillis() < end && s.findings.size() < maxFindings; i++) {
                s.runCase(i % 4 == 3, r.nextLong());
                if (System.currentTimeMillis() > nextReport) {
                    System.out.println("fuzz-rewriter: " + s.summary(System.currentTimeMillis() - start));
                    nextReport += 60_000;
                }
            }
            System.out.println("fuzz-rewriter: seed " + seed + ": " + s.summary(System.currentTimeMillis() - start));
            s.seen.forEach((sig, n) -> System.out.println("fuzz-rewriter: " + n + "x " + sig));
            System.out.flush();
            System.exit(s.findings.isEmpty() ? 0 : 1);
        }
    }
}
