package dev.timeslice.agent.rewrite;

import static dev.timeslice.agent.TestClasses.call;
import static dev.timeslice.agent.TestClasses.counting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timeslice.agent.ClassFilter;
import dev.timeslice.agent.TestClasses;
import dev.timeslice.agent.TestClasses.Counted;
import dev.timeslice.agent.TestClasses.Polls;
import java.lang.reflect.Constructor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Exact poll counts of rewritten fixtures, with the poll word raised and a counting handler. */
class PollCountTest {
    private static RewrittenFixtures fx;
    private static Class<?> loops;

    @BeforeAll
    static void load() {
        fx = new RewrittenFixtures();
        loops = fx.rewritten("fixtures.Loops");
    }

    private static Counted<Object> run(String method, Object... args) {
        return counting(() -> call(loops, null, method, args));
    }

    private static void assertPolls(Polls expected, Counted<?> actual, String what) {
        assertEquals(expected, actual.polls(), what);
    }

    @Test
    void hundredThousandCallFreeIterationsPollTwelveTimes() {
        // 100 000 / 8192 = 12.2: strip-mined and counter forms agree here
        for (String m : new String[] {"sumTo", "whileLoop", "doWhile", "countDown", "boundOnLeft", "longCounter", "notEqualTest"}) {
            Object arg = m.equals("longCounter") ? (Object) 100_000L : (Object) 100_000;
            assertPolls(new Polls(1, 12, 0), run(m, arg), m);
        }
        assertPolls(new Polls(1, 12, 0), run("constantBound"), "constantBound");
        assertPolls(new Polls(1, 12, 0), run("stepTwoInclusive", 0, 199_998), "stepTwoInclusive");
        assertPolls(new Polls(1, 12, 0), run("countDownBy3", 300_000, 1), "countDownBy3");
        assertPolls(new Polls(1, 12, 0), run("arraySum", (Object) new int[100_000]), "arraySum");
        assertPolls(new Polls(1, 12, 0), run("mathLoop", (Object) new int[100_000]), "mathLoop");
    }

    @Test
    void bigCountedBodiesStillPollEveryLoopPollIterations() {
        // the countdown instead of chunks (MethodRewriter.MAX_CHUNKED_BODY): a poll at every 8192nd back-edge
        double[] re = new double[64];
        double[] im = new double[64];
        assertPolls(new Polls(1, 12, 0), run("bigBody", re, im, 100_000), "top level");
        assertPolls(new Polls(1, 1, 0), run("bigBody", re, im, 8192), "one budget");
        // nested: the budget is shared by both loops' back-edges (100 x 1000 inner + 100 outer)
        assertPolls(new Polls(1, 12, 0), run("bigBodyNested", re, im, 100, 1000), "nested");
        // and the results are the original's
        double[][] a = {seeded(64, 1), seeded(64, 2)};
        double[][] b = {seeded(64, 1), seeded(64, 2)};
        assertEquals(call(fx.original("fixtures.Loops"), null, "bigBodyNested", a[0], a[1], 30, 500),
                call(loops, null, "bigBodyNested", b[0], b[1], 30, 500));
        assertTrue(java.util.Arrays.equals(a[0], b[0]) && java.util.Arrays.equals(a[1], b[1]));
    }

    @Test
    void sharedCountdownCountsEveryEdge() {
        // the four goto back-edges of manyContinues go through one countdown: 100 000 / 8192 = 12 polls
        int[] a = new int[100_000];
        for (int i = 0; i < a.length; i++) {
            a[i] = i % 5;
        }
        assertPolls(new Polls(1, 12, 0), run("manyContinues", (Object) a), "shared countdown");
        assertEquals(call(fx.original("fixtures.Loops"), null, "manyContinues", (Object) a), call(loops, null, "manyContinues", (Object) a));
    }

