package dev.timeslice.agent.rewrite;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TypeInsnNode;

/**
 * Routes thread creation in application code to the scheduler (option {@code threads=route}):
 * rewrites the call sites listed in {@link ThreadCallSites} into calls to
 * {@code dev.timeslice.runtime.Routes}, and counts creations it leaves alone (direct
 * {@code Thread} subclasses, fork-join pools).
 *
 * <p>{@code new Thread(args)} compiles to {@code NEW Thread; DUP; <args>; INVOKESPECIAL <init>};
 * it becomes {@code <args>; INVOKESTATIC Routes.newThread(args)Thread}: the NEW/DUP pair is
 * removed and so are the two uninitialized-{@code Thread} entries it put on the stack in every
 * frame between the NEW and the constructor call (frames are expanded and kept by frame
 * tracking; no class hierarchy is needed). A site of any other shape (no DUP after the NEW, the
 * uninitialized object stored in a local) is left alone. Other replacements keep the stack
 * effect (a receiver becomes the first argument) or push one extra argument (the thread
 * factory), so no other frame changes. Runs before the poll stage, on the same trees.
 */
final class RoutingStage extends TreeStage {
    private final boolean keep;
    private String className;
    private String superName;
    private boolean changed;

    /**
     * @param keep {@code threads=keep}: leave thread creation alone, except that a platform
     *             thread created by a non-daemon G (main is G 1, a virtual thread — and the JDK
     *             makes every thread a virtual thread creates a daemon) gets Java's daemon rule
     */
    RoutingStage(ClassVisitor next, boolean keep) {
        super(next);
        this.keep = keep;
    }

    /** Whether any call site of the class was rewritten. */
    boolean changed() {
        return changed;
    }

