package dev.timeslice.agent.rewrite;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.TryCatchBlockNode;

/**
 * A read-only index of one method's instruction list: the position of every node, the frame
 * declared at each label, and the control-flow edges between nodes (fall-through, jumps,
 * switches, and exception edges from every real instruction of a protected range to its handler).
 *
 * <p>Positions are list indices, which preserve bytecode order, so "earlier instruction" means
 * "smaller index". Pseudo nodes (labels, line numbers, frames) fall through to the next node. The
 * graph is built before any mutation and must not be used after the list has been changed.
 */
final class MethodGraph {
    final MethodNode method;
    final AbstractInsnNode[] nodes;
    /** Whether the method carries stack map frames that rewritten code must keep consistent. */
    final boolean framed;
    private final int[][] succ;
    private final int[][] pred;
    /** Nodes that are the target of a jump, switch or exception edge. */
    final BitSet targets = new BitSet();

    MethodGraph(MethodNode method, boolean framed) {
        this.method = method;
        this.framed = framed;
        this.nodes = method.instructions.toArray();
        int n = nodes.length;
        // Primitive arrays, no boxed lists: this runs for every method rewritten, and C2 spent
        // seconds compiling (and recompiling) the boxed version of this constructor in a program
        // that loads a few hundred classes (JFR jdk.Compilation, JsonRoundTrip).
        int[][] out = new int[n][];
        int[] outSize = new int[n];
        // lastSource[t] == i: while node i's own edges are added (one pass, in order), the edge
        // i -> t is already there; handler edges come later, out of order, and are checked
        // against the source's list (each edge is kept once)
        int[] lastSource = new int[n];
        java.util.Arrays.fill(lastSource, -1);
        for (int i = 0; i < n; i++) {
            AbstractInsnNode node = nodes[i];
            if (fallsThrough(node) && i + 1 < n) {
                addEdge(out, outSize, lastSource, i, i + 1);
            }
            if (node instanceof JumpInsnNode j) {
                int t = indexOf(j.label);
                addEdge(out, outSize, lastSource, i, t);
                targets.set(t);
            } else if (node instanceof TableSwitchInsnNode || node instanceof LookupSwitchInsnNode) {
                for (LabelNode l : jumpTargets(node)) {
                    int t = indexOf(l);
                    addEdge(out, outSize, lastSource, i, t);
                    targets.set(t);
                }
            }
        }
        if (method.tryCatchBlocks != null) {
            for (TryCatchBlockNode tcb : method.tryCatchBlocks) {
                int h = indexOf(tcb.handler);
                targets.set(h);
                for (int i = indexOf(tcb.start), e = indexOf(tcb.end); i < e; i++) {
                    if (isReal(i) && !contains(out[i], outSize[i], h)) {
                        addEdge(out, outSize, lastSource, i, h);
                    }
                }
            }
        }
        succ = new int[n][];
        int[] inSize = new int[n];
        for (int i = 0; i < n; i++) {
            succ[i] = outSize[i] == 0 ? NONE : java.util.Arrays.copyOf(out[i], outSize[i]);
            for (int t : succ[i]) {
                inSize[t]++;
            }
        }
        pred = new int[n][];
        for (int t = 0; t < n; t++) {
            pred[t] = inSize[t] == 0 ? NONE : new int[inSize[t]];
            inSize[t] = 0;
        }
        for (int i = 0; i < n; i++) {
            for (int t : succ[i]) {
                pred[t][inSize[t]++] = i; // sources in increasing order, as before
            }
        }
    }

    private static final int[] NONE = new int[0];

    private static boolean contains(int[] a, int size, int v) {
        for (int k = 0; k < size; k++) {
            if (a[k] == v) {
                return true;
            }
        }
        return false;
    }

    private static void addEdge(int[][] out, int[] outSize, int[] lastSource, int from, int to) {
        if (lastSource[to] == from) {
            return; // same pass: already added
        }
        lastSource[to] = from;
        int[] a = out[from];
        if (a == null) {
            a = out[from] = new int[2];
        } else if (outSize[from] == a.length) {
            a = out[from] = java.util.Arrays.copyOf(a, a.length * 2);
        }
        a[outSize[from]++] = to;
    }

