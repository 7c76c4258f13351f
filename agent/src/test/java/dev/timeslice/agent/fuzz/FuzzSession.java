package dev.timeslice.agent.fuzz;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A fuzzing run: from one seed, a stream of cases (three generated Java classes, then one
 * ASM-generated class, and so on), each checked by {@link Differential} until the time budget
 * is spent. Each failure is reported with its case seed (reproducible alone with
 * {@link #runCase}), the failure, and for Java cases a delta-reduced reproducer.
 */
final class FuzzSession implements AutoCloseable {
    /** A failure: the case seed, what failed, a minimal reproducer and the full generated source. */
    record Finding(String caseSeed, Differential.Failure failure, String reproducer, String original) {
        String report() {
            return "FUZZ FAILURE " + caseSeed + "\n" + failure + "\n--- minimal reproducer ---\n" + reproducer
                    + "\n--- generated source ---\n" + original;
        }
    }

    private final InMemoryJavac javac = new InMemoryJavac();
    private final Differential diff;
    private final Differential reduceDiff;
    private final PrintStream log;
    private final long reduceMillis;
    final List<Finding> findings = new ArrayList<>();
    /** Signature of a failure (kind, error, shape) to how often it was seen; only the first is printed. */
    final java.util.Map<String, Integer> seen = new java.util.LinkedHashMap<>();
    long javaCases;
    long asmCases;
    long javaMethods;
    long asmMethods;
    long compileNanos;
    long checkNanos;

    FuzzSession(PrintStream log, long timeoutMillis, long reduceMillis) {
        this.log = log;
        this.diff = new Differential(timeoutMillis, true);
        this.reduceDiff = new Differential(Math.min(timeoutMillis, 3000), false);
        this.reduceMillis = reduceMillis;
    }

    /** Runs cases from {@code seed} until {@code millis} have passed or {@code maxCases} ran or {@code maxFindings} were found. */
    void run(long seed, long millis, long maxCases, int maxFindings) {
        SplittableRandom r = new SplittableRandom(seed);
        long end = System.currentTimeMillis() + millis;
        for (long i = 0; i < maxCases && System.currentTimeMillis() < end && findings.size() < maxFindings; ) {
            i += runBatch(r, end, maxFindings);
        }
    }

    static final int BATCH = 24;

    /**
     * Draws {@link #BATCH} case seeds (every 4th an ASM case), compiles the Java cases in one
     * javac task, checks them all (until {@code end}); returns the number of cases checked.
     */
    int runBatch(SplittableRandom r, long end, int maxFindings) {
        long[] seeds = new long[BATCH];
        Map<String, String> sources = new java.util.LinkedHashMap<>();
        List<JavaCase> cases = new ArrayList<>();
        for (int k = 0; k < BATCH; k++) {
            seeds[k] = r.nextLong();
            if (k % 4 != 3) {
                JavaCase c = JavaCase.generate(seeds[k], JavaCase.CLASS_NAME + "_" + k);
                cases.add(c);
                sources.put(c.className, c.cls.source());
            }
        }
        Map<String, byte[]> compiled = null;
        long t0 = System.nanoTime();
        try {
            compiled = javac.compileAll(sources);
        } catch (InMemoryJavac.CompileError e) {
            // one case has a generator bug: compile them one by one below, which reports it
        }
        compileNanos += System.nanoTime() - t0;
        int done = 0;
        int j = 0;
        for (int k = 0; k < BATCH && System.currentTimeMillis() < end && findings.size() < maxFindings; k++) {
            Finding f;
            if (k % 4 == 3) {
                f = asmCase(seeds[k]);
            } else {
                f = javaCase(cases.get(j++), compiled);
            }
            record(f);
            done++;
        }
        return done;
    }

    private void record(Finding f) {
        if (f != null) {
            findings.add(f);
            int times = seen.merge(signature(f), 1, Integer::sum);
            if (log != null && times > 1) {
                log.println("FUZZ FAILURE " + f.caseSeed() + " again (" + times + "x): " + signature(f));
            } else if (log != null) {
                log.println(f.report());
                log.flush();
            }
        }
    }

    /** Checks one case; records and returns a finding, or null. */
    Finding runCase(boolean asm, long caseSeed) {
        Finding f = asm ? asmCase(caseSeed) : javaCase(caseSeed);
        record(f);
        return f;
    }

    /** Kind, first line of the error without numbers, and the failing ASM method's shape. */
    static String signature(Finding f) {
        return signature(f.failure());
    }

    static String signature(Differential.Failure f) {
        String d = f.detail();
        String first = d.lines().findFirst().orElse("").replaceAll("-?[0-9]+", "N");
        if (first.length() > 160) {
            first = first.substring(0, 160);
        }
        String where = "";
        boolean asmShape = d.startsWith("[shape: ");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Location:\\s+\\S+\\.(\\S+)\\(").matcher(d);
        if (m.find() && !(asmShape && m.group(1).matches("s[0-9]+"))) {
            where = " in " + m.group(1);
        }
        return f.kind() + ": " + first + where;
    }

    private Finding javaCase(long caseSeed) {
        return javaCase(JavaCase.generate(caseSeed), null);
    }

    private Finding javaCase(JavaCase c, Map<String, byte[]> compiled) {
        long caseSeed = c.seed;
        javaCases++;
        javaMethods += c.cls.methods.size();
        Differential.Unit u;
        long t0 = System.nanoTime();
        try {
            u = compiled != null ? c.unit(compiled) : c.unit(javac);
            compileNanos += System.nanoTime() - t0;
        } catch (InMemoryJavac.CompileError e) {
            // a generator bug, not the rewriter's: report it as such
            return new Finding("java " + caseSeed, new Differential.Failure("generator", "does not compile: " + e.getMessage()),
                    c.cls.source(), c.cls.source());
        }
        Differential.Failure f = check(u);
        if (f == null) {
            return null;
        }
        if (f.kind().equals("generator")) {
            return new Finding("java " + caseSeed, f, c.cls.source(), c.cls.source());
        }
        if (seen.containsKey(signature(f))) {
            return new Finding("java " + caseSeed, f, "(not reduced: seen before)", c.cls.source());
        }
        Differential d = f.kind().startsWith("scheduler") ? diff : reduceDiff;
        Reducer.Reduced red = new Reducer(javac, d, f.kind(), reduceMillis).reduce(c, f);
        String repro = red.c().cls.source() + "// calls: " + red.c().calls + "\n// " + red.failure();
        return new Finding("java " + caseSeed, f, repro, c.cls.source());
    }

    private Finding asmCase(long caseSeed) {
        asmCases++;
        Differential.Unit u = AsmGen.unit(caseSeed);
        asmMethods += u.calls().size() / 3;
        Differential.Failure f = check(u);
        if (f == null) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Location:\\s+\\S+\\.s([0-9]+)\\(").matcher(f.detail());
        if (m.find()) {
            AsmGen g = new AsmGen(caseSeed);
            g.generate();
            f = new Differential.Failure(f.kind(), "[shape: " + g.shapes.get(Integer.parseInt(m.group(1))) + "] " + f.detail());
        }
        String text = Disassembly.of(u.classes().get(AsmGen.CLASS_NAME));
        return new Finding("asm " + caseSeed, f, u.label() + "\n" + text, text);
    }

    private Differential.Failure check(Differential.Unit u) {
        long t0 = System.nanoTime();
        try {
            return diff.check(u);
        } catch (Differential.OriginalBroken e) {
            return new Differential.Failure("generator", String.valueOf(e.getMessage()));
        } finally {
            checkNanos += System.nanoTime() - t0;
        }
    }

    Differential.Stats stats() {
        return diff.stats;
    }

    String summary(long millis) {
        Differential.Stats s = diff.stats;
        long methods = javaMethods + asmMethods;
        return String.format("%d java cases (%d methods), %d asm cases (%d methods), %d calls x 5 variants, in %.1f s: %.0f methods/min;"
                        + " javac %.1f s, checks %.1f s; %d originals timed out (skipped), %d methods kept original (size), %d runs on G's, %d preemptions served; %d failures",
                javaCases, javaMethods, asmCases, asmMethods, s.calls, millis / 1000.0, methods * 60_000.0 / Math.max(1, millis),
                compileNanos / 1e9, checkNanos / 1e9, s.originalTimeouts, s.keptOriginal, s.schedulerRuns, s.preemptions, findings.size());
    }

    @Override
    public void close() {
        diff.close();
        reduceDiff.close();
    }
}
