package dev.timeslice.agent.rewrite;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
 * G 1. Abstract and native methods are not looked at. A {@code <clinit>} is looked at like any
 * method: it never gets polls, but its thread-creation sites are routed (a static pool field).
 *
 * <p>Conservative by construction: {@code false} only when {@link MethodRewriter} would leave
 * every method untouched ("bounded: no loop, no call") and no other stage would change anything;
 * anything it is unsure about goes the full way. Stateless; a new visitor per class.
 *
 * <p>{@link #methodsToRewrite} answers the same question per method: the pipeline then builds
 * trees only for those, and ASM copies every other method's bytes as they are (a class writer
 * made from the reader copies a method the stages pass through untouched).
 *
 * <p>The same pass records the class's calls to its own methods (owner = this class), and
 * {@link Scan#cyclic} names the methods on a cycle of them (self-recursion included): the
 * methods whose return polls {@link MethodRewriter} keeps even where they cost HotSpot an
 * inlining ({@link InlineLimits}). Calls through other owners (a subclass, an interface) are not
 * followed.
 */
final class ClassScan extends ClassVisitor {
    private final boolean mainMatters;
    private final Set<String> needed = new HashSet<>();
    /** name + descriptor -> the methods of this class it calls, in order of appearance. */
    private final Map<String, List<String>> selfCalls = new HashMap<>();
    private String className = "";

    /**
     * What the scan found: {@link #needed} as {@link #methodsToRewrite}; {@link #cyclic}, the
     * methods ({@code name + descriptor}) on a cycle of calls within the class, found on first
     * use: most classes are never asked (nothing to rewrite, or no method near a limit).
     */
    static final class Scan {
        private final ClassScan source;
        private Set<String> cyclic;

        private Scan(ClassScan source) {
            this.source = source;
        }

        Set<String> needed() {
            return source.needed;
        }

        Set<String> cyclic() {
            if (cyclic == null) {
                cyclic = source.cyclic();
            }
            return cyclic;
        }
    }

    private ClassScan(boolean mainMatters) {
        super(Opcodes.ASM9);
        this.mainMatters = mainMatters;
    }

    /**
     * @param mainMatters whether {@code main} methods get the G 1 prologue
     * @return false if the class certainly needs no rewriting
     */
    static boolean mayNeedRewriting(ClassReader cr, boolean mainMatters) {
        return !methodsToRewrite(cr, mainMatters).isEmpty();
    }

    /**
     * The methods ({@code name + descriptor}) that may need the full pipeline; every other method
     * certainly comes out of it unchanged.
     */
    static Set<String> methodsToRewrite(ClassReader cr, boolean mainMatters) {
        return scan(cr, mainMatters).needed();
    }

    static Scan scan(ClassReader cr, boolean mainMatters) {
        ClassScan scan = new ClassScan(mainMatters);
        cr.accept(scan, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return new Scan(scan);
    }

    @Override
    public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
        className = name;
    }

    /** Tarjan's strongly connected components over {@link #selfCalls}, iteratively. */
    private Set<String> cyclic() {
        Set<String> out = new HashSet<>();
        if (selfCalls.isEmpty()) {
            return out;
        }
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        List<String> stack = new ArrayList<>();
        Set<String> onStack = new HashSet<>();
        for (String root : selfCalls.keySet()) {
            if (index.containsKey(root)) {
                continue;
            }
            // explicit DFS stack of (method, next callee position)
            List<String> path = new ArrayList<>();
            List<Integer> next = new ArrayList<>();
            path.add(root);
            next.add(0);
            index.put(root, index.size());
            low.put(root, index.get(root));
            stack.add(root);
            onStack.add(root);
            while (!path.isEmpty()) {
                int top = path.size() - 1;
                String v = path.get(top);
                List<String> callees = selfCalls.getOrDefault(v, List.of());
                int i = next.get(top);
                if (i < callees.size()) {
                    next.set(top, i + 1);
                    String w = callees.get(i);
                    if (w.equals(v)) {
                        out.add(v); // self-recursive
                    }
                    if (!index.containsKey(w)) {
                        index.put(w, index.size());
                        low.put(w, index.get(w));
                        stack.add(w);
                        onStack.add(w);
                        path.add(w);
                        next.add(0);
                    } else if (onStack.contains(w)) {
                        low.put(v, Math.min(low.get(v), index.get(w)));
                    }
                    continue;
                }
                path.remove(top);
                next.remove(top);
                if (top > 0) {
                    String parent = path.get(top - 1);
                    low.put(parent, Math.min(low.get(parent), low.get(v)));
                }
                if (low.get(v).equals(index.get(v))) {
                    List<String> component = new ArrayList<>();
                    String w;
                    do {
                        w = stack.remove(stack.size() - 1);
                        onStack.remove(w);
                        component.add(w);
                    } while (!w.equals(v));
                    if (component.size() > 1) {
                        out.addAll(component);
                    }
                }
            }
        }
        return out;
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
        if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
            return null;
        }
        String key = name + descriptor;
        if (mainMatters && name.equals("main")) {
            needed.add(key);
        }
        return new MethodScan(this, key);
    }

    /** Records its method as needed at the first instruction that may need the pipeline. */
    private static final class MethodScan extends MethodVisitor {
        private final Set<Label> seen = new HashSet<>();
        private final ClassScan scan;
        private final String key;
        private boolean found;

        MethodScan(ClassScan scan, String key) {
            super(Opcodes.ASM9);
            this.scan = scan;
            this.key = key;
            found = scan.needed.contains(key);
        }

        private void found() {
            if (!found) {
                found = true;
                scan.needed.add(key);
            }
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
            if (owner.equals(scan.className)) {
                scan.selfCalls.computeIfAbsent(key, k -> new ArrayList<>()).add(name + descriptor);
            }
            if (!found && !CallPolicy.allowListed(new MethodInsnNode(opcode, owner, name, descriptor, isInterface))) {
                found();
            }
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, Handle bsm, Object... bsmArgs) {
            found();
        }
    }
}
