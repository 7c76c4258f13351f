package dev.timeslice.agent.verify;

import dev.timeslice.agent.rewrite.ClassRewriter;
import dev.timeslice.agent.rewrite.MethodReport;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.BasicVerifier;

/**
 * Rewrites every class of a set of jars in memory and checks each rewritten class twice: with
 * ASM's {@link Analyzer} ({@link BasicVerifier}: stack and local kinds, needs no class hierarchy)
 * and with HotSpot's verifier, by defining and linking it in a throwaway loader that serves the
 * rewritten versions of all classes. A class whose original does not link either (a dependency
 * that is not on the given class path) is counted as skipped, not failed.
 *
 * <p>Multi-release entries ({@code META-INF/versions/N/...}) are checked in a loader of their own
 * in which they shadow the base entries.
 */
final class JarVerifier {
    private final ClassRewriter rewriter;

    JarVerifier(ClassRewriter rewriter) {
        this.rewriter = rewriter;
    }

    /** Counts for one jar. */
    static final class Report {
        final String jar;
        int classes;
        int rewritten;
        int unchanged;
        int methodsRewritten;
        int versioned;
        int stripMined;
        int counters;
        int edgePolls;
        int returnPolls;
        final Map<String, Integer> skipped = new TreeMap<>();
        final Map<String, Integer> keptMethods = new TreeMap<>();
        final List<String> failed = new ArrayList<>();
        final List<String> notes = new ArrayList<>();

        Report(String jar) {
            this.jar = jar;
        }

        void skip(String reason) {
            skipped.merge(reason, 1, Integer::sum);
        }

        int skippedCount() {
            return skipped.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** Class-file entries of a jar: version (0 = base) to dotted name to bytes. */
    private static Map<Integer, Map<String, byte[]>> read(Path jar) throws IOException {
        Map<Integer, Map<String, byte[]>> out = new TreeMap<>();
        try (JarFile jf = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> en = jf.entries(); en.hasMoreElements(); ) {
                JarEntry e = en.nextElement();
                String n = e.getName();
                if (e.isDirectory() || !n.endsWith(".class")) {
                    continue;
                }
                int version = 0;
                if (n.startsWith("META-INF/versions/")) {
                    String rest = n.substring("META-INF/versions/".length());
                    int slash = rest.indexOf('/');
                    try {
                        version = Integer.parseInt(rest.substring(0, slash));
                    } catch (RuntimeException ex) {
                        continue;
                    }
                    n = rest.substring(slash + 1);
                } else if (n.startsWith("META-INF/")) {
                    continue;
                }
                String name = n.substring(0, n.length() - ".class".length()).replace('/', '.');
                try (var in = jf.getInputStream(e)) {
                    out.computeIfAbsent(version, v -> new HashMap<>()).put(name, in.readAllBytes());
                }
            }
        }
        return out;
    }

