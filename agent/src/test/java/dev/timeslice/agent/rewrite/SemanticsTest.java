package dev.timeslice.agent.rewrite;

import static dev.timeslice.agent.TestClasses.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.timeslice.agent.TestClasses;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rewritten fixtures compute exactly what the originals compute (or throw the same exception),
 * on ordinary inputs and on the edges: empty and one-iteration loops, bounds near
 * {@code Integer.MAX_VALUE}/{@code MIN_VALUE} where {@code i} wraps around, steps above one and
 * negative, loops that write their induction variable or bound, breaks, exceptions. Run both with
 * the poll word lowered and raised (the slow path must not change results either), and with a tiny
 * {@code loopPoll} so that chunks are short and many.
 */
class SemanticsTest {
    private static final int MAX = Integer.MAX_VALUE;
    private static final int MIN = Integer.MIN_VALUE;
    private static RewrittenFixtures fx;
    private static Class<?> orig;
    private static Class<?> rew;
    private static Class<?> rewTiny;

    @BeforeAll
    static void load() {
        fx = new RewrittenFixtures();
        orig = fx.original("fixtures.Loops");
        rew = fx.rewritten("fixtures.Loops");
        byte[] tiny = TestClasses.rewrite(TestClasses.rewriter(3), RewrittenFixtures.bytes("fixtures.Loops"));
        rewTiny = TestClasses.load("fixtures.Loops", tiny);
    }

    private static void same(String method, Object... args) {
        Object expected = call(orig, null, method, args);
        assertEquals(expected, call(rew, null, method, args), method + " " + java.util.Arrays.asList(args));
        assertEquals(expected, call(rewTiny, null, method, args), method + " (loopPoll=3) " + java.util.Arrays.asList(args));
        assertEquals(expected, TestClasses.counting(() -> call(rew, null, method, args)).value(),
                method + " (polls taken) " + java.util.Arrays.asList(args));
    }

    private static int[] ints(int n, long seed, int bound) {
        return new SplittableRandom(seed).ints(n, 0, bound).toArray();
    }

    @Test
    void countedLoops() {
        for (int n : new int[] {0, 1, 2, 3, 7, 8191, 8192, 8193, 20_000, -5}) {
            same("sumTo", n);
            same("whileLoop", n);
            same("doWhile", n);
            same("countDown", n);
            same("boundOnLeft", n);
            same("writesInduction", n);
            same("storesInduction", n);
            same("writesBound", n);
            same("conditionalIncrement", Math.min(n, 5000));
            same("notEqualTest", Math.max(n, 0));
            same("longCounter", (long) n);
            same("arraySum", (Object) ints(Math.max(n, 0), n, 1000));
            same("mathLoop", (Object) ints(Math.max(n, 0), n, 20));
        }
        same("constantBound");
    }

    @Test
    void stepsAndDirections() {
        for (int[] p : new int[][] {{0, 10}, {0, 11}, {5, 5}, {6, 5}, {-20_001, 20_000}, {MAX - 10, MAX - 1}, {MAX - 9, MAX - 2}}) {
            same("stepTwoInclusive", p[0], p[1]);
        }
        for (int[] p : new int[][] {{30, 0}, {30, 1}, {30, 30}, {30, 31}, {MIN + 10, MIN + 2}, {MIN + 12, MIN + 3}, {100_000, -100_000}}) {
            same("countDownBy3", p[0], p[1]);
        }
    }

    @Test
    void wrapAroundAtTheIntLimits() {
        same("wrapsUp", MAX - 20, MAX, 50);   // i += 7 wraps past MAX and keeps going
        same("wrapsUp", MAX - 20, MAX, 3);
        same("wrapsUp", MAX - 6, MAX, 10);
        same("wrapsUp", MAX - 7, MAX, 10);
        same("wrapsUp", MIN, MIN + 100, 50);
        same("wrapsUp", 0, 1000, 1_000_000);
        same("inclusiveMax", MAX - 5, 20);    // i <= MAX never fails
        same("inclusiveMax", MAX, 3);
        same("inclusiveMax", MAX - 30_000, 40_000);
        same("wrapsDown", MIN + 5, 20);       // i >= MIN never fails
        same("wrapsDown", MIN + 1, 3);
        same("wrapsDown", MIN + 20_001, 30_000);
    }

