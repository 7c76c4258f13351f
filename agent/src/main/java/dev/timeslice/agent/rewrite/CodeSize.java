package dev.timeslice.agent.rewrite;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.VarInsnNode;

import java.util.HashMap;
import java.util.Map;

/**
 * Bytecode sizes. {@link #upperBound} bounds the length a method's code will have once written,
 * before the constant pool exists: it counts every {@code ldc} as {@code ldc_w}, every switch with
 * the maximum padding, and, past 32 KB, every jump in its widest form. {@link #codeLengths} reads
 * the exact lengths from a class file.
 */
final class CodeSize {
    /** HotSpot's HugeMethodLimit: longer methods are never JIT-compiled (DontCompileHugeMethods). */
    static final int HUGE_METHOD_LIMIT = 8000;
    /** The class-file limit on a method's code length. */
    static final int MAX_CODE_LENGTH = 65535;
    /** The largest code length in which every jump offset fits in 16 bits. */
    static final int SHORT_JUMP_LIMIT = 32767;

    private CodeSize() {
    }

    static int upperBound(MethodNode m) {
        int narrow = size(m, false);
        return narrow <= Short.MAX_VALUE ? narrow : size(m, true);
    }

    private static int size(MethodNode m, boolean wideJumps) {
        int total = 0;
        for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext()) {
            total += size(n, wideJumps);
        }
        return total;
    }

    /** The size of one instruction in narrow form (0 for labels, frames and line numbers). */
    static int size(AbstractInsnNode n) {
        return size(n, false);
    }

    private static int size(AbstractInsnNode n, boolean wideJumps) {
        int op = n.getOpcode();
        if (op < 0) {
            return 0;
        }
        return switch (n.getType()) {
            case AbstractInsnNode.INSN -> 1;
            case AbstractInsnNode.INT_INSN -> ((IntInsnNode) n).getOpcode() == Opcodes.SIPUSH ? 3 : 2;
            case AbstractInsnNode.VAR_INSN -> {
                int var = ((VarInsnNode) n).var;
                yield var < 4 && op != Opcodes.RET ? 1 : var < 256 ? 2 : 4;
            }
            case AbstractInsnNode.TYPE_INSN, AbstractInsnNode.FIELD_INSN -> 3;
            case AbstractInsnNode.METHOD_INSN -> op == Opcodes.INVOKEINTERFACE ? 5 : 3;
            case AbstractInsnNode.INVOKE_DYNAMIC_INSN -> 5;
            case AbstractInsnNode.JUMP_INSN -> !wideJumps ? 3 : (op == Opcodes.GOTO || op == Opcodes.JSR) ? 5 : 8;
            case AbstractInsnNode.LDC_INSN -> 3;
            case AbstractInsnNode.IINC_INSN -> {
                IincInsnNode i = (IincInsnNode) n;
                yield i.var > 255 || i.incr > Byte.MAX_VALUE || i.incr < Byte.MIN_VALUE ? 6 : 3;
            }
            case AbstractInsnNode.TABLESWITCH_INSN -> 1 + 3 + 12 + 4 * ((TableSwitchInsnNode) n).labels.size();
            case AbstractInsnNode.LOOKUPSWITCH_INSN -> 1 + 3 + 8 + 8 * ((LookupSwitchInsnNode) n).labels.size();
            case AbstractInsnNode.MULTIANEWARRAY_INSN -> 4;
            default -> throw new IllegalStateException("unknown instruction type " + n.getType());
        };
    }

    /** Exact code length of every method with code, keyed by {@code name + descriptor}. */
    static Map<String, Integer> codeLengths(ClassReader cr) {
        Map<String, Integer> out = new HashMap<>();
        char[] buf = new char[cr.getMaxStringLength()];
        int off = cr.header + 6;
        off += 2 + 2 * cr.readUnsignedShort(off);
        int fields = cr.readUnsignedShort(off);
        off += 2;
        for (int i = 0; i < fields; i++) {
            off = skipMember(cr, off);
        }
        int methods = cr.readUnsignedShort(off);
        off += 2;
        for (int i = 0; i < methods; i++) {
            String key = cr.readUTF8(off + 2, buf) + cr.readUTF8(off + 4, buf);
            int attrs = cr.readUnsignedShort(off + 6);
            int a = off + 8;
            for (int j = 0; j < attrs; j++) {
                int len = cr.readInt(a + 2);
                if ("Code".equals(cr.readUTF8(a, buf))) {
                    out.put(key, cr.readInt(a + 6 + 4));
                }
                a += 6 + len;
            }
            off = a;
        }
        return out;
    }

    private static int skipMember(ClassReader cr, int off) {
        int attrs = cr.readUnsignedShort(off + 6);
        int a = off + 8;
        for (int j = 0; j < attrs; j++) {
            a += 6 + cr.readInt(a + 2);
        }
        return a;
    }

}
