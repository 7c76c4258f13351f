package dev.timeslice.agent.offline;

import dev.timeslice.agent.ClassFilter;
import dev.timeslice.agent.rewrite.ClassRewriter;
import dev.timeslice.agent.rewrite.RewriteConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * {@code java -jar timeslice-agent.jar rewrite --out <dir> [--loopPoll <n>] <jar>...}
 *
 * <p>Writes, for every given jar, a copy into {@code <dir>} (same file name) whose classes are
 * rewritten as the agent would rewrite them at load time (every class counts as application
 * code; multi-release entries too). Classes the rewriter leaves unchanged, skips or cannot
 * handle are copied as they are; signature files are dropped (rewritten classes would no longer
 * match them). Prints one line of counts per jar.
 *
 * <p>What it is for: the "rewritten offline" ablation of {@code scripts/bench-programs.sh} runs
 * a program from these jars with the agent jar on the class path and no {@code -javaagent}: the
 * polls run (and find no scheduler: {@code Safepoint} never raises its word), nothing else of
 * Timeslice does. That separates what the polls cost from what the agent and scheduler cost.
 * Not a way to deploy Timeslice: without the agent there is no scheduler and no preemption.
 *
 * <p>Exit status 0 when every jar was written, 1 when one could not be, 2 on a usage error.
 */
public final class RewriteCli {
    static final String USAGE = "usage: java -jar timeslice-agent.jar rewrite --out <dir> [--loopPoll <n>] <jar>...";

    private RewriteCli() {
    }

    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Path dir = null;
        int loopPoll = 8192;
        List<Path> jars = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--out", "-o" -> dir = Path.of(args[++i]);
                    case "--loopPoll" -> loopPoll = Integer.parseInt(args[++i]);
                    default -> {
                        if (args[i].startsWith("-")) {
                            throw new IllegalArgumentException("unknown option " + args[i]);
                        }
                        jars.add(Path.of(args[i]));
                    }
                }
            }
            if (dir == null) {
                throw new IllegalArgumentException("--out <dir> is required");
            }
            if (jars.isEmpty()) {
                throw new IllegalArgumentException("no jar given");
            }
            if (loopPoll < 1) {
                throw new IllegalArgumentException("--loopPoll must be at least 1");
            }
            for (Path p : jars) {
                if (!Files.isRegularFile(p)) {
                    throw new IllegalArgumentException("not a file: " + p);
                }
            }
        } catch (RuntimeException e) {
            err.println("timeslice rewrite: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        ClassRewriter rewriter = new ClassRewriter(new RewriteConfig(loopPoll, ClassFilter.all(), true));
        int status = 0;
        for (Path jar : jars) {
            try {
                Files.createDirectories(dir);
                int[] counts = rewriteJar(rewriter, jar, dir.resolve(jar.getFileName()));
                out.printf("%s: %d classes: %d rewritten, %d copied unchanged%n", jar, counts[0], counts[1], counts[0] - counts[1]);
            } catch (IOException | RuntimeException e) {
                err.println("timeslice rewrite: " + jar + ": " + e);
                status = 1;
            }
        }
        return status;
    }

    /** Returns {classes, rewritten}. Written to a temporary file first, then moved into place. */
    static int[] rewriteJar(ClassRewriter rewriter, Path in, Path target) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        int classes = 0;
        int rewritten = 0;
        try (JarFile jf = new JarFile(in.toFile(), false);
             OutputStream os = Files.newOutputStream(tmp);
             JarOutputStream jos = new JarOutputStream(os)) {
            for (Enumeration<JarEntry> en = jf.entries(); en.hasMoreElements(); ) {
                JarEntry e = en.nextElement();
                String n = e.getName();
                if (signature(n)) {
                    continue;
                }
                byte[] bytes;
                try (InputStream is = jf.getInputStream(e)) {
                    bytes = is.readAllBytes();
                }
                if (!e.isDirectory() && n.endsWith(".class") && !n.endsWith("module-info.class")) {
                    classes++;
                    ClassRewriter.Result r = rewriter.rewrite(bytes);
                    if (r.status() == ClassRewriter.Result.Status.REWRITTEN) {
                        bytes = r.bytes();
                        rewritten++;
                    }
                }
                JarEntry copy = new JarEntry(n);
                copy.setTime(e.getTime());
                jos.putNextEntry(copy);
                jos.write(bytes);
                jos.closeEntry();
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new int[] {classes, rewritten};
    }

    private static boolean signature(String name) {
        if (!name.startsWith("META-INF/") || name.indexOf('/', "META-INF/".length()) >= 0) {
            return false;
        }
        String upper = name.toUpperCase(java.util.Locale.ROOT);
        return upper.endsWith(".SF") || upper.endsWith(".RSA") || upper.endsWith(".DSA") || upper.endsWith(".EC")
                || upper.startsWith("META-INF/SIG-");
    }
}
