package dev.timeslice.agent.rewrite;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Versions a counted loop that is nested in another loop and tested at the top (javac's shape),
 * so that its usual execution is the original loop, byte for byte. Shape ({@code b} = budget,
 * {@code t} = a temporary int local):
 * <pre>
 *   E:       t = PollMath.upTrip(i, end, step)
 *            if (t &gt; loopPoll) goto C                 -- longer than a whole budget, or may wrap
 *            b -= t                                    -- charge the whole trip
 *   H:       &lt;the original loop, unchanged: test, body, goto H&gt;
 *   ...
 *   C:       &lt;a clone of the loop, strip-mined by {@link StripMiner}; exits to the original exits&gt;
 * </pre>
 * The entry charges the loop's whole trip and does not poll: the enclosing loop's back-edge
 * countdown polls as soon as the budget is spent, so between two polls run at most about twice
 * {@code loopPoll} iterations. Only an entry longer than a whole budget (or one whose induction
 * variable could wrap around) runs the strip-mined clone, which polls before each chunk. A
 * {@code break} over-charges, which only brings the next poll earlier.
 *
 * <p>Why this shape (measured on JDK 25, see BENCHMARKS.md): the original inner loop stays exactly
 * as the JIT compiles it without Timeslice; a per-entry poll branch, or any extra work on the
 * entry path, made small inner loops 25-50 % slower (register pressure in the loop nest). C2
 * compiles the never-taken branch to the clone as an uncommon trap only when its profile has at
 * least 40 samples; the branch is on every entry and the loop is nested, so it does, and the clone
 * never compiled into the hot nest (where it cost up to 50 %).
 *
 * <p>Invariants: nothing inside the original loop changes; the clone is covered by copies of the
 * exception-table entries that covered the loop, in the same order; every new label gets a copy of
 * the header's frame (the entry and the clone run with exactly the header's locals and stack); the
 * bound is evaluated at E right before the original test would evaluate it, with the header's line
 * number, so even its exceptions are the same.
 */
final class LoopVersioner {
    private LoopVersioner() {
    }

    /**
     * @param to          the last node of the loop (the back-edge {@code goto}); the first is the header
     * @return the entry label, which now stands for the header for anything outside the loop
     * @param outsideJumps jumps and switches outside the loop that enter it at the header
     * @param headerFrame the header's frame with the rewriter's locals appended, or null
     * @param cover       the exception-table entries covering the header (for the clone's slow entry)
     */
    static LabelNode apply(MethodNode m, CountedLoop c, PollLocals l, FrameNode headerFrame,
                           AbstractInsnNode to, List<AbstractInsnNode> outsideJumps, List<TryCatchBlockNode> cover) {
        LabelNode header = c.header();
        // 1. the strip-mined clone, appended after the method's last instruction
        Map<LabelNode, LabelNode> labels = new HashMap<>();
        for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext()) {
            if (n instanceof LabelNode ln) {
                labels.put(ln, ln);
            }
        }
        List<AbstractInsnNode> range = new ArrayList<>();
        for (AbstractInsnNode n = header; ; n = n.getNext()) {
            range.add(n);
            if (n instanceof LabelNode ln) {
                labels.put(ln, new LabelNode());
            }
            if (n == to) {
                break;
            }
        }
        Map<AbstractInsnNode, AbstractInsnNode> copies = new IdentityHashMap<>();
        InsnList clone = new InsnList();
        for (AbstractInsnNode n : range) {
            AbstractInsnNode k = n.clone(labels);
            copies.put(n, k);
            clone.add(k);
        }
        LabelNode cloneEnd = new LabelNode();
        clone.add(cloneEnd);
        copyTryCatchBlocks(m, range, labels, cloneEnd);
        m.instructions.add(clone);
        LabelNode cloneHeader = labels.get(header);
        List<TryCatchBlockNode> cloneCover = new ArrayList<>();
        for (TryCatchBlockNode t : cover) {
            cloneCover.add(new TryCatchBlockNode(t.start, t.end, labels.get(t.handler), t.type));
        }
        StripMiner.apply(m, c.at(cloneHeader, copies.get(c.headBefore()), copies.get(c.latchBefore())), l,
                headerFrame, cloneCover);

        // 2. the entry check, right before the header
        LabelNode entry = new LabelNode();
        InsnList e = new InsnList();
        e.add(entry);
        if (headerFrame != null) {
            e.add(Frames.copy(headerFrame));
        }
        int line = headerLine(header);
        if (line > 0) {
            e.add(new LineNumberNode(line, entry));
        }
        e.add(new VarInsnNode(Opcodes.ILOAD, c.var()));
        StripMiner.pushEnd(e, c);
        c.pushStep(e);
        e.add(PollCode.pollMath(c.up() ? "upTrip" : "downTrip", "(IJI)I"));
        e.add(new VarInsnNode(Opcodes.ISTORE, l.limit()));
        e.add(new VarInsnNode(Opcodes.ILOAD, l.limit()));
        e.add(PollCode.pushInt(l.loopPoll()));
        e.add(new JumpInsnNode(Opcodes.IF_ICMPGT, cloneHeader));
        e.add(new VarInsnNode(Opcodes.ILOAD, l.budget()));
        e.add(new VarInsnNode(Opcodes.ILOAD, l.limit()));
        e.add(new InsnNode(Opcodes.ISUB));
        e.add(new VarInsnNode(Opcodes.ISTORE, l.budget()));
        m.instructions.insertBefore(header, e);
        for (AbstractInsnNode j : outsideJumps) {
            PollInserter.retarget(j, header, entry);
        }
        return entry;
    }

    /** Copies, for the clone, every exception-table entry that covers part of the loop. */
    private static void copyTryCatchBlocks(MethodNode m, List<AbstractInsnNode> range, Map<LabelNode, LabelNode> labels,
                                           LabelNode cloneEnd) {
        if (m.tryCatchBlocks == null || m.tryCatchBlocks.isEmpty()) {
            return;
        }
        Map<AbstractInsnNode, Integer> pos = new IdentityHashMap<>();
        int k = 0;
        for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext()) {
            pos.put(n, k++);
        }
        int first = pos.get(range.get(0));
        int last = pos.get(range.get(range.size() - 1));
        List<TryCatchBlockNode> copies = new ArrayList<>();
        for (TryCatchBlockNode t : m.tryCatchBlocks) {
            int s = pos.get(t.start);
            int e = pos.get(t.end);
            if (s > last || e <= first) {
                continue;
            }
            LabelNode start = s >= first ? labels.get(t.start) : labels.get((LabelNode) range.get(0));
            LabelNode end = e <= last ? labels.get(t.end) : cloneEnd;
            copies.add(new TryCatchBlockNode(start, end, labels.get(t.handler), t.type));
        }
        m.tryCatchBlocks.addAll(copies);
    }

    /** The line number the header's code is attributed to, or -1. */
    private static int headerLine(LabelNode header) {
        for (AbstractInsnNode n = header.getNext(); n != null && n.getOpcode() < 0; n = n.getNext()) {
            if (n instanceof LineNumberNode ln) {
                return ln.line;
            }
        }
        return -1;
    }
}
