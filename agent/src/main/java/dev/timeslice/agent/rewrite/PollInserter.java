package dev.timeslice.agent.rewrite;

import java.util.List;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * The generic poll forms, valid for any back-edge whatever the loop's shape. Every branch they add
 * targets a label whose frame is known (the loop header, or a new label carrying a copy of it):
 * <ul>
 *   <li>iteration counter on a {@code goto T} back-edge, in place, its paths joining before the
 *       one jump back: {@code iinc b,-1; iload b; ifgt J; ldc loopPoll; istore b;
 *       if (word != 0) pollLoop(); J: goto T} (J carries a copy of T's frame);</li>
 *   <li>the same on a back-edge of a loop with calls that may not poll, but charging
 *       {@code loopPoll / callLoopPoll} per iteration and calling {@code pollCallLoop}: it polls
 *       every {@code callLoopPoll} iterations (every one when that is 1), and the poll's volatile
 *       read stays off the hot path, so a loop whose JDK callee the JIT inlines still optimizes;
 *       here each path jumps to T itself (see {@code MethodRewriter.backEdge} for why);</li>
 *   <li>on a conditional or switch back-edge, the same code in a trampoline appended after the
 *       method's last instruction, carrying a copy of T's frame and ending with {@code goto T}, and
 *       covered by copies of the exception-table entries that cover both the edge and T; the
 *       edge is retargeted to it, so only taken back-edges count;</li>
 *   <li>in a handler that closes a loop: a bare {@code pollCallLoop()} once the exception is stored
 *       (see {@code MethodRewriter});</li>
 *   <li>in the size-limited form, a bare {@code invokestatic pollX} before the back-edge (3 bytes,
 *       no branch, no frame).</li>
 * </ul>
 */
final class PollInserter {
    private PollInserter() {
    }

    /**
     * The budget countdown by {@code weight}; when it runs out: reset, then
     * {@code if (word != 0) poll()} — falls through.
     */
    private static InsnList countdown(PollLocals l, int weight, MethodInsnNode poll, LabelNode target) {
        InsnList code = new InsnList();
        code.add(new IincInsnNode(l.budget(), -weight));
        code.add(new VarInsnNode(Opcodes.ILOAD, l.budget()));
        code.add(new JumpInsnNode(Opcodes.IFGT, target));
        code.add(PollCode.pushInt(l.loopPoll()));
        code.add(new VarInsnNode(Opcodes.ISTORE, l.budget()));
        code.add(PollCode.guard(poll, target));
        return code;
    }

    /**
     * A countdown right before a {@code goto} back-edge. With {@code join} its paths meet before
     * the original {@code goto} (one back-edge); without, each jumps to the loop header itself.
     */
    static void counterAtGoto(MethodNode m, JumpInsnNode jump, PollLocals l, int weight, MethodInsnNode poll,
                              boolean join, FrameNode targetFrame) {
        m.instructions.insertBefore(jump, join ? countdownThenJoin(l, weight, poll, targetFrame)
                : countdown(l, weight, poll, jump.label));
    }

    /**
     * The countdown, all of whose paths end at a new label just after it (carrying a copy of the
     * loop header's frame: the code after it only jumps there).
     */
    private static InsnList countdownThenJoin(PollLocals l, int weight, MethodInsnNode poll, FrameNode targetFrame) {
        LabelNode join = new LabelNode();
        InsnList code = countdown(l, weight, poll, join);
        code.add(join);
        if (targetFrame != null) {
            code.add(Frames.copy(targetFrame));
        }
        return code;
    }

    /** Appends a trampoline that counts down and continues at {@code target}; returns its label. */
    static LabelNode trampoline(MethodNode m, LabelNode target, PollLocals l, int weight, MethodInsnNode poll,
                                boolean join, FrameNode targetFrame, List<org.objectweb.asm.tree.TryCatchBlockNode> cover) {
        LabelNode entry = new LabelNode();
        InsnList code = new InsnList();
        code.add(entry);
        if (targetFrame != null) {
            code.add(Frames.copy(targetFrame));
        }
        code.add(join ? countdownThenJoin(l, weight, poll, targetFrame) : countdown(l, weight, poll, target));
        code.add(new JumpInsnNode(Opcodes.GOTO, target));
        LabelNode end = new LabelNode();
        code.add(end);
        m.instructions.add(code);
        MethodGraph.cover(m, cover, entry, end);
        return entry;
    }

    /** Makes jump or switch {@code insn} go to {@code to} wherever it went to {@code from}. */
    static void retarget(AbstractInsnNode insn, LabelNode from, LabelNode to) {
        if (insn instanceof JumpInsnNode j) {
            if (j.label == from) {
                j.label = to;
            }
        } else if (insn instanceof TableSwitchInsnNode t) {
            t.dflt = t.dflt == from ? to : t.dflt;
            replace(t.labels, from, to);
        } else if (insn instanceof LookupSwitchInsnNode t) {
            t.dflt = t.dflt == from ? to : t.dflt;
            replace(t.labels, from, to);
        } else {
            throw new IllegalArgumentException("not a jump: " + insn.getOpcode());
        }
    }

    private static void replace(List<LabelNode> labels, LabelNode from, LabelNode to) {
        labels.replaceAll(x -> x == from ? to : x);
    }

    /** A bare poll call right before {@code insn} (size-limited form). */
    static void pollBefore(MethodNode m, AbstractInsnNode insn, MethodInsnNode poll) {
        m.instructions.insertBefore(insn, poll);
    }

    /** Initializes the added locals at method entry, so they hold an int at every frame. */
    static void initLocals(MethodNode m, PollLocals l) {
        InsnList code = new InsnList();
        code.add(PollCode.pushInt(l.loopPoll()));
        code.add(new VarInsnNode(Opcodes.ISTORE, l.budget()));
        if (l.limit() >= 0) {
            code.add(new InsnNode(Opcodes.ICONST_0));
            code.add(new VarInsnNode(Opcodes.ISTORE, l.limit()));
        }
        m.instructions.insert(code);
    }
}
