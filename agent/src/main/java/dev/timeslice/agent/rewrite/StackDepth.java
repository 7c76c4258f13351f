package dev.timeslice.agent.rewrite;

import java.util.ArrayDeque;
import java.util.Arrays;
import org.objectweb.asm.ConstantDynamic;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MultiANewArrayInsnNode;

/**
 * The operand stack depth, in slots (a long or double counts two), before each node of an
 * unmodified method: cheap enough to run on every method the rewriter plans (one pass, no values),
 * unlike {@link SelfCheck}. With frames it follows the code in order and restarts from each
 * declared frame, as the verifier does; without, it propagates depths along {@link MethodGraph}'s
 * edges. A depth is -1 where the code is unreachable.
 */
final class StackDepth {
    private StackDepth() {
    }

    static int[] of(MethodGraph g) {
        int n = g.size();
        int[] depth = new int[n];
        Arrays.fill(depth, -1);
        if (n == 0) {
            return depth;
        }
        if (g.framed) {
            int d = 0;
            for (int i = 0; i < n; i++) {
                AbstractInsnNode node = g.nodes[i];
                if (node instanceof FrameNode f) {
                    d = slots(f);
                }
                depth[i] = d;
                if (node.getOpcode() >= 0) {
                    d = d < 0 ? -1 : d + delta(node);
                    if (!MethodGraph.fallsThrough(node)) {
                        d = -1;
                    }
                }
            }
            return depth;
        }
        depth[0] = 0;
        ArrayDeque<Integer> work = new ArrayDeque<>();
        work.add(0);
        while (!work.isEmpty()) {
            int i = work.poll();
            AbstractInsnNode node = g.nodes[i];
            int out = node.getOpcode() >= 0 ? depth[i] + delta(node) : depth[i];
            for (int s : g.successors(i)) {
                // an exception edge leaves just the exception on the stack
                int d = g.isReal(i) && !falls(g, i, s) && !MethodGraph.jumpTargets(node).contains(g.nodes[s]) ? 1 : out;
                if (depth[s] < 0) {
                    depth[s] = d;
                    work.add(s);
                }
            }
        }
        return depth;
    }

    private static boolean falls(MethodGraph g, int i, int s) {
        return s == i + 1 && MethodGraph.fallsThrough(g.nodes[i]);
    }

    private static int slots(FrameNode f) {
        int d = 0;
        if (f.stack != null) {
            for (Object o : f.stack) {
                d += o == Opcodes.LONG || o == Opcodes.DOUBLE ? 2 : 1;
            }
        }
        return d;
    }