    @Override
    public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
        this.className = name;
        this.superName = superName;
        super.visit(version, access, name, signature, superName, interfaces);
    }

    @Override
    protected void transform(MethodNode m) {
        if (route(m)) {
            changed = true;
        }
    }

    /** Rewrites the call sites of one method; true if anything changed. */
    boolean route(MethodNode m) {
        boolean any = false;
        boolean threadSubclassConstructor = m.name.equals("<init>") && ThreadCallSites.THREAD.equals(superName)
                && !ThreadCallSites.THREAD.equals(className);
        if (threadSubclassConstructor) {
            // a direct Thread subclass: left alone (it stays a platform thread), counted
            m.instructions.insert(leftAlone("Thread subclass", className));
            any = true;
        }
        Deque<TypeInsnNode> news = new ArrayDeque<>();
        for (AbstractInsnNode insn = m.instructions.getFirst(); insn != null; ) {
            AbstractInsnNode next = insn.getNext();
            if (insn instanceof TypeInsnNode t && t.getOpcode() == Opcodes.NEW) {
                news.push(t);
                if (t.desc.equals("java/util/concurrent/ForkJoinPool")) {
                    m.instructions.insertBefore(t, leftAlone("ForkJoinPool", className));
                    any = true;
                }
            } else if (insn instanceof MethodInsnNode call) {
                if (call.getOpcode() == Opcodes.INVOKESPECIAL && call.name.equals("<init>")) {
                    TypeInsnNode created = !news.isEmpty() && news.peek().desc.equals(call.owner) ? news.pop() : null;
                    if (created == null && threadSubclassConstructor && call.owner.equals(ThreadCallSites.THREAD)) {
                        // super(...) of a Thread subclass: Java's daemon rule, right after it
                        InsnList fix = new InsnList();
                        fix.add(new org.objectweb.asm.tree.VarInsnNode(Opcodes.ALOAD, 0));
                        fix.add(inheritDaemon());
                        m.instructions.insert(call, fix);
                        any = true;
                    } else if (keep) {
                        any |= keepConstructor(m, created, call);
                    } else {
                        any |= routeConstructor(m, created, call);
                    }
                } else if (keep) {
                    any |= keepCall(m, call);
                } else {
                    any |= routeCall(m, call);
                }
            }
            insn = next;
        }
        if (any) {
            m.maxStack += 2;
        }
        return any;
    }

    private boolean routeCall(MethodNode m, MethodInsnNode call) {
        String key = call.owner + "." + call.name + call.desc;
        ThreadCallSites.Static target;
        if (call.getOpcode() == Opcodes.INVOKESTATIC) {
            target = ThreadCallSites.STATIC_CALLS.get(key);
            if (target == null && call.owner.equals(ThreadCallSites.EXECUTORS)) {
                String withFactory = ThreadCallSites.EXECUTOR_FACTORIES.get(call.name + call.desc);
                if (withFactory != null) {
                    m.instructions.insertBefore(call, poolFactory());
                    call.desc = withFactory;
                    return true;
                }
            }
            String alone = target == null ? ThreadCallSites.LEFT_ALONE_CALLS.get(key) : null;
            if (alone != null) {
                m.instructions.insertBefore(call, leftAlone(alone, className));
                return true;
            }
        } else if (call.getOpcode() == Opcodes.INVOKEVIRTUAL || call.getOpcode() == Opcodes.INVOKEINTERFACE) {
            target = ThreadCallSites.INSTANCE_CALLS.get(key);
        } else {
            return false;
        }
        if (target == null) {
            return false;
        }
        m.instructions.set(call, new MethodInsnNode(Opcodes.INVOKESTATIC, ThreadCallSites.ROUTES,
                target.name(), target.desc(), false));
        return true;
    }

    /** threads=keep: {@code new Thread(...)} stays, followed by {@code Routes.inheritDaemon(thread)}. */
    private static boolean keepConstructor(MethodNode m, TypeInsnNode created, MethodInsnNode init) {
        if (created == null || !init.owner.equals(ThreadCallSites.THREAD)) {
            return false;
        }
        InsnList fix = new InsnList();
        fix.add(new InsnNode(Opcodes.DUP));
        fix.add(inheritDaemon());
        m.instructions.insert(init, fix);
        return true;
    }

    /** threads=keep: platform-thread builders keep creating platform threads, with Java's daemon rule. */
    private static boolean keepCall(MethodNode m, MethodInsnNode call) {
        if (call.getOpcode() != Opcodes.INVOKEINTERFACE) {
            return false;
        }
        ThreadCallSites.Static target = ThreadCallSites.INSTANCE_CALLS.get(call.owner + "." + call.name + call.desc);
        if (target == null || !target.name().startsWith("builder")) {
            return false;
        }
        m.instructions.set(call, new MethodInsnNode(Opcodes.INVOKESTATIC, ThreadCallSites.ROUTES,
                target.name().replace("builder", "keepBuilder"), target.desc(), false));
        return true;
    }

    private static MethodInsnNode inheritDaemon() {
        return new MethodInsnNode(Opcodes.INVOKESTATIC, ThreadCallSites.ROUTES, "inheritDaemon", "(Ljava/lang/Thread;)V", false);
    }

    private static boolean routeConstructor(MethodNode m, TypeInsnNode created, MethodInsnNode init) {
        ThreadCallSites.PoolConstructor pool = ThreadCallSites.POOL_CONSTRUCTORS.get(init.owner + init.desc);
        if (pool != null) {
            // also covers super(...) from a pool subclass: it gets our factory too
            InsnList push = poolFactory();
            if (pool.beforeLast()) {
                push.add(new InsnNode(Opcodes.SWAP));
            }
            m.instructions.insertBefore(init, push);
            init.desc = pool.desc();
            return true;
        }
        if (created == null || !init.owner.equals(ThreadCallSites.THREAD)
                || !ThreadCallSites.THREAD_CONSTRUCTORS.contains(init.desc)) {
            return false;
        }
        AbstractInsnNode dup = created.getNext();
        if (dup == null || dup.getOpcode() != Opcodes.DUP) {
            return false;
        }
        LabelNode uninit = labelOf(created);
        if (uninit != null && !dropUninitialized(created, init, uninit)) {
            return false;
        }
        m.instructions.remove(created);
        m.instructions.remove(dup);
        String desc = init.desc.substring(0, init.desc.indexOf(')') + 1) + "Ljava/lang/Thread;";
        m.instructions.set(init, new MethodInsnNode(Opcodes.INVOKESTATIC, ThreadCallSites.ROUTES, "newThread", desc, false));
        return true;
    }

    /** The label frames use to name the uninitialized object a NEW creates (the label just before it), if any. */
    private static LabelNode labelOf(TypeInsnNode newInsn) {
        for (AbstractInsnNode p = newInsn.getPrevious(); p != null; p = p.getPrevious()) {
            if (p instanceof LabelNode l) {
                return l;
            }
            if (p.getOpcode() >= 0) {
                return null; // a real instruction: no label designates this NEW
            }
        }
        return null;
    }

    /**
     * Removes the uninitialized object of {@code newInsn} (two stack slots: the NEW and its DUP)
     * from every frame between it and its constructor call. False, and nothing changed, if a frame
     * holds it anywhere else (a local), which this rewrite does not handle.
     */
    private static boolean dropUninitialized(TypeInsnNode newInsn, MethodInsnNode init, LabelNode uninit) {
        for (AbstractInsnNode p = newInsn.getNext(); p != init; p = p.getNext()) {
            if (p instanceof FrameNode f && f.local != null && f.local.contains(uninit)) {
                return false;
            }
        }
        for (AbstractInsnNode p = newInsn.getNext(); p != init; p = p.getNext()) {
            if (p instanceof FrameNode f && f.stack != null) {
                removeAll(f.stack, uninit);
            }
        }
        return true;
    }

    private static void removeAll(List<Object> types, Object value) {
        types.removeIf(t -> t == value);
    }

    private static InsnList poolFactory() {
        InsnList l = new InsnList();
        l.add(new MethodInsnNode(Opcodes.INVOKESTATIC, ThreadCallSites.ROUTES, "poolThreadFactory",
                "()" + ThreadCallSites.FACTORY, false));
        return l;
    }

    /** Counts a creation left alone, naming {@code internalName} (the subclass, or the creating class). */
    private static InsnList leftAlone(String kind, String internalName) {
        InsnList l = new InsnList();
        l.add(new LdcInsnNode(kind));
        l.add(new LdcInsnNode(internalName.replace('/', '.')));
        l.add(new MethodInsnNode(Opcodes.INVOKESTATIC, ThreadCallSites.ROUTE_STATS, "leftAlone",
                "(Ljava/lang/String;Ljava/lang/String;)V", false));
        return l;
    }
}
