package dev.timeslice.agent.rewrite;

import static dev.timeslice.agent.TestClasses.call;
import static dev.timeslice.agent.TestClasses.counting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.objectweb.asm.Opcodes.*;

import dev.timeslice.agent.TestClasses;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * Return polls never take a loop-free method across one of HotSpot's inlining limits (6, 35, 325
 * bytes) unless it recurses within its class: the guarded tail where it fits, bare calls where
 * they fit, else no return poll. Each case is loaded and run: results as the original's, polls
 * counted.
 */
class InlineLimitsTest {
    private static final String OWNER = "gen/Inl";

    /** {@code static int name(int x) { leaf(); x += 1 (pad times); return x; }}: 5 + 3 * pad bytes. */
    private static void callThenPad(ClassWriter cw, String name, int pad) {
        MethodVisitor mv = cw.visitMethod(ACC_PUBLIC | ACC_STATIC, name, "(I)I", null, null);
        mv.visitCode();
        mv.visitMethodInsn(INVOKESTATIC, OWNER, "leaf", "()V", false);
        for (int k = 0; k < pad; k++) {
            mv.visitIincInsn(0, 1);
        }
        mv.visitVarInsn(ILOAD, 0);
        mv.visitInsn(IRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /**
     * {@code static int name(int x) { if (x <= 0) return 0; x += 1 (pad times); return other(x - 1 - pad); }}:
     * 14 + 3 * pad bytes; with {@code other} calling back, a cycle.
     */
    private static void callOther(ClassWriter cw, String name, String other, int pad) {
        MethodVisitor mv = cw.visitMethod(ACC_PUBLIC | ACC_STATIC, name, "(I)I", null, null);
        mv.visitCode();
        Label done = new Label();
        mv.visitVarInsn(ILOAD, 0);
        mv.visitJumpInsn(IFLE, done);
        for (int k = 0; k < pad; k++) {
            mv.visitIincInsn(0, 1);
        }
        mv.visitVarInsn(ILOAD, 0);
        mv.visitIntInsn(BIPUSH, 1 + pad);
        mv.visitInsn(ISUB);
        mv.visitMethodInsn(INVOKESTATIC, OWNER, other, "(I)I", false);
        mv.visitInsn(IRETURN);
        mv.visitLabel(done);
        mv.visitInsn(ICONST_0);
        mv.visitInsn(IRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    private static byte[] fixture() {
        return Gen.clazz(OWNER, V17, cw -> {
            MethodVisitor leaf = cw.visitMethod(ACC_PUBLIC | ACC_STATIC, "leaf", "()V", null, null);
            leaf.visitCode();
            leaf.visitInsn(RETURN);
            leaf.visitMaxs(0, 0);
            leaf.visitEnd();
            callThenPad(cw, "trivial", 0); // 5 bytes: any poll passes 6
            callThenPad(cw, "roomy", 5); // 20: the tail fits under 35
            callThenPad(cw, "tight", 7); // 26: the tail does not, a bare call does
            callThenPad(cw, "full", 10); // 35: not even a bare call fits
            callThenPad(cw, "hot", 106); // 323: a bare call passes 325
            callOther(cw, "ping", "pong", 7); // 35 bytes each, calling each other
            callOther(cw, "pong", "ping", 7);
            callOther(cw, "chainA", "chainB", 0); // a -> b -> leafy end: no cycle
            callOther(cw, "chainB", "roomy", 0);
        });
    }

    @Test
    void returnPollsStayUnderTheLimitsTheOriginalWasUnder() {
        byte[] original = fixture();
        Map<String, Integer> before = CodeSize.codeLengths(new ClassReader(original));
        assertEquals(5, before.get("trivial(I)I"));
        assertEquals(26, before.get("tight(I)I"));
        assertEquals(35, before.get("full(I)I"));
        assertEquals(323, before.get("hot(I)I"));
        assertEquals(35, before.get("ping(I)I"));

        ClassRewriter.Result r = TestClasses.rewriter(8192).rewrite(original);
        assertEquals(ClassRewriter.Result.Status.REWRITTEN, r.status(), r.toString());
        TestClasses.checkWithAsm(r.bytes());
        Map<String, Integer> after = CodeSize.codeLengths(new ClassReader(r.bytes()));
        Map<String, MethodReport> reports = new HashMap<>();
        r.methods().forEach(m -> reports.put(m.name(), m));

        for (String m : new String[] {"trivial", "full", "hot"}) {
            assertEquals(MethodRewriter.Status.UNTOUCHED, reports.get(m).status(), reports.get(m).toString());
            assertTrue(reports.get(m).note().contains("inlining limit"), reports.get(m).toString());
            assertEquals(before.get(m + "(I)I"), after.get(m + "(I)I"), m);
        }
        assertEquals(MethodRewriter.Status.REWRITTEN, reports.get("roomy").status());
        assertTrue(TestClasses.text(r.bytes(), "roomy").contains("GETSTATIC dev/timeslice/runtime/Safepoint.word"),
                "the guarded tail where it fits");
        assertEquals(MethodRewriter.Status.REWRITTEN, reports.get("tight").status());
        assertTrue(after.get("tight(I)I") <= InlineLimits.SMALL, "a bare call: " + after.get("tight(I)I"));
        assertTrue(!TestClasses.text(r.bytes(), "tight").contains("Safepoint.word"), "bare, no guard");

        // the cycle keeps its polls past the limit, and says so
        for (String m : new String[] {"ping", "pong"}) {
            assertEquals(MethodRewriter.Status.REWRITTEN, reports.get(m).status());
            assertTrue(reports.get(m).note().startsWith(MethodRewriter.RECURSIVE_PAST_LIMIT), reports.get(m).toString());
        }
        assertTrue(InlineLimits.crossings(original, r.bytes()).stream()
                .allMatch(c -> c.method().startsWith("ping") || c.method().startsWith("pong")),
                InlineLimits.crossings(original, r.bytes()).toString());

        Class<?> orig = TestClasses.load("gen.Inl", original);
        Class<?> rew = TestClasses.load("gen.Inl", r.bytes());
        for (String m : new String[] {"trivial", "roomy", "tight", "full", "hot", "ping", "chainA"}) {
            assertEquals(call(orig, null, m, 40), call(rew, null, m, 40), m);
        }
        assertEquals(new TestClasses.Polls(0, 0, 0), counting(() -> call(rew, null, "trivial", 1)).polls());
        assertEquals(new TestClasses.Polls(1, 0, 0), counting(() -> call(rew, null, "roomy", 1)).polls());
        assertEquals(new TestClasses.Polls(1, 0, 0), counting(() -> call(rew, null, "tight", 1)).polls());
        assertEquals(new TestClasses.Polls(0, 0, 0), counting(() -> call(rew, null, "full", 1)).polls());
        // ping(40): 40 calls that recurse (x + 7 - 8 each time), each polling once after its call
        assertEquals(new TestClasses.Polls(40, 0, 0), counting(() -> call(rew, null, "ping", 40)).polls());
    }

    @Test
    void theScanFindsCallCyclesWithinTheClass() {
        byte[] original = fixture();
        ClassScan.Scan scan = ClassScan.scan(new ClassReader(original), false);
        assertEquals(Set.of("ping(I)I", "pong(I)I"), scan.cyclic());
        byte[] self = Gen.clazz("gen/Self", V17, "f", "(I)I", mv -> {
            mv.visitVarInsn(ILOAD, 0);
            mv.visitMethodInsn(INVOKESTATIC, "gen/Self", "f", "(I)I", false);
            mv.visitInsn(IRETURN);
        });
        assertEquals(Set.of("f(I)I"), ClassScan.scan(new ClassReader(self), false).cyclic());
    }

    @Test
    void limitsAreCrossedOnlyFromBelow() {
        assertEquals(InlineLimits.TRIVIAL, InlineLimits.crossed(6, 7));
        assertEquals(InlineLimits.SMALL, InlineLimits.crossed(7, 36));
        assertEquals(InlineLimits.TRIVIAL, InlineLimits.crossed(5, 40)); // the first one passed
        assertEquals(InlineLimits.HOT, InlineLimits.crossed(325, 326));
        assertEquals(0, InlineLimits.crossed(36, 325));
        assertEquals(0, InlineLimits.crossed(326, 9000));
    }
}
