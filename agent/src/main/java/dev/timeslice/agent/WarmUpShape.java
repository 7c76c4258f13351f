package dev.timeslice.agent;

import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The class the agent rewrites once at start-up, off the main thread, to load and link the
 * rewriter before the first application class needs it: generated here, in memory — reading a
 * class file of the agent's jar as a resource from the bootstrap loader opens the jar a second
 * time and loads the zip library (~60 ms of CPU in a hello world's profile). Its one method has
 * what takes every stage of the rewriting pipeline: a counted loop over an array with a call in
 * it, and a return.
 *
 * <pre>
 * final class dev.timeslice.agent.WarmUpShape$ {
 *     static int mix(int[] a) { int s = 0; for (int i = 0; i &lt; a.length; i++) s += Integer.rotateLeft(a[i], i); return s; }
 * }
 * </pre>
 */
final class WarmUpShape {
    private WarmUpShape() {
    }

    /** Loads and links {@code rewriter} by rewriting this shape once (premain and late attach). */
    static void warm(dev.timeslice.agent.rewrite.ClassRewriter rewriter) {
        try {
            rewriter.rewrite(classFile());
        } catch (RuntimeException ignored) {
            // only a warm-up
        }
    }

    static byte[] classFile() {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V21, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, "dev/timeslice/agent/WarmUpShape$", null,
                "java/lang/Object", null);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_STATIC, "mix", "([I)I", null, null);
        mv.visitCode();
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitVarInsn(Opcodes.ISTORE, 1);
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitVarInsn(Opcodes.ISTORE, 2);
        Label test = new Label();
        Label body = new Label();
        mv.visitJumpInsn(Opcodes.GOTO, test);
        mv.visitLabel(body);
        mv.visitFrame(Opcodes.F_APPEND, 2, new Object[] {Opcodes.INTEGER, Opcodes.INTEGER}, 0, null);
        mv.visitVarInsn(Opcodes.ILOAD, 1);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitVarInsn(Opcodes.ILOAD, 2);
        mv.visitInsn(Opcodes.IALOAD);
        mv.visitVarInsn(Opcodes.ILOAD, 2);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Integer", "rotateLeft", "(II)I", false);
        mv.visitInsn(Opcodes.IADD);
        mv.visitVarInsn(Opcodes.ISTORE, 1);
        mv.visitIincInsn(2, 1);
        mv.visitLabel(test);
        mv.visitFrame(Opcodes.F_SAME, 0, null, 0, null);
        mv.visitVarInsn(Opcodes.ILOAD, 2);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitInsn(Opcodes.ARRAYLENGTH);
        mv.visitJumpInsn(Opcodes.IF_ICMPLT, body);
        mv.visitVarInsn(Opcodes.ILOAD, 1);
        mv.visitInsn(Opcodes.IRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }
}
