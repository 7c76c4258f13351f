package dev.timeslice.agent.rewrite;

import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Frame tracking without a class hierarchy. The rewriter adds {@code int} locals after the
 * method's own ({@code maxLocals, maxLocals + 1, ...}) and initializes them at method entry, so
 * they hold an {@code int} at every frame: each existing frame gets them appended (padding the
 * unused slots in between with TOP). Every frame the rewriter needs at a new label is a copy of a
 * frame the compiler already declared at a point with the same locals and stack (a loop header),
 * so no type is ever computed or merged. Frames are in ASM's expanded form (F_NEW, one entry per
 * long/double).
 */
final class Frames {
    private Frames() {
    }

    static boolean hasFrames(MethodNode m) {
        for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext()) {
            if (n instanceof FrameNode) {
                return true;
            }
        }
        return false;
    }

    /** Appends {@code extra} int locals at slot {@code firstSlot} to every frame of {@code m}. */
    static void appendIntLocals(MethodNode m, int firstSlot, int extra) {
        for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext()) {
            if (n instanceof FrameNode f) {
                if (f.type != Opcodes.F_NEW) {
                    throw new IllegalStateException("frames must be expanded");
                }
                f.local = withIntLocals(f.local, firstSlot, extra);
            }
        }
    }

    static List<Object> withIntLocals(List<Object> locals, int firstSlot, int extra) {
        List<Object> out = new ArrayList<>(locals == null ? List.of() : locals);
        int slots = 0;
        for (Object o : out) {
            slots += (o == Opcodes.LONG || o == Opcodes.DOUBLE) ? 2 : 1;
        }
        if (slots > firstSlot) {
            throw new IllegalStateException("frame has " + slots + " local slots, max_locals is " + firstSlot);
        }
        for (; slots < firstSlot; slots++) {
            out.add(Opcodes.TOP);
        }
        for (int i = 0; i < extra; i++) {
            out.add(Opcodes.INTEGER);
        }
        return out;
    }

    /** A new frame node equal to {@code f}. */
    static FrameNode copy(FrameNode f) {
        Object[] local = f.local == null ? new Object[0] : f.local.toArray();
        Object[] stack = f.stack == null ? new Object[0] : f.stack.toArray();
        return new FrameNode(Opcodes.F_NEW, local.length, local, stack.length, stack);
    }
}
