package dev.timeslice.agent.rewrite;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.MethodNode;

/**
 * The poll-insertion stage: buffers each method as a tree, has {@link MethodRewriter} rewrite it,
 * and streams the result (or the original, if rewriting failed) to the next stage. Everything
 * else passes through unchanged. A failure in one method keeps that method's original code and is
 * recorded; it never aborts the class.
 */
final class PollStage extends ClassVisitor {
    private final RewriteConfig config;
    private final Map<String, Integer> originalLengths;
    private final ClassContext cls;
    private final List<MethodReport> reports = new ArrayList<>();

    /** Methods ({@code name + descriptor}) that may need polls, or null for all (see {@link ClassScan}). */
    private final java.util.Set<String> only;

    PollStage(ClassVisitor next, RewriteConfig config, Map<String, Integer> originalLengths, java.util.Set<String> only,
              ClassScan.Scan scan) {
        super(Opcodes.ASM9, next);
        this.cls = new ClassContext(scan);
        this.config = config;
        this.originalLengths = originalLengths;
        this.only = only;
    }

    List<MethodReport> reports() {
        return reports;
    }

    @Override
    public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
        cls.setHeader(name, version);
        super.visit(version, access, name, signature, superName, interfaces);
    }

    @Override
    public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
        cls.addField(name, descriptor, access);
        return super.visitField(access, name, descriptor, signature, value);
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
        MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
        if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
            return next;
        }
        if (only != null && !only.contains(name + descriptor)) {
            // copied as it is by the class writer; reported as MethodRewriter would
            reports.add(new MethodReport(name, descriptor, MethodRewriter.Status.UNTOUCHED, null, 0, 0, 0, 0, 0,
                    name.equals("<clinit>") ? "no code to rewrite" : "bounded: no loop, no call"));
            return next;
        }
        return new MethodNode(Opcodes.ASM9, access, name, descriptor, signature, exceptions) {
            @Override
            public void visitEnd() {
                MethodRewriter.Outcome o;
                try {
                    o = new MethodRewriter(config, cls)
                            .rewrite(this, originalLengths.getOrDefault(name + descriptor, -1));
                } catch (RuntimeException e) {
                    instructions.resetLabels();
                    o = MethodRewriter.Outcome.of(this, MethodRewriter.Status.SKIPPED, "internal error: " + e);
                }
                reports.add(new MethodReport(name, descriptor, o.status(), o.form(), o.versioned(), o.stripMined(),
                        o.counters(), o.callLoops(), o.returnPolls(), o.note()));
                o.method().accept(next);
            }
        };
    }
}
