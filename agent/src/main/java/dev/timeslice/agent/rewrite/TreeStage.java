package dev.timeslice.agent.rewrite;

import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.MethodNode;

/**
 * A pipeline stage that rewrites whole methods: each method it {@link #wants} is buffered as a
 * tree, handed to {@link #transform}, then streamed on to the next stage; everything else passes
 * through unchanged.
 */
abstract class TreeStage extends ClassVisitor {
    /** Methods ({@code name + descriptor}) that may need rewriting, or null for all (see {@link ClassScan}). */
    private java.util.Set<String> only;

    protected TreeStage(ClassVisitor next) {
        super(Opcodes.ASM9, next);
    }

    /** Limits the stage to these methods; the others pass through and are copied as they are. */
    void restrictTo(java.util.Set<String> methods) {
        this.only = methods;
    }

    /** Methods with code, unless a stage narrows it. */
    protected boolean wants(int access, String name, String descriptor) {
        return (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0;
    }

    /** Rewrites one method in place (frames are expanded; keep them consistent). */
    protected abstract void transform(MethodNode method);

    @Override
    public final MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                           String[] exceptions) {
        MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
        if (!wants(access, name, descriptor) || (only != null && !only.contains(name + descriptor))) {
            return next;
        }
        return new MethodNode(Opcodes.ASM9, access, name, descriptor, signature, exceptions) {
            @Override
            public void visitEnd() {
                transform(this);
                accept(next);
            }
        };
    }
}
