package dev.timeslice.agent.verify;

import dev.timeslice.agent.ClassFilter;
import dev.timeslice.agent.rewrite.ClassRewriter;
import dev.timeslice.agent.rewrite.RewriteConfig;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar timeslice-agent.jar verify [--classpath <jars>] [--loopPoll <n>] [--verbose] <jar>...}
 *
 * <p>Rewrites every class of the given jars as the agent would (every class counts as rewritten:
 * the jars are the application), verifies the results (see {@link JarVerifier}), prints counts per
 * jar and in total on stdout, and exits with 0 when nothing failed, 1 when a rewritten class failed
 * verification or the rewriter could not handle a class (left alone after an error, as the agent
 * would load it unchanged) or the rewriter's self-check rejected a form it produced (lines
 * {@code FAILED SELF-CHECK}), 2 on a usage error. {@code --classpath} names jars the given ones depend on: used to link, not checked.
 */
public final class VerifyCli {
    private VerifyCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        List<Path> jars = new ArrayList<>();
        List<Path> classpath = new ArrayList<>();
        int loopPoll = 8192;
        boolean verbose = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--classpath", "-cp" -> {
                        for (String p : args[++i].split(File.pathSeparator)) {
                            if (!p.isEmpty()) {
                                classpath.add(Path.of(p));
                            }
                        }
                    }
                    case "--loopPoll" -> loopPoll = Integer.parseInt(args[++i]);
                    case "--verbose", "-v" -> verbose = true;
                    default -> {
                        if (args[i].startsWith("-")) {
                            throw new IllegalArgumentException("unknown option " + args[i]);
                        }
                        jars.add(Path.of(args[i]));
                    }
                }
            }
            if (jars.isEmpty()) {
                throw new IllegalArgumentException("no jar given");
            }
            for (Path p : jars) {
                if (!Files.isRegularFile(p)) {
                    throw new IllegalArgumentException("not a file: " + p);
                }
            }
        } catch (RuntimeException e) {
            err.println("timeslice verify: " + e.getMessage());
            err.println("usage: java -jar timeslice-agent.jar verify [--classpath <jars>] [--loopPoll <n>] [--verbose] <jar>...");
            return 2;
        }
        List<JarVerifier.Report> reports;
        try {
            reports = new JarVerifier(new ClassRewriter(new RewriteConfig(loopPoll, ClassFilter.all(), true)))
                    .verify(jars, classpath);
        } catch (IOException e) {
            err.println("timeslice verify: " + e);
            return 2;
        }
        int classes = 0;
        int rewritten = 0;
        int unchanged = 0;
        int skipped = 0;
        int leftAlone = 0;
        int failed = 0;
        int selfChecks = 0;
        int pastLimit = 0;
        for (JarVerifier.Report r : reports) {
            out.printf("%s: %s%n", r.jar, counts(r.classes, r.rewritten, r.unchanged, r.skippedCount(),
                    r.leftAlone.size(), r.failed.size()));
            out.printf("  methods: %d rewritten (%d versioned loops, %d strip-mined loops, %d counted back-edges, "
                    + "%d polled back-edges, %d return polls)%n",
                    r.methodsRewritten, r.versioned, r.stripMined, r.counters, r.edgePolls, r.returnPolls);
            for (Map.Entry<String, Integer> e : r.keptMethods.entrySet()) {
                out.printf("  methods kept original: %d: %s%n", e.getValue(), e.getKey());
            }
            for (Map.Entry<String, Integer> e : r.skipped.entrySet()) {
                out.printf("  skipped: %d: %s%n", e.getValue(), e.getKey());
            }
            if (r.shadowed > 0) {
                out.printf("  rewritten, checked with ASM only: %d: the same class comes first from an earlier jar%n",
                        r.shadowed);
            }
            for (String f : r.leftAlone) {
                out.println("  LEFT ALONE AFTER AN ERROR " + f);
            }
            for (String f : r.selfCheckRejected) {
                out.println("  FAILED SELF-CHECK " + f);
            }
            if (r.pastInlineLimitLoops + r.pastInlineLimitRecursive > 0) {
                out.printf("  past one of HotSpot's inlining limits (6, 35, 325 bytes): %d methods with loops, "
                        + "%d recursive (return polls kept)%n", r.pastInlineLimitLoops, r.pastInlineLimitRecursive);
            }
            for (String f : r.pastInlineLimit) {
                out.println("  FAILED INLINING LIMIT " + f);
            }
            if (r.cascades > 0) {
                out.printf("  failures that only follow from another class's failure: %d (listed last)%n", r.cascades);
            }
            r.failed.stream().filter(f -> !f.contains(": fails to link because ")).forEach(f -> out.println("  FAILED " + f));
            r.failed.stream().filter(f -> f.contains(": fails to link because ")).forEach(f -> out.println("  FAILED " + f));
            if (verbose) {
                r.notes.forEach(n -> out.println("  note: " + n));
            }
            classes += r.classes;
            rewritten += r.rewritten;
            unchanged += r.unchanged;
            skipped += r.skippedCount();
            leftAlone += r.leftAlone.size();
            failed += r.failed.size();
            selfChecks += r.selfCheckRejected.size();
            pastLimit += r.pastInlineLimit.size();
        }
        if (selfChecks > 0) {
            out.printf("methods whose form the rewriter's self-check rejected (rewriter bugs): %d%n", selfChecks);
        }
        if (pastLimit > 0) {
            out.printf("loop-free methods rewriting took past an inlining limit (rewriter bugs): %d%n", pastLimit);
        }
        out.printf("total: %s%n", counts(classes, rewritten, unchanged, skipped, leftAlone, failed));
        return failed == 0 && leftAlone == 0 && selfChecks == 0 && pastLimit == 0 ? 0 : 1;
    }

    /** The one counts format, per jar and in total (tests and scripts parse it). */
    static String counts(int classes, int rewritten, int unchanged, int skipped, int leftAlone, int failed) {
        return String.format("%d classes: %d rewritten, %d unchanged, %d skipped, %d left alone after an error, "
                + "%d failed verification", classes, rewritten, unchanged, skipped, leftAlone, failed);
    }
}
