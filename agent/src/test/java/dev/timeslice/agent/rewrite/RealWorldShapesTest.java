package dev.timeslice.agent.rewrite;

import static dev.timeslice.agent.TestClasses.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timeslice.agent.TestClasses;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;

/**
 * Regression tests for the shapes that real applications broke on (issue 12): each is rewritten
 * with the default and a tiny loopPoll, passes the self-check, loads (HotSpot verifies it) and
 * computes what the original computes; out-of-line code in a {@code synchronized} block stays
 * under the block's release handler.
 */
class RealWorldShapesTest {
    private static final String CLS = "fixtures.RealWorld";

    private static List<Class<?>> versions() {
        byte[] bytes = RewrittenFixtures.bytes(CLS);
        List<Class<?>> out = new ArrayList<>();
        out.add(TestClasses.load(CLS, bytes));
        for (int loopPoll : new int[] {8192, 2}) {
            ClassRewriter.Result r = TestClasses.rewriter(loopPoll).rewrite(bytes);
            assertEquals(ClassRewriter.Result.Status.REWRITTEN, r.status(), r.reason());
            assertEquals(List.of(), r.selfCheckRejections(), "self-check");
            TestClasses.checkWithAsm(r.bytes());
            out.add(TestClasses.load(CLS, r.bytes()));
        }
        return out;
    }

    private static void same(List<Class<?>> v, String method, Object... args) {
        Object expected = call(v.get(0), null, method, args);
        for (int i = 1; i < v.size(); i++) {
            assertEquals(expected, call(v.get(i), null, method, args), method + " version " + i);
        }
    }

    @Test
    void doWhileWithAnEarlyReturnVerifiesAndRuns() {
        List<Class<?>> v = versions();
        char[] dashes = "x----y".toCharArray();
        for (int n = 0; n <= 6; n++) {
            same(v, "restIsDashes", dashes, 1, n);
            same(v, "restIsDashes", dashes, 0, n);
        }
        int[] q = {1, 2, 3};
        same(v, "sameQuads", q, new int[] {0, 1, 2, 3}, 1, 3);
        same(v, "sameQuads", q, new int[] {0, 1, 2, 4}, 1, 3);
        same(v, "sameQuads", q, new int[] {1, 2}, 0, 3); // throws AIOOBE in both
        for (int from = 0; from < 12; from++) {
            same(v, "countDashes", "a--b-c---", from);
        }
    }

    @Test
    void loopsInsideSynchronizedComputeTheSame() {
        List<Class<?>> v = versions();
        for (int n : new int[] {0, 1, 100, 20_000}) {
            same(v, "syncInOuter", 3, n);
        }
        int[] a = new int[500];
        for (int i = 0; i < a.length; i++) {
            a[i] = i * 7919;
        }
        same(v, "syncCallLoop", (Object) a);
    }

    @Test
    void loopsWithAStrideLocalAreStripMinedAndComputeTheSame() {
        List<Class<?>> v = versions();
        for (int n : new int[] {0, 1, 2, 3, 100, 100_000}) {
            same(v, "sieve", n);
        }
        int[] strides = {Integer.MIN_VALUE, -7, -1, 0, 1, 2, 3, 1000, Integer.MAX_VALUE};
        int[] bounds = {Integer.MIN_VALUE, -5, 0, 1, 10, 50_000, Integer.MAX_VALUE};
        for (int stride : strides) {
            for (int n : bounds) {
                for (int from : new int[] {Integer.MIN_VALUE, -3, 0, 7, Integer.MAX_VALUE - 2}) {
                    same(v, "strided", from, n, stride);
                }
            }
        }
        ClassRewriter.Result r = TestClasses.rewriter(8192).rewrite(RewrittenFixtures.bytes(CLS));
        // the sieve's inner loop (j += i) is versioned inside the outer one, which counts down the budget
        MethodReport sieve = r.methods().stream().filter(x -> x.name().equals("sieve")).findFirst().orElseThrow();
        assertEquals(1, sieve.versioned(), sieve.toString());
        MethodReport strided = r.methods().stream().filter(x -> x.name().equals("strided")).findFirst().orElseThrow();
        assertTrue(strided.stripMined() == 1 && strided.counters() == 0, strided.toString());
    }

    /** Every call the rewriter added between monitorenter and the release is covered by the release handler. */
    @Test
    void outOfLineCodeStaysUnderTheMonitorsReleaseHandler() {
        for (int loopPoll : new int[] {8192, 2}) {
            byte[] bytes = TestClasses.rewrite(TestClasses.rewriter(loopPoll), RewrittenFixtures.bytes(CLS));
            for (String name : new String[] {"syncLoop", "syncInOuter", "syncCallLoop"}) {
                MethodNode m = TestClasses.method(bytes, name);
                int[] held = monitorsHeld(m);
                int covered = 0;
                for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext()) {
                    if (n instanceof MethodInsnNode mi && mi.owner.startsWith("dev/timeslice/")
                            && held[m.instructions.indexOf(n)] > 0) {
                        assertTrue(coveredByCatchAll(m, n), name + ": " + mi.owner + "." + mi.name
                                + " at " + m.instructions.indexOf(n) + " is not covered by the release handler");
                        covered++;
                    }
                }
                assertTrue(covered > 0, name + " has polls inside the block");
            }
        }
    }

    /** The number of monitors held before each node (the most over all paths; -1 unreachable). */
    private static int[] monitorsHeld(MethodNode m) {
        MethodGraph g = new MethodGraph(m, true);
        int[] held = new int[g.size()];
        java.util.Arrays.fill(held, -1);
        java.util.ArrayDeque<Integer> work = new java.util.ArrayDeque<>();
        held[0] = 0;
        work.add(0);
        while (!work.isEmpty()) {
            int i = work.poll();
            int op = g.nodes[i].getOpcode();
            int out = held[i] + (op == Opcodes.MONITORENTER ? 1 : op == Opcodes.MONITOREXIT ? -1 : 0);
            for (int s : g.successors(i)) {
                int d = Math.max(0, out);
                if (d > held[s]) {
                    held[s] = d;
                    work.add(s);
                }
            }
        }
        return held;
    }

    private static boolean coveredByCatchAll(MethodNode m, AbstractInsnNode n) {
        int i = m.instructions.indexOf(n);
        for (TryCatchBlockNode t : m.tryCatchBlocks) {
            if (t.type == null && m.instructions.indexOf(t.start) <= i && i < m.instructions.indexOf(t.end)) {
                return true;
            }
        }
        return false;
    }
}
