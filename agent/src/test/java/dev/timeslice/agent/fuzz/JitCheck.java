package dev.timeslice.agent.fuzz;

import dev.timeslice.agent.Jvm;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@link JitHarness} in a child JVM with {@code -XX:+PrintCompilation} and finds the
 * methods whose rewritten copy ({@code X__ts::m}) got {@code COMPILE SKIPPED} from a compiler
 * (C1: tiers 1-3, C2: tier 4) that did not skip the original {@code X::m}. The harness reports
 * on stderr: the compiler threads' PrintCompilation lines on stdout would interleave with its lines.
 */
final class JitCheck {
    private JitCheck() {
    }

    /** One skipped compilation: class, method, C1 or C2, reason; {@code line} is the raw line. */
    record Skip(String cls, String method, String compiler, String reason, String line) {
    }

    /** The outcome: bailouts introduced by rewriting, all skips seen, and the harness output. */
    record Result(List<Skip> introduced, List<Skip> all, List<String> harness, Jvm.Result jvm) {
    }

    private static final Pattern LINE = Pattern.compile(
            "^\\s*\\d+\\s+\\d+\\s+([%sbn! ]*?)\\s*(\\d)\\s+(\\S+)::(\\S+)\\s.*COMPILE SKIPPED: (.*)$");

    static Result run(List<String> harnessArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("-XX:+PrintCompilation", "-XX:CompileThresholdScaling=0.05", "-Xmx512m",
                "-cp", System.getProperty("java.class.path") + File.pathSeparator + Jvm.classpath(JitHarness.class),
                JitHarness.class.getName()));
        cmd.addAll(harnessArgs);
        Jvm.Result r = Jvm.run(cmd);
        List<Skip> all = new ArrayList<>();
        List<String> harness = new ArrayList<>();
        for (String l : r.errLines()) {
            if (l.startsWith("jit-harness:")) {
                harness.add(l);
            }
        }
        for (String l : r.outLines()) {
            Matcher m = LINE.matcher(l);
            if (m.matches()) {
                int tier = Integer.parseInt(m.group(2));
                all.add(new Skip(m.group(3), m.group(4), tier == 4 ? "C2" : "C1", m.group(5).trim(), l.trim()));
            }
        }
        Set<String> original = new TreeSet<>();
        for (Skip s : all) {
            if (!s.cls.endsWith(JitHarness.SUFFIX)) {
                original.add(s.cls + "::" + s.method + " " + s.compiler);
            }
        }
        TreeMap<String, Skip> introduced = new TreeMap<>();
        for (Skip s : all) {
            if (s.cls.endsWith(JitHarness.SUFFIX)) {
                String orig = s.cls.substring(0, s.cls.length() - JitHarness.SUFFIX.length());
                String key = orig + "::" + s.method + " " + s.compiler;
                if (!original.contains(key) && !inherent(s.reason)) {
                    introduced.putIfAbsent(key, s);
                }
            }
        }
        return new Result(List.copyOf(introduced.values()), all, harness, r);
    }

    /**
     * Reasons that come from the original code's shape, not from rewriting: OSR needs an empty
     * operand stack at the loop header, and the ASM corpus (and javac's switch expressions) keep
     * values on the stack across back-edges on purpose; whether the original got an OSR attempt at
     * that tier depends on timing. Concurrent class loading is a transient retry.
     */
    static boolean inherent(String reason) {
        return reason.startsWith("concurrent class loading") || reason.startsWith("stack not empty at OSR entry point")
                || reason.startsWith("OSR starts with non-empty stack");
    }

    /** The harness on one source file's class: its static no-argument methods, hot. */
    static Result runSource(String className, String source) throws IOException, InterruptedException {
        Path f = Files.createTempFile("jit-case", ".java");
        try {
            Files.writeString(f, source);
            return run(List.of("--source", f.toString(), className));
        } finally {
            Files.deleteIfExists(f);
        }
    }

    static String describe(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(r.introduced.size()).append(" rewritten methods the JIT refused where it compiled the original:\n");
        for (Skip s : r.introduced) {
            sb.append("  ").append(s.line).append('\n');
        }
        sb.append("harness: ").append(String.join("\n  ", r.harness)).append('\n');
        if (r.jvm.exit() != 0) {
            sb.append(r.jvm);
        }
        return sb.toString();
    }
}
