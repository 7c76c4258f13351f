package dev.timeslice.agent.fuzz;

import static org.junit.jupiter.api.Assertions.fail;
import static org.objectweb.asm.Opcodes.*;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * Every bug the rewriter fuzzer found, reduced to a minimal reproducer, one test per finding
 * ({@code /work/findings/fuzz-NNN.md} during development; the test name carries the number).
 * Each runs the reproducer through the same differential check as the fuzzer: original vs
 * rewritten (loopPoll 2, default, a cheaper form, on G's of a preempting scheduler).
 */
class RewriterRegressionTest {
    private static void same(Differential.Unit u) {
        try (Differential d = new Differential(10_000, true)) {
            Differential.Failure f = d.check(u);
            if (f != null) {
                fail(u.label() + ": " + f + "\n" + Disassembly.of(u.classes().get(u.entryClass())));
            }
        }
    }

    private static void sameJava(String className, String source, List<Differential.Call> calls) {
        Map<String, byte[]> classes = new InMemoryJavac().compile(className, source);
        same(new Differential.Unit(className, classes, className, calls));
    }

    /** A class {@code name} (superclass Object, int field f) whose members {@code members} writes. */
    private static byte[] asmClass(String name, Consumer<ClassWriter> members) {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                return "java/lang/Object";
            }
        };
        cw.visit(V21, ACC_PUBLIC | ACC_SUPER, name, null, "java/lang/Object", null);
        cw.visitField(ACC_PUBLIC, "f", "I", null, null).visitEnd();
        members.accept(cw);
        cw.visitEnd();
        return cw.toByteArray();
    }

    private static List<Differential.Call> ints(String method, int... args) {
        return java.util.Arrays.stream(args).mapToObj(a -> new Differential.Call(method, new Object[] {a})).toList();
    }

    /**
     * fuzz-001: CGLIB key-factory constructor shape. After super(), `this` stays on the operand
     * stack for a whole loop and the constructor returns from inside the loop ([this, this]) and
     * after it ([this]). The return polls join returns of different stack heights:
     * VerifyError "Inconsistent stackmap frames ... stack size doesn't match stackmap".
     */
    @Test
    void fuzz001_constructorReturnsInsideALoopWithValuesOnTheStack() {
        byte[] b = asmClass("Fuzz001", cw -> {
            MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, "<init>", "(I)V", null, null);
            mv.visitCode();
            mv.visitVarInsn(ALOAD, 0);
            mv.visitMethodInsn(INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
            mv.visitVarInsn(ALOAD, 0); // left on the stack
            Label head = new Label();
            Label exit = new Label();
            Label skip = new Label();
            mv.visitLabel(head);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitJumpInsn(IFLE, exit);
            mv.visitIincInsn(1, -1);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitInsn(ICONST_3);
            mv.visitJumpInsn(IF_ICMPNE, skip);
            mv.visitInsn(DUP);
            mv.visitInsn(RETURN); // [this, this]
            mv.visitLabel(skip);
            mv.visitJumpInsn(GOTO, head);
            mv.visitLabel(exit);
            mv.visitInsn(RETURN); // [this]
            mv.visitMaxs(0, 0);
            mv.visitEnd();
            mv = cw.visitMethod(ACC_PUBLIC | ACC_STATIC, "make", "(I)I", null, null);
            mv.visitCode();
            mv.visitTypeInsn(NEW, "Fuzz001");
            mv.visitInsn(DUP);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitMethodInsn(INVOKESPECIAL, "Fuzz001", "<init>", "(I)V", false);
            mv.visitFieldInsn(GETFIELD, "Fuzz001", "f", "I");
            mv.visitInsn(IRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        });
        same(new Differential.Unit("fuzz-001", Map.of("Fuzz001", b), "Fuzz001", ints("make", 0, 2, 5, 100)));
    }
}
