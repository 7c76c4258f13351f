package dev.timeslice.agent.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timeslice.agent.TestClasses;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/** Which loops get which form, and what the versioned and strip-mined forms look like in bytecode. */
class ShapeTest {
    private static RewrittenFixtures fx;

    @BeforeAll
    static void load() {
        fx = new RewrittenFixtures();
    }

    private static byte[] rewritten() {
        return fx.rewrittenBytes.get("fixtures.Loops");
    }

    @Test
    void provablyCountedLoopsAreVersionedOrStripMined() {
        // a method's top-level counted loops: strip-mined in place
        for (String m : List.of("sumTo", "arraySum", "whileLoop", "doWhile", "stepTwoInclusive", "countDown",
                "countDownBy3", "boundOnLeft", "constantBound", "fieldBound", "fieldArrayLengthBound", "wrapsUp",
                "inclusiveMax", "wrapsDown", "breakOut", "caughtInside", "throwsOut", "mathLoop", "getterLoop",
                "<init>", "lambda$lambdas$1")) {
            MethodReport r = fx.report("fixtures.Loops", m);
            assertEquals(1, r.stripMined(), m + ": " + r);
            assertEquals(0, r.versioned() + r.counters(), m + ": " + r);
        }
        assertEquals(1, fx.report("fixtures.Cell", "<init>").stripMined());
        // nested, tested at the top: the inner loop is versioned, the outer one counted
        for (String m : List.of("nestedSmallInner", "labeledContinue")) {
            MethodReport r = fx.report("fixtures.Loops", m);
            assertEquals(1, r.versioned(), m + ": " + r);
            assertEquals(1, r.counters(), m + ": " + r);
        }
    }

    @Test
    void everythingElseKeepsTheGenericCounter() {
        for (String m : List.of("writesInduction", "storesInduction", "writesBound", "conditionalIncrement",
                "volatileBound", "fieldBoundWithCall", "notEqualTest", "longCounter", "labeledBreak", "stateMachine",
                "collatzSteps")) {
            MethodReport r = fx.report("fixtures.Loops", m);
            assertEquals(0, r.stripMined() + r.versioned(), m + ": " + r);
            assertTrue(r.counters() > 0, m + ": " + r);
        }
        // only inlined JDK calls, counted and tested at the top: versioned even at top level
        MethodReport sb = fx.report("fixtures.Loops", "inlinedCallLoop");
        assertEquals(1, sb.versioned(), sb.toString());
        assertEquals(0, sb.stripMined() + sb.counters() + sb.edgePolls(), sb.toString());
        // only inlined JDK calls, not counted (the bound is a call): the iteration budget, not the call-loop form
        MethodReport list = fx.report("fixtures.Loops", "listGetLoop");
        assertEquals(1, list.counters(), list.toString());
        assertEquals(0, list.stripMined() + list.versioned() + list.edgePolls(), list.toString());
        MethodReport calls = fx.report("fixtures.Loops", "jdkCallLoop");
        assertEquals(0, calls.stripMined() + calls.versioned() + calls.counters(), calls.toString());
        assertEquals(1, calls.edgePolls(), calls.toString());
    }

    @Test
    void countedLoopsWithBodiesTooBigToUnrollKeepTheCountdown() {
        // past MAX_CHUNKED_BODY: neither strip-mined (top level) nor versioned (nested)
        MethodReport top = fx.report("fixtures.Loops", "bigBody");
        assertEquals(1, top.counters(), top.toString());
        assertEquals(0, top.stripMined() + top.versioned(), top.toString());
        MethodReport nested = fx.report("fixtures.Loops", "bigBodyNested");
        assertEquals(2, nested.counters(), nested.toString());
        assertEquals(0, nested.stripMined() + nested.versioned(), nested.toString());
        // the rule measures the body: the kernels' small bodies are still chunked
        MethodNode big = fx.originalMethod("fixtures.Loops", "bigBody");
        assertTrue(bodySizeOfOnlyLoop(big) > MethodRewriter.MAX_CHUNKED_BODY, "fixture body too small");
        assertTrue(bodySizeOfOnlyLoop(fx.originalMethod("fixtures.Loops", "arraySum")) <= MethodRewriter.MAX_CHUNKED_BODY);
    }

