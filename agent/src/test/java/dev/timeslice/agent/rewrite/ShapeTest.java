package dev.timeslice.agent.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timeslice.agent.TestClasses;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/** Which loops get which form, and what the strip-mined form looks like in bytecode. */
class ShapeTest {
    private static RewrittenFixtures fx;

    @BeforeAll
    static void load() {
        fx = new RewrittenFixtures();
    }

    @Test
    void provablyCountedLoopsAreStripMined() {
        for (String m : List.of("sumTo", "arraySum", "whileLoop", "doWhile", "stepTwoInclusive", "countDown",
                "countDownBy3", "boundOnLeft", "constantBound", "fieldBound", "fieldArrayLengthBound", "wrapsUp",
                "inclusiveMax", "wrapsDown", "breakOut", "caughtInside", "throwsOut", "mathLoop", "getterLoop",
                "<init>", "lambda$lambdas$1")) {
            MethodReport r = fx.report("fixtures.Loops", m);
            assertEquals(1, r.stripMined(), m + ": " + r);
            assertEquals(0, r.counters(), m + ": " + r);
        }
        assertEquals(1, fx.report("fixtures.Cell", "<init>").stripMined());
        // nested: the inner loop is strip-mined, the outer one counted
        for (String m : List.of("nestedSmallInner", "labeledContinue")) {
            MethodReport r = fx.report("fixtures.Loops", m);
            assertEquals(1, r.stripMined(), m + ": " + r);
            assertEquals(1, r.counters(), m + ": " + r);
        }
    }

    @Test
    void everythingElseKeepsTheGenericCounter() {
        for (String m : List.of("writesInduction", "storesInduction", "writesBound", "conditionalIncrement",
                "volatileBound", "fieldBoundWithCall", "notEqualTest", "longCounter", "labeledBreak", "stateMachine",
                "collatzSteps")) {
            MethodReport r = fx.report("fixtures.Loops", m);
            assertEquals(0, r.stripMined(), m + ": " + r);
            assertTrue(r.counters() > 0, m + ": " + r);
        }
        MethodReport calls = fx.report("fixtures.Loops", "jdkCallLoop");
        assertEquals(0, calls.stripMined() + calls.counters(), calls.toString());
        assertEquals(1, calls.edgePolls(), calls.toString());
    }

    @Test
    void boundedMethodsAreUntouched() {
        for (String m : List.of("leaf", "count", "allowListedOnly", "bump", "lambda$lambdas$0", "lambda$lambdas$2")) {
            assertEquals(MethodRewriter.Status.UNTOUCHED, fx.report("fixtures.Loops", m).status(), m);
        }
        assertEquals(MethodRewriter.Status.UNTOUCHED, fx.report("fixtures.Loops", "<clinit>").status());
    }

    @Test
    void stripMinedLoopHasACleanInnerLoopAndPollsBeforeEachChunk() {
        MethodNode m = TestClasses.method(fx.rewrittenBytes.get("fixtures.Loops"), "sumTo");
        AbstractInsnNode[] code = m.instructions.toArray();
        int budget = m.maxLocals - 2;
        int limit = m.maxLocals - 1;
        int upLimit = index(code, "upLimit");
        int upChunk = index(code, "upChunk");
        int pollLoop = index(code, "pollLoop");
        assertTrue(pollLoop < upLimit && upLimit < upChunk, "poll, then the chunk limit, then the charge");
        // the inner back-edge: iload i; iload lim; if_icmplt <inner head>, right after the body's iinc
        JumpInsnNode inner = null;
        for (int i = 0; i < code.length; i++) {
            if (code[i].getOpcode() == Opcodes.IF_ICMPLT && code[i - 1] instanceof VarInsnNode v && v.var == limit) {
                inner = (JumpInsnNode) code[i];
            }
        }
        assertNotNull(inner, TestClasses.text(fx.rewrittenBytes.get("fixtures.Loops"), "sumTo"));
        int head = m.instructions.indexOf(inner.label);
        int tail = m.instructions.indexOf(inner);
        assertTrue(head > upChunk && head < tail, "the inner loop starts after the chunk set-up");
        for (int i = head; i < tail; i++) {
            AbstractInsnNode n = code[i];
            assertFalse(n instanceof MethodInsnNode, "no call inside the inner loop");
            assertFalse(n instanceof VarInsnNode v && v.var == budget, "the budget is not touched inside the inner loop");
            assertFalse(n instanceof JumpInsnNode && n != inner, "one exit test only");
        }
        assertEquals(Opcodes.IINC, code[tail - 3].getOpcode(), "the original iinc just before the inner test");
        // the original test is still there, as the outer test
        assertEquals(Opcodes.GOTO, code[tail + 1].getOpcode());
    }

    @Test
    void countingDownUsesDownLimit() {
        String text = TestClasses.text(fx.rewrittenBytes.get("fixtures.Loops"), "countDownBy3");
        assertTrue(text.contains("PollMath.downLimit") && text.contains("PollMath.downChunk"), text);
        assertTrue(text.contains("IF_ICMPGT"), text);
    }

    private static int index(AbstractInsnNode[] code, String method) {
        for (int i = 0; i < code.length; i++) {
            if (code[i] instanceof MethodInsnNode mi && mi.name.equals(method)) {
                return i;
            }
        }
        throw new AssertionError("no call to " + method);
    }
}
