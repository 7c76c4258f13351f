package dev.timeslice.agent.bench;

import dev.timeslice.agent.ClassFilter;
import dev.timeslice.agent.rewrite.ClassRewriter;
import dev.timeslice.agent.rewrite.MethodRewriter;
import dev.timeslice.agent.rewrite.RewriteConfig;
import java.io.IOException;
import java.io.InputStream;

/**
 * Loads a private copy of the kernel class ({@code fixtures.kernels.Kernels}) either as javac compiled
 * them or rewritten exactly as the agent rewrites them (default options). Both copies go through
 * the same kind of loader so that nothing but the bytecode differs; everything else (the
 * {@link KernelSet} interface, the runtime's {@code Safepoint}) comes from the parent.
 */
public final class KernelLoader extends ClassLoader {
    /** Kernels and its nested classes; helper types such as Cell appear in KernelSet and come from the parent. */
    static final String PREFIX = "fixtures.kernels.Kernels";
    private final ClassRewriter rewriter;

    private KernelLoader(ClassRewriter rewriter) {
        super("kernels-" + (rewriter == null ? "original" : "rewritten"), KernelLoader.class.getClassLoader());
        this.rewriter = rewriter;
    }

    /** @param variant {@code original}, {@code rewritten} (as the agent does), or the rewriter limited to a
     *  cheaper form: {@code strip}, {@code counters}, {@code minimal} */
    public static KernelSet load(String variant) {
        return (KernelSet) instance(variant, PREFIX);
    }

    /** The kernels' driver (loaded with, but never rewritten like, its copy of the kernels). */
    public static Driver driver(String variant) {
        return (Driver) instance(variant, PREFIX + "Driver");
    }

    private static Object instance(String variant, String className) {
        ClassRewriter r = switch (variant) {
            case "original" -> null;
            case "rewritten" -> new ClassRewriter(new RewriteConfig(8192, ClassFilter.all(), MethodRewriter.Form.FULL));
            case "strip" -> new ClassRewriter(new RewriteConfig(8192, ClassFilter.all(), MethodRewriter.Form.STRIP));
            case "counters" -> new ClassRewriter(new RewriteConfig(8192, ClassFilter.all(), MethodRewriter.Form.COUNTERS));
            case "minimal" -> new ClassRewriter(new RewriteConfig(8192, ClassFilter.all(), MethodRewriter.Form.MINIMAL));
            default -> throw new IllegalArgumentException(variant);
        };
        try {
            return new KernelLoader(r).loadClass(className).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith(PREFIX)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c != null) {
                return c;
            }
            byte[] bytes;
            try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                if (in == null) {
                    throw new ClassNotFoundException(name);
                }
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw new ClassNotFoundException(name, e);
            }
            if (rewriter != null && !name.endsWith("Driver")) {
                ClassRewriter.Result r = rewriter.rewrite(bytes);
                if (r.status() == ClassRewriter.Result.Status.REWRITTEN) {
                    bytes = r.bytes();
                } else if (r.status() != ClassRewriter.Result.Status.UNCHANGED) {
                    throw new IllegalStateException(name + ": " + r.status() + " " + r.reason());
                }
            }
            return defineClass(name, bytes, 0, bytes.length);
        }
    }
}
