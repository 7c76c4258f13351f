package dev.timeslice.agent.rewrite;

import java.util.List;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.LabelNode;

/**
 * A loop proven safe to strip-mine: it continues while {@code var < end} (counting up) or
 * {@code var > end} (counting down), where {@code end} is {@code bound}, or {@code bound ± 1} when
 * {@code inclusive}; {@code var} changes only by one {@code iinc var, step} that every iteration
 * executes exactly once; {@code bound} evaluates to the same value at every test and may be
 * re-evaluated at {@code headBefore} without a new exception.
 *
 * @param header      the back-edge target
 * @param headBefore  where the chunk set-up goes: the point every iteration passes after the loop
 *                    decided to continue (after the test when it is at the top, at the header when
 *                    it is at the bottom)
 * @param latchBefore where the inner exit test goes: the last point of an iteration before the
 *                    original test runs again
 */
record CountedLoop(LabelNode header, int var, int step, boolean inclusive, List<AbstractInsnNode> bound,
                   AbstractInsnNode headBefore, AbstractInsnNode latchBefore, boolean topTested) {
    boolean up() {
        return step > 0;
    }
}
