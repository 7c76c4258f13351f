package dev.timeslice.agent.rewrite;

import dev.timeslice.agent.TestClasses;
import java.util.HashMap;
import java.util.Map;

/**
 * The fixture classes ({@code fixtures.*}) twice, each in a throwaway loader: once as javac
 * compiled them, once rewritten (loopPoll 8192), plus the rewriter's per-method reports.
 */
final class RewrittenFixtures {
    static final int LOOP_POLL = 8192;
    static final String[] CLASSES = {"fixtures.Loops", "fixtures.Cell"};

    final TestClasses.Loader original = new TestClasses.Loader();
    final TestClasses.Loader rewritten = new TestClasses.Loader();
    final Map<String, byte[]> rewrittenBytes = new HashMap<>();
    final Map<String, MethodReport> reports = new HashMap<>();

    RewrittenFixtures() {
        ClassRewriter r = TestClasses.rewriter(LOOP_POLL);
        for (String name : CLASSES) {
            byte[] bytes = bytes(name);
            ClassRewriter.Result res = r.rewrite(bytes);
            if (res.status() != ClassRewriter.Result.Status.REWRITTEN) {
                throw new AssertionError(name + ": " + res.status() + " " + res.reason());
            }
            original.with(name, bytes);
            rewritten.with(name, res.bytes());
            rewrittenBytes.put(name, res.bytes());
            for (MethodReport m : res.methods()) {
                reports.put(name + "." + m.name() + m.descriptor(), m);
            }
        }
    }

    static byte[] bytes(String name) {
        try {
            return TestClasses.bytes(Class.forName(name));
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    Class<?> original(String name) {
        return load(original, name);
    }

    Class<?> rewritten(String name) {
        return load(rewritten, name);
    }

    private static Class<?> load(ClassLoader l, String name) {
        try {
            return Class.forName(name, true, l);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    /** The original (javac's) node of the one method of class {@code cls} named {@code method}. */
    org.objectweb.asm.tree.MethodNode originalMethod(String cls, String method) {
        org.objectweb.asm.tree.ClassNode cn = new org.objectweb.asm.tree.ClassNode();
        new org.objectweb.asm.ClassReader(bytes(cls)).accept(cn, org.objectweb.asm.ClassReader.EXPAND_FRAMES);
        for (org.objectweb.asm.tree.MethodNode m : cn.methods) {
            if (m.name.equals(method)) {
                return m;
            }
        }
        throw new AssertionError("no method " + cls + "." + method);
    }

    MethodReport report(String cls, String method) {
        MethodReport found = null;
        for (Map.Entry<String, MethodReport> e : reports.entrySet()) {
            if (e.getKey().startsWith(cls + "." + method + "(")) {
                if (found != null) {
                    throw new AssertionError("ambiguous " + method);
                }
                found = e.getValue();
            }
        }
        if (found == null) {
            throw new AssertionError("no report for " + cls + "." + method);
        }
        return found;
    }
}