    List<Report> verify(List<Path> jars, List<Path> classpath) throws IOException {
        Map<Integer, Map<String, byte[]>> originals = new TreeMap<>();
        Map<String, Map<Integer, Map<String, byte[]>>> byJar = new HashMap<>();
        for (Path jar : jars) {
            Map<Integer, Map<String, byte[]>> entries = read(jar);
            byJar.put(jar.toString(), entries);
            entries.forEach((v, m) -> originals.computeIfAbsent(v, x -> new HashMap<>()).putAll(m));
        }
        Map<String, byte[]> deps = new HashMap<>();
        for (Path p : classpath) {
            read(p).getOrDefault(0, Map.of()).forEach(deps::putIfAbsent);
        }
        // rewrite everything first: linking one class may need any other
        Map<Integer, Map<String, byte[]>> rewritten = new TreeMap<>();
        Map<String, ClassRewriter.Result> results = new HashMap<>();
        for (var v : originals.entrySet()) {
            for (var c : v.getValue().entrySet()) {
                ClassRewriter.Result r = rewriter.rewrite(c.getValue());
                results.put(v.getKey() + ":" + c.getKey(), r);
                byte[] bytes = r.status() == ClassRewriter.Result.Status.REWRITTEN ? r.bytes() : c.getValue();
                rewritten.computeIfAbsent(v.getKey(), x -> new HashMap<>()).put(c.getKey(), bytes);
            }
        }
        Map<Integer, ClassBytesLoader> rewrittenLoaders = new HashMap<>();
        Map<Integer, ClassBytesLoader> originalLoaders = new HashMap<>();
        List<Report> reports = new ArrayList<>();
        for (Path jar : jars) {
            Report rep = new Report(jar.getFileName().toString());
            reports.add(rep);
            for (var v : byJar.get(jar.toString()).entrySet()) {
                int version = v.getKey();
                for (String name : new java.util.TreeSet<>(v.getValue().keySet())) {
                    rep.classes++;
                    ClassRewriter.Result r = results.get(version + ":" + name);
                    String label = version == 0 ? name : name + " (META-INF/versions/" + version + ")";
                    switch (r.status()) {
                        case REWRITTEN -> {
                            rep.rewritten++;
                            count(rep, r);
                            selfCheck(rep, label, r);
                            String asm = analyze(r.bytes());
                            String hotspot = asm != null ? null : rewrittenLoaders
                                    .computeIfAbsent(version, x -> loader("rewritten", x, rewritten, deps)).link(name);
                            if (asm != null) {
                                rep.rewritten--;
                                rep.failed.add(label + ": ASM analyzer: " + asm);
                            } else if (hotspot != null) {
                                String orig = originalLoaders
                                        .computeIfAbsent(version, x -> loader("original", x, originals, deps)).link(name);
                                if (orig == null) {
                                    rep.rewritten--;
                                    rep.failed.add(label + ": " + hotspot);
                                } else {
                                    rep.rewritten--;
                                    rep.skip("rewritten, not verified: does not link without the agent either"
                                            + " (missing dependency? see --classpath)");
                                    rep.notes.add(label + ": " + orig);
                                }
                            }
                        }
                        case UNCHANGED -> rep.unchanged++;
                        case SKIPPED -> {
                            count(rep, r);
                            selfCheck(rep, label, r);
                            rep.skip(r.reason());
                        }
                        case FAILED -> rep.failed.add(label + ": " + r.reason());
                    }
                }
            }
        }
        return reports;
    }

    private static ClassBytesLoader loader(String kind, int version, Map<Integer, Map<String, byte[]>> classes,
                                           Map<String, byte[]> deps) {
        Map<String, byte[]> view = new HashMap<>(deps);
        classes.forEach((v, m) -> {
            if (v == 0) {
                view.putAll(m);
            }
        });
        classes.forEach((v, m) -> {
            if (v != 0 && v <= version) {
                view.putAll(m);
            }
        });
        return new ClassBytesLoader("timeslice-verify-" + kind + "-" + version, view);
    }

    private static void count(Report rep, ClassRewriter.Result r) {
        for (MethodReport m : r.methods()) {
            if (m.changed()) {
                rep.methodsRewritten++;
                rep.versioned += m.versioned();
                rep.stripMined += m.stripMined();
                rep.counters += m.counters();
                rep.edgePolls += m.edgePolls();
                rep.returnPolls += m.returnPolls();
            }
        }
        for (MethodReport m : r.keptOriginal()) {
            rep.keptMethods.merge(reasonKey(m.note()), 1, Integer::sum);
        }
    }

    /**
     * A form the rewriter's self-check rejected is a rewriter bug even though the agent falls
     * back to a simpler form or the original code: verification reports it as a failure.
     */
    private static void selfCheck(Report rep, String label, ClassRewriter.Result r) {
        for (MethodReport m : r.selfCheckRejections()) {
            rep.failed.add(label + "." + m.name() + m.descriptor() + ": " + m.note());
        }
    }

    /** A reason without the per-method numbers, for grouping. */
    private static String reasonKey(String note) {
        if (note == null) {
            return "unknown";
        }
        int paren = note.indexOf(" (");
        return paren > 0 ? note.substring(0, paren) : note;
    }

    /** Runs ASM's basic verifier over every method; returns the first problem or null. */
    static String analyze(byte[] bytes) {
        ClassNode cn = new ClassNode();
        new ClassReader(bytes).accept(cn, 0);
        for (MethodNode m : cn.methods) {
            try {
                new Analyzer<BasicValue>(new BasicVerifier()).analyze(cn.name, m);
            } catch (AnalyzerException | RuntimeException e) {
                StringWriter sw = new StringWriter();
                sw.write(m.name + m.desc + ": " + e.getMessage());
                return sw.toString().replace('\n', ' ');
            }
        }
        return null;
    }

}
