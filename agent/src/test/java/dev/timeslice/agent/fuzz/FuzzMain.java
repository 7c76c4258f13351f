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
        String oneCase = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Long.parseLong(args[++i]);
                case "--seed" -> seed = Long.decode(args[++i]);
                case "--max-failures" -> maxFindings = Integer.parseInt(args[++i]);
                case "--case" -> oneCase = args[++i];
                default -> {
                    System.err.println("fuzz-rewriter: unknown argument " + args[i]
                            + "; accepted: --seconds N --seed S [--max-failures K], or --case java:SEED|asm:SEED");
                    System.exit(1);
                }
            }
        }
        if (oneCase != null) {
            // re-run one case of an earlier run: --case java:SEED or --case asm:SEED
            String[] kv = oneCase.split(":", 2);
            try (FuzzSession s = new FuzzSession(System.out, 10_000, 120_000)) {
                FuzzSession.Finding f = s.runCase(kv[0].equals("asm"), Long.parseLong(kv[1]));
                System.out.println("fuzz-rewriter: case " + oneCase + (f == null ? ": passed" : ": FAILED"));
                System.exit(f == null ? 0 : 1);
            }
        }
        System.out.println("fuzz-rewriter: seed " + seed + ", " + seconds + " s");
        long start = System.currentTimeMillis();
        long end = start + seconds * 1000;
        try (FuzzSession s = new FuzzSession(System.out, 10_000, 120_000)) {
            java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
            long nextReport = start + 60_000;
            while (System.currentTimeMillis() < end && s.findings.size() < maxFindings) {
                s.runBatch(r, end, maxFindings);
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