    int size() {
        return nodes.length;
    }

    int indexOf(AbstractInsnNode node) {
        return method.instructions.indexOf(node);
    }

    int[] successors(int i) {
        return succ[i];
    }

    int[] predecessors(int i) {
        return pred[i];
    }

    boolean isReal(int i) {
        return nodes[i].getOpcode() >= 0;
    }

    /** Index of the first real instruction at or after {@code i}, or {@code size()}. */
    int firstReal(int i) {
        while (i < nodes.length && !isReal(i)) {
            i++;
        }
        return i;
    }

    /** The frame declared at label {@code l} (before the next real instruction), or null. */
    FrameNode frameAt(LabelNode l) {
        for (AbstractInsnNode n = l.getNext(); n != null && n.getOpcode() < 0; n = n.getNext()) {
            if (n instanceof FrameNode f) {
                return f;
            }
        }
        return null;
    }

    static boolean fallsThrough(AbstractInsnNode node) {
        switch (node.getOpcode()) {
            case Opcodes.GOTO, Opcodes.ATHROW, Opcodes.RET, Opcodes.TABLESWITCH, Opcodes.LOOKUPSWITCH,
                 Opcodes.IRETURN, Opcodes.LRETURN, Opcodes.FRETURN, Opcodes.DRETURN, Opcodes.ARETURN,
                 Opcodes.RETURN -> {
                return false;
            }
            default -> {
                return true;
            }
        }
    }

    /** Labels a jump or switch instruction can transfer control to (distinct, in order). */
    static List<LabelNode> jumpTargets(AbstractInsnNode node) {
        if (node instanceof JumpInsnNode j) {
            return List.of(j.label);
        }
        List<LabelNode> out = new ArrayList<>();
        if (node instanceof TableSwitchInsnNode t) {
            out.add(t.dflt);
            for (LabelNode l : t.labels) {
                if (!out.contains(l)) {
                    out.add(l);
                }
            }
        } else if (node instanceof LookupSwitchInsnNode t) {
            out.add(t.dflt);
            for (LabelNode l : t.labels) {
                if (!out.contains(l)) {
                    out.add(l);
                }
            }
        }
        return out;
    }

    /**
     * The exception-table entries, in table order, that cover every real instruction at or after
     * each of {@code points} (a pseudo node stands for the next real instruction). Code the rewriter
     * moves out of line on behalf of those points is given copies of exactly these entries
     * ({@link #cover}), so an exception thrown there (a poll can throw, for the JIT as for the
     * verifier) unwinds as it would have at the points: C2 and C1 keep seeing the monitor regions of
     * {@code synchronized} blocks balanced, and a handler's frame, which accepted the locals at all
     * the points, accepts the out-of-line code that starts with one of their frames.
     */
    List<TryCatchBlockNode> covering(int... points) {
        List<TryCatchBlockNode> out = new ArrayList<>();
        if (method.tryCatchBlocks == null) {
            return out;
        }
        for (TryCatchBlockNode tcb : method.tryCatchBlocks) {
            int s = position(tcb.start);
            int e = position(tcb.end);
            boolean all = true;
            for (int p : points) {
                int r = firstReal(p);
                all &= r >= s && r < e;
            }
            if (all) {
                out.add(tcb);
            }
        }
        return out;
    }

    /** Appends copies of {@code entries}, in order, covering {@code [start, end)}. */
    static void cover(MethodNode m, List<TryCatchBlockNode> entries, LabelNode start, LabelNode end) {
        for (TryCatchBlockNode tcb : entries) {
            m.tryCatchBlocks.add(new TryCatchBlockNode(start, end, tcb.handler, tcb.type));
        }
    }

    private int position(LabelNode l) {
        if (positions == null) {
            positions = new java.util.IdentityHashMap<>();
            for (int i = 0; i < nodes.length; i++) {
                if (nodes[i] instanceof LabelNode ln) {
                    positions.put(ln, i);
                }
            }
        }
        Integer i = positions.get(l);
        return i == null ? -1 : i;
    }

    private java.util.Map<LabelNode, Integer> positions;
}
