package dev.timeslice.agent.rewrite;

import static dev.timeslice.agent.TestClasses.call;
import static dev.timeslice.agent.TestClasses.counting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.objectweb.asm.Opcodes.*;

import dev.timeslice.agent.TestClasses;
import dev.timeslice.agent.TestClasses.Polls;
import java.util.function.Consumer;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * Loop shapes other compilers emit (and javac does not): test-at-bottom loops entered by a goto
 * (ECJ, Kotlin, Scala), switch back-edges, loops closed by an exception edge, values and
 * uninitialized objects on the operand stack across a loop, irreducible flow, and class files
 * too old to carry stack map frames. Each is rewritten, checked with ASM, loaded (HotSpot
 * verifies it), run against a Java model of its meaning, and its polls are counted.
 */
class BytecodeShapesTest {
    private record Rewritten(Class<?> original, Class<?> rewritten, MethodReport report) {
    }

    private static Rewritten rewrite(String method, String desc, int version, Consumer<MethodVisitor> body) {
        String cls = "gen/" + method.substring(0, 1).toUpperCase() + method.substring(1);
        byte[] bytes = Gen.clazz(cls, version, method, desc, body);
        ClassRewriter.Result r = TestClasses.rewriter(8192).rewrite(bytes);
        assertEquals(ClassRewriter.Result.Status.REWRITTEN, r.status(), String.valueOf(r.reason()));
        TestClasses.checkWithAsm(r.bytes());
        MethodReport report = r.methods().stream().filter(m -> m.name().equals(method)).findFirst().orElseThrow();
        return new Rewritten(TestClasses.load(cls, bytes), TestClasses.load(cls, r.bytes()), report);
    }

    private static void sameAsModel(Rewritten g, String method, IntUnaryOperator model, int... inputs) {
        for (int n : inputs) {
            assertEquals(model.applyAsInt(n), call(g.original, null, method, n), "original " + method + "(" + n + ")");
            assertEquals(model.applyAsInt(n), call(g.rewritten, null, method, n), "rewritten " + method + "(" + n + ")");
        }
    }

    private static Polls polls(Rewritten g, String method, int n) {
        return counting(() -> call(g.rewritten, null, method, n)).polls();
    }

