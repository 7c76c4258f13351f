package dev.timeslice.agent.attach;

import dev.timeslice.agent.ClassFilter;
import dev.timeslice.agent.TimesliceTransformer;
import dev.timeslice.agent.TimesliceTransformer.Outcome;
import dev.timeslice.agent.TimesliceTransformer.Transformed;
import dev.timeslice.agent.TransformLog;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Late attach: rewrites the application classes a running JVM has already loaded, through
 * {@link Instrumentation#retransformClasses}, in batches, and rewrites every class loaded from
 * then on (it is the one transformer the attached agent installs, retransformation-capable).
 *
 * <p>Which classes: those the {@code -javaagent} path would rewrite at load time (not the JDK's,
 * not Timeslice's, not excluded, not of the bootstrap or platform loaders, not hidden) and that
 * the JVM calls modifiable. The rewriter used here makes no {@code main} prologue, so it only
 * changes method bodies (polls, routed call sites) and adds a class attribute — what
 * retransformation allows; it never adds or removes fields or methods.
 *
 * <p>Invariants: the running program is never broken. A batch the JVM refuses (it then installs
 * none of it) is retried in halves; a class refused alone is left as it was, with one
 * warning, and is passed through unchanged by every later retransformation. A class is rewritten
 * once per attach however often it is retried (the result is kept until {@link #retransformLoaded}
 * returns), so each warning is printed once. Methods already running (an accept loop, a request
 * in progress) keep their old code until they return: the JVM runs new code on new invocations
 * only. {@link #retransformLoaded} runs on one thread (the attach listener); {@link #transformer}
 * is called by the JVM on any thread.
 */
public final class Retransformer {
    /** Classes per {@code retransformClasses} call: each call is one stop of all threads. */
    static final int BATCH = 64;

    private final Instrumentation inst;
    private final TimesliceTransformer rewriter;
    private final ClassFilter filter;
    private final TransformLog log;
    private final ClassLoader platform = ClassLoader.getPlatformClassLoader();
    /** Outcomes of the current attach, by class; empty outside {@link #retransformLoaded}. */
    private final Map<Class<?>, Transformed> outcomes = new ConcurrentHashMap<>();
    /** Classes the JVM refused to retransform: left as they were, for good. */
    private final Set<Class<?>> refused = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private final ClassFileTransformer transformer = new ClassFileTransformer() {
        @Override
        public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                                ProtectionDomain domain, byte[] bytes) {
            try {
                return Retransformer.this.transform(module, loader, className, redefined, domain, bytes);
            } catch (Throwable t) {
                return null; // never into the JVM; the class stays as it was
            }
        }
    };

    /** What one attach did. */
    public record Summary(int retransformed, int leftAlone, int failed, int notConsidered, long millis) {
        @Override
        public String toString() {
            return retransformed + " classes retransformed, " + leftAlone + " left alone, " + failed + " failed ("
                    + notConsidered + " JDK, Timeslice, hidden or excluded classes not considered) in " + millis + " ms";
        }
    }

    public Retransformer(Instrumentation inst, TimesliceTransformer rewriter, ClassFilter filter, TransformLog log) {
        this.inst = inst;
        this.rewriter = rewriter;
        this.filter = filter;
        this.log = log;
    }

    /** The transformer to install with {@code canRetransform=true} before {@link #retransformLoaded}. */
    public ClassFileTransformer transformer() {
        return transformer;
    }

    private byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                             java.security.ProtectionDomain pd, byte[] bytes) {
        if (redefined == null) {
            return rewriter.transform(module, loader, className, null, pd, bytes); // a new class, as -javaagent does
        }
        if (refused.contains(redefined)) {
            return null;
        }
        Transformed done = outcomes.get(redefined);
        if (done == null) {
            // the JVM hands us the class's original bytes each time: rewriting again gives the same result
            done = rewriter.transformClass(module, loader, className, pd, bytes);
            outcomes.put(redefined, done);
        }
        return done.bytes();
    }

    /** Retransforms every loaded class the agent rewrites; never throws. */
    public Summary retransformLoaded() {
        long start = System.nanoTime();
        List<Class<?>> candidates = new ArrayList<>();
        int notConsidered = 0;
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (considered(c)) {
                candidates.add(c);
            } else {
                notConsidered++;
            }
        }
        int failed = 0;
        try {
            for (int i = 0; i < candidates.size(); i += BATCH) {
                failed += retransform(candidates.subList(i, Math.min(candidates.size(), i + BATCH)));
            }
            int retransformed = 0;
            int leftAlone = 0;
            for (Class<?> c : candidates) {
                Transformed t = outcomes.get(c);
                if (refused.contains(c)) {
                    continue; // counted by retransform
                } else if (t == null || t.outcome() == Outcome.UNCHANGED) {
                    leftAlone++;
                } else if (t.outcome() == Outcome.REWRITTEN) {
                    retransformed++;
                } else {
                    failed++; // the rewriter could not handle it and said so
                }
            }
            return new Summary(retransformed, leftAlone, failed, notConsidered, (System.nanoTime() - start) / 1_000_000);
        } finally {
            outcomes.clear();
        }
    }

    /**
     * One batch; a batch the JVM refuses (it then installs none of it) is split in halves until the
     * refused classes are found: each call is one stop of all threads, so a bad class among 64
     * costs about 12 calls rather than 64. Returns the number of classes refused.
     */
    private int retransform(List<Class<?>> batch) {
        try {
            inst.retransformClasses(batch.toArray(Class<?>[]::new));
            return 0;
        } catch (Throwable t) {
            if (batch.size() > 1) {
                int half = batch.size() / 2;
                return retransform(batch.subList(0, half)) + retransform(batch.subList(half, batch.size()));
            }
            Class<?> c = batch.get(0);
            refused.add(c);
            Transformed made = outcomes.get(c);
            if (made != null && made.outcome() == Outcome.REWRITTEN) {
                log.rewritten.decrementAndGet(); // counted when rewritten, but never installed
            }
            log.failed.incrementAndGet();
            log.warn(c.getName().replace('.', '/'), "left as it was: the JVM refused the retransformed class: " + t);
            return 1;
        }
    }

    private boolean considered(Class<?> c) {
        try {
            if (c.isArray() || c.isPrimitive() || c.isHidden() || !inst.isModifiableClass(c)) {
                return false;
            }
            ClassLoader loader = c.getClassLoader();
            return loader != null && loader != platform && filter.rewrites(c.getName().replace('.', '/'));
        } catch (Throwable t) {
            return false;
        }
    }
}