    /** The change in stack depth (slots) an instruction makes when it completes normally. */
    static int delta(AbstractInsnNode n) {
        int op = n.getOpcode();
        switch (op) {
            case Opcodes.LCONST_0, Opcodes.LCONST_1, Opcodes.DCONST_0, Opcodes.DCONST_1,
                 Opcodes.LLOAD, Opcodes.DLOAD, Opcodes.DUP2, Opcodes.DUP2_X1, Opcodes.DUP2_X2 -> {
                return 2;
            }
            case Opcodes.ACONST_NULL, Opcodes.ICONST_M1, Opcodes.ICONST_0, Opcodes.ICONST_1, Opcodes.ICONST_2,
                 Opcodes.ICONST_3, Opcodes.ICONST_4, Opcodes.ICONST_5, Opcodes.FCONST_0, Opcodes.FCONST_1,
                 Opcodes.FCONST_2, Opcodes.BIPUSH, Opcodes.SIPUSH, Opcodes.ILOAD, Opcodes.FLOAD, Opcodes.ALOAD,
                 Opcodes.DUP, Opcodes.DUP_X1, Opcodes.DUP_X2, Opcodes.I2L, Opcodes.I2D, Opcodes.F2L, Opcodes.F2D,
                 Opcodes.NEW, Opcodes.JSR -> {
                return 1;
            }
            case Opcodes.LDC -> {
                Object c = ((LdcInsnNode) n).cst;
                boolean wide = c instanceof Long || c instanceof Double
                        || (c instanceof ConstantDynamic cd && Type.getType(cd.getDescriptor()).getSize() == 2);
                return wide ? 2 : 1;
            }
            case Opcodes.IALOAD, Opcodes.FALOAD, Opcodes.AALOAD, Opcodes.BALOAD, Opcodes.CALOAD, Opcodes.SALOAD,
                 Opcodes.ISTORE, Opcodes.FSTORE, Opcodes.ASTORE, Opcodes.POP, Opcodes.IADD, Opcodes.FADD,
                 Opcodes.ISUB, Opcodes.FSUB, Opcodes.IMUL, Opcodes.FMUL, Opcodes.IDIV, Opcodes.FDIV, Opcodes.IREM,
                 Opcodes.FREM, Opcodes.ISHL, Opcodes.ISHR, Opcodes.IUSHR, Opcodes.LSHL, Opcodes.LSHR,
                 Opcodes.LUSHR, Opcodes.IAND, Opcodes.IOR, Opcodes.IXOR, Opcodes.L2I, Opcodes.L2F, Opcodes.D2I,
                 Opcodes.D2F, Opcodes.FCMPL, Opcodes.FCMPG, Opcodes.IFEQ, Opcodes.IFNE, Opcodes.IFLT,
                 Opcodes.IFGE, Opcodes.IFGT, Opcodes.IFLE, Opcodes.TABLESWITCH, Opcodes.LOOKUPSWITCH,
                 Opcodes.IRETURN, Opcodes.FRETURN, Opcodes.ARETURN, Opcodes.ATHROW, Opcodes.MONITORENTER,
                 Opcodes.MONITOREXIT, Opcodes.IFNULL, Opcodes.IFNONNULL -> {
                return -1;
            }
            case Opcodes.LSTORE, Opcodes.DSTORE, Opcodes.POP2, Opcodes.LADD, Opcodes.DADD, Opcodes.LSUB,
                 Opcodes.DSUB, Opcodes.LMUL, Opcodes.DMUL, Opcodes.LDIV, Opcodes.DDIV, Opcodes.LREM,
                 Opcodes.DREM, Opcodes.LAND, Opcodes.LOR, Opcodes.LXOR, Opcodes.IF_ICMPEQ, Opcodes.IF_ICMPNE,
                 Opcodes.IF_ICMPLT, Opcodes.IF_ICMPGE, Opcodes.IF_ICMPGT, Opcodes.IF_ICMPLE, Opcodes.IF_ACMPEQ,
                 Opcodes.IF_ACMPNE, Opcodes.LRETURN, Opcodes.DRETURN -> {
                return -2;
            }
            case Opcodes.IASTORE, Opcodes.FASTORE, Opcodes.AASTORE, Opcodes.BASTORE, Opcodes.CASTORE,
                 Opcodes.SASTORE, Opcodes.LCMP, Opcodes.DCMPL, Opcodes.DCMPG -> {
                return -3;
            }
            case Opcodes.LASTORE, Opcodes.DASTORE -> {
                return -4;
            }
            case Opcodes.GETSTATIC, Opcodes.PUTSTATIC, Opcodes.GETFIELD, Opcodes.PUTFIELD -> {
                int size = Type.getType(((FieldInsnNode) n).desc).getSize();
                return switch (op) {
                    case Opcodes.GETSTATIC -> size;
                    case Opcodes.PUTSTATIC -> -size;
                    case Opcodes.GETFIELD -> size - 1;
                    default -> -size - 1;
                };
            }
            case Opcodes.INVOKEVIRTUAL, Opcodes.INVOKESPECIAL, Opcodes.INVOKESTATIC, Opcodes.INVOKEINTERFACE -> {
                int s = Type.getArgumentsAndReturnSizes(((MethodInsnNode) n).desc);
                int args = (s >> 2) - (op == Opcodes.INVOKESTATIC ? 1 : 0);
                return (s & 3) - args;
            }
            case Opcodes.INVOKEDYNAMIC -> {
                int s = Type.getArgumentsAndReturnSizes(((InvokeDynamicInsnNode) n).desc);
                return (s & 3) - ((s >> 2) - 1);
            }
            case Opcodes.MULTIANEWARRAY -> {
                return 1 - ((MultiANewArrayInsnNode) n).dims;
            }
            default -> {
                // NOP, SWAP, IINC, the unary conversions and negations that keep the size, GOTO,
                // RET, RETURN, NEWARRAY, ANEWARRAY, ARRAYLENGTH, CHECKCAST, INSTANCEOF, LALOAD, DALOAD
                return 0;
            }
        }
    }
}
