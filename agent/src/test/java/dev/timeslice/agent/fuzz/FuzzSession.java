package dev.timeslice.agent.fuzz;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
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
        for (long i = 0; i < maxCases && System.currentTimeMillis() < end && findings.size() < maxFindings; i++) {
            long caseSeed = r.nextLong();
            runCase(i % 4 == 3, caseSeed);
        }
    }

    /** Checks one case; records and returns a finding, or null. */
    Finding runCase(boolean asm, long caseSeed) {
        Finding f = asm ? asmCase(caseSeed) : javaCase(caseSeed);
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
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Location:\\s+\\S+\\.(\\S+)\\(").matcher(d);
        if (m.find()) {
            where = " in " + m.group(1);
        }
        return f.kind() + ": " + first + where;
    }

    private Finding javaCase(long caseSeed) {
        javaCases++;
        JavaCase c = JavaCase.generate(caseSeed);
        javaMethods += c.cls.methods.size();
        Differential.Unit u;
        try {
            u = c.unit(javac);
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
        try {
            return diff.check(u);
        } catch (Differential.OriginalBroken e) {
            return new Differential.Failure("generator", String.valueOf(e.getMessage()));
        }
    }

    Differential.Stats stats() {
        return diff.stats;
    }

    String summary(long millis) {
        Differential.Stats s = diff.stats;
        long methods = javaMethods + asmMethods;
        return String.format("%d java cases (%d methods), %d asm cases (%d methods), %d calls x 5 variants, in %.1f s: %.0f methods/min;"
                        + " %d originals timed out (skipped), %d methods kept original (size), %d runs on G's, %d preemptions served; %d failures",
                javaCases, javaMethods, asmCases, asmMethods, s.calls, millis / 1000.0, methods * 60_000.0 / Math.max(1, millis),
                s.originalTimeouts, s.keptOriginal, s.schedulerRuns, s.preemptions, findings.size());
    }

    @Override
    public void close() {
        diff.close();
        reduceDiff.close();
    }
}
