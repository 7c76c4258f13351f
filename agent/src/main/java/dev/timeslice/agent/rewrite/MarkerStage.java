package dev.timeslice.agent.rewrite;

import org.objectweb.asm.Attribute;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Opcodes;

/**
 * First stage of the pipeline: stops the rewrite of a class that already carries the
 * {@link RewrittenMarker} (class attributes stream past before any method) and adds the marker to
 * the output.
 */
final class MarkerStage extends ClassVisitor {
    /** Thrown to abandon a class that is already rewritten; carries no stack trace. */
    static final class AlreadyRewritten extends RuntimeException {
        AlreadyRewritten() {
            super("already rewritten", null, false, false);
        }
    }

    MarkerStage(ClassVisitor next) {
        super(Opcodes.ASM9, next);
    }

    @Override
    public void visitAttribute(Attribute attribute) {
        if (RewrittenMarker.TYPE.equals(attribute.type)) {
            throw new AlreadyRewritten();
        }
        super.visitAttribute(attribute);
    }

    @Override
    public void visitEnd() {
        super.visitAttribute(new RewrittenMarker());
        super.visitEnd();
    }
}
