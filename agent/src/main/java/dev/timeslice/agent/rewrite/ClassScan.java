package dev.timeslice.agent.rewrite;

import java.util.HashSet;
import java.util.Set;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.MethodInsnNode;

/**
 * The cheap path for classes with nothing to rewrite: one streaming pass over the class file
 * (no trees, no frames, no debug information, nothing written) that answers whether any method
 * might need the full pipeline. A method needs it when it has a back-edge (a jump or switch to a
 * label already seen), an exception handler, a {@code jsr}/{@code ret}, a call that is not on
 * {@link CallPolicy}'s allow-list (this covers every thread-creation site {@link RoutingStage}
 * rewrites), or an {@code invokedynamic}; or when it is a {@code main} method and main runs as
 * G 1. {@code <clinit>}, abstract and native methods are never rewritten and are not looked at.
 *
 * <p>Conservative by construction: {@code false} only when {@link MethodRewriter} would leave
 * every method untouched ("bounded: no loop, no call") and no other stage would change anything;
 * anything it is unsure about goes the full way. Stateless; a new visitor per class.
 */
final class ClassScan extends ClassVisitor {
    private final boolean mainMatters;
    private boolean needed;

    private ClassScan(boolean mainMatters) {
        super(Opcodes.ASM9);
        this.mainMatters = mainMatters;
    }

    /**
     * @param mainMatters whether {@code main} methods get the G 1 prologue
     * @return false if the class certainly needs no rewriting
     */
    static boolean mayNeedRewriting(ClassReader cr, boolean mainMatters) {
        ClassScan scan = new ClassScan(mainMatters);
        try {
            cr.accept(scan, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        } catch (Found e) {
            return true;
        }
        return scan.needed;
    }

    /** Stops the pass at the first method that needs the full pipeline. */
    private static final class Found extends RuntimeException {
        static final Found INSTANCE = new Found();

        private Found() {
            super(null, null, false, false);
        }
    }

    private static void found() {
        throw Found.INSTANCE;
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
        if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0 || name.equals("<clinit>")) {
            return null;
        }
        if (mainMatters && name.equals("main")) {
            found();
        }
        return new MethodScan();
    }

    private static final class MethodScan extends MethodVisitor {
        private final Set<Label> seen = new HashSet<>();

        MethodScan() {
            super(Opcodes.ASM9);
        }

        @Override
        public void visitLabel(Label label) {
            seen.add(label);
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            if (opcode == Opcodes.JSR || seen.contains(label)) {
                found();
            }
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
            backward(dflt, labels);
        }

        @Override
        public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
            backward(dflt, labels);
        }

        private void backward(Label dflt, Label[] labels) {
            if (seen.contains(dflt)) {
                found();
            }
            for (Label l : labels) {
                if (seen.contains(l)) {
                    found();
                }
            }
        }

        @Override
        public void visitVarInsn(int opcode, int varIndex) {
            if (opcode == Opcodes.RET) {
                found();
            }
        }

        @Override
        public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
            found();
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            if (!CallPolicy.allowListed(new MethodInsnNode(opcode, owner, name, descriptor, isInterface))) {
                found();
            }
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, Handle bsm, Object... bsmArgs) {
            found();
        }
    }
}
