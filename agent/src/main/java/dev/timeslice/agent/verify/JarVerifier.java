package dev.timeslice.agent.verify;

import dev.timeslice.agent.rewrite.ClassRewriter;
import dev.timeslice.agent.rewrite.InlineLimits;
import dev.timeslice.agent.rewrite.MethodRewriter;
import dev.timeslice.agent.rewrite.MethodReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * <p>The jars form one class path in the order given, then the {@code classpath} jars: where two
 * jars hold the same class, the first one is served to the loaders (as a class loader would), and a
 * later copy is rewritten and checked with ASM only ({@link Report#shadowed}).
 *
 * <p>A class that fails to link only because a class it needs (its superclass, say) fails is a
 * failure too, but marked as following from that class ({@link Report#cascades}), so the list of
 * failures starts with the ones to look at. Work is linear in the number of classes: everything is
 * rewritten once, and one loader per multi-release version serves all of them.
 *
 * <p>Multi-release entries ({@code META-INF/versions/N/...}) are checked in a loader of their own
 * in which they shadow the base entries.
 */
final class JarVerifier {
    /** Where HotSpot's VerifyError text names the method: {@code Location: a/b/C.m(I)V @12: iload}. */
    private static final Pattern LOCATION = Pattern.compile("Location:\\s+(\\S+?)\\.([^.\\s]+\\(\\S*) @(\\d+): (\\S+)");
    private static final Pattern REASON = Pattern.compile("Reason:\\s+(.*?)\\s*(Current Frame:|Bytecode:|$)");

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
        /** rewritten copies checked with ASM only: the same class comes first from an earlier jar */
        int shadowed;
        /** failures that follow from another class's failure */
        int cascades;
        final Map<String, Integer> skipped = new TreeMap<>();
        final Map<String, Integer> keptMethods = new TreeMap<>();
        /** classes the rewriter could not handle and left unchanged (as the agent would), with why */
        final List<String> leftAlone = new ArrayList<>();
        /** methods for which the rewriter's self-check rejected a form (a rewriter bug; the agent fell back) */
        final List<String> selfCheckRejected = new ArrayList<>();
        /** rewritten classes that do not verify, with class, method and error */
        final List<String> failed = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        /** loop-free methods rewriting took past one of HotSpot's inlining limits without recursing (rewriter bugs) */
        final List<String> pastInlineLimit = new ArrayList<>();
        /** recursive loop-free methods past an inlining limit: their return polls are kept on purpose */
        int pastInlineLimitRecursive;
        /** methods with loops past an inlining limit: their loop polls are never dropped */
        int pastInlineLimitLoops;

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
        // the class path as a loader sees it: first jar wins
        Map<Integer, Map<String, byte[]>> originals = new TreeMap<>();
        Map<Integer, Map<String, byte[]>> rewritten = new TreeMap<>();
        List<Map<Integer, Map<String, ClassRewriter.Result>>> results = new ArrayList<>();
        List<Map<Integer, Map<String, byte[]>>> entriesByJar = new ArrayList<>();
        // rewrite everything first: linking one class may need any other
        for (Path jar : jars) {
            Map<Integer, Map<String, byte[]>> entries = read(jar);
            entriesByJar.add(entries);
            Map<Integer, Map<String, ClassRewriter.Result>> jarResults = new TreeMap<>();
            results.add(jarResults);
            for (var v : entries.entrySet()) {
                for (var c : v.getValue().entrySet()) {
                    ClassRewriter.Result r = rewriter.rewrite(c.getValue());
                    jarResults.computeIfAbsent(v.getKey(), x -> new HashMap<>()).put(c.getKey(), r);
                    byte[] bytes = r.status() == ClassRewriter.Result.Status.REWRITTEN ? r.bytes() : c.getValue();
                    originals.computeIfAbsent(v.getKey(), x -> new HashMap<>()).putIfAbsent(c.getKey(), c.getValue());
                    rewritten.computeIfAbsent(v.getKey(), x -> new HashMap<>()).putIfAbsent(c.getKey(), bytes);
                }
            }
        }
        Map<String, byte[]> deps = new HashMap<>();
        for (Path p : classpath) {
            read(p).getOrDefault(0, Map.of()).forEach(deps::putIfAbsent);
        }
        Map<Integer, ClassBytesLoader> rewrittenLoaders = new HashMap<>();
        Map<Integer, ClassBytesLoader> originalLoaders = new HashMap<>();
        List<Report> reports = new ArrayList<>();
        for (int j = 0; j < jars.size(); j++) {
            Report rep = new Report(jars.get(j).getFileName().toString());
            reports.add(rep);
            for (var v : entriesByJar.get(j).entrySet()) {
                int version = v.getKey();
                for (String name : new TreeSet<>(v.getValue().keySet())) {
                    rep.classes++;
                    ClassRewriter.Result r = results.get(j).get(version).get(name);
                    String label = version == 0 ? name : name + " (META-INF/versions/" + version + ")";
                    switch (r.status()) {
                        case REWRITTEN -> {
                            count(rep, r);
                            selfCheck(rep, label, r);
                            inlineLimits(rep, label, v.getValue().get(name), r);
                            String asm = analyze(r.bytes());
                            if (asm != null) {
                                rep.failed.add(label + ": ASM analyzer: " + asm);
                                continue;
                            }
                            if (rewritten.get(version).get(name) != r.bytes()) {
                                rep.rewritten++;
                                rep.shadowed++;
                                continue;
                            }
                            String hotspot = rewrittenLoaders
                                    .computeIfAbsent(version, x -> loader("rewritten", x, rewritten, deps)).link(name);
                            if (hotspot == null) {
                                rep.rewritten++;
                                continue;
                            }
                            String orig = originalLoaders
                                    .computeIfAbsent(version, x -> loader("original", x, originals, deps)).link(name);
                            if (orig == null) {
                                String culprit = culprit(hotspot);
                                if (culprit != null && !culprit.equals(name)) {
                                    rep.cascades++;
                                    rep.failed.add(label + ": fails to link because " + culprit + " fails: " + brief(hotspot));
                                } else {
                                    rep.failed.add(label + ": " + brief(hotspot));
                                }
                                rep.notes.add(label + ": " + hotspot);
                            } else {
                                rep.skip("rewritten, not verified: does not link without the agent either"
                                        + " (missing dependency? see --classpath)");
                                rep.notes.add(label + ": " + orig);
                            }
                        }
                        case UNCHANGED -> rep.unchanged++;
                        case SKIPPED -> {
                            count(rep, r);
                            selfCheck(rep, label, r);
                            rep.skip(r.reason());
                        }
                        case FAILED -> rep.leftAlone.add(label + ": " + r.reason());
                    }
                }
            }
        }
        return reports;
    }

    /** The dotted name of the class a HotSpot verify error is about, or null. */
    static String culprit(String error) {
        Matcher m = LOCATION.matcher(error);
        return m.find() ? m.group(1).replace('/', '.') : null;
    }

    /**
     * A HotSpot verify error in one line without the frame and bytecode dumps:
     * {@code m(I)V @12 iload: java.lang.VerifyError: Expecting a stack map frame (Expected stackmap frame at this location.)}.
     */
    static String brief(String error) {
        Matcher loc = LOCATION.matcher(error);
        if (!loc.find()) {
            return error.length() > 300 ? error.substring(0, 300) + "..." : error;
        }
        int details = error.indexOf("Exception Details:");
        String title = (details > 0 ? error.substring(0, details) : error.substring(0, loc.start())).trim();
        Matcher reason = REASON.matcher(error);
        String why = reason.find(loc.end()) ? " (" + reason.group(1) + ")" : "";
        return loc.group(2) + " @" + loc.group(3) + " " + loc.group(4) + ": " + title + why;
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
     * Methods the rewritten class took past one of HotSpot's inlining limits ({@link InlineLimits}):
     * a loop-free one is a rewriter bug unless it recurses (its report's note says so).
     */
    private static void inlineLimits(Report rep, String label, byte[] original, ClassRewriter.Result r) {
        Map<String, MethodReport> byMethod = new HashMap<>();
        for (MethodReport m : r.methods()) {
            byMethod.put(m.name() + m.descriptor(), m);
        }
        for (InlineLimits.Crossing c : InlineLimits.crossings(original, r.bytes())) {
            MethodReport m = byMethod.get(c.method());
            if (m != null && m.versioned() + m.stripMined() + m.counters() + m.edgePolls() > 0) {
                rep.pastInlineLimitLoops++;
            } else if (m != null && m.note() != null && m.note().startsWith(MethodRewriter.RECURSIVE_PAST_LIMIT)) {
                rep.pastInlineLimitRecursive++;
            } else {
                rep.pastInlineLimit.add(label + "." + c.method() + ": " + c.before() + " -> " + c.after()
                        + " bytes, past the " + c.limit() + "-byte limit");
            }
        }
    }

    /**
     * A form the rewriter's self-check rejected is a rewriter bug even though the agent falls
     * back to a simpler form or the original code: verification reports it as a failure.
     */
    private static void selfCheck(Report rep, String label, ClassRewriter.Result r) {
        for (MethodReport m : r.selfCheckRejections()) {
            rep.selfCheckRejected.add(label + "." + m.name() + m.descriptor() + ": " + m.note());
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

    /** Runs ASM's basic verifier over every method; returns the first problem (method and error) or null. */
    static String analyze(byte[] bytes) {
        ClassNode cn = new ClassNode();
        new ClassReader(bytes).accept(cn, 0);
        for (MethodNode m : cn.methods) {
            try {
                new Analyzer<BasicValue>(new BasicVerifier()).analyze(cn.name, m);
            } catch (AnalyzerException | RuntimeException e) {
                return (m.name + m.desc + ": " + e.getMessage()).replace('\n', ' ');
            }
        }
        return null;
    }

}
