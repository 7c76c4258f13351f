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
 * jar and in total on stdout, and exits with 0 when nothing failed, 1 when something did, 2 on a
 * usage error. {@code --classpath} names jars the given ones depend on: used to link, not checked.
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
        int failed = 0;
        for (JarVerifier.Report r : reports) {
            out.printf("%s: %d classes: %d rewritten, %d unchanged, %d skipped, %d failed%n",
                    r.jar, r.classes, r.rewritten, r.unchanged, r.skippedCount(), r.failed.size());
            out.printf("  methods: %d rewritten (%d versioned loops, %d strip-mined loops, %d counted back-edges, "
                    + "%d polled back-edges, %d return polls)%n",
                    r.methodsRewritten, r.versioned, r.stripMined, r.counters, r.edgePolls, r.returnPolls);
            for (Map.Entry<String, Integer> e : r.keptMethods.entrySet()) {
                out.printf("  methods kept original: %d: %s%n", e.getValue(), e.getKey());
            }
            for (Map.Entry<String, Integer> e : r.skipped.entrySet()) {
                out.printf("  skipped: %d: %s%n", e.getValue(), e.getKey());
            }
            for (String f : r.failed) {
                out.println("  FAILED " + f);
            }
            if (verbose) {
                r.notes.forEach(n -> out.println("  note: " + n));
            }
            classes += r.classes;
            rewritten += r.rewritten;
            unchanged += r.unchanged;
            skipped += r.skippedCount();
            failed += r.failed.size();
        }
        out.printf("total: %d classes: %d rewritten, %d unchanged, %d skipped, %d failed%n",
                classes, rewritten, unchanged, skipped, failed);
        return failed == 0 ? 0 : 1;
    }
}
