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

    private static void compilesLikeTheOriginal(String className, String source) throws Exception {
        JitCheck.Result r = JitCheck.runSource(className, source);
        if (r.jvm().exit() != 0 || !r.harness().contains("jit-harness: pair " + className + " " + className + JitHarness.SUFFIX)) {
            fail("harness did not run " + className + ":\n" + r.jvm());
        }
        if (!r.introduced().isEmpty()) {
            fail(JitCheck.describe(r));
        }
    }

    /**
     * fuzz-002: a loop inside {@code synchronized}: the strip-mined loop's relocated chunk block
     * (budget refill, poll, PollMath.upLimit) is emitted after the method's code, outside the
     * try range of the monitor's catch-all handler. C2: "unbalanced monitors", C1: "invalid
     * parsing"; the method stays interpreted (issue 12: 848 ms vs 15 488 ms). Every loop kind
     * inside synchronized shows it (counted, for-each, call loop).
     */
    @Test
    void fuzz002_loopInsideSynchronizedStaysInsideTheMonitorsHandlerRange() throws Exception {
        compilesLikeTheOriginal("Fuzz002", """
                public class Fuzz002 {
                    static final Object L = new Object();
                    static int[] arr = new int[5];
                    public static long countedInSync() { long s = 0; synchronized (L) { for (int i = 0; i < 100000; i++) s = s * 31 + i; } return s; }
                    public static long foreachInSync() { long s = 0; synchronized (L) { for (int k = 0; k < 1000; k++) for (int v : arr) s += v + k; } return s; }
                    public static long callLoopInSync() { long s = 0; synchronized (L) { for (int i = 0; i < 100000; i++) s += Integer.toString(i).length(); } return s; }
                }
                """);
    }

    /**
     * fuzz-003: javac's monitor-exit handler covers itself ({@code TRYCATCHBLOCK L2 L3 L2}); the
     * rewriter takes that exception edge for a loop with a call and puts a pollCallLoop at the
     * top of the handler. C1 (OSR, tier 3): "error while joining with exception handler, prob.
     * due to complicated jsr/rets". Seen on most fuzz methods with a loop in synchronized.
     */
    @Test
    void fuzz003_noPollInTheSelfCoveringMonitorExitHandler() throws Exception {
        compilesLikeTheOriginal("Fuzz003", """
                public class Fuzz003 {
                    static final Object L = new Object();
                    public static long whileInSync() { long s = 0; synchronized (L) { int k = 100000; while (k-- > 0) s += k; } return s; }
                }
                """);
    }

    /**
     * fuzz-004: try/catch/finally in a loop: javac's catch-any (finally) handler covers its own
     * start ({@code TRYCATCHBLOCK L3 L5 L3 null}) like the monitor release handler of fuzz-003;
     * the rewriter polls there and C1 gives up ("error while joining with exception handler").
     */
    @Test
    void fuzz004_noPollInTheSelfCoveringFinallyHandler() throws Exception {
        compilesLikeTheOriginal("Fuzz004", """
                public class Fuzz004 {
                    public static long c() {
                        long s = 0;
                        int x = 0;
                        for (int k = 20000; k > 0; k--) {
                            try {
                                if ((k & 3) == 0) throw new IllegalStateException("t");
                                s += k;
                            } catch (IllegalStateException e) {
                                s += 13;
                            } finally {
                                x = k * 3;
                            }
                        }
                        return s + x;
                    }
                }
                """);
    }

    private static List<Differential.Call> fuzzCalls(String method, int... lengths) {
        List<Differential.Call> calls = new java.util.ArrayList<>();
        for (int n : lengths) {
            calls.add(new Differential.Call(method, new Object[] {n, 3, 7L, new int[n]}));
        }
        return calls;
    }

    /**
     * fuzz-005: a do/while whose body can break out (issue 12's restIsDashes shape), found by the
     * Java generator against the rewriter before a6e74b3 and reduced automatically:
     * "VerifyError: Expecting a stack map frame".
     */
    @Test
    void fuzz005_doWhileWithABreakOutOfTheBody() {
        sameJava("Fuzz005", """
                public class Fuzz005 {
                    static long m2(int a, int b, long c, int[] arr) {
                        long acc = c;
                        {
                            int i7 = 2, n8 = arr.length;
                            do {
                                i7++;
                                acc += i7;
                                if (n8 < (i7 >>> 8)) break;
                            } while (i7 < n8);
                        }
                        return acc;
                    }

                    static boolean restIsDashes(char[] a, int i, int n) {
                        if (i < n) {
                            do {
                                char c = a[i++];
                                if (c != '-') return false;
                            } while (i < n);
                        }
                        return true;
                    }

                    static long dashes(int a, int b, long c, int[] arr) {
                        char[] s = new char[arr.length];
                        java.util.Arrays.fill(s, '-');
                        if (a > 2) s[a / 2] = 'x';
                        return restIsDashes(s, b & 1, s.length) ? 1 : 0;
                    }
                }
                """, java.util.stream.Stream.concat(fuzzCalls("m2", 0, 1, 3, 20, 300).stream(),
                        fuzzCalls("dashes", 0, 1, 3, 20, 300).stream()).toList());
    }

    /**
     * fuzz-006: javac's nested finally blocks copy their bodies into every exit path; the method
     * (about 30 KB) grew past 32 KB when rewritten, where jumps need wide offsets that ASM emits
     * only by recomputing frames with the class hierarchy: the whole class failed ("cannot parse or
     * rewrite: LimitExceededException: Too many operations", AIOOBE at loopPoll=2) and was left
     * unchanged. Now a form that would cross 32 KB is replaced by a cheaper one or the original.
     */
    @Test
    void fuzz006_nestedFinallyPastShortJumps() {
        sameJava("Fuzz006", """
                public class Fuzz006 {
                    static final Object LOCK = new Object();
                    static int calls;
                    static long sink;
                    static final int[] DATA = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3};

                    static long m0(int a, int b, long c, int[] arr) {
                        if (++calls > 400) throw new IllegalStateException("call budget");
                        long acc = c;
                        int x = a;
                        int y = b;
                        long z = c * 31 + a;
                        StringBuilder sb = new StringBuilder();
                        java.util.ArrayList<Integer> list = new java.util.ArrayList<>();
                        java.util.HashMap<Integer, Integer> map = new java.util.HashMap<>();
                        return acc + x * 7L + y + z + sb.toString().hashCode() + list.hashCode() + map.hashCode();
                    }

                    static long m1(int a, int b, long c, int[] arr) {
                        if (++calls > 400) throw new IllegalStateException("call budget");
                        long acc = c;
                        int x = a;
                        int y = b;
                        long z = c * 31 + a;
                        StringBuilder sb = new StringBuilder();
                        java.util.ArrayList<Integer> list = new java.util.ArrayList<>();
                        java.util.HashMap<Integer, Integer> map = new java.util.HashMap<>();
                        switch ((Integer.bitCount(a)) & 7) {
                        case 0: {
                        }
                        case 1: {
                            try {
                                if (list.size() > 0) acc += list.get(list.size() - 1);
                            } catch (ArithmeticException | ArrayIndexOutOfBoundsException e4) {
                                if (((c > z && (Math.max(a, (int) c) & 3) == 0) || (((DATA[y & 15] >>> 3) & 3) == 0 || ((int) acc & 7) == 4))) return acc + Math.max(DATA[y & 15], a);
                            } finally {
                                try {
                                    try {
                                        arr[(DATA[b & 15] >>> 7) & 7] = Math.abs(35);
                                    } catch (ArithmeticException e5) {
                                        if (((sb.length() << 3) < (sb.length() + sb.length()) && ((long) 0x5bd1e995 * 0x9E3779B97F4A7C15L) > acc)) return acc + (b | 7);
                                        if ((y - (int) acc) < arr.length) return acc + a;
                                    } finally {
                                        if ((long) DATA[y & 15] > acc) return acc + (a - sb.length());
                                        acc += switch (b & 3) { case 0 -> 1; case 1 -> y; case 2 -> { int t = x; for (int q = 0; q < 3; q++) t += q; yield t; } default -> (int) z; };
                                        if ((Math.abs(b) & 3) == 0) return acc + (Integer.MAX_VALUE >>> 7);
                                        break;
                                    }
                                } finally {
                                    try {
                                        {
                                            int n8 = (x << 4) & 15;
                                            for (int i7 = 0; i7 != n8; i7++) {
                                                acc += switch ((a & (int) c) & 3) { case 0 -> 1; case 1 -> y; case 2 -> { int t = x; for (int q = 0; q < 3; q++) t += q; yield t; } default -> (int) z; };
                                            }
                                        }
                                        {
                                            int n11 = Math.min((a ^ sb.length()), 20);
                                            acc += DATA[Math.abs(21) & 15] + Math.floorMod((b ^ arr.length), 7);
                                            map.merge(b & 7, 1, Integer::sum);
                                        }
                                    } catch (RuntimeException e12) {
                                        acc += 13 + e12.getClass().getName().length();
                                        acc += DATA[arr.length & 15] + Math.floorMod(b, 7);
                                    } finally {
                                        acc += Math.max(b, y) / (sb.length() + b);
                                    }
                                }
                            }
                        }
                        case 2: {
                        }
                        default: {
                        }
                        }
                        return acc + x * 7L + y + z + sb.toString().hashCode() + list.hashCode() + map.hashCode();
                    }

                }
                """, List.of(new Differential.Call("m1", new Object[] {1107761833, 48, -1103400900931869376L,
                new int[] {12, 93, 29, 1, 99, 42}}), new Differential.Call("m1", new Object[] {7, -3, 99L, new int[] {1, 2}})));
    }
}
