package dev.timeslice.agent.rewrite;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;

/**
 * The runtime entry points rewritten code calls, and small instruction factories.
 *
 * <p>Every poll site is emitted as {@code if (Safepoint.word != 0) Safepoint.pollX();}: the branch
 * lives in the rewritten method, so the JIT profiles it per site, sees it never (or rarely) taken
 * and compiles the slow path out of line or as an uncommon trap. Calling {@code pollX()} alone
 * would put the test inside the shared, tiny poll method, whose branch profile is typically empty
 * when a hot loop is compiled: C2 then predicts the slow path taken half of the time and lays out
 * the loop nest around it (measured: +30 % on an ijk matrix multiply). {@link #guard} needs a label
 * with a known frame to skip to; where there is none the bare call is used (size-limited form).
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

    /**
     * {@code Safepoint.word}: the poll word, read in place. Not a call to a {@code raised()}
     * accessor: C2 inlines either to the same load, but the interpreter and C1's profiled tier
     * execute a call per poll, and every method of a program starts there (JsonRoundTrip: ~40 ms
     * of CPU per run in the accessor alone, spread over jackson's hot methods while they warm up).
     */
    static FieldInsnNode word() {
        return new FieldInsnNode(Opcodes.GETSTATIC, SAFEPOINT, "word", "I");
    }

    /** {@code if (Safepoint.word == 0) goto skip; poll();} — falls through after the poll. */
    static InsnList guard(MethodInsnNode poll, LabelNode skip) {
        InsnList out = new InsnList();
        out.add(word());
        out.add(new JumpInsnNode(Opcodes.IFEQ, skip));
        out.add(poll);
        return out;
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
