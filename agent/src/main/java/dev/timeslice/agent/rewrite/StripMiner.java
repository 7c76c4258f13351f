package dev.timeslice.agent.rewrite;

import java.util.HashMap;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Strip-mines a {@link CountedLoop} in place. Shape (counting up; {@code b} = budget, {@code lim}
 * = chunk limit, both int locals added by the rewriter):
 * <pre>
 *   header:  [original test, if at the top: exits the loop]
 *            lim = PollMath.upTrip(i, end, step); if (lim &gt; b) goto SLOW    -- fast entry:
 *            b -= lim; lim = (int) end                                       -- the whole trip fits
 *   B:       &lt;original body, unchanged, including the iinc&gt;
 *            iload i; iload lim; if_icmplt B          -- the clean inner exit test
 *            [original back-edge: goto header, or the original test at the bottom -&gt; header]
 *   ...
 *   SLOW:    (after the method's code, covered by the handlers that cover the header) if (b &lt;= 0) { b = loopPoll; if (Safepoint.word != 0) Safepoint.pollLoop(); }
 *            lim = PollMath.upLimit(i, end, step, b); b -= PollMath.upChunk(i, lim, step); goto B
 * </pre>
 * The inner loop B is a counted loop with one exit test on the induction variable, so the JIT can
 * unroll, range-check-eliminate and vectorize it as before. A chunk's iterations are charged to
 * the budget before it runs (a {@code break} out of it over-charges, which only makes the next
 * poll come earlier), and the poll comes before the chunk. {@code lim} never lets the inner test
 * continue where the original test would stop, so the original test — still executed between
 * chunks — keeps the loop's meaning, including wrap-around at {@code Integer.MAX_VALUE} (the trip
 * count is then reported as "too many" and the loop runs in chunks computed without overflow).
 */
final class StripMiner {
    private StripMiner() {
    }

    /**
     * @param headerFrame the frame at the loop header with the rewriter's locals appended, or null
     *                    when the method has no frames
     */
    /**
     * @param cover       the exception-table entries covering the loop header (see
     *                    {@link MethodGraph#covering}): the out-of-line slow entry gets copies of them
     */
    static void apply(MethodNode m, CountedLoop c, PollLocals l, FrameNode headerFrame,
                      java.util.List<org.objectweb.asm.tree.TryCatchBlockNode> cover) {
        boolean up = c.up();
        LabelNode slow = new LabelNode();
        LabelNode afterPoll = new LabelNode();
        LabelNode inner = new LabelNode();
        // fast entry: the whole remaining trip fits in the budget: one chunk up to the loop's end
        InsnList head = new InsnList();
        head.add(new VarInsnNode(Opcodes.ILOAD, c.var()));
        pushEnd(head, c);
        c.pushStep(head);
        head.add(PollCode.pollMath(up ? "upTrip" : "downTrip", "(IJI)I"));
        head.add(new VarInsnNode(Opcodes.ISTORE, l.limit()));
        head.add(new VarInsnNode(Opcodes.ILOAD, l.limit()));
        head.add(new VarInsnNode(Opcodes.ILOAD, l.budget()));
        head.add(new JumpInsnNode(Opcodes.IF_ICMPGT, slow));
        head.add(new VarInsnNode(Opcodes.ILOAD, l.budget()));
        head.add(new VarInsnNode(Opcodes.ILOAD, l.limit()));
        head.add(new InsnNode(Opcodes.ISUB));
        head.add(new VarInsnNode(Opcodes.ISTORE, l.budget()));
        pushEnd(head, c);
        head.add(new InsnNode(Opcodes.L2I));
        head.add(new VarInsnNode(Opcodes.ISTORE, l.limit()));
        head.add(inner);
        if (headerFrame != null) {
            head.add(Frames.copy(headerFrame));
        }
        m.instructions.insertBefore(c.headBefore(), head);

        // slow entry, out of line: poll when the budget is spent, then a chunk of at most the budget
        InsnList out = new InsnList();
        out.add(slow);
        if (headerFrame != null) {
            out.add(Frames.copy(headerFrame));
        }
        out.add(new VarInsnNode(Opcodes.ILOAD, l.budget()));
        out.add(new JumpInsnNode(Opcodes.IFGT, afterPoll));
        out.add(PollCode.pushInt(l.loopPoll()));
        out.add(new VarInsnNode(Opcodes.ISTORE, l.budget()));
        out.add(PollCode.guard(PollCode.pollLoop(), afterPoll));
        out.add(afterPoll);
        if (headerFrame != null) {
            out.add(Frames.copy(headerFrame));
        }
        out.add(new VarInsnNode(Opcodes.ILOAD, c.var()));
        pushEnd(out, c);
        c.pushStep(out);
        out.add(new VarInsnNode(Opcodes.ILOAD, l.budget()));
        out.add(PollCode.pollMath(up ? "upLimit" : "downLimit", "(IJII)I"));
        out.add(new VarInsnNode(Opcodes.ISTORE, l.limit()));
        out.add(new VarInsnNode(Opcodes.ILOAD, l.budget()));
        out.add(new VarInsnNode(Opcodes.ILOAD, c.var()));
        out.add(new VarInsnNode(Opcodes.ILOAD, l.limit()));
        c.pushStep(out);
        out.add(PollCode.pollMath(up ? "upChunk" : "downChunk", "(III)I"));
        out.add(new InsnNode(Opcodes.ISUB));
        out.add(new VarInsnNode(Opcodes.ISTORE, l.budget()));
        out.add(new JumpInsnNode(Opcodes.GOTO, inner));
        LabelNode slowEnd = new LabelNode();
        out.add(slowEnd);
        m.instructions.add(out);
        MethodGraph.cover(m, cover, slow, slowEnd);

        InsnList latch = new InsnList();
        if (!c.latchEntry().isEmpty()) {
            // the original test is also entered from outside the loop: the inner test gets a label
            // of its own, and the jumps from inside the loop go there
            LabelNode open = new LabelNode();
            latch.add(open);
            if (c.latchFrame() != null) {
                latch.add(Frames.copy(c.latchFrame()));
            }
            for (AbstractInsnNode j : c.latchJumps()) {
                for (LabelNode from : c.latchEntry()) {
                    PollInserter.retarget(j, from, open);
                }
            }
        }
        latch.add(new VarInsnNode(Opcodes.ILOAD, c.var()));
        latch.add(new VarInsnNode(Opcodes.ILOAD, l.limit()));
        latch.add(new JumpInsnNode(up ? Opcodes.IF_ICMPLT : Opcodes.IF_ICMPGT, inner));
        m.instructions.insertBefore(c.latchBefore(), latch);
    }

    /** Pushes the loop's exclusive end as a long: bound, or bound ± 1 for an inclusive test. */
    static void pushEnd(InsnList out, CountedLoop c) {
        long adjust = c.inclusive() ? (c.up() ? 1 : -1) : 0;
        if (c.bound().size() == 1 && CountedLoopMatcher.isIntConstant(c.bound().get(0))) {
            out.add(PollCode.pushLong(CountedLoopMatcher.intConstant(c.bound().get(0)) + adjust));
            return;
        }
        for (AbstractInsnNode n : c.bound()) {
            out.add(n.clone(new HashMap<>()));
        }
        out.add(new InsnNode(Opcodes.I2L));
        if (adjust != 0) {
            out.add(new InsnNode(Opcodes.LCONST_1));
            out.add(new InsnNode(adjust > 0 ? Opcodes.LADD : Opcodes.LSUB));
        }
    }
}
