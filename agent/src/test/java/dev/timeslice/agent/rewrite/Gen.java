package dev.timeslice.agent.rewrite;

import java.util.function.Consumer;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/** Generates test classes whose bytecode javac would not produce. */
final class Gen {
    private Gen() {
    }

    /** A class with a static method {@code name(desc)} whose code {@code body} writes. */
    static byte[] clazz(String className, int version, String method, String desc, Consumer<MethodVisitor> body) {
        return clazz(className, version, cw -> {
            MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, method, desc, null, null);
            mv.visitCode();
            body.accept(mv);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        });
    }

    static byte[] clazz(String className, int version, Consumer<ClassWriter> members) {
        ClassWriter cw = new ClassWriter(version >= Opcodes.V1_6 ? ClassWriter.COMPUTE_FRAMES : ClassWriter.COMPUTE_MAXS);
        cw.visit(version, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, className, null, "java/lang/Object", null);
        cw.visitField(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "hits", "I", null, null).visitEnd();
        members.accept(cw);
        cw.visitEnd();
        return cw.toByteArray();
    }
}