    @Test
    void breaksExceptionsAndNestedLoops() {
        int[] a = ints(30_000, 3, 1000);
        for (int key : new int[] {a[0], a[17], a[29_999], -1}) {
            same("breakOut", a, key);
        }
        int[] d = ints(30_000, 4, 3);   // about a third are zero: caught ArithmeticException
        same("caughtInside", a, d);
        same("throwsOut", a, 20_000);
        assertInstanceOf(TestClasses.Thrown.class, call(rew, null, "throwsOut", a, 30_001));
        same("throwsOut", a, 30_001);
        same("throwsOut", null, 0);
        same("throwsOut", null, 1);
        for (int[] nm : new int[][] {{0, 0}, {1, 1}, {50, 13}, {300, 40}, {9000, 3}}) {
            same("labeledContinue", nm[0], nm[1]);
            same("labeledBreak", nm[0], nm[1]);
            same("nestedSmallInner", nm[0], nm[1]);
        }
        same("labeledBreak", 3_000, 3_000);
        same("stateMachine", 1);
        same("stateMachine", 10_000);
        for (long x : new long[] {1, 2, 27, 97, 871, 77_031}) {
            same("collatzSteps", x);
        }
    }

    @Test
    void callsAndInstances() throws Exception {
        same("jdkCallLoop", 0);
        same("jdkCallLoop", 1234);
        same("inlinedCallLoop", 0);
        same("inlinedCallLoop", 20_000);
        for (int n : new int[] {0, 1, 1023, 1024, 1025, 30_000}) {
            java.util.List<Integer> l = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                l.add(i * 7 - 3);
            }
            same("listGetLoop", l);
            same("listGetLoop", new java.util.LinkedList<>(l.subList(0, Math.min(n, 2000))));
        }
        same("fib", 15);
        same("lambdas", 300);
        same("callNoLoop", 42);
        same("allowListedOnly", 42);
        same("leaf", 42);
        same("synchronizedBlock", new Object(), 41);
        for (int n : new int[] {0, 1, 8193, 30_000}) {
            Object o = orig.getConstructor(int.class).newInstance(n);
            Object r = rew.getConstructor(int.class).newInstance(n);
            for (String m : new String[] {"fieldBound", "fieldArrayLengthBound", "volatileBound", "fieldBoundWithCall", "count"}) {
                assertEquals(call(orig, o, m), call(rew, r, m), m + " " + n);
            }
            List<Object> cellsO = new ArrayList<>();
            Object cellsOrig = java.lang.reflect.Array.newInstance(orig, 3);
            Object cellsRew = java.lang.reflect.Array.newInstance(rew, 3);
            for (int i = 0; i < 3; i++) {
                java.lang.reflect.Array.set(cellsOrig, i, orig.getConstructor(int.class).newInstance(n + i));
                java.lang.reflect.Array.set(cellsRew, i, rew.getConstructor(int.class).newInstance(n + i));
                cellsO.add(i);
            }
            assertEquals(call(orig, null, "getterLoop", cellsOrig), call(rew, null, "getterLoop", cellsRew));
        }
        Class<?> cellO = fx.original("fixtures.Cell");
        Class<?> cellR = fx.rewritten("fixtures.Cell");
        for (int n : new int[] {0, 5, 100_000}) {
            assertEquals(call(cellO, cellO.getConstructor(int.class).newInstance(n), "total"),
                    call(cellR, cellR.getConstructor(int.class).newInstance(n), "total"));
        }
        assertEquals(call(orig, null, "arraySum", (Object) ((int[]) orig.getField("table").get(null))),
                call(rew, null, "arraySum", (Object) ((int[]) rew.getField("table").get(null))), "static initializer");
    }
}
