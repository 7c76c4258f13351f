package dev.timeslice.agent.fuzz;

import dev.timeslice.agent.ClassFilter;
import dev.timeslice.agent.rewrite.ClassRewriter;
import dev.timeslice.agent.rewrite.RewriteConfig;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Child-JVM main of {@link JitBailoutTest}: loads the loop fixtures, the JIT cases of issue 12
 * and a fuzz corpus twice, as compiled and rewritten (default options) under the name
 * {@code <name>__ts}, in one JVM, and runs every method of both copies hot, alternately, so that
 * C1 and C2 compile both (run with {@code -XX:+PrintCompilation}; {@link JitCheck} also lowers the
 * compile thresholds, {@code -XX:CompileThresholdScaling=0.05}, so that a few thousand calls suffice). Prints
 * {@code jit-harness: pair <original> <rewritten>} for each pair and {@code jit-harness: done} on stderr.
 *
 * <p>Arguments: corpus seed, number of Java cases, number of ASM cases.
 */
public final class JitHarness {
    static final String SUFFIX = "__ts";
    private static final int MAX_CALLS = 4_000;
    private static final long MAX_NANOS_PER_MEMBER = 250_000_000L;

    private JitHarness() {
    }

    /** One class (with its companions) as compiled and as rewritten, and the calls to make on it. */
    private record Pair(String name, Map<String, byte[]> original, Map<String, byte[]> rewritten, List<Differential.Call> calls) {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("--source")) {
            // one class from a source file (for reducing a finding by hand): its static no-argument methods, hot
            String name = args[2];
            String src = java.nio.file.Files.readString(java.nio.file.Path.of(args[1]));
            runHot(sourcePair(new InMemoryJavac(), new ClassRewriter(RewriteConfig.defaults()), name, src, null));
            System.err.println("jit-harness: done");
            System.exit(0);
        }
        long seed = Long.parseLong(args[0]);
        int javaCases = Integer.parseInt(args[1]);
        int asmCases = Integer.parseInt(args[2]);
        ClassRewriter rewriter = new ClassRewriter(RewriteConfig.defaults());
        InMemoryJavac javac = new InMemoryJavac();
        List<Pair> pairs = new ArrayList<>();
        // the loop fixtures
        Map<String, byte[]> fixtures = new HashMap<>();
        for (String n : new String[] {"fixtures.Loops", "fixtures.Cell"}) {
            fixtures.put(n, resource(n));
        }
        pairs.add(pair(rewriter, "fixtures.Loops", fixtures, null));
        pairs.add(pair(rewriter, "fixtures.Cell", Map.of("fixtures.Cell", fixtures.get("fixtures.Cell")), null));
        // the cases of issue 12
        pairs.add(sourcePair(javac, rewriter, "JitCases", JitCases.SOURCE, null));
        // fuzz corpus
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < javaCases; i++) {
            JavaCase c = JavaCase.generate(r.nextLong());
            String name = "FuzzCase" + i;
            String src = c.cls.source().replace("public class " + JavaCase.CLASS_NAME + " ", "public class " + name + " ");
            pairs.add(sourcePair(javac, rewriter, name, src, c.calls));
        }
        for (int i = 0; i < asmCases; i++) {
            Differential.Unit u = AsmGen.unit(r.nextLong());
            String name = "AsmFuzzCase" + i;
            byte[] b = ClassRenamer.rename(u.classes().get(AsmGen.CLASS_NAME), Map.of(AsmGen.CLASS_NAME, name));
            pairs.add(pair(rewriter, name, Map.of(name, b), u.calls()));
        }
        for (Pair p : pairs) {
            runHot(p);
        }
        System.err.println("jit-harness: done");
        System.err.flush();
        System.exit(0);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = JitHarness.class.getResourceAsStream("/" + name.replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }

    private static Pair sourcePair(InMemoryJavac javac, ClassRewriter rw, String name, String src, List<Differential.Call> calls) {
        Map<String, byte[]> orig = javac.compile(name, src);
        return pair(rw, name, orig, calls);
    }

    /** Renames every class of {@code classes} to {@code <name>__ts} and rewrites the renamed copies. */
    private static Pair pair(ClassRewriter rw, String main, Map<String, byte[]> classes, List<Differential.Call> calls) {
        Map<String, String> renames = new HashMap<>();
        for (String n : classes.keySet()) {
            renames.put(n.replace('.', '/'), n.replace('.', '/') + SUFFIX);
        }
        Map<String, byte[]> rewritten = new HashMap<>();
        for (var e : classes.entrySet()) {
            byte[] renamed = ClassRenamer.rename(e.getValue(), renames);
            ClassRewriter.Result res = rw.rewrite(renamed);
            rewritten.put(e.getKey() + SUFFIX, res.status() == ClassRewriter.Result.Status.REWRITTEN ? res.bytes() : renamed);
        }
        return new Pair(main, classes, rewritten, calls);
    }

    private static void runHot(Pair p) {
        Class<?> orig;
        Class<?> rew;
        try {
            orig = Class.forName(p.name, true, dev.timeslice.agent.TestClasses.Loader.of(p.original));
            rew = Class.forName(p.name + SUFFIX, true, dev.timeslice.agent.TestClasses.Loader.of(p.rewritten));
        } catch (LinkageError | ClassNotFoundException e) {
            System.err.println("jit-harness: skipped " + p.name + ": " + e.toString().lines().findFirst().orElse(""));
            return;
        }
        System.err.println("jit-harness: pair " + orig.getName() + " " + rew.getName());
        List<Executable[]> members = new ArrayList<>();
        for (Method m : orig.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers()) && args(m, p) != null) {
                try {
                    Method twin = rew.getDeclaredMethod(m.getName(), m.getParameterTypes());
                    members.add(new Executable[] {m, twin});
                } catch (NoSuchMethodException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        for (Constructor<?> c : orig.getDeclaredConstructors()) {
            if (c.getParameterCount() == 1 && c.getParameterTypes()[0] == int.class) {
                try {
                    members.add(new Executable[] {c, rew.getDeclaredConstructor(int.class)});
                } catch (NoSuchMethodException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        for (Executable[] m : members) {
            List<Object[]> argSets = new ArrayList<>();
            if (p.calls != null) {
                for (Differential.Call c : p.calls) {
                    if (c.method().equals(m[0].getName())) {
                        argSets.add(c.args());
                    }
                }
            } else {
                argSets.add(args(m[0], p));
            }
            if (argSets.isEmpty()) {
                continue;
            }
            hot(m, argSets, orig, rew);
        }
    }

    /** Arguments for a fixture method, or null if its parameter types are not supported. */
    private static Object[] args(Executable m, Pair p) {
        if (p.calls != null) {
            return new Object[0];
        }
        Class<?>[] ts = m.getParameterTypes();
        Object[] a = new Object[ts.length];
        for (int i = 0; i < ts.length; i++) {
            if (ts[i] == int.class) {
                a[i] = m.getName().equals("fib") ? 12 : 300;
            } else if (ts[i] == long.class) {
                a[i] = 27L;
            } else if (ts[i] == int[].class) {
                a[i] = new SplittableRandom(i).ints(300, 0, 50).toArray();
            } else if (ts[i] == Object.class) {
                a[i] = new Object();
            } else {
                return null;
            }
        }
        return a;
    }

    private static void hot(Executable[] m, List<Object[]> argSets, Class<?> orig, Class<?> rew) {
        for (Executable e : m) {
            e.setAccessible(true);
        }
        java.lang.reflect.Field[] budget = {field(orig), field(rew)};
        long[] spent = new long[2];
        for (int i = 0; i < MAX_CALLS; i++) {
            for (int side = 0; side < 2; side++) {
                if (spent[side] > MAX_NANOS_PER_MEMBER) {
                    continue;
                }
                long t0 = System.nanoTime();
                Object[] a = argSets.get(i % argSets.size()).clone();
                for (int k = 0; k < a.length; k++) {
                    if (a[k] instanceof int[] ia) {
                        a[k] = ia.clone();
                    }
                }
                try {
                    if (budget[side] != null) {
                        budget[side].setInt(null, 0);
                    }
                    if (m[side] instanceof Method mm) {
                        mm.invoke(null, a);
                    } else {
                        ((Constructor<?>) m[side]).newInstance(a);
                    }
                } catch (InvocationTargetException | InstantiationException e) {
                    // generated code throws on purpose
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
                spent[side] += System.nanoTime() - t0;
            }
            if (spent[0] > MAX_NANOS_PER_MEMBER && spent[1] > MAX_NANOS_PER_MEMBER) {
                break;
            }
        }
    }

    private static java.lang.reflect.Field field(Class<?> c) {
        try {
            java.lang.reflect.Field f = c.getDeclaredField("calls");
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException e) {
            return null;
        }
    }
}