    private static double[] seeded(int n, int seed) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = ((i * 31 + seed * 17) % 13) / 7.0;
        }
        return d;
    }

    @Test
    void stripMinedPollsOncePerFullChunkBeforeTheNext() {
        // strip-mined: a poll before each chunk after the first: ceil(n / 8192) - 1
        assertPolls(new Polls(1, 0, 0), run("sumTo", 8192), "one full chunk");
        assertPolls(new Polls(1, 1, 0), run("sumTo", 8193), "a second chunk");
        assertPolls(new Polls(1, 2, 0), run("sumTo", 3 * 8192), "three chunks");
        assertPolls(new Polls(1, 0, 0), run("sumTo", 0), "no iteration");
        // generic counter: a poll at every 8192nd back-edge
        assertPolls(new Polls(1, 1, 0), run("notEqualTest", 8192), "counter");
        assertPolls(new Polls(1, 3, 0), run("notEqualTest", 3 * 8192), "counter");
    }

    @Test
    void instanceLoopsAndConstructors() throws Exception {
        Constructor<?> ctor = loops.getConstructor(int.class);
        Counted<Object> made = counting(() -> ctor.newInstance(100_000));
        assertPolls(new Polls(1, 12, 0), made, "constructor with a loop");
        Object o = made.value();
        assertPolls(new Polls(1, 12, 0), counting(() -> call(loops, o, "fieldBound")), "field bound");
        assertPolls(new Polls(1, 12, 0), counting(() -> call(loops, o, "fieldArrayLengthBound")), "array field bound");
        assertPolls(new Polls(1, 12, 0), counting(() -> call(loops, o, "volatileBound")), "volatile bound (counter)");
        assertPolls(new Polls(0, 0, 0), counting(() -> call(loops, o, "count")), "leaf getter");
        Class<?> cell = fx.rewritten("fixtures.Cell");
        assertPolls(new Polls(1, 12, 0), counting(() -> cell.getConstructor(int.class).newInstance(100_000)), "Cell(n)");
    }

    @Test
    void classInitializerNeverPolls() throws Exception {
        // a fresh copy: Loops' static initializer loops 50 000 times
        dev.timeslice.agent.TestClasses.Loader fresh = new dev.timeslice.agent.TestClasses.Loader();
        fx.rewrittenBytes.forEach(fresh::with);
        Counted<Object> init = counting(() -> Class.forName("fixtures.Loops", true, fresh));
        assertPolls(new Polls(0, 0, 0), init, "<clinit>");
    }

    @Test
    void callsAndReturns() {
        assertPolls(new Polls(0, 0, 0), run("leaf", 3), "leaf");
        assertPolls(new Polls(0, 0, 0), run("allowListedOnly", 3), "only allow-listed JDK calls");
        assertPolls(new Polls(1, 0, 0), run("callNoLoop", 3), "a call, no loop: one return poll");
        // a JDK call in the loop: every callLoopPoll = 64 iterations (1000 * 128 / 8192)
        assertPolls(new Polls(1, 0, 15), run("jdkCallLoop", 1000), "a JDK call in the loop");
        // only inlined O(1) JDK calls: counted, versioned; a trip over a budget runs the strip-mined clone (12 polls)
        assertPolls(new Polls(1, 12, 0), run("inlinedCallLoop", 100_000), "StringBuilder.append(int)");
        // not counted (bounded by list.size()): the budget, a poll every 1024 iterations
        java.util.List<Integer> list = new java.util.ArrayList<>(java.util.Collections.nCopies(10_000, 1));
        assertPolls(new Polls(1, 10_000 / 1024, 0), run("listGetLoop", list), "ArrayList.get");
        // fib(10) makes 177 calls; the 89 leaves (n < 2) return before any call and need no poll,
        // the 88 others poll once each, after their calls
        assertPolls(new Polls(88, 0, 0), run("fib", 10), "recursion");
        assertPolls(new Polls(1, 0, 0), run("synchronizedBlock", new Object(), 1), "synchronized");
    }

    @Test
    void lambdaBodiesAreRewrittenLikeMethods() {
        // lambdas(200): the method returns once, the looping lambda 200 times (each loop < 8192);
        // the loop-free lambdas and the JDK stream code do not poll
        assertPolls(new Polls(201, 0, 0), run("lambdas", 200), "lambdas");
    }

    @Test
    void budgetIsSharedAcrossNestedLoops() {
        // 25 000 outer iterations of 4 inner ones: 100 000 inner iterations + 25 000 outer back-edges
        Polls p = run("nestedSmallInner", 25_000, 4).polls();
        assertEquals(1, p.returns());
        assertTrue(p.loops() >= 100_000 / 8192 && p.loops() <= 125_000 / 8192 + 1, "about every 8192 inner iterations: " + p);
        // a short non-counted inner loop (6 iterations) in a long outer loop
        Polls q = run("labeledBreak", 10_000, 6).polls();
        assertTrue(q.loops() >= 60_000 / 8192 - 1 && q.loops() <= 70_000 / 8192 + 1, q.toString());
    }

    @Test
    void switchDrivenLoopCountsEveryBackEdge() {
        // 30 000 steps of a 3-state machine: 89 999 back-edges, shared budget
        assertPolls(new Polls(1, 89_999 / 8192, 0), run("stateMachine", 30_000), "state machine");
    }

    @Test
    void loopsTheFastFormRefusesStillPoll() {
        assertPolls(new Polls(1, 100_000 / 8192, 0), run("writesBound", 100_050), "writes the bound");
        assertPolls(new Polls(1, iterations(100_000) / 8192, 0), run("writesInduction", 100_000), "writes i");
        assertPolls(new Polls(1, 200_000 / 8192, 0), run("conditionalIncrement", 100_000), "conditional i++");
    }

    @Test
    void callLoopPollOfOnePollsEveryIteration() {
        byte[] bytes = RewrittenFixtures.bytes("fixtures.Loops");
        for (int every : new int[] {1, 10, 64, 100}) {
            ClassRewriter r = new ClassRewriter(new RewriteConfig(8192, every, ClassFilter.all(), MethodRewriter.Form.FULL));
            Class<?> c = TestClasses.load("fixtures.Loops", TestClasses.rewrite(r, bytes));
            int weight = (8192 + every - 1) / every;
            assertPolls(new Polls(1, 0, 1000L * weight / 8192), counting(() -> call(c, null, "jdkCallLoop", 1000)),
                    "callLoopPoll=" + every);
            assertPolls(new Polls(1, 12, 0), counting(() -> call(c, null, "sumTo", 100_000)), "call-free loops unchanged");
        }
    }

    /** Iterations of {@code Loops.writesInduction(n)}. */
    private static long iterations(int n) {
        long count = 0;
        for (int i = 0; i < n; i++) {
            if (i % 10 == 0) {
                i += 2;
            }
            count++;
        }
        return count;
    }
}