    @Test
    void gotoBackEdgesToOneHeaderShareOneCountdown() {
        MethodReport r = fx.report("fixtures.Loops", "manyContinues");
        assertEquals(4, r.counters(), r.toString());
        // one countdown (one decrement of the budget) for the four edges, out of line, and every
        // edge is still a goto: to that countdown, which alone jumps back to the header
        MethodNode m = TestClasses.method(rewritten(), "manyContinues");
        MethodNode o = fx.originalMethod("fixtures.Loops", "manyContinues");
        int budget = o.maxLocals;
        int decrements = 0;
        int gotos = 0;
        for (AbstractInsnNode n : m.instructions) {
            if (n instanceof IincInsnNode i && i.var == budget) {
                decrements++;
            }
            if (n.getOpcode() == Opcodes.GOTO) {
                gotos++;
            }
        }
        assertEquals(1, decrements);
        int originalGotos = 0;
        for (AbstractInsnNode n : o.instructions) {
            originalGotos += n.getOpcode() == Opcodes.GOTO ? 1 : 0;
        }
        // the original gotos, plus the trampoline's jump back and the return poll's jump to its tail
        assertEquals(originalGotos + 2, gotos);
    }

    private static int bodySizeOfOnlyLoop(MethodNode m) {
        MethodGraph g = new MethodGraph(m, true);
        LoopAnalysis a = LoopAnalysis.of(g, dev.timeslice.agent.rewrite.RewriteConfig.defaults().callPolicy());
        assertEquals(1, a.loops.size(), m.name);
        return MethodRewriter.bodySize(g, a.loops.get(0));
    }

    @Test
    void boundedMethodsAreUntouched() {
        for (String m : List.of("leaf", "count", "allowListedOnly", "bump", "lambda$lambdas$0", "lambda$lambdas$2")) {
            assertEquals(MethodRewriter.Status.UNTOUCHED, fx.report("fixtures.Loops", m).status(), m);
        }
        assertEquals(MethodRewriter.Status.UNTOUCHED, fx.report("fixtures.Loops", "<clinit>").status());
    }

    @Test
    void versionedLoopRunsTheOriginalInstructionsAfterAnEntryCheck() {
        for (String name : List.of("nestedSmallInner", "labeledContinue")) {
            MethodNode orig = TestClasses.method(RewrittenFixtures.bytes("fixtures.Loops"), name);
            MethodNode rew = TestClasses.method(rewritten(), name);
            List<String> loop = innermostLoop(orig);
            List<String> all = signatures(rew);
            int at = Collections.indexOfSubList(all, loop);
            assertTrue(at > 0, name + ": the original loop, unchanged, is in the rewritten method\n"
                    + TestClasses.text(rewritten(), name));
            // right before it: t = trip(...); if (t > loopPoll) goto C; b -= t
            String trip = countsDown(orig) ? "INVOKESTATIC downTrip" : "INVOKESTATIC upTrip";
            int b = rew.maxLocals - 2;
            int t = rew.maxLocals - 1;
            assertEquals(List.of(trip, "ISTORE " + t, "ILOAD " + t, "SIPUSH 8192", "IF_ICMPGT fwd", "ILOAD " + b,
                    "ILOAD " + t, "ISUB", "ISTORE " + b), all.subList(at - 9, at), name);
        }
    }

