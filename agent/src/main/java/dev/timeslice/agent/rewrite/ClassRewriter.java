package dev.timeslice.agent.rewrite;

import java.util.List;
import java.util.Map;
import org.objectweb.asm.Attribute;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassTooLargeException;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodTooLargeException;
import org.objectweb.asm.Opcodes;

/**
 * Rewrites one class file: {@code ClassReader -> MarkerStage -> MainPrologueStage -> RoutingStage
 * -> PollStage -> ClassWriter} (the middle two only when asked: main as G 1, and thread creation
 * routed to the scheduler). Frames are expanded on read and kept by frame tracking ({@link Frames}); the
 * writer never computes frames and refuses any request for the class hierarchy, so rewriting never
 * loads or looks up another class. Stateless apart from its configuration: safe to use from
 * several threads at once.
 *
 * <p>A class in which no method can need a poll or routing ({@link ClassScan}: no back-edge, no
 * handler, only allow-listed calls, no main to run as G 1) costs one streaming pass and is
 * reported {@code UNCHANGED} without building trees or writing anything.
 *
 * <p>{@link #rewrite} never throws for bad input: it reports {@link Result.Status#FAILED}.
 */
public final class ClassRewriter {
    private final RewriteConfig config;
    private final boolean runMainAsG;
    private final boolean routeThreads;
    private final boolean keepThreads;

    /** Polls only. */
    public ClassRewriter(RewriteConfig config) {
        this(config, false, false);
    }

    /**
     * @param runMainAsG   prefix every {@code main} with the prologue that runs it as G 1
     * @param routeThreads route thread creation to the scheduler (option {@code threads=route});
     *                     when false but {@code runMainAsG}, platform threads created by G's still
     *                     get Java's daemon rule ({@code threads=keep})
     */
    public ClassRewriter(RewriteConfig config, boolean runMainAsG, boolean routeThreads) {
        this.config = config;
        this.runMainAsG = runMainAsG;
        this.routeThreads = routeThreads;
        this.keepThreads = runMainAsG && !routeThreads;
    }

    public RewriteConfig config() {
        return config;
    }

    /** The outcome for one class: new bytes when {@code status == REWRITTEN}. */
    public record Result(Status status, String className, byte[] bytes, String reason, List<MethodReport> methods) {
        public enum Status {
            /** at least one method changed; {@code bytes} is the new class file */
            REWRITTEN,
            /** nothing needed a poll (all methods bounded, or no code) */
            UNCHANGED,
            /** deliberately left alone: already rewritten, module descriptor, or every method that
             *  needs polls had to keep its original code (size limits, jsr) */
            SKIPPED,
            /** could not be handled; left unchanged */
            FAILED
        }

        static Result of(Status s, String name, String reason) {
            return new Result(s, name, null, reason, List.of());
        }

        /** Methods for which the self-check rejected a form (a rewriter bug; see {@link SelfCheck}). */
        public List<MethodReport> selfCheckRejections() {
            List<MethodReport> out = new java.util.ArrayList<>(0);
            for (MethodReport m : methods) { // no stream: called for every class, also before main
                if (m.note() != null && m.note().startsWith(MethodRewriter.SELF_CHECK)) {
                    out.add(m);
                }
            }
            return out;
        }

        /** Methods whose original code was kept although they need polls (size limits, errors). */
        public List<MethodReport> keptOriginal() {
            List<MethodReport> out = new java.util.ArrayList<>(0);
            for (MethodReport m : methods) {
                if (m.status() == MethodRewriter.Status.KEPT_ORIGINAL || m.status() == MethodRewriter.Status.SKIPPED) {
                    out.add(m);
                }
            }
            return out;
        }
    }

    public Result rewrite(byte[] classFile) {
        return rewrite(classFile, true);
    }

