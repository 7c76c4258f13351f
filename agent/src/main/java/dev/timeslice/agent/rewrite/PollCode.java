package dev.timeslice.agent.rewrite;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;

/**
 * The only runtime entry points rewritten code may call, and small instruction factories.
 * Each poll is a static {@code ()V} call: it needs no operand stack and no frame at the call site.
 */
final class PollCode {
    static final String SAFEPOINT = "dev/timeslice/runtime/Safepoint";
    static final String POLL_MATH = "dev/timeslice/runtime/PollMath";

    private PollCode() {
    }

    /** {@code Safepoint.poll()}: at method returns. */
    static MethodInsnNode poll() {
        return new MethodInsnNode(Opcodes.INVOKESTATIC, SAFEPOINT, "poll", "()V", false);
    }

    /** {@code Safepoint.pollLoop()}: once per {@code loopPoll} iterations of call-free loops. */
    static MethodInsnNode pollLoop() {
        return new MethodInsnNode(Opcodes.INVOKESTATIC, SAFEPOINT, "pollLoop", "()V", false);
    }

    /** {@code Safepoint.pollCallLoop()}: every back-edge of a loop whose calls may not poll. */
    static MethodInsnNode pollCallLoop() {
        return new MethodInsnNode(Opcodes.INVOKESTATIC, SAFEPOINT, "pollCallLoop", "()V", false);
    }

    static MethodInsnNode pollMath(String name, String desc) {
        return new MethodInsnNode(Opcodes.INVOKESTATIC, POLL_MATH, name, desc, false);
    }

    static AbstractInsnNode pushInt(int v) {
        if (v >= -1 && v <= 5) {
            return new InsnNode(Opcodes.ICONST_0 + v);
        }
        if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
            return new IntInsnNode(Opcodes.BIPUSH, v);
        }
        if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            return new IntInsnNode(Opcodes.SIPUSH, v);
        }
        return new LdcInsnNode(v);
    }

    static AbstractInsnNode pushLong(long v) {
        if (v == 0 || v == 1) {
            return new InsnNode(Opcodes.LCONST_0 + (int) v);
        }
        return new LdcInsnNode(v);
    }
}