    @Test
    void stripMinedLoopHasACleanInnerLoopAFastEntryAndAnOutOfLineChunkSetUp() {
        for (String name : List.of("sumTo", "doWhile", "caughtInside")) {
            MethodNode m = TestClasses.method(rewritten(), name);
            String text = TestClasses.text(rewritten(), name);
            AbstractInsnNode[] code = m.instructions.toArray();
            int budget = m.maxLocals - 2;
            int limit = m.maxLocals - 1;
            JumpInsnNode inner = null;
            for (int i = 0; i < code.length; i++) {
                if (code[i].getOpcode() == Opcodes.IF_ICMPLT && code[i - 1] instanceof VarInsnNode v && v.var == limit
                        && m.instructions.indexOf(((JumpInsnNode) code[i]).label) < i) {
                    inner = (JumpInsnNode) code[i];
                    break;
                }
            }
            assertNotNull(inner, text);
            int head = m.instructions.indexOf(inner.label);
            int tail = m.instructions.indexOf(inner);
            // fast entry right before the inner loop: trip, compare with the budget, charge, limit = end
            int trip = lastIndexBefore(code, "upTrip", head);
            assertTrue(trip >= 0 && head - trip < 16, name + ": fast entry\n" + text);
            for (int i = head; i < tail; i++) {
                AbstractInsnNode n = code[i];
                assertFalse(n instanceof MethodInsnNode mi && mi.owner.startsWith("dev/timeslice"), "no poll inside the inner loop");
                assertFalse(n instanceof VarInsnNode v && v.var == budget, "the budget is not touched inside the inner loop");
            }
            int before = tail - 3;
            while (code[before].getOpcode() < 0) {
                before--;
            }
            assertEquals(Opcodes.IINC, code[before].getOpcode(), "the original iinc just before the inner test");
            // the slow entry, after the method's code: poll if the budget is spent, then a chunk, back to the inner loop
            int upLimit = index(code, "upLimit", tail);
            int poll = lastIndexBefore(code, "pollLoop", upLimit);
            int raised = lastWordReadBefore(code, poll);
            int upChunk = index(code, "upChunk", upLimit);
            assertTrue(raised > tail && raised < poll && poll < upLimit && upLimit < upChunk, name + "\n" + text);
            AbstractInsnNode back = code[upChunk + 3];
            assertTrue(back instanceof JumpInsnNode j && j.getOpcode() == Opcodes.GOTO && j.label == inner.label, name + "\n" + text);
        }
    }

    @Test
    void countingDownUsesTheDownHelpers() {
        String text = TestClasses.text(rewritten(), "countDownBy3");
        for (String s : List.of("PollMath.downTrip", "PollMath.downLimit", "PollMath.downChunk", "IF_ICMPGT")) {
            assertTrue(text.contains(s), s + "\n" + text);
        }
    }

    /** Signatures of the real instructions from the first backward jump's target to that jump. */
    private static List<String> innermostLoop(MethodNode m) {
        AbstractInsnNode[] code = m.instructions.toArray();
        for (int i = 0; i < code.length; i++) {
            if (code[i].getOpcode() == Opcodes.GOTO) {
                int t = m.instructions.indexOf(((JumpInsnNode) code[i]).label);
                if (t < i) {
                    List<String> out = new ArrayList<>();
                    for (int k = t; k <= i; k++) {
                        if (code[k].getOpcode() >= 0) {
                            out.add(signature(m, code[k]));
                        }
                    }
                    // the innermost loop is the first one to close
                    return out;
                }
            }
        }
        throw new AssertionError("no loop in " + m.name);
    }

    private static List<String> signatures(MethodNode m) {
        List<String> out = new ArrayList<>();
        for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext()) {
            if (n.getOpcode() >= 0) {
                out.add(signature(m, n));
            }
        }
        return out;
    }

    private static String signature(MethodNode m, AbstractInsnNode n) {
        String op = org.objectweb.asm.util.Printer.OPCODES[n.getOpcode()];
        if (n instanceof VarInsnNode v) {
            return op + " " + v.var;
        }
        if (n instanceof IincInsnNode i) {
            return op + " " + i.var + " " + i.incr;
        }
        if (n instanceof IntInsnNode i) {
            return op + " " + i.operand;
        }
        if (n instanceof MethodInsnNode mi) {
            return op + " " + mi.name;
        }
        if (n instanceof JumpInsnNode j) {
            return op + (m.instructions.indexOf(j.label) < m.instructions.indexOf(j) ? " back" : " fwd");
        }
        return op;
    }

    private static boolean countsDown(MethodNode m) {
        for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext()) {
            if (n instanceof IincInsnNode i && i.incr < 0) {
                return true;
            }
        }
        return false;
    }

    private static int index(AbstractInsnNode[] code, String method, int from) {
        for (int i = from; i < code.length; i++) {
            if (code[i] instanceof MethodInsnNode mi && mi.name.equals(method)) {
                return i;
            }
        }
        throw new AssertionError("no call to " + method);
    }

    private static int lastWordReadBefore(AbstractInsnNode[] code, int before) {
        for (int i = before - 1; i >= 0; i--) {
            if (code[i] instanceof org.objectweb.asm.tree.FieldInsnNode f && f.name.equals("word")
                    && f.owner.equals("dev/timeslice/runtime/Safepoint")) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexBefore(AbstractInsnNode[] code, String method, int before) {
        for (int i = before - 1; i >= 0; i--) {
            if (code[i] instanceof MethodInsnNode mi && mi.name.equals(method)) {
                return i;
            }
        }
        return -1;
    }
}
