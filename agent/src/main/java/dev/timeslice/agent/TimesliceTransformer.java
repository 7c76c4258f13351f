package dev.timeslice.agent;

import dev.timeslice.agent.rewrite.ClassRewriter;
import dev.timeslice.agent.rewrite.MethodReport;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.stream.Collectors;

/**
 * The agent's {@link ClassFileTransformer}, registered by {@code premain} with
 * {@code canRetransform=true} so that the JVM runs it after every other agent's ordinary
 * transformers (JaCoCo sees the original class file in either {@code -javaagent} order), and on
 * retransformations and redefinitions by other agents, where it rewrites the new bytes again (a
 * rewrite changes method bodies only, never the class's shape, so a retransformation stays legal).
 * Late attach wraps it in a retransformation-capable one ({@code attach.Retransformer}), which asks
 * {@link #transformClass} for the outcome of each class.
 *
 * <p>Invariants: it never throws into the JVM (every {@code Throwable} becomes one diagnostic line
 * and a {@code null} result, i.e. the class is loaded unchanged); it never loads a class while
 * transforming (the rewriter needs no class hierarchy); it is re-entrancy safe (a class loaded
 * by the transformer's own work on the same thread is passed through unchanged); it leaves alone
 * classes of the bootstrap and platform loaders, classes excluded by name, classes without a name
 * (hidden classes), classes loaded from another Java agent's jar ({@link ForeignAgents}), classes
 * that implement {@code ClassFileTransformer}, and classes that are already rewritten. With a
 * {@link RewriteCache}, a class whose bytes were rewritten before (same agent, same options) is
 * taken from the cache; only outcomes without warnings are cached, so every warning still appears
 * on every run.
 */
public final class TimesliceTransformer implements ClassFileTransformer {
    private final ClassFilter filter;
    private final ClassRewriter rewriter;
    private final TransformLog log;
    private final ModuleReads moduleReads;
    private final ForeignAgents agents;
    private final RewriteCache cache;
    private final ClassLoader platform = ClassLoader.getPlatformClassLoader();
    private final ThreadLocal<boolean[]> busy = new ThreadLocal<>() { // no lambda: built in premain
        @Override
        protected boolean[] initialValue() {
            return new boolean[1];
        }
    };

    /** Gives a named module read access to the runtime's module before its rewritten classes link. */
    @FunctionalInterface
    public interface ModuleReads {
        void ensureReadsRuntime(Module module);
    }

    public TimesliceTransformer(ClassFilter filter, ClassRewriter rewriter, TransformLog log, ModuleReads moduleReads) {
        this(filter, rewriter, log, moduleReads, ForeignAgents.NONE, null);
    }

    /** @param cache the persistent rewrite cache (option {@code cache}), or null */
    TimesliceTransformer(ClassFilter filter, ClassRewriter rewriter, TransformLog log, ModuleReads moduleReads,
                         ForeignAgents agents, RewriteCache cache) {
        this.filter = filter;
        this.rewriter = rewriter;
        this.log = log;
        this.moduleReads = moduleReads;
        this.agents = agents;
        this.cache = cache;
    }

    /** Started once, when the {@link #busyAfter}-th class has been rewritten (unstarted until then). */
    private volatile Thread whenBusy;
    private volatile int busyAfter = Integer.MAX_VALUE;

    /**
     * Starts {@code thread} once {@code classes} classes have been rewritten: work worth doing
     * only for programs that load many classes. The thread is made beforehand, so the
     * transformer only starts it (no class is loaded inside a transformation).
     */
    void whenBusy(int classes, Thread thread) {
        this.whenBusy = thread;
        this.busyAfter = classes;
    }

    /** What became of one class. */
    public enum Outcome {
        /** new bytes */
        REWRITTEN,
        /** left as it was: excluded, nothing to poll or route, or deliberately skipped */
        UNCHANGED,
        /** left as it was because it could not be rewritten (one warning printed) */
        FAILED
    }

    /** The outcome for one class; {@code bytes} is non-null exactly when {@code REWRITTEN}. */
    public record Transformed(Outcome outcome, byte[] bytes) {
        static final Transformed UNCHANGED = new Transformed(Outcome.UNCHANGED, null);
        static final Transformed FAILED = new Transformed(Outcome.FAILED, null);
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        return transformClass(module, loader, className, protectionDomain, classfileBuffer).bytes();
    }

