package dev.timeslice.agent.rewrite;

import org.objectweb.asm.Attribute;
import org.objectweb.asm.ByteVector;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;

/**
 * A class attribute ({@value #TYPE}, two bytes: format version) that marks a class as rewritten by
 * Timeslice, so it is never rewritten twice. The JVM ignores unknown attributes.
 */
public final class RewrittenMarker extends Attribute {
    public static final String TYPE = "dev.timeslice.Rewritten";
    static final int FORMAT = 1;

    public RewrittenMarker() {
        super(TYPE);
    }

    @Override
    protected Attribute read(ClassReader cr, int offset, int length, char[] buf, int codeOffset, Label[] labels) {
        return new RewrittenMarker();
    }

    @Override
    protected ByteVector write(ClassWriter cw, byte[] code, int codeLength, int maxStack, int maxLocals) {
        return new ByteVector(2).putShort(FORMAT);
    }

    /** Whether {@code bytes} carry the marker (cheap: scans the class attributes only). */
    public static boolean isMarked(ClassReader cr) {
        boolean[] found = {false};
        cr.accept(new org.objectweb.asm.ClassVisitor(org.objectweb.asm.Opcodes.ASM9) {
            @Override
            public void visitAttribute(Attribute attribute) {
                found[0] |= TYPE.equals(attribute.type);
            }
        }, new Attribute[] {new RewrittenMarker()},
                ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return found[0];
    }
}
