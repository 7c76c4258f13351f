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
 * The generic poll forms, valid for any back-edge whatever the loop's shape:
 * <ul>
 *   <li>iteration counter on a {@code goto} back-edge, in place:
 *       {@code iinc b,-1; iload b; ifgt T; invokestatic pollLoop; ldc loopPoll; istore b; goto T};</li>
 *   <li>iteration counter on a conditional or switch back-edge: the edge is retargeted to a
 *       trampoline appended after the method's last instruction, carrying a copy of the target's
 *       frame, which counts and jumps to the original target (only taken edges count);</li>
 *   <li>a plain poll call right before an instruction (back-edges of call-carrying loops, handler
 *       entries of exception-driven loops, returns): a static {@code ()V} call changes neither
 *       stack nor locals, so it needs no frame.</li>
 * </ul>
 */
final class PollInserter {
    private PollInserter() {
    }

    static void counterAtGoto(MethodNode m, JumpInsnNode jump, PollLocals l) {
        InsnList code = new InsnList();
        code.add(new IincInsnNode(l.budget(), -1));
        code.add(new VarInsnNode(Opcodes.ILOAD, l.budget()));
        code.add(new JumpInsnNode(Opcodes.IFGT, jump.label));
        code.add(PollCode.pollLoop());
        code.add(PollCode.pushInt(l.loopPoll()));
        code.add(new VarInsnNode(Opcodes.ISTORE, l.budget()));
        m.instructions.insertBefore(jump, code);
    }

    /** Appends a counting trampoline that continues at {@code target}; returns its label. */
    static LabelNode trampoline(MethodNode m, LabelNode target, PollLocals l, FrameNode targetFrame) {
        LabelNode entry = new LabelNode();
        InsnList code = new InsnList();
        code.add(entry);
        if (targetFrame != null) {
            code.add(Frames.copy(targetFrame));
        }
        code.add(new IincInsnNode(l.budget(), -1));
        code.add(new VarInsnNode(Opcodes.ILOAD, l.budget()));
        code.add(new JumpInsnNode(Opcodes.IFGT, target));
        code.add(PollCode.pollLoop());
        code.add(PollCode.pushInt(l.loopPoll()));
        code.add(new VarInsnNode(Opcodes.ISTORE, l.budget()));
        code.add(new JumpInsnNode(Opcodes.GOTO, target));
        m.instructions.add(code);
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

    static void pollBefore(MethodNode m, AbstractInsnNode insn, MethodInsnNode poll) {
        m.instructions.insertBefore(insn, poll);
    }

    /** A {@code Safepoint.poll()} before every {@code xRETURN}; returns how many. */
    static int returnPolls(MethodNode m) {
        int count = 0;
        for (AbstractInsnNode n : m.instructions.toArray()) {
            int op = n.getOpcode();
            if (op >= Opcodes.IRETURN && op <= Opcodes.RETURN) {
                m.instructions.insertBefore(n, PollCode.poll());
                count++;
            }
        }
        return count;
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