    /** @param scanFirst take the cheap path for classes with nothing to rewrite (false only in tests) */
    Result rewrite(byte[] classFile, boolean scanFirst) {
        String name = null;
        try {
            ClassReader cr = new ClassReader(classFile);
            name = cr.getClassName();
            if ((cr.getAccess() & Opcodes.ACC_MODULE) != 0) {
                return Result.of(Result.Status.SKIPPED, name, "module descriptor");
            }
            if (java.util.Arrays.asList(cr.getInterfaces()).contains("java/lang/instrument/ClassFileTransformer")) {
                // runs inside class loading: a poll or a routed thread there could load a class
                return Result.of(Result.Status.SKIPPED, name, "a ClassFileTransformer (runs while classes load)");
            }
            ClassScan.Scan scan = ClassScan.scan(cr, runMainAsG);
            java.util.Set<String> only = scanFirst ? scan.needed() : null;
            if (only != null && only.isEmpty()) {
                return Result.of(Result.Status.UNCHANGED, name, "nothing to poll (scan)");
            }
            Map<String, Integer> lengths = CodeSize.codeLengths(cr);
            // made from the reader: the constant pool is copied, and so is every method the
            // stages pass through untouched (no decoding, no tree, no re-encoding)
            ClassWriter cw = new NoHierarchyWriter(cr);
            PollStage polls = new PollStage(cw, config, lengths, only, scan);
            ClassVisitor chain = polls;
            RoutingStage routing = routeThreads || keepThreads ? new RoutingStage(chain, keepThreads) : null;
            if (routing != null) {
                routing.restrictTo(only);
            }
            chain = routing != null ? routing : chain;
            MainPrologueStage main = runMainAsG ? new MainPrologueStage(chain) : null;
            if (main != null) {
                main.restrictTo(only);
            }
            chain = main != null ? main : chain;
            chain = new MarkerStage(chain);
            try {
                cr.accept(chain, new Attribute[] {new RewrittenMarker()}, ClassReader.EXPAND_FRAMES);
            } catch (MarkerStage.AlreadyRewritten e) {
                return Result.of(Result.Status.SKIPPED, name, "already rewritten");
            }
            List<MethodReport> reports = List.copyOf(polls.reports());
            boolean routed = (routing != null && routing.changed()) || (main != null && main.changed());
            boolean changed = false;
            boolean kept = false;
            for (MethodReport m : reports) { // loops, not streams: this runs for every class
                changed |= m.changed();
                kept |= m.status() == MethodRewriter.Status.KEPT_ORIGINAL || m.status() == MethodRewriter.Status.SKIPPED;
            }
            if (!routed && !changed) {
                return new Result(kept ? Result.Status.SKIPPED : Result.Status.UNCHANGED, name, null,
                        kept ? "kept the original code of every method that needs polls" : "nothing to poll", reports);
            }
            return new Result(Result.Status.REWRITTEN, name, cw.toByteArray(), null, reports);
        } catch (MethodTooLargeException e) {
            return Result.of(Result.Status.FAILED, name, "method " + e.getMethodName() + e.getDescriptor()
                    + " too large (" + e.getCodeSize() + " bytes)");
        } catch (ClassTooLargeException e) {
            return Result.of(Result.Status.FAILED, name, "class too large");
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            String what = e.getMessage() != null && e.getMessage().startsWith("Unsupported class file")
                    ? e.getMessage() : "cannot parse or rewrite: " + e;
            return Result.of(Result.Status.FAILED, name, what);
        }
    }

    /** A writer that never computes frames and refuses to resolve the class hierarchy. */
    private static final class NoHierarchyWriter extends ClassWriter {
        NoHierarchyWriter(ClassReader source) {
            super(source, 0);
        }

        @Override
        protected String getCommonSuperClass(String type1, String type2) {
            throw new IllegalStateException("class hierarchy requested for " + type1 + " and " + type2);
        }

        @Override
        protected ClassLoader getClassLoader() {
            throw new IllegalStateException("class loader requested");
        }
    }
}
