package dev.timeslice.agent;

import dev.timeslice.agent.rewrite.ClassRewriter;
import dev.timeslice.agent.rewrite.RewriteConfig;
import dev.timeslice.runtime.Safepoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.CheckClassAdapter;
import org.objectweb.asm.util.Textifier;
import org.objectweb.asm.util.TraceMethodVisitor;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;

/** Helpers for the instrumentation tests: class bytes, throwaway loaders, poll counting. */
public final class TestClasses {
    private TestClasses() {
    }

    public static byte[] bytes(Class<?> c) {
        String res = "/" + c.getName().replace('.', '/') + ".class";
        try (InputStream in = c.getResourceAsStream(res)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ClassRewriter rewriter(int loopPoll) {
        return new ClassRewriter(new RewriteConfig(loopPoll, ClassFilter.all(), true));
    }

    public static byte[] rewrite(ClassRewriter r, byte[] original) {
        ClassRewriter.Result res = r.rewrite(original);
        if (res.status() != ClassRewriter.Result.Status.REWRITTEN) {
            throw new AssertionError(res.className() + " not rewritten: " + res.status() + " " + res.reason());
        }
        return res.bytes();
    }

    /** Defines the given classes (internal or dotted names) in a fresh loader; others come from the test loader. */
    public static final class Loader extends ClassLoader {
        private final Map<String, byte[]> classes = new HashMap<>();

        public Loader() {
            super(TestClasses.class.getClassLoader());
        }

        /** A loader defining every class of {@code classes} (name to bytes). */
        public static Loader of(Map<String, byte[]> classes) {
            Loader l = new Loader();
            classes.forEach(l::with);
            return l;
        }

        public Loader with(String name, byte[] bytes) {
            classes.put(name.replace('/', '.'), bytes);
            return this;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    byte[] b = classes.get(name);
                    c = b != null ? defineClass(name, b, 0, b.length) : super.loadClass(name, false);
                }
                return c;
            }
        }
    }

    public static Class<?> load(String name, byte[] bytes) {
        try {
            return Class.forName(name.replace('/', '.'), true, new Loader().with(name, bytes));
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    /** Calls a static (or, with a receiver, instance) method; exceptions thrown by it are returned. */
    public static Object call(Class<?> c, Object receiver, String name, Object... args) {
        for (Method m : c.getDeclaredMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                try {
                    m.setAccessible(true);
                    return m.invoke(receiver, args);
                } catch (InvocationTargetException e) {
                    return new Thrown(e.getCause().getClass().getName());
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        throw new AssertionError("no method " + name + " with " + args.length + " parameters in " + c);
    }

    /** An exception a fixture threw, comparable by type. */
    public record Thrown(String type) {
    }

    /** Poll counts by site kind. */
    public record Polls(long returns, long loops, long callLoops) {
        public long total() {
            return returns + loops + callLoops;
        }
    }

    /** Runs {@code body} with the poll word raised and a counting handler; restores the no-op handler. */
    public static <T> Counted<T> counting(Callable<T> body) {
        long[] counts = new long[3];
        Thread me = Thread.currentThread();
        Safepoint.setHandler(site -> {
            if (Thread.currentThread() == me) {
                counts[site]++;
            }
        });
        Safepoint.raise();
        T value;
        try {
            value = body.call();
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            Safepoint.lower();
            Safepoint.setHandler(site -> { });
        }
        return new Counted<>(value, new Polls(counts[Safepoint.RETURN], counts[Safepoint.LOOP], counts[Safepoint.CALL_LOOP]));
    }

    public record Counted<T>(T value, Polls polls) {
    }

    /** Verifies the class with ASM (structure and, without loading, basic data flow). */
    public static void checkWithAsm(byte[] bytes) {
        StringWriter sw = new StringWriter();
        CheckClassAdapter.verify(new ClassReader(bytes), null, false, new PrintWriter(sw));
        if (!sw.toString().isEmpty()) {
            throw new AssertionError("ASM verification failed:\n" + sw);
        }
    }

    public static MethodNode method(byte[] bytes, String name) {
        ClassNode cn = new ClassNode();
        new ClassReader(bytes).accept(cn, 0);
        return cn.methods.stream().filter(m -> m.name.equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no method " + name));
    }

    /** Disassembly of one method, for assertions on shape and for failure messages. */
    public static String text(byte[] bytes, String name) {
        MethodNode m = method(bytes, name);
        Textifier t = new Textifier();
        m.accept(new TraceMethodVisitor(t));
        StringWriter sw = new StringWriter();
        t.print(new PrintWriter(sw));
        return sw.toString();
    }
}
