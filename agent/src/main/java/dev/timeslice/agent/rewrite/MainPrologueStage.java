package dev.timeslice.agent.rewrite;

import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Makes {@code main} run as G 1: every method a launcher may pick as the program's entry point —
 * {@code main(String[])} or {@code main()}, static or instance (JEP 512), not private — starts
 * with
 *
 * <pre>
 *   if (Launcher.enterMain(&lt;this main as a MethodHandle&gt;[, this][, args])) return;
 * </pre>
 *
 * The first such call on the JVM's main thread runs the method again as G 1 and returns true
 * when it is done; every other call returns false and the body runs. Class files older than
 * Java 7 (version 51) cannot load a method handle constant: their static {@code main(String[])}
 * (the only entry point such a file can declare) calls {@code Launcher.enterMainLegacy(args)},
 * which finds the class on the stack.
 * The label after the prologue gets the method's entry frame (frames are expanded; no
 * hierarchy needed).
 */
final class MainPrologueStage extends TreeStage {
    static final String LAUNCHER = "dev/timeslice/runtime/Launcher";
    private String className;
    private int version;
    private boolean isInterface;
    private boolean changed;

    MainPrologueStage(ClassVisitor next) {
        super(next);
    }

    boolean changed() {
        return changed;
    }

    @Override
    public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
        this.className = name;
        this.version = version & 0xFFFF;
        this.isInterface = (access & Opcodes.ACC_INTERFACE) != 0;
        super.visit(version, access, name, signature, superName, interfaces);
    }

    static boolean isEntryPoint(int access, String name, String descriptor) {
        return name.equals("main")
                && (descriptor.equals("([Ljava/lang/String;)V") || descriptor.equals("()V"))
                && (access & (Opcodes.ACC_PRIVATE | Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0;
    }

    @Override
    protected boolean wants(int access, String name, String descriptor) {
        return isEntryPoint(access, name, descriptor)
                && (version >= Opcodes.V1_7 || descriptor.equals("([Ljava/lang/String;)V") && (access & Opcodes.ACC_STATIC) != 0);
    }

    @Override
    protected void transform(MethodNode m) {
        addPrologue(m);
        changed = true;
    }

    /** Does the method already have a frame at its first instruction (a branch target at offset 0)? */
    private static boolean startsWithFrame(MethodNode m) {
        for (var insn = m.instructions.getFirst(); insn != null && insn.getOpcode() < 0; insn = insn.getNext()) {
            if (insn instanceof FrameNode) {
                return true; // the entry frame, which is also ours
            }
        }
        return false;
    }

    private void addPrologue(MethodNode m) {
        boolean isStatic = (m.access & Opcodes.ACC_STATIC) != 0;
        boolean hasArgs = m.desc.startsWith("([");
        int tag = isStatic ? Opcodes.H_INVOKESTATIC : isInterface ? Opcodes.H_INVOKEINTERFACE : Opcodes.H_INVOKEVIRTUAL;
        InsnList p = new InsnList();
        if (version < Opcodes.V1_7) {
            p.add(new VarInsnNode(Opcodes.ALOAD, 0));
            p.add(new MethodInsnNode(Opcodes.INVOKESTATIC, LAUNCHER, "enterMainLegacy", "([Ljava/lang/String;)Z", false));
        } else {
            p.add(new LdcInsnNode(new Handle(tag, className, m.name, m.desc, isInterface)));
            StringBuilder desc = new StringBuilder("(Ljava/lang/invoke/MethodHandle;");
            if (!isStatic) {
                p.add(new VarInsnNode(Opcodes.ALOAD, 0));
                desc.append("Ljava/lang/Object;");
            }
            if (hasArgs) {
                p.add(new VarInsnNode(Opcodes.ALOAD, isStatic ? 0 : 1));
                desc.append("[Ljava/lang/String;");
            }
            desc.append(")Z");
            p.add(new MethodInsnNode(Opcodes.INVOKESTATIC, LAUNCHER, isStatic ? "enterMain" : "enterMainInstance",
                    desc.toString(), false));
        }
        LabelNode body = new LabelNode();
        p.add(new JumpInsnNode(Opcodes.IFEQ, body));
        p.add(new InsnNode(Opcodes.RETURN));
        p.add(body);
        if ((version >= Opcodes.V1_7 || Frames.hasFrames(m)) && !startsWithFrame(m)) {
            List<Object> locals = new ArrayList<>();
            if (!isStatic) {
                locals.add(className);
            }
            if (hasArgs) {
                locals.add("[Ljava/lang/String;");
            }
            p.add(new FrameNode(Opcodes.F_NEW, locals.size(), locals.toArray(), 0, new Object[0]));
        }
        m.instructions.insert(p);
        m.maxStack = Math.max(m.maxStack, 3);
    }
}
