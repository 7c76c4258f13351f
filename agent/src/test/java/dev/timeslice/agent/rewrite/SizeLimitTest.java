package dev.timeslice.agent.rewrite;

import static dev.timeslice.agent.TestClasses.call;
import static dev.timeslice.agent.TestClasses.counting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.objectweb.asm.Opcodes.*;

import dev.timeslice.agent.TestClasses;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * Methods near HotSpot's HugeMethodLimit (8000 bytes) and the class-file limit (65535 bytes):
 * a rewrite never pushes a method over 8000 bytes that was under it, never over 65535, falls back
 * to cheaper forms first, and otherwise keeps the original code and says so.
 */
class SizeLimitTest {
    /**
     * {@code x = 0; <filler: iinc x 1, 'filler' times>; s = 0; for (i = 0; i < n; i++) s += i; return s + x;}
     * Code length: 25 + 3 * filler bytes.
     */
    private static void write(ClassWriter cw, String name, int filler) {
        MethodVisitor mv = cw.visitMethod(ACC_PUBLIC | ACC_STATIC, name, "(I)I", null, null);
        mv.visitCode();
        Label head = new Label();
        Label end = new Label();
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, 3);
        for (int k = 0; k < filler; k++) {
            mv.visitIincInsn(3, 1);
        }
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, 1);
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, 2);
        mv.visitLabel(head);
        mv.visitVarInsn(ILOAD, 2);
        mv.visitVarInsn(ILOAD, 0);
        mv.visitJumpInsn(IF_ICMPGE, end);
        mv.visitVarInsn(ILOAD, 1);
        mv.visitVarInsn(ILOAD, 2);
        mv.visitInsn(IADD);
        mv.visitVarInsn(ISTORE, 1);
        mv.visitIincInsn(2, 1);
        mv.visitJumpInsn(GOTO, head);
        mv.visitLabel(end);
        mv.visitVarInsn(ILOAD, 1);
        mv.visitVarInsn(ILOAD, 3);
        mv.visitInsn(IADD);
        mv.visitInsn(IRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    private static final int[][] METHODS = {
        // filler, original length
        {2655}, // 7990: only the one-call-per-back-edge form fits under 8000
        {2658}, // 7999: nothing fits, the original stays
        {3000}, // 9025: over the limit already: full form
        {21_800}, // 65 425
        {21_836}, // 65 533: nothing fits under 65 535
    };

    private static String name(int filler) {
        return "m" + filler;
    }

    @Test
    void sizeLimitsAreRespected() {
        byte[] bytes = Gen.clazz("gen/Sizes", V17, cw -> {
            for (int[] m : METHODS) {
                write(cw, name(m[0]), m[0]);
            }
        });
        Map<String, Integer> before = CodeSize.codeLengths(new ClassReader(bytes));
        assertEquals(7990, before.get("m2655(I)I"));
        assertEquals(7999, before.get("m2658(I)I"));
        assertEquals(65_533, before.get("m21836(I)I"));

        ClassRewriter.Result r = TestClasses.rewriter(8192).rewrite(bytes);
        assertEquals(ClassRewriter.Result.Status.REWRITTEN, r.status());
        TestClasses.checkWithAsm(r.bytes());
        Map<String, Integer> after = CodeSize.codeLengths(new ClassReader(r.bytes()));
        Map<String, MethodReport> reports = new java.util.HashMap<>();
        r.methods().forEach(m -> reports.put(m.name(), m));

        MethodReport near = reports.get("m2655");
        assertEquals(MethodRewriter.Status.REWRITTEN, near.status());
        assertEquals(MethodRewriter.Form.MINIMAL, near.form(), near.toString());
        assertTrue(after.get("m2655(I)I") <= 8000, "stays JIT-compilable: " + after.get("m2655(I)I"));

        MethodReport full = reports.get("m2658");
        assertEquals(MethodRewriter.Status.KEPT_ORIGINAL, full.status(), full.toString());
        assertTrue(full.note().contains("HugeMethodLimit"), full.note());
        assertEquals(7999, after.get("m2658(I)I"));
        assertTrue(r.keptOriginal().contains(full));

        assertEquals(MethodRewriter.Form.FULL, reports.get("m3000").form(), "already too big to compile: full form");
        assertEquals(MethodRewriter.Status.REWRITTEN, reports.get("m21800").status());
        assertTrue(after.get("m21800(I)I") <= 65_535);
        assertEquals(MethodRewriter.Status.KEPT_ORIGINAL, reports.get("m21836").status());
        assertTrue(reports.get("m21836").note().contains("64 KB"), reports.get("m21836").note());

        Class<?> orig = TestClasses.load("gen.Sizes", bytes);
        Class<?> rew = TestClasses.load("gen.Sizes", r.bytes());
        for (int[] m : METHODS) {
            assertEquals(call(orig, null, name(m[0]), 20_000), call(rew, null, name(m[0]), 20_000), name(m[0]));
        }
        // the one-call form polls every iteration; the kept original does not poll at all
        assertEquals(new TestClasses.Polls(1, 1000, 0), counting(() -> call(rew, null, "m2655", 1000)).polls());
        assertEquals(new TestClasses.Polls(0, 0, 0), counting(() -> call(rew, null, "m2658", 1000)).polls());
        assertEquals(new TestClasses.Polls(1, 12, 0), counting(() -> call(rew, null, "m3000", 100_000)).polls());
    }
}
