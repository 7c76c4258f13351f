package dev.timeslice.agent.rewrite;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.TryCatchBlockNode;

/**
 * Finds a method's loops and what they call.
 *
 * <p>A loop is identified by its {@link BackEdge}: any jump, switch label or exception edge whose
 * target is not after its source. Since a path made only of forward edges cannot return to where it
 * started, every cycle crosses a back-edge, whatever compiler produced the code (javac's
 * test-at-top loops, do/while, test-at-bottom loops entered by a {@code goto}, switch-driven state
 * machines, irreducible flow). A loop's body is the set of nodes between target and source that lie
 * on a path from the target to the source staying within that range; code that only leaves the loop
 * (a {@code break} branch) is not part of it. Out-of-line code that jumps back into a loop is itself a
 * back-edge, so its calls are seen too.
 *
 * <p>The analysis never changes the method.
 */
final class LoopAnalysis {
    /** Upper bound on graph-walk steps per method before bodies fall back to the whole range. */
    private static final long WORK_LIMIT = 4_000_000;

    /** One loop: its back-edge, body and classification. */
    static final class Loop {
        final BackEdge edge;
        final BitSet body;
        /** The body contains a call that may not reach a poll for a long time. */
        final boolean unboundedCall;
        /** No other back-edge lies within this loop's range. */
        final boolean innermost;
        /**
         * The body calls small JDK methods the JIT inlines ({@link CallPolicy#inlined}) and no
         * unbounded one: polled like a call-free loop (see {@code MethodRewriter}).
         */
        final boolean inlinedCall;

        Loop(BackEdge edge, BitSet body, boolean unboundedCall, boolean innermost, boolean inlinedCall) {
            this.edge = edge;
            this.body = body;
            this.unboundedCall = unboundedCall;
            this.innermost = innermost;
            this.inlinedCall = inlinedCall && !unboundedCall;
        }

        int lo() {
            return edge.target();
        }

        int hi() {
            return edge.source();
        }
    }

    final MethodGraph graph;
    final List<Loop> loops;
    /** The method contains an invoke that is not an allow-listed cheap JDK call. */
    final boolean hasPollingWorthyCall;

    private LoopAnalysis(MethodGraph graph, List<Loop> loops, boolean hasPollingWorthyCall) {
        this.graph = graph;
        this.loops = loops;
        this.hasPollingWorthyCall = hasPollingWorthyCall;
    }

    static LoopAnalysis of(MethodGraph g, CallPolicy policy) {
        List<BackEdge> edges = backEdges(g);
        boolean worthy = false;
        for (AbstractInsnNode n : g.nodes) {
            if (isCall(n) && !CallPolicy.allowListed(n)) {
                worthy = true;
                break;
            }
        }
        List<Loop> loops = new ArrayList<>(edges.size());
        long[] work = {0};
        for (BackEdge e : edges) {
            BitSet body = body(g, e, work);
            boolean unbounded = false;
            boolean inlined = false;
            for (int i = body.nextSetBit(0); i >= 0; i = body.nextSetBit(i + 1)) {
                if (isCall(g.nodes[i]) && !policy.bounded(g.nodes[i])) {
                    if (CallPolicy.inlined(g.nodes[i])) {
                        inlined = true;
                    } else {
                        unbounded = true;
                        break;
                    }
                }
            }
            boolean innermost = true;
            for (BackEdge o : edges) {
                if (o != e && o.target() >= e.target() && o.source() <= e.source()) {
                    innermost = false;
                    break;
                }
            }
            loops.add(new Loop(e, body, unbounded, innermost, inlined));
        }
        return new LoopAnalysis(g, List.copyOf(loops), worthy);
    }

    static boolean isCall(AbstractInsnNode n) {
        return n instanceof MethodInsnNode || n instanceof InvokeDynamicInsnNode;
    }

    static List<BackEdge> backEdges(MethodGraph g) {
        List<BackEdge> out = new ArrayList<>();
        for (int i = 0; i < g.size(); i++) {
            AbstractInsnNode n = g.nodes[i];
            if (!g.isReal(i)) {
                continue;
            }
            List<LabelNode> targets = MethodGraph.jumpTargets(n);
            for (LabelNode l : targets) {
                int t = g.indexOf(l);
                if (t <= i) {
                    BackEdge.Kind kind = n instanceof JumpInsnNode
                            ? (n.getOpcode() == Opcodes.GOTO ? BackEdge.Kind.GOTO : BackEdge.Kind.BRANCH)
                            : BackEdge.Kind.SWITCH;
                    out.add(new BackEdge(i, t, kind));
                }
            }
        }
        if (g.method.tryCatchBlocks != null) {
            for (TryCatchBlockNode tcb : g.method.tryCatchBlocks) {
                int h = g.indexOf(tcb.handler);
                int last = -1;
                for (int i = g.indexOf(tcb.start), e = g.indexOf(tcb.end); i < e; i++) {
                    if (g.isReal(i)) {
                        last = i;
                    }
                }
                if (last >= h) {
                    BackEdge be = new BackEdge(last, h, BackEdge.Kind.HANDLER);
                    if (!out.contains(be)) {
                        out.add(be);
                    }
                }
            }
        }
        return out;
    }

    /** Nodes in [target, source] on a path from target to source that stays in that range. */
    private static BitSet body(MethodGraph g, BackEdge e, long[] work) {
        int lo = e.target();
        int hi = e.source();
        BitSet range = new BitSet();
        range.set(lo, hi + 1);
        if (work[0] > WORK_LIMIT) {
            return range;
        }
        BitSet fwd = walk(g, lo, lo, hi, true, work);
        BitSet bwd = walk(g, hi, lo, hi, false, work);
        fwd.and(bwd);
        fwd.set(lo);
        fwd.set(hi);
        return fwd;
    }

    private static BitSet walk(MethodGraph g, int start, int lo, int hi, boolean forward, long[] work) {
        BitSet seen = new BitSet();
        ArrayDeque<Integer> todo = new ArrayDeque<>();
        seen.set(start);
        todo.add(start);
        while (!todo.isEmpty()) {
            int i = todo.poll();
            for (int j : forward ? g.successors(i) : g.predecessors(i)) {
                work[0]++;
                if (j >= lo && j <= hi && !seen.get(j)) {
                    seen.set(j);
                    todo.add(j);
                }
            }
        }
        return seen;
    }
}