    /** s = 0; i = 0; goto TEST; BODY: s += i; i++; TEST: if (i < n) goto BODY; return s. */
    private static void bottomTested(MethodVisitor mv) {
        Label body = new Label();
        Label test = new Label();
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, 1);
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, 2);
        mv.visitJumpInsn(GOTO, test);
        mv.visitLabel(body);
        mv.visitVarInsn(ILOAD, 1);
        mv.visitVarInsn(ILOAD, 2);
        mv.visitInsn(IADD);
        mv.visitVarInsn(ISTORE, 1);
        mv.visitIincInsn(2, 1);
        mv.visitLabel(test);
        mv.visitVarInsn(ILOAD, 2);
        mv.visitVarInsn(ILOAD, 0);
        mv.visitJumpInsn(IF_ICMPLT, body);
        mv.visitVarInsn(ILOAD, 1);
        mv.visitInsn(IRETURN);
    }

    @Test
    void testAtTheBottomEnteredByGoto() {
        Rewritten g = rewrite("bottomTested", "(I)I", V17, BytecodeShapesTest::bottomTested);
        assertEquals(1, g.report.stripMined(), "strip-mined in place: " + g.report);
        sameAsModel(g, "bottomTested", n -> {
            int s = 0;
            for (int i = 0; i < n; i++) {
                s += i;
            }
            return s;
        }, -1, 0, 1, 2, 8192, 8193, 100_000);
        assertEquals(new Polls(1, 12, 0), polls(g, "bottomTested", 100_000));
    }

    @Test
    void doWhileWithAThrowingBoundIsNotStripMined() {
        // do { hits++; i++; } while (i < a.length): with a == null the body runs once, then NPE
        Rewritten g = rewrite("doWhileArrayLength", "([I)I", V17, mv -> {
            Label body = new Label();
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, 1);
            mv.visitLabel(body);
            mv.visitFieldInsn(GETSTATIC, "gen/DoWhileArrayLength", "hits", "I");
            mv.visitInsn(ICONST_1);
            mv.visitInsn(IADD);
            mv.visitFieldInsn(PUTSTATIC, "gen/DoWhileArrayLength", "hits", "I");
            mv.visitIincInsn(1, 1);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitVarInsn(ALOAD, 0);
            mv.visitInsn(ARRAYLENGTH);
            mv.visitJumpInsn(IF_ICMPLT, body);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitInsn(IRETURN);
        });
        assertEquals(0, g.report.stripMined(), "the bound would be evaluated before the first iteration");
        assertEquals(1, g.report.counters(), g.report.toString());
        for (Class<?> c : new Class<?>[] {g.original, g.rewritten}) {
            assertInstanceOf(TestClasses.Thrown.class, call(c, null, "doWhileArrayLength", (Object) null));
            assertEquals(1, staticHits(c), "the body ran once before the test threw");
            assertEquals(50_000, call(c, null, "doWhileArrayLength", (Object) new int[50_000]));
        }
        assertEquals(new Polls(1, 50_000 / 8192, 0), counting(() -> call(g.rewritten, null, "doWhileArrayLength",
                (Object) new int[50_001])).polls());
    }

    private static int staticHits(Class<?> c) {
        try {
            return c.getField("hits").getInt(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** L0: s += 1; L1: s += 3; L2: i++; if (i >= n) return s; switch (i % 3) {0: L0, 1: L1, 2: L2}. */
    private static Consumer<MethodVisitor> switchLoop(boolean table) {
        return mv -> {
            Label l0 = new Label();
            Label l1 = new Label();
            Label l2 = new Label();
            Label end = new Label();
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, 1);
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, 2);
            mv.visitLabel(l0);
            mv.visitIincInsn(1, 1);
            mv.visitLabel(l1);
            mv.visitIincInsn(1, 3);
            mv.visitLabel(l2);
            mv.visitIincInsn(2, 1);
            mv.visitVarInsn(ILOAD, 2);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitJumpInsn(IF_ICMPGE, end);
            mv.visitVarInsn(ILOAD, 2);
            mv.visitInsn(ICONST_3);
            mv.visitInsn(IREM);
            if (table) {
                mv.visitTableSwitchInsn(0, 2, end, l0, l1, l2);
            } else {
                mv.visitLookupSwitchInsn(end, new int[] {0, 1, 2}, new Label[] {l0, l1, l2});
            }
            mv.visitLabel(end);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitInsn(IRETURN);
        };
    }

    private static int switchModel(int n) {
        int s = 0;
        int i = 0;
        int pc = 0;
        while (true) {
            if (pc == 0) {
                s += 1;
                pc = 1;
            }
            if (pc == 1) {
                s += 3;
            }
            i++;
            if (i >= n) {
                return s;
            }
            pc = i % 3;
        }
    }

    @Test
    void tableAndLookupSwitchBackEdges() {
        for (boolean table : new boolean[] {true, false}) {
            String name = table ? "tableSwitchLoop" : "lookupSwitchLoop";
            Rewritten g = rewrite(name, "(I)I", V17, switchLoop(table));
            assertEquals(3, g.report.counters(), g.report.toString());
            sameAsModel(g, name, BytecodeShapesTest::switchModel, 0, 1, 2, 3, 4, 10, 8193, 100_000);
            // one backward switch edge per pass but the last: n - 1 back-edges, one shared budget
            assertEquals(new Polls(1, 99_999 / 8192, 0), polls(g, name, 100_000), name);
        }
    }

    @Test
    void loopClosedByAnExceptionEdgePollsAtItsHandler() {
        // i = 0; goto START; H: pop; i++; START: if (i >= n) return i; throw null  [START, END) -> H
        Rewritten g = rewrite("handlerLoop", "(I)I", V17, mv -> {
            Label h = new Label();
            Label start = new Label();
            Label endTry = new Label();
            Label end = new Label();
            mv.visitTryCatchBlock(start, endTry, h, null);
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, 1);
            mv.visitJumpInsn(GOTO, start);
            mv.visitLabel(h);
            mv.visitInsn(POP);
            mv.visitIincInsn(1, 1);
            mv.visitLabel(start);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitJumpInsn(IF_ICMPGE, end);
            mv.visitInsn(ACONST_NULL);
            mv.visitInsn(ATHROW);
            mv.visitLabel(endTry);
            mv.visitLabel(end);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitInsn(IRETURN);
        });
        sameAsModel(g, "handlerLoop", n -> Math.max(n, 0), -3, 0, 1, 500);
        assertEquals(new Polls(1, 0, 500), polls(g, "handlerLoop", 500));
    }

    /** The counted loop over i, nested in {@code for (o = 0; o < 2; o++)} (local 3), so that it is versioned. */
    private static void nestedCounted(MethodVisitor mv, Consumer<MethodVisitor> body) {
        Label outer = new Label();
        Label outerEnd = new Label();
        Label head = new Label();
        Label end = new Label();
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, 3);
        mv.visitLabel(outer);
        mv.visitVarInsn(ILOAD, 3);
        mv.visitInsn(ICONST_2);
        mv.visitJumpInsn(IF_ICMPGE, outerEnd);
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, 2);
        mv.visitLabel(head);
        mv.visitVarInsn(ILOAD, 2);
        mv.visitVarInsn(ILOAD, 0);
        mv.visitJumpInsn(IF_ICMPGE, end);
        body.accept(mv);
        mv.visitIincInsn(2, 1);
        mv.visitJumpInsn(GOTO, head);
        mv.visitLabel(end);
        mv.visitIincInsn(3, 1);
        mv.visitJumpInsn(GOTO, outer);
        mv.visitLabel(outerEnd);
    }

    @Test
    void valueOnTheStackAcrossLoops() {
        // push 100; for (o < 2) for (i = 0; i < n; i++) s += i; return 100 + s
        Rewritten g = rewrite("stackAcrossLoop", "(I)I", V17, mv -> {
            mv.visitIntInsn(BIPUSH, 100);
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, 1);
            nestedCounted(mv, b -> {
                b.visitVarInsn(ILOAD, 1);
                b.visitVarInsn(ILOAD, 2);
                b.visitInsn(IADD);
                b.visitVarInsn(ISTORE, 1);
            });
            mv.visitVarInsn(ILOAD, 1);
            mv.visitInsn(IADD);
            mv.visitInsn(IRETURN);
        });
        assertEquals(1, g.report.versioned(), g.report.toString());
        sameAsModel(g, "stackAcrossLoop", n -> {
            int s = 0;
            for (int o = 0; o < 2; o++) {
                for (int i = 0; i < n; i++) {
                    s += i;
                }
            }
            return 100 + s;
        }, 0, 1, 9000, 100_000);
        // two entries longer than a whole budget: both run the strip-mined clone, one shared budget
        assertEquals(new Polls(1, 200_000 / 8192, 0), polls(g, "stackAcrossLoop", 100_000));
        assertEquals(new Polls(1, 0, 0), polls(g, "stackAcrossLoop", 4000), "two entries of 4000 fit in one budget");
        assertEquals(new Polls(1, 1, 0), polls(g, "stackAcrossLoop", 5000), "the second entry of 5000 spends the budget");
    }

    /** new StringBuilder; dup; <loops>; iload cap; invokespecial <init>(I); capacity(). */
    private static Consumer<MethodVisitor> uninitializedAcrossLoop(boolean counted) {
        return mv -> {
            Label head = new Label();
            mv.visitTypeInsn(NEW, "java/lang/StringBuilder");
            mv.visitInsn(DUP);
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, 1);
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, 2);
            if (counted) {      // for (o < 2) for (i = 0; i < n; i++) cap += 2: versioned
                nestedCounted(mv, b -> b.visitIincInsn(1, 2));
            } else {            // do { cap += 2; i++; } while (i != n): a conditional back-edge, not counted
                mv.visitLabel(head);
                mv.visitIincInsn(1, 2);
                mv.visitIincInsn(2, 1);
                mv.visitVarInsn(ILOAD, 2);
                mv.visitVarInsn(ILOAD, 0);
                mv.visitJumpInsn(IF_ICMPNE, head);
            }
            mv.visitVarInsn(ILOAD, 1);
            mv.visitMethodInsn(INVOKESPECIAL, "java/lang/StringBuilder", "<init>", "(I)V", false);
            mv.visitMethodInsn(INVOKEVIRTUAL, "java/lang/StringBuilder", "capacity", "()I", false);
            mv.visitInsn(IRETURN);
        };
    }

    @Test
    void uninitializedObjectOnTheStackAcrossLoops() {
        Rewritten counted = rewrite("uninitCounted", "(I)I", V17, uninitializedAcrossLoop(true));
        assertEquals(1, counted.report.versioned(), counted.report.toString());
        sameAsModel(counted, "uninitCounted", n -> 4 * Math.max(n, 0), 0, 1, 10_000, 100_000);
        assertEquals(new Polls(1, 200_000 / 8192, 0), polls(counted, "uninitCounted", 100_000));

        Rewritten branch = rewrite("uninitBranch", "(I)I", V17, uninitializedAcrossLoop(false));
        assertEquals(1, branch.report.counters(), branch.report.toString());
        sameAsModel(branch, "uninitBranch", n -> 2 * n, 1, 2, 10_000, 100_000);
        assertEquals(new Polls(1, 99_999 / 8192, 0), polls(branch, "uninitBranch", 100_000));
    }

    @Test
    void irreducibleLoop() {
        // if (n == 0) goto B; A: x += 1; B: x += 2; if (x < 1000 + n) goto A; return x
        Rewritten g = rewrite("irreducible", "(I)I", V17, mv -> {
            Label a = new Label();
            Label b = new Label();
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, 1);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitJumpInsn(IFEQ, b);
            mv.visitLabel(a);
            mv.visitIincInsn(1, 1);
            mv.visitLabel(b);
            mv.visitIincInsn(1, 2);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitVarInsn(ILOAD, 0);
            mv.visitIntInsn(SIPUSH, 1000);
            mv.visitInsn(IADD);
            mv.visitJumpInsn(IF_ICMPLT, a);
            mv.visitVarInsn(ILOAD, 1);
            mv.visitInsn(IRETURN);
        });
        sameAsModel(g, "irreducible", n -> {
            int x = 0;
            boolean skipA = n == 0;
            do {
                if (!skipA) {
                    x += 1;
                }
                skipA = false;
                x += 2;
            } while (x < 1000 + n);
            return x;
        }, 0, 1, 2, 5000, 300_000);
    }

    @Test
    void classFilesWithoutStackMapFrames() {
        // version 49: no frames; the old verifier infers types
        for (int version : new int[] {V1_5, V1_1}) {
            String name = version == V1_5 ? "oldLoop" : "ancientLoop";
            Rewritten g = rewrite(name, "(I)I", version, BytecodeShapesTest::bottomTested);
            assertEquals(1, g.report.stripMined(), g.report.toString());
            sameAsModel(g, name, n -> n <= 0 ? 0 : n * (n - 1) / 2, 0, 1, 9000);
            assertEquals(new Polls(1, 12, 0), polls(g, name, 100_000));
        }
        Rewritten sw = rewrite("oldSwitchLoop", "(I)I", V1_5, switchLoop(true));
        sameAsModel(sw, "oldSwitchLoop", BytecodeShapesTest::switchModel, 1, 5, 100_000);
        assertEquals(new Polls(1, 99_999 / 8192, 0), polls(sw, "oldSwitchLoop", 100_000));
    }
}
