package dev.timeslice.agent.fuzz;

import static org.objectweb.asm.Opcodes.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * Seeded generator of classes at the bytecode level, with shapes javac never emits but the
 * verifier accepts (bytecode generators such as CGLIB, ByteBuddy and Kotlin's compiler do):
 * values left on the operand stack across a back-edge and at a return (also a return inside a
 * loop), a loop counter living only on the operand stack, loops entered from the middle
 * (irreducible), exception handlers covering a loop header whose handler jumps back into the
 * loop, a tableswitch as a loop's back-edge, long counters compared with {@code lcmp},
 * {@code <init>} with a loop before {@code super()} (frames with {@code uninitializedThis}), or
 * a CGLIB-like constructor returning from inside a loop with values on the stack.
 *
 * <p>Every method is {@code static int sK(int n, int m)} (locals: 0 n, 1 m, 2 acc, 3-4 long
 * accL, 5 i, 6 k); trip counts are masked arguments, so every loop terminates. Frames are
 * computed by ASM with every common superclass taken as {@code java/lang/Object} (enough for
 * this code).
 */
final class AsmGen {
    static final String CLASS_NAME = "AsmFuzzCase";
    private static final String OWNER = CLASS_NAME;
    private final SplittableRandom rnd;
    /** What each method does, for failure reports. */
    final List<String> shapes = new ArrayList<>();

    AsmGen(long seed) {
        this.rnd = new SplittableRandom(seed);
    }

    static Differential.Unit unit(long seed) {
        AsmGen g = new AsmGen(seed);
        byte[] bytes = g.generate();
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        List<Differential.Call> calls = new ArrayList<>();
        for (int k = 0; k < g.shapes.size(); k++) {
            for (int i = 0; i < 3; i++) {
                int n = r.nextInt(4) == 0 ? r.nextInt() : r.nextInt(-3, 80);
                int m = r.nextInt(4) == 0 ? r.nextInt() : r.nextInt(-3, 80);
                calls.add(new Differential.Call("s" + k, new Object[] {n, m}));
            }
        }
        return new Differential.Unit("asm seed " + seed + " " + g.shapes, Map.of(CLASS_NAME, bytes), CLASS_NAME, calls);
    }

    private static final class Writer extends ClassWriter {
        Writer() {
            super(COMPUTE_FRAMES);
        }

        @Override
        protected String getCommonSuperClass(String type1, String type2) {
            return "java/lang/Object";
        }
    }

    byte[] generate() {
        ClassWriter cw = new Writer();
        cw.visit(V21, ACC_PUBLIC | ACC_SUPER, OWNER, null, "java/lang/Object", null);
        cw.visitField(ACC_PUBLIC, "f", "I", null, null).visitEnd();
        int ctor = rnd.nextInt(3); // 0 plain, 1 loop before super(), 2 CGLIB-like
        boolean loopBeforeSuper = ctor == 1;
        constructor(cw, ctor);
        int methods = 3 + rnd.nextInt(4);
        for (int k = 0; k < methods; k++) {
            MethodVisitor mv = cw.visitMethod(ACC_PUBLIC | ACC_STATIC, "s" + k, "(II)I", null, null);
            mv.visitCode();
            prologue(mv);
            int shape = rnd.nextInt(9);
            switch (shape) {
                case 0 -> stackAcrossBackEdge(mv);
                case 1 -> irreducible(mv);
                case 2 -> handlerCoversHeader(mv);
                case 3 -> switchBackEdge(mv);
                case 4 -> longCounterNested(mv);
                case 5 -> counterOnStack(mv);
                case 6 -> doWhileThrowing(mv);
                case 7 -> returnInLoopWithStack(mv);
                default -> {
                    construct(mv);
                    shapes.add("new with " + (ctor == 0 ? "plain constructor" : loopBeforeSuper ? "loop before super()"
                            : "return inside a loop with stack values"));
                }
            }
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        }
        cw.visitEnd();
        return cw.toByteArray();
    }

    // ------------------------------------------------------------------ building blocks

    private void prologue(MethodVisitor mv) {
        mv.visitVarInsn(ILOAD, 1);
        mv.visitVarInsn(ISTORE, 2);
        mv.visitVarInsn(ILOAD, 0);
        mv.visitInsn(I2L);
        mv.visitVarInsn(LSTORE, 3);
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, 5);
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, 6);
    }

    /** Pushes a bound in 0..(mask + add) derived from n or m. */
    private void bound(MethodVisitor mv, int mask, int add) {
        mv.visitVarInsn(ILOAD, rnd.nextBoolean() ? 0 : 1);
        mv.visitIntInsn(SIPUSH, mask);
        mv.visitInsn(IAND);
        mv.visitIntInsn(BIPUSH, add);
        mv.visitInsn(IADD);
    }

    /** Straight-line work on the locals; the operand stack is as before. */
    private void work(MethodVisitor mv) {
        int n = 1 + rnd.nextInt(4);
        for (int s = 0; s < n; s++) {
            switch (rnd.nextInt(7)) {
                case 0 -> {
                    mv.visitVarInsn(ILOAD, 2);
                    mv.visitVarInsn(ILOAD, 5);
                    mv.visitInsn(new int[] {IADD, IXOR, IMUL, ISUB}[rnd.nextInt(4)]);
                    mv.visitVarInsn(ISTORE, 2);
                }
                case 1 -> mv.visitIincInsn(2, rnd.nextInt(-5, 40));
                case 2 -> {
                    mv.visitVarInsn(LLOAD, 3);
                    mv.visitVarInsn(ILOAD, 2);
                    mv.visitInsn(I2L);
                    mv.visitInsn(LADD);
                    mv.visitLdcInsn(31L);
                    mv.visitInsn(LMUL);
                    mv.visitVarInsn(LSTORE, 3);
                }
                case 3 -> {
                    mv.visitVarInsn(ILOAD, 2);
                    mv.visitInsn(ICONST_5);
                    mv.visitInsn(ISHL);
                    mv.visitVarInsn(ILOAD, 2);
                    mv.visitInsn(IXOR);
                    mv.visitVarInsn(ISTORE, 2);
                }
                case 4 -> {
                    mv.visitVarInsn(ILOAD, 2);
                    mv.visitIntInsn(BIPUSH, rnd.nextInt(1, 31));
                    mv.visitMethodInsn(INVOKESTATIC, "java/lang/Integer", "rotateLeft", "(II)I", false);
                    mv.visitVarInsn(ISTORE, 2);
                }
                case 5 -> {
                    mv.visitVarInsn(ILOAD, 2);
                    mv.visitVarInsn(ILOAD, 6);
                    mv.visitInsn(IADD);
                    mv.visitVarInsn(ISTORE, 2);
                    mv.visitIincInsn(6, 1);
                }
                default -> {
                    mv.visitVarInsn(ILOAD, 2);
                    mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "abs", "(I)I", false);
                    mv.visitVarInsn(ILOAD, 5);
                    mv.visitInsn(IADD);
                    mv.visitVarInsn(ISTORE, 2);
                }
            }
        }
    }

    /** Pushes acc + (int) accL. */
    private static void result(MethodVisitor mv) {
        mv.visitVarInsn(ILOAD, 2);
        mv.visitVarInsn(LLOAD, 3);
        mv.visitInsn(L2I);
        mv.visitInsn(IADD);
    }

    /** if (i >= bound) goto exit; */
    private void exitTest(MethodVisitor mv, Label exit, int mask) {
        mv.visitVarInsn(ILOAD, 5);
        bound(mv, mask, rnd.nextInt(3));
        mv.visitJumpInsn(IF_ICMPGE, exit);
    }

    // ------------------------------------------------------------------ shapes

    /** An int and a long on the stack for the whole loop, used in it; returned with a value left below. */
    private void stackAcrossBackEdge(MethodVisitor mv) {
        shapes.add("stack values across a back-edge, return with a value left");
        mv.visitVarInsn(ILOAD, 1);
        mv.visitLdcInsn(7L);
        Label head = new Label();
        Label exit = new Label();
        mv.visitLabel(head);
        exitTest(mv, exit, 63);
        work(mv);
        // [int, long]: use the long, keep both
        mv.visitInsn(DUP2);
        mv.visitVarInsn(LLOAD, 3);
        mv.visitInsn(LXOR);
        mv.visitVarInsn(LSTORE, 3);
        mv.visitIincInsn(5, 1);
        mv.visitJumpInsn(GOTO, head);
        mv.visitLabel(exit);
        mv.visitInsn(L2I);
        mv.visitInsn(IADD);
        if (rnd.nextBoolean()) {
            result(mv);
            mv.visitInsn(IADD);
        } else {
            mv.visitInsn(POP);
            mv.visitLdcInsn(11L); // left on the stack at the return
            result(mv);
        }
        mv.visitInsn(IRETURN);
    }

    /** A loop with two entries: at its top (fall-through) and in its middle (branch). */
    private void irreducible(MethodVisitor mv) {
        shapes.add("loop entered from the middle");
        Label top = new Label();
        Label mid = new Label();
        Label exit = new Label();
        mv.visitVarInsn(ILOAD, 0);
        mv.visitInsn(ICONST_1);
        mv.visitInsn(IAND);
        mv.visitJumpInsn(IFEQ, mid);
        mv.visitLabel(top);
        work(mv);
        mv.visitIincInsn(5, 1);
        mv.visitLabel(mid);
        work(mv);
        mv.visitIincInsn(5, 1);
        mv.visitVarInsn(ILOAD, 5);
        bound(mv, 127, 1);
        mv.visitJumpInsn(IF_ICMPLT, top);
        mv.visitLabel(exit);
        result(mv);
        mv.visitInsn(IRETURN);
    }

    /** try range covering the loop header and back-edge; the handler goes back to the header. */
    private void handlerCoversHeader(MethodVisitor mv) {
        shapes.add("handler covering the loop header, jumping back into the loop");
        Label start = new Label();
        Label head = new Label();
        Label end = new Label();
        Label handler = new Label();
        Label exit = new Label();
        mv.visitTryCatchBlock(start, end, handler, rnd.nextBoolean() ? "java/lang/ArithmeticException" : null);
        mv.visitLabel(start);
        mv.visitLabel(head);
        exitTest(mv, exit, 63);
        work(mv);
        // acc += 1000 / ((i & 7) - 3): throws when (i & 7) == 3
        mv.visitIntInsn(SIPUSH, 1000);
        mv.visitVarInsn(ILOAD, 5);
        mv.visitIntInsn(BIPUSH, 7);
        mv.visitInsn(IAND);
        mv.visitInsn(ICONST_3);
        mv.visitInsn(ISUB);
        mv.visitInsn(IDIV);
        mv.visitVarInsn(ILOAD, 2);
        mv.visitInsn(IADD);
        mv.visitVarInsn(ISTORE, 2);
        mv.visitIincInsn(5, 1);
        mv.visitJumpInsn(GOTO, head);
        mv.visitLabel(end);
        mv.visitLabel(handler);
        mv.visitInsn(POP);
        mv.visitIincInsn(2, 100);
        mv.visitIincInsn(5, 1);
        mv.visitJumpInsn(GOTO, head);
        mv.visitLabel(exit);
        result(mv);
        mv.visitInsn(IRETURN);
    }

    /** The back-edge is a tableswitch with several targets inside the loop. */
    private void switchBackEdge(MethodVisitor mv) {
        shapes.add("tableswitch as back-edge");
        Label head = new Label();
        Label mid = new Label();
        Label exit = new Label();
        mv.visitLabel(head);
        work(mv);
        mv.visitLabel(mid);
        mv.visitIincInsn(5, 1);
        work(mv);
        exitTest(mv, exit, 127);
        mv.visitVarInsn(ILOAD, 5);
        mv.visitInsn(ICONST_3);
        mv.visitInsn(IAND);
        mv.visitTableSwitchInsn(0, 2, head, head, mid, exit.equals(head) ? head : mid);
        mv.visitLabel(exit);
        result(mv);
        mv.visitInsn(IRETURN);
    }

    /** A long-counted outer loop (lcmp) around an int inner loop. */
    private void longCounterNested(MethodVisitor mv) {
        shapes.add("long counter with lcmp around an inner loop");
        Label head = new Label();
        Label exit = new Label();
        Label inner = new Label();
        Label innerExit = new Label();
        mv.visitInsn(LCONST_0);
        mv.visitVarInsn(LSTORE, 7);
        mv.visitLabel(head);
        mv.visitVarInsn(LLOAD, 7);
        bound(mv, 15, 1);
        mv.visitInsn(I2L);
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFGE, exit);
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, 5);
        mv.visitLabel(inner);
        exitTest(mv, innerExit, 31);
        work(mv);
        mv.visitIincInsn(5, 1);
        mv.visitJumpInsn(GOTO, inner);
        mv.visitLabel(innerExit);
        mv.visitVarInsn(LLOAD, 7);
        mv.visitInsn(LCONST_1);
        mv.visitInsn(LADD);
        mv.visitVarInsn(LSTORE, 7);
        mv.visitJumpInsn(GOTO, head);
        mv.visitLabel(exit);
        result(mv);
        mv.visitInsn(IRETURN);
    }

    /** The loop counter lives only on the operand stack. */
    private void counterOnStack(MethodVisitor mv) {
        shapes.add("counter on the operand stack");
        Label head = new Label();
        Label exit = new Label();
        mv.visitInsn(ICONST_0);
        mv.visitLabel(head);
        mv.visitInsn(DUP);
        bound(mv, 255, 0);
        mv.visitJumpInsn(IF_ICMPGE, exit);
        mv.visitInsn(DUP);
        mv.visitVarInsn(ISTORE, 5);
        work(mv);
        mv.visitInsn(ICONST_1);
        mv.visitInsn(IADD);
        mv.visitJumpInsn(GOTO, head);
        mv.visitLabel(exit);
        result(mv);
        mv.visitInsn(IADD);
        mv.visitInsn(IRETURN);
    }

    /** Bottom-tested loop inside a try range; a JDK call throws on purpose part-way. */
    private void doWhileThrowing(MethodVisitor mv) {
        shapes.add("do-while in a try range, JDK call throwing");
        Label start = new Label();
        Label head = new Label();
        Label end = new Label();
        Label handler = new Label();
        mv.visitTryCatchBlock(start, end, handler, "java/lang/ArithmeticException");
        mv.visitLabel(start);
        mv.visitLabel(head);
        work(mv);
        mv.visitVarInsn(ILOAD, 2);
        mv.visitVarInsn(ILOAD, 5);
        mv.visitIntInsn(BIPUSH, rnd.nextInt(5, 40));
        mv.visitInsn(ISUB);
        mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "floorDiv", "(II)I", false);
        mv.visitVarInsn(ILOAD, 2);
        mv.visitInsn(IXOR);
        mv.visitVarInsn(ISTORE, 2);
        mv.visitIincInsn(5, 1);
        mv.visitVarInsn(ILOAD, 5);
        bound(mv, 63, 1);
        mv.visitJumpInsn(IF_ICMPLT, head);
        mv.visitLabel(end);
        result(mv);
        mv.visitInsn(IRETURN);
        mv.visitLabel(handler);
        mv.visitVarInsn(ASTORE, 7);
        result(mv);
        mv.visitInsn(ICONST_2);
        mv.visitInsn(IMUL);
        mv.visitInsn(IRETURN);
    }

    /** A return inside the loop while two values are on the stack. */
    private void returnInLoopWithStack(MethodVisitor mv) {
        shapes.add("return inside a loop with stack values");
        Label head = new Label();
        Label exit = new Label();
        Label skip = new Label();
        mv.visitVarInsn(ILOAD, 0);
        mv.visitVarInsn(ILOAD, 1);
        mv.visitLabel(head);
        exitTest(mv, exit, 63);
        work(mv);
        mv.visitVarInsn(ILOAD, 5);
        mv.visitIntInsn(BIPUSH, rnd.nextInt(3, 50));
        mv.visitJumpInsn(IF_ICMPNE, skip);
        result(mv);
        mv.visitInsn(IRETURN); // [n, m, result]
        mv.visitLabel(skip);
        mv.visitIincInsn(5, 1);
        mv.visitJumpInsn(GOTO, head);
        mv.visitLabel(exit);
        mv.visitInsn(IADD);
        result(mv);
        mv.visitInsn(IXOR);
        mv.visitInsn(IRETURN);
    }

    /** return new AsmFuzzCase(n, m).f */
    private void construct(MethodVisitor mv) {
        mv.visitTypeInsn(NEW, OWNER);
        mv.visitInsn(DUP);
        mv.visitVarInsn(ILOAD, 0);
        mv.visitVarInsn(ILOAD, 1);
        mv.visitMethodInsn(INVOKESPECIAL, OWNER, "<init>", "(II)V", false);
        mv.visitFieldInsn(GETFIELD, OWNER, "f", "I");
        mv.visitInsn(IRETURN);
    }

    /**
     * {@code <init>(II)V}: either a loop (with a branch) before {@code super()}, or (CGLIB's
     * key-factory shape) after it a loop that returns from inside with values on the stack.
     */
    private void constructor(ClassWriter cw, int kind) {
        MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, "<init>", "(II)V", null, null);
        mv.visitCode();
        if (kind == 0) {
            mv.visitVarInsn(ALOAD, 0);
            mv.visitMethodInsn(INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
            mv.visitVarInsn(ALOAD, 0);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitVarInsn(ILOAD, 2);
            mv.visitInsn(IXOR);
            mv.visitFieldInsn(PUTFIELD, OWNER, "f", "I");
            mv.visitInsn(RETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
            return;
        }
        boolean loopBeforeSuper = kind == 1;
        // locals: 0 this, 1 n, 2 m, 3 acc, 4 i
        mv.visitVarInsn(ILOAD, 2);
        mv.visitVarInsn(ISTORE, 3);
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, 4);
        Label head = new Label();
        Label exit = new Label();
        Label skip = new Label();
        if (loopBeforeSuper) {
            mv.visitLabel(head);
            mv.visitVarInsn(ILOAD, 4);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitIntInsn(BIPUSH, 31);
            mv.visitInsn(IAND);
            mv.visitJumpInsn(IF_ICMPGE, exit);
            mv.visitVarInsn(ILOAD, 4);
            mv.visitInsn(ICONST_1);
            mv.visitInsn(IAND);
            mv.visitJumpInsn(IFEQ, skip);
            mv.visitVarInsn(ILOAD, 3);
            mv.visitIntInsn(BIPUSH, 31);
            mv.visitInsn(IMUL);
            mv.visitVarInsn(ILOAD, 4);
            mv.visitInsn(IADD);
            mv.visitVarInsn(ISTORE, 3);
            mv.visitLabel(skip);
            mv.visitIincInsn(4, 1);
            mv.visitJumpInsn(GOTO, head);
            mv.visitLabel(exit);
            mv.visitVarInsn(ALOAD, 0);
            mv.visitMethodInsn(INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
            mv.visitVarInsn(ALOAD, 0);
            mv.visitVarInsn(ILOAD, 3);
            mv.visitFieldInsn(PUTFIELD, OWNER, "f", "I");
            mv.visitInsn(RETURN);
        } else {
            mv.visitVarInsn(ALOAD, 0);
            mv.visitMethodInsn(INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
            mv.visitVarInsn(ALOAD, 0);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitFieldInsn(PUTFIELD, OWNER, "f", "I");
            mv.visitVarInsn(ALOAD, 0); // left on the stack for the whole loop (CGLIB keeps `this`)
            mv.visitLabel(head);
            mv.visitVarInsn(ILOAD, 4);
            mv.visitVarInsn(ILOAD, 2);
            mv.visitIntInsn(BIPUSH, 63);
            mv.visitInsn(IAND);
            mv.visitJumpInsn(IF_ICMPGE, exit);
            mv.visitVarInsn(ALOAD, 0);
            mv.visitInsn(DUP);
            mv.visitFieldInsn(GETFIELD, OWNER, "f", "I");
            mv.visitVarInsn(ILOAD, 4);
            mv.visitInsn(IXOR);
            mv.visitIntInsn(BIPUSH, 7);
            mv.visitInsn(IMUL);
            mv.visitFieldInsn(PUTFIELD, OWNER, "f", "I");
            mv.visitVarInsn(ILOAD, 4);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitIntInsn(BIPUSH, 15);
            mv.visitInsn(IAND);
            mv.visitJumpInsn(IF_ICMPNE, skip);
            mv.visitInsn(DUP);
            mv.visitInsn(RETURN); // [this, this]
            mv.visitLabel(skip);
            mv.visitIincInsn(4, 1);
            mv.visitJumpInsn(GOTO, head);
            mv.visitLabel(exit);
            mv.visitInsn(RETURN); // [this]
        }
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }
}