    /** {@link #transform}, telling what happened; never throws. */
    public Transformed transformClass(Module module, ClassLoader loader, String className, ProtectionDomain protectionDomain,
                                      byte[] classfileBuffer) {
        if (className == null || classfileBuffer == null || loader == null || loader == platform) {
            return Transformed.UNCHANGED;
        }
        boolean[] flag;
        try {
            flag = busy.get();
        } catch (Throwable t) {
            return Transformed.UNCHANGED;
        }
        if (flag[0]) {
            return Transformed.UNCHANGED;
        }
        flag[0] = true;
        try {
            if (agents.owns(protectionDomain)) {
                if (log.enabled(LogLevel.DEBUG)) {
                    log.debug(className, "not rewritten: loaded from another Java agent's jar");
                }
                return Transformed.UNCHANGED;
            }
            return rewrite(module, className, classfileBuffer);
        } catch (Throwable t) {
            log.failed.incrementAndGet();
            log.warn(className, "left unchanged: internal error: " + t);
            return Transformed.FAILED;
        } finally {
            flag[0] = false;
        }
    }

    private Transformed rewrite(Module module, String className, byte[] bytes) {
        String excluded = filter.exclusionReason(className);
        if (excluded != null) {
            if (log.enabled(LogLevel.DEBUG)) {
                log.debug(className, "not rewritten: " + excluded);
            }
            return Transformed.UNCHANGED;
        }
        if (cache != null) {
            RewriteCache.Hit hit = cache.get(bytes);
            if (hit != null) {
                return cached(module, className, hit);
            }
        }
        ClassRewriter.Result r = rewriter.rewrite(bytes);
        if (cache != null) {
            if (r.status() == ClassRewriter.Result.Status.REWRITTEN && r.keptOriginal().isEmpty()
                    && r.selfCheckRejections().isEmpty()) {
                cache.put(bytes, r.bytes());
            } else if (r.status() == ClassRewriter.Result.Status.UNCHANGED && !r.methods().isEmpty()) {
                cache.put(bytes, null); // analysed in full; classes the scan passed are cheaper than a read
            }
        }
        switch (r.status()) {
            case REWRITTEN -> {
                if (module != null && module.isNamed()) {
                    moduleReads.ensureReadsRuntime(module);
                }
                if (log.rewritten.incrementAndGet() == busyAfter && whenBusy != null) {
                    whenBusy.start();
                }
                if (!r.selfCheckRejections().isEmpty()) {
                    log.warn(className, "rewritten, but the rewriter's self-check caught a bug (please report it): "
                            + r.selfCheckRejections().stream().map(MethodReport::toString).collect(Collectors.joining("; ")));
                } else if (!r.keptOriginal().isEmpty()) {
                    log.warn(className, "rewritten, but kept the original code of "
                            + r.keptOriginal().stream().map(MethodReport::toString).collect(Collectors.joining("; ")));
                } else if (log.enabled(LogLevel.INFO)) {
                    log.info(className, "rewritten" + (log.enabled(LogLevel.DEBUG) ? ": " + details(r) : ""));
                }
                return new Transformed(Outcome.REWRITTEN, r.bytes());
            }
            case FAILED -> {
                log.failed.incrementAndGet();
                log.warn(className, "left unchanged: " + r.reason());
                return Transformed.FAILED;
            }
            case SKIPPED -> {
                log.unchanged.incrementAndGet();
                if (!r.keptOriginal().isEmpty()) {
                    log.warn(className, "left unchanged: " + r.keptOriginal().stream()
                            .map(MethodReport::toString).collect(Collectors.joining("; ")));
                } else if (log.enabled(LogLevel.DEBUG)) {
                    log.debug(className, "unchanged: " + r.reason());
                }
                return Transformed.UNCHANGED;
            }
            default -> {
                log.unchanged.incrementAndGet();
                if (log.enabled(LogLevel.DEBUG)) {
                    log.debug(className, "unchanged: " + r.reason());
                }
                return Transformed.UNCHANGED;
            }
        }
    }

    private Transformed cached(Module module, String className, RewriteCache.Hit hit) {
        if (hit.rewritten() == null) {
            log.unchanged.incrementAndGet();
            if (log.enabled(LogLevel.DEBUG)) {
                log.debug(className, "unchanged (rewrite cache)");
            }
            return Transformed.UNCHANGED;
        }
        if (module != null && module.isNamed()) {
            moduleReads.ensureReadsRuntime(module);
        }
        log.rewritten.incrementAndGet();
        if (log.enabled(LogLevel.INFO)) {
            log.info(className, "rewritten (from the rewrite cache)");
        }
        return new Transformed(Outcome.REWRITTEN, hit.rewritten());
    }

    private static String details(ClassRewriter.Result r) {
        return r.methods().stream().filter(MethodReport::changed).map(MethodReport::toString)
                .collect(Collectors.joining("; "));
    }
}
