package dev.timeslice.agent.rewrite;

import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Return polls. Which paths poll: in a method with loops, every {@code xRETURN}; in a loop-free
 * method, only the paths on which a call (other than an allow-listed cheap JDK call) happened
 * since entry — a return reached without any call ran a bounded amount of straight-line code, and
 * the caller, having made a call, polls at its own return. In {@code fib}, for example, the leaf
 * invocations return without polling and the others poll once.
 *
 * <p>Shape: the polling paths jump to one shared tail appended after the method's last
 * instruction, {@code R: if (Safepoint.word != 0) Safepoint.poll(); xRETURN}. Its frame holds no
 * locals and the return value on the stack, typed by the method descriptor: every state at a
 * return is assignable to it (the verifier already checked the value against the return type).
 * In the size-limited form, and where the tail would cost a loop-free method an inlining
 * ({@link InlineLimits}), the poll is a bare call before each polled {@code xRETURN}, or, when
 * only its fall-through entry made a call, on that entry alone.
 *
 * <p>The plan is computed on the unmodified method ({@link #plan}) and applied at the end
 * ({@link #apply}); it refers to instructions, not positions.
 */
final class ReturnPolls {
    /** A return to poll: either every path into it, or only some of the jumps/fall-through into it. */
    private record Site(AbstractInsnNode ret, boolean allPaths, AbstractInsnNode fallThroughAfter,
                        List<AbstractInsnNode> jumps, LabelNode jumpLabel, boolean bare) {
        Site(AbstractInsnNode ret, boolean allPaths, AbstractInsnNode fallThroughAfter,
             List<AbstractInsnNode> jumps, LabelNode jumpLabel) {
            this(ret, allPaths, fallThroughAfter, jumps, jumpLabel, false);
        }
    }

    private final List<Site> sites;

    private ReturnPolls(List<Site> sites) {
        this.sites = sites;
    }

    int count() {
        return sites.size();
    }

    /**
     * @param stackSizes the stack depth in slots before each node ({@link StackDepth}), or null
     *                   when unknown: a return with more on the stack than its value (bytecode
     *                   generators leave values there; the JVM allows it) cannot jump to the shared
     *                   tail, whose frame holds just the value, and polls with a bare call instead
     */
    static ReturnPolls plan(MethodGraph g, boolean hasLoops, int[] stackSizes) {
        List<Site> sites = new ArrayList<>();
        int n = g.size();
        boolean[] calledIn = new boolean[n];
        boolean[] calledOut = new boolean[n];
        if (!hasLoops) {
            // without back-edges every edge goes forward: one pass in order is a fixed point
            for (int i = 0; i < n; i++) {
                calledOut[i] = calledIn[i] || (LoopAnalysis.isCall(g.nodes[i]) && !CallPolicy.allowListed(g.nodes[i]));
                for (int j : g.successors(i)) {
                    calledIn[j] |= calledOut[i];
                }
            }
        }
        for (int r = 0; r < n; r++) {
            int op = g.nodes[r].getOpcode();
            if (op < Opcodes.IRETURN || op > Opcodes.RETURN) {
                continue;
            }
            int valueSize = op == Opcodes.RETURN ? 0 : op == Opcodes.LRETURN || op == Opcodes.DRETURN ? 2 : 1;
            boolean extraStack = stackSizes == null || stackSizes.length != n || stackSizes[r] != valueSize;
            if (hasLoops || (extraStack && calledIn[r])) {
                sites.add(new Site(g.nodes[r], true, null, List.of(), null, extraStack));
                continue;
            }
            if (!calledIn[r]) {
                continue; // bounded since entry on every path
            }
            // the entries into r's group: fall-through from the previous real instruction, and jumps to its labels
            int start = r;
            while (start > 0 && !g.isReal(start - 1)) {
                start--;
            }
            boolean someCallFree = false;
            boolean forceAll = false;
            AbstractInsnNode fallThrough = null;
            List<AbstractInsnNode> jumps = new ArrayList<>();
            LabelNode label = null;
            for (int k = start; k <= r; k++) {
                for (int p : g.predecessors(k)) {
                    if (p >= start && p <= r) {
                        continue; // within the group (pseudo nodes falling through)
                    }
                    if (!calledOut[p]) {
                        someCallFree = true;
                        continue;
                    }
                    boolean jump = g.nodes[k] instanceof LabelNode ln && MethodGraph.jumpTargets(g.nodes[p]).contains(ln);
                    boolean fall = p == start - 1 && k == start && MethodGraph.fallsThrough(g.nodes[p]);
                    if (jump && fall) {
                        forceAll = true; // one instruction both jumps and falls into the return
                    } else if (jump) {
                        if (label != null && label != g.nodes[k]) {
                            forceAll = true;
                        }
                        label = (LabelNode) g.nodes[k];
                        jumps.add(g.nodes[p]);
                    } else if (fall) {
                        fallThrough = g.nodes[p];
                    } else {
                        forceAll = true; // an exception edge: poll on every path
                    }
                }
            }
            if (forceAll || !someCallFree) {
                sites.add(new Site(g.nodes[r], true, null, List.of(), null));
            } else {
                sites.add(new Site(g.nodes[r], false, fallThrough, List.copyOf(jumps), label));
            }
        }
        return new ReturnPolls(List.copyOf(sites));
    }

    /**
     * Applies the plan. With {@code guarded}, polling paths go to the shared tail; without, a bare
     * {@code Safepoint.poll()} is put before each polled return (on all its paths).
     */
    void apply(MethodNode m, boolean framed, boolean guarded) {
        if (sites.isEmpty()) {
            return;
        }
        boolean allBare = true;
        for (Site s : sites) {
            allBare &= s.bare();
        }
        if (!guarded || allBare) {
            for (Site s : sites) {
                if (!s.allPaths() && s.jumps().isEmpty() && s.fallThroughAfter() != null) {
                    // only the fall-through made a call: the poll goes on it, before the return's
                    // labels, which the call-free jumps still reach directly
                    m.instructions.insert(s.fallThroughAfter(), PollCode.poll());
                } else {
                    m.instructions.insertBefore(s.ret(), PollCode.poll());
                }
            }
            return;
        }
        Type ret = Type.getReturnType(m.desc);
        LabelNode tail = new LabelNode();
        LabelNode doReturn = new LabelNode();
        InsnList code = new InsnList();
        code.add(tail);
        if (framed) {
            code.add(returnFrame(ret));
        }
        code.add(PollCode.guard(PollCode.poll(), doReturn));
        code.add(doReturn);
        if (framed) {
            code.add(returnFrame(ret));
        }
        code.add(new InsnNode(ret.getOpcode(Opcodes.IRETURN)));
        for (Site s : sites) {
            if (s.bare()) {
                m.instructions.insertBefore(s.ret(), PollCode.poll());
            } else if (s.allPaths()) {
                m.instructions.set(s.ret(), new JumpInsnNode(Opcodes.GOTO, tail));
            } else {
                if (s.fallThroughAfter() != null) {
                    m.instructions.insert(s.fallThroughAfter(), new JumpInsnNode(Opcodes.GOTO, tail));
                }
                for (AbstractInsnNode j : s.jumps()) {
                    PollInserter.retarget(j, s.jumpLabel(), tail);
                }
            }
        }
        m.instructions.add(code);
    }

    private static FrameNode returnFrame(Type ret) {
        Object[] stack = switch (ret.getSort()) {
            case Type.VOID -> new Object[0];
            case Type.BOOLEAN, Type.CHAR, Type.BYTE, Type.SHORT, Type.INT -> new Object[] {Opcodes.INTEGER};
            case Type.FLOAT -> new Object[] {Opcodes.FLOAT};
            case Type.LONG -> new Object[] {Opcodes.LONG};
            case Type.DOUBLE -> new Object[] {Opcodes.DOUBLE};
            default -> new Object[] {ret.getInternalName()};
        };
        return new FrameNode(Opcodes.F_NEW, 0, new Object[0], stack.length, stack);
    }
}
