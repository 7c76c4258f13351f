package dev.timeslice.agent.rewrite;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Recognizes innermost counted loops that can be strip-mined without changing their meaning.
 *
 * <p>Accepted: the loop's only back-edge is either a {@code goto} to an exit test at the header
 * (javac) or a conditional jump at the bottom whose operands are the test (do/while, and the
 * "test at the bottom, entered by a goto" shape of ECJ/Kotlin/Scala). The test compares an
 * {@code int} local with a bound built only from constants, locals, {@code arraylength} and
 * non-volatile fields of the class being rewritten; the loop writes neither the bound's locals nor
 * its fields (and calls nothing when the bound reads a field); the induction variable is changed
 * only by one {@code iinc} with a constant step whose sign matches the test, or by one
 * {@code i = i + s} with a stride local {@code s} the loop never writes (counting up only; its sign
 * is checked at run time), placed so that every iteration executes it (no edge of the body jumps over it); nothing enters the loop except through
 * its header (and the bottom test's own entry label). Everything else is left to the generic
 * counter.
 */
final class CountedLoopMatcher {
    private final MethodGraph g;
    private final ClassContext cls;

    CountedLoopMatcher(MethodGraph g, ClassContext cls) {
        this.g = g;
        this.cls = cls;
    }

    /** The counted form of {@code loop}, or null when it is not provably safe. */
    CountedLoop match(LoopAnalysis.Loop loop) {
        if (!loop.innermost || loop.unboundedCall) {
            return null;
        }
        BackEdge e = loop.edge;
        if (e.kind() != BackEdge.Kind.GOTO && e.kind() != BackEdge.Kind.BRANCH) {
            return null;
        }
        LabelNode header = (LabelNode) g.nodes[e.target()];
        if (g.framed && g.frameAt(header) == null) {
            return null;
        }
        return e.kind() == BackEdge.Kind.GOTO ? matchTopTested(loop, header) : matchBottomTested(loop, header);
    }

    private CountedLoop matchTopTested(LoopAnalysis.Loop loop, LabelNode header) {
        int t = loop.lo();
        int s = loop.hi();
        int p = g.firstReal(t);
        int q = p;
        while (q < s && !(g.nodes[q] instanceof JumpInsnNode)) {
            if (g.nodes[q] instanceof LabelNode || q - p > 8) {
                return null;
            }
            q++;
        }
        if (q >= s || !isIntCompare(g.nodes[q].getOpcode())) {
            return null;
        }
        int exit = g.indexOf(((JumpInsnNode) g.nodes[q]).label);
        if (exit >= t && exit <= s) {
            return null;
        }
        for (Test test : parseTests(p, q)) {
            int cont = negate(test.cmp);
            CountedLoop c = finish(loop, header, test, cont, g.nodes[q].getNext(), g.nodes[s], true, false, -1);
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    private CountedLoop matchBottomTested(LoopAnalysis.Loop loop, LabelNode header) {
        int t = loop.lo();
        int s = loop.hi();
        if (!isIntCompare(g.nodes[s].getOpcode())) {
            return null;
        }
        // find the shortest run of real instructions before s that parses as the test's operands
        List<Test> tests = List.of();
        int p = s;
        for (int k = 0; k < 6 && tests.isEmpty(); k++) {
            p--;
            while (p > t && !g.isReal(p)) {
                if (g.nodes[p] instanceof LabelNode) {
                    return null; // a label inside the test
                }
                p--;
            }
            if (p <= t) {
                return null;
            }
            tests = parseTests(p, s);
        }
        if (tests.isEmpty()) {
            return null;
        }
        // The inner test must run on every path from inside the loop into the original test:
        // fall-through, and jumps to the test's labels (an early exit from an `if` in a do/while
        // body goes there). An entry jump from outside the loop that targets one of those labels
        // must not reach it (no chunk is set up yet): then the inner test goes before the labels,
        // opened by a label of its own that the inside jumps are retargeted to.
        int r0 = p;
        while (r0 - 1 > t && !g.isReal(r0 - 1)) {
            r0--;
        }
        if (tryCatchLabelIn(r0, p)) {
            return null;
        }
        List<LabelNode> entryLabels = new ArrayList<>();
        List<AbstractInsnNode> insideJumps = new ArrayList<>();
        FrameNode testFrame = null;
        boolean outsideEntry = false;
        for (int k = r0; k < p; k++) {
            if (g.nodes[k] instanceof FrameNode f) {
                testFrame = f;
            }
            if (!(g.nodes[k] instanceof LabelNode ln) || !g.targets.get(k)) {
                continue;
            }
            entryLabels.add(ln);
            for (int u : g.predecessors(k)) {
                if (!MethodGraph.jumpTargets(g.nodes[u]).contains(ln)) {
                    continue; // fall-through
                }
                if (u < t || u > s) {
                    outsideEntry = true;
                } else if (!insideJumps.contains(g.nodes[u])) {
                    insideJumps.add(g.nodes[u]);
                }
            }
        }
        if (outsideEntry && g.framed && testFrame == null) {
            return null;
        }
        int latch = outsideEntry ? r0 : p;
        List<LabelNode> latchEntry = outsideEntry ? List.copyOf(entryLabels) : List.of();
        List<AbstractInsnNode> latchJumps = outsideEntry ? List.copyOf(insideJumps) : List.of();
        FrameNode latchFrame = outsideEntry ? testFrame : null;
        boolean entryWithoutTest = entersHeaderWithoutTest(t, s);
        for (Test test : tests) {
            CountedLoop c = finish(loop, header, test, test.cmp, g.nodes[g.firstReal(t)], g.nodes[latch],
                    false, entryWithoutTest, latch);
            if (c != null) {
                return new CountedLoop(c.header(), c.var(), c.step(), c.stepVar(), c.inclusive(), c.bound(), c.headBefore(),
                        c.latchBefore(), false, latchEntry, latchJumps, latchFrame);
            }
        }
        return null;
    }

    private CountedLoop finish(LoopAnalysis.Loop loop, LabelNode header, Test test, int cont,
                               AbstractInsnNode headBefore, AbstractInsnNode latchBefore, boolean topTested,
                               boolean boundMustNotThrow, int testEntryFrom) {
        int t = loop.lo();
        int s = loop.hi();
        IincInsnNode inc = null;
        int incAt = -1;
        int strideAt = -1;
        boolean calls = false;
        for (int i = t; i <= s; i++) {
            AbstractInsnNode n = g.nodes[i];
            if (n instanceof IincInsnNode ii && ii.var == test.var) {
                if (inc != null || strideAt >= 0) {
                    return null;
                }
                inc = ii;
                incAt = i;
            } else if (writes(n, test.var)) {
                if (inc != null || strideAt >= 0 || stride(i, test.var) < 0) {
                    return null;
                }
                strideAt = i;
            }
            calls |= LoopAnalysis.isCall(n);
        }
        int stepVar = strideAt >= 0 ? stride(strideAt, test.var) : -1;
        if (stepVar >= 0) {
            for (int i = t; i <= s; i++) {
                if (writes(g.nodes[i], stepVar)) {
                    return null;
                }
            }
            incAt = strideAt;
        } else if (inc == null || inc.incr == 0) {
            return null;
        }
        if (!loop.body.get(incAt)) {
            return null;
        }
        boolean up = stepVar >= 0 || inc.incr > 0;
        boolean inclusive;
        if (up && (cont == Opcodes.IF_ICMPLT || cont == Opcodes.IF_ICMPLE)) {
            inclusive = cont == Opcodes.IF_ICMPLE;
        } else if (!up && (cont == Opcodes.IF_ICMPGT || cont == Opcodes.IF_ICMPGE)) {
            inclusive = cont == Opcodes.IF_ICMPGE;
        } else {
            return null;
        }
        if (!boundInvariant(test.bound, t, s, calls) || (boundMustNotThrow && mayThrow(test.bound))) {
            return null;
        }
        if (jumpsOver(loop.body, incAt) || enteredFromOutside(t, s, testEntryFrom)) {
            return null;
        }
        return new CountedLoop(header, test.var, stepVar >= 0 ? 1 : inc.incr, stepVar, inclusive, test.bound,
                headBefore, latchBefore, topTested);
    }

    /**
     * The stride local when the store at {@code at} ends {@code var = var + s} or
     * {@code var = s + var} (four adjacent instructions, no label between them, {@code s != var}),
     * else -1. A loop-invariant stride (a sieve's {@code j += i}) strip-mines like a constant one.
     */
    private int stride(int at, int var) {
        if (!(g.nodes[at] instanceof VarInsnNode st) || st.getOpcode() != Opcodes.ISTORE || st.var != var) {
            return -1;
        }
        AbstractInsnNode[] ops = new AbstractInsnNode[3];
        int k = at - 1;
        for (int j = 2; j >= 0; j--) {
            while (k > 0 && !g.isReal(k)) {
                if (g.nodes[k] instanceof LabelNode) {
                    return -1;
                }
                k--;
            }
            if (k < 0 || !g.isReal(k)) {
                return -1;
            }
            ops[j] = g.nodes[k--];
        }
        if (ops[2].getOpcode() != Opcodes.IADD || !(ops[0] instanceof VarInsnNode a) || !(ops[1] instanceof VarInsnNode b)
                || a.getOpcode() != Opcodes.ILOAD || b.getOpcode() != Opcodes.ILOAD) {
            return -1;
        }
        int other = a.var == var ? b.var : b.var == var ? a.var : -1;
        return other == var ? -1 : other;
    }

    /** A parsed test: the jump is taken iff {@code var CMP bound} (CMP as an IF_ICMPxx opcode). */
    private record Test(int var, List<AbstractInsnNode> bound, int cmp) {
    }

    /** Candidate readings of the real instructions [p, q) as operands of the int compare at q. */
    private List<Test> parseTests(int p, int q) {
        List<AbstractInsnNode> ops = new ArrayList<>();
        for (int i = p; i < q; i++) {
            if (g.isReal(i)) {
                ops.add(g.nodes[i]);
            }
        }
        int op = g.nodes[q].getOpcode();
        List<Test> out = new ArrayList<>(2);
        if (op >= Opcodes.IFEQ && op <= Opcodes.IFLE) {
            if (ops.size() == 1 && ops.get(0).getOpcode() == Opcodes.ILOAD) {
                out.add(new Test(((VarInsnNode) ops.get(0)).var, List.of(new org.objectweb.asm.tree.InsnNode(Opcodes.ICONST_0)),
                        op - Opcodes.IFEQ + Opcodes.IF_ICMPEQ));
            }
            return out;
        }
        int split = -1;
        int pushes = 0;
        for (int i = 0; i < ops.size(); i++) {
            if (isPush(ops.get(i))) {
                if (++pushes == 2) {
                    split = i;
                }
            } else if (!isUnary(ops.get(i))) {
                return out;
            }
        }
        if (pushes != 2 || !isPush(ops.get(0))) {
            return out;
        }
        List<AbstractInsnNode> a = ops.subList(0, split);
        List<AbstractInsnNode> b = ops.subList(split, ops.size());
        if (isLoadInt(a) && intExpression(b) && !reads(b, var(a))) {
            out.add(new Test(var(a), List.copyOf(b), op));
        }
        if (isLoadInt(b) && intExpression(a) && !reads(a, var(b))) {
            out.add(new Test(var(b), List.copyOf(a), swap(op)));
        }
        return out;
    }

    private static boolean isLoadInt(List<AbstractInsnNode> e) {
        return e.size() == 1 && e.get(0).getOpcode() == Opcodes.ILOAD;
    }

    private static int var(List<AbstractInsnNode> e) {
        return ((VarInsnNode) e.get(0)).var;
    }

    private static boolean reads(List<AbstractInsnNode> e, int var) {
        for (AbstractInsnNode n : e) {
            if (n instanceof VarInsnNode v && v.var == var) {
                return true;
            }
        }
        return false;
    }

    private static boolean isPush(AbstractInsnNode n) {
        int op = n.getOpcode();
        return op == Opcodes.ILOAD || op == Opcodes.ALOAD || op == Opcodes.GETSTATIC || isIntConstant(n);
    }

    private static boolean isUnary(AbstractInsnNode n) {
        return n.getOpcode() == Opcodes.GETFIELD || n.getOpcode() == Opcodes.ARRAYLENGTH;
    }

    static boolean isIntConstant(AbstractInsnNode n) {
        int op = n.getOpcode();
        return (op >= Opcodes.ICONST_M1 && op <= Opcodes.ICONST_5)
                || op == Opcodes.BIPUSH || op == Opcodes.SIPUSH
                || (n instanceof LdcInsnNode l && l.cst instanceof Integer);
    }

    static int intConstant(AbstractInsnNode n) {
        int op = n.getOpcode();
        if (op >= Opcodes.ICONST_M1 && op <= Opcodes.ICONST_5) {
            return op - Opcodes.ICONST_0;
        }
        if (n instanceof IntInsnNode i) {
            return i.operand;
        }
        return (Integer) ((LdcInsnNode) n).cst;
    }

    /** Whether {@code e} is one push followed by unary operations, leaving one int. */
    private boolean intExpression(List<AbstractInsnNode> e) {
        if (e.isEmpty() || !isPush(e.get(0))) {
            return false;
        }
        // the static type of the value on the stack: 'I' int, '[' array, 'L' other reference
        char type;
        AbstractInsnNode first = e.get(0);
        switch (first.getOpcode()) {
            case Opcodes.ILOAD -> type = 'I';
            case Opcodes.ALOAD -> type = '?';
            case Opcodes.GETSTATIC -> type = fieldType((FieldInsnNode) first);
            default -> type = 'I';
        }
        for (int i = 1; i < e.size(); i++) {
            AbstractInsnNode n = e.get(i);
            if (n.getOpcode() == Opcodes.GETFIELD && (type == '?' || type == 'L')) {
                type = fieldType((FieldInsnNode) n);
            } else if (n.getOpcode() == Opcodes.ARRAYLENGTH && (type == '?' || type == '[')) {
                type = 'I';
            } else {
                return false;
            }
        }
        return type == 'I';
    }

    /** Type class of a field of the class being rewritten, or 0 when it cannot be a bound. */
    private char fieldType(FieldInsnNode f) {
        if (!f.owner.equals(cls.name()) || !cls.isNonVolatileField(f.name, f.desc)) {
            return 0;
        }
        return switch (f.desc.charAt(0)) {
            case 'I', 'S', 'B', 'C' -> 'I';
            case '[' -> '[';
            case 'L' -> 'L';
            default -> 0;
        };
    }

    private static boolean mayThrow(List<AbstractInsnNode> bound) {
        for (AbstractInsnNode n : bound) {
            if (n.getOpcode() == Opcodes.GETFIELD || n.getOpcode() == Opcodes.ARRAYLENGTH) {
                return true;
            }
        }
        return false;
    }

    /** Nothing in [t, s] writes the locals or fields the bound reads; no call when it reads a field. */
    private boolean boundInvariant(List<AbstractInsnNode> bound, int t, int s, boolean loopCalls) {
        for (AbstractInsnNode b : bound) {
            if (b instanceof VarInsnNode v) {
                for (int i = t; i <= s; i++) {
                    if (writes(g.nodes[i], v.var)) {
                        return false;
                    }
                }
            } else if (b instanceof FieldInsnNode f) {
                if (loopCalls) {
                    return false;
                }
                for (int i = t; i <= s; i++) {
                    if (g.nodes[i] instanceof FieldInsnNode w && w.name.equals(f.name)
                            && (w.getOpcode() == Opcodes.PUTFIELD || w.getOpcode() == Opcodes.PUTSTATIC)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** Whether {@code n} stores into local {@code var} (including the upper half of a long/double). */
    static boolean writes(AbstractInsnNode n, int var) {
        if (n instanceof IincInsnNode i) {
            return i.var == var;
        }
        if (n instanceof VarInsnNode v) {
            return switch (v.getOpcode()) {
                case Opcodes.ISTORE, Opcodes.FSTORE, Opcodes.ASTORE -> v.var == var;
                case Opcodes.LSTORE, Opcodes.DSTORE -> v.var == var || v.var + 1 == var;
                default -> false;
            };
        }
        return false;
    }

    /** Whether some edge of the body goes from before {@code at} to after it (skipping it). */
    private boolean jumpsOver(BitSet body, int at) {
        for (int i = body.nextSetBit(0); i >= 0 && i < at; i = body.nextSetBit(i + 1)) {
            for (int j : g.successors(i)) {
                if (j > at && body.get(j)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether a node strictly inside (t, s] has a predecessor outside [t, s]; the bottom test's own entry (at or after {@code testEntryFrom}) is allowed. */
    private boolean enteredFromOutside(int t, int s, int testEntryFrom) {
        for (int w = t + 1; w <= s; w++) {
            if (testEntryFrom >= 0 && w >= testEntryFrom) {
                break;
            }
            for (int u : g.predecessors(w)) {
                if (u < t || u > s) {
                    return true;
                }
            }
        }
        if (testEntryFrom >= 0) {
            // entries into the test group are fine, but nothing may jump into the compare itself
            for (int w = g.firstReal(testEntryFrom) + 1; w <= s; w++) {
                for (int u : g.predecessors(w)) {
                    if (u < t || u > s) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Whether control can reach the header other than by the back-edge at {@code s}. */
    private boolean entersHeaderWithoutTest(int t, int s) {
        int start = t;
        while (start > 0 && !g.isReal(start - 1)) {
            start--;
        }
        if (start > 0 && MethodGraph.fallsThrough(g.nodes[start - 1])) {
            return true;
        }
        if (start == 0) {
            return true;
        }
        for (int i = start; i <= t; i++) {
            for (int u : g.predecessors(i)) {
                if (u != s && g.isReal(u)) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean tryCatchLabelIn(int from, int to) {
        if (g.method.tryCatchBlocks == null) {
            return false;
        }
        for (TryCatchBlockNode tcb : g.method.tryCatchBlocks) {
            for (LabelNode l : new LabelNode[] {tcb.start, tcb.end, tcb.handler}) {
                int i = g.indexOf(l);
                if (i >= from && i <= to) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean isIntCompare(int op) {
        return (op >= Opcodes.IFEQ && op <= Opcodes.IFLE) || (op >= Opcodes.IF_ICMPEQ && op <= Opcodes.IF_ICMPLE);
    }

    /** The IF_ICMPxx opcode of the negated condition. */
    static int negate(int cmp) {
        return switch (cmp) {
            case Opcodes.IF_ICMPEQ -> Opcodes.IF_ICMPNE;
            case Opcodes.IF_ICMPNE -> Opcodes.IF_ICMPEQ;
            case Opcodes.IF_ICMPLT -> Opcodes.IF_ICMPGE;
            case Opcodes.IF_ICMPGE -> Opcodes.IF_ICMPLT;
            case Opcodes.IF_ICMPGT -> Opcodes.IF_ICMPLE;
            case Opcodes.IF_ICMPLE -> Opcodes.IF_ICMPGT;
            default -> throw new IllegalArgumentException("not an int compare: " + cmp);
        };
    }

    /** The IF_ICMPxx opcode with operands exchanged. */
    static int swap(int cmp) {
        return switch (cmp) {
            case Opcodes.IF_ICMPLT -> Opcodes.IF_ICMPGT;
            case Opcodes.IF_ICMPGT -> Opcodes.IF_ICMPLT;
            case Opcodes.IF_ICMPLE -> Opcodes.IF_ICMPGE;
            case Opcodes.IF_ICMPGE -> Opcodes.IF_ICMPLE;
            default -> cmp;
        };
    }
}
