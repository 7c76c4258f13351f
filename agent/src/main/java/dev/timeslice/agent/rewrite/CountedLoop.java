package dev.timeslice.agent.rewrite;

import java.util.List;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.LabelNode;

/**
 * A loop proven safe to strip-mine: it continues while {@code var < end} (counting up) or
 * {@code var > end} (counting down), where {@code end} is {@code bound}, or {@code bound ± 1} when
 * {@code inclusive}; {@code var} changes only by one {@code iinc var, step} that every iteration
 * executes exactly once, or, when {@code stepVar >= 0}, by one {@code var += stepVar} (a stride
 * local the loop never writes; the loop counts up and {@code step} is 1, a direction only: a stride
 * of zero or less makes {@link dev.timeslice.runtime.PollMath} run one iteration per chunk); {@code bound} evaluates to the same value at every test and may be
 * re-evaluated at {@code headBefore} without a new exception.
 *
 * @param header      the back-edge target
 * @param headBefore  where the chunk set-up goes: the point every iteration passes after the loop
 *                    decided to continue (after the test when it is at the top, at the header when
 *                    it is at the bottom)
 * @param latchBefore where the inner exit test goes: the last point of an iteration before the
 *                    original test runs again
 * @param latchEntry  when the inner exit test must go before labels that a jump from outside the
 *                    loop enters the original test by: those labels (the jumps from inside the loop
 *                    that target them are retargeted to a new label opening the inner test, which
 *                    gets a copy of {@code latchFrame}); empty when every path to the original test
 *                    passes {@code latchBefore}
 * @param latchFrame  the frame declared at the original test's labels (null without frames)
 */
record CountedLoop(LabelNode header, int var, int step, int stepVar, boolean inclusive, List<AbstractInsnNode> bound,
                   AbstractInsnNode headBefore, AbstractInsnNode latchBefore, boolean topTested,
                   List<LabelNode> latchEntry, List<AbstractInsnNode> latchJumps,
                   org.objectweb.asm.tree.FrameNode latchFrame) {
    CountedLoop(LabelNode header, int var, int step, int stepVar, boolean inclusive, List<AbstractInsnNode> bound,
                AbstractInsnNode headBefore, AbstractInsnNode latchBefore, boolean topTested) {
        this(header, var, step, stepVar, inclusive, bound, headBefore, latchBefore, topTested, List.of(), List.of(), null);
    }

    /** A copy whose inner test and chunk set-up go to other nodes (the versioned loop's clone). */
    CountedLoop at(LabelNode header, AbstractInsnNode headBefore, AbstractInsnNode latchBefore) {
        return new CountedLoop(header, var, step, stepVar, inclusive, bound, headBefore, latchBefore, true);
    }

    /** Pushes the step: the constant, or the stride local (whose sign only the run time knows). */
    void pushStep(org.objectweb.asm.tree.InsnList out) {
        if (stepVar >= 0) {
            out.add(new org.objectweb.asm.tree.VarInsnNode(org.objectweb.asm.Opcodes.ILOAD, stepVar));
        } else {
            out.add(PollCode.pushInt(step));
        }
    }

    boolean up() {
        return step > 0;
    }
}
