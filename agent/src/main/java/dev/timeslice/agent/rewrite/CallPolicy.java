package dev.timeslice.agent.rewrite;

import dev.timeslice.agent.ClassFilter;
import java.util.Set;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;

/**
 * Decides, per call instruction, whether the callee is <em>bounded</em>: it either polls on its own
 * (its class will be rewritten too, so it polls at its returns and in its loops) or it is a JDK
 * method on a short allow-list of cheap, loop-free-or-input-bounded helpers. A loop whose calls are
 * all bounded is treated as call-free (iteration budget); any other call, and every
 * {@code invokedynamic}, may run for a long time without polling, so such loops poll at every
 * back-edge.
 *
 * <p>Known approximation: a virtual call is judged by its symbolic owner, so a call through an
 * application subclass to a method it inherits from the JDK counts as bounded.
 */
final class CallPolicy {
    /** JDK classes all of whose methods are cheap and bounded by their arguments. */
    private static final Set<String> BOUNDED_CLASSES = Set.of(
            "java/lang/Math", "java/lang/StrictMath",
            "java/lang/Integer", "java/lang/Long", "java/lang/Short", "java/lang/Byte",
            "java/lang/Character", "java/lang/Boolean", "java/lang/Double", "java/lang/Float");
    /** Single JDK methods, as owner.name. */
    private static final Set<String> BOUNDED_METHODS = Set.of(
            "java/lang/Object.<init>", "java/lang/Object.getClass",
            "java/lang/Record.<init>", "java/lang/Enum.<init>", "java/lang/Enum.ordinal",
            "java/lang/String.charAt", "java/lang/String.length", "java/lang/String.isEmpty",
            "java/lang/String.codePointAt",
            "java/util/Objects.requireNonNull", "java/util/Objects.checkIndex",
            "java/util/Objects.isNull", "java/util/Objects.nonNull");

    /**
     * Small JDK methods that C2 inlines at a monomorphic site (bytecode well under FreqInlineSize,
     * no loop of their own, or one bounded by their argument), that run in O(1) amortized time and
     * call no application code. A loop whose only other calls are these is treated as call-free
     * ({@link #inlined}): counted, it is strip-mined or versioned; otherwise it gets the iteration
     * budget, with a weight of 1 instead of the call-loop weight. Judged by owner, name and
     * descriptor only: no class is loaded or resolved. Interface owners ({@code List}) are a known
     * approximation: {@code LinkedList.get} is O(n); a non-counted loop of such calls polls every
     * {@link RewriteConfig#INLINED_CALL_LOOP_POLL} iterations, a strip-mined one every chunk (up to
     * {@code loopPoll} iterations); an application implementation is rewritten and polls on its own.
     */
    private static final Set<String> INLINED_METHODS = Set.of(
            "java/util/ArrayList.get(I)Ljava/lang/Object;", "java/util/ArrayList.size()I",
            "java/util/ArrayList.isEmpty()Z", "java/util/ArrayList.set(ILjava/lang/Object;)Ljava/lang/Object;",
            "java/util/List.get(I)Ljava/lang/Object;", "java/util/List.size()I", "java/util/List.isEmpty()Z",
            "java/lang/StringBuilder.append(C)Ljava/lang/StringBuilder;",
            "java/lang/StringBuilder.append(I)Ljava/lang/StringBuilder;",
            "java/lang/StringBuilder.append(J)Ljava/lang/StringBuilder;",
            "java/lang/StringBuilder.append(Z)Ljava/lang/StringBuilder;",
            "java/lang/StringBuilder.length()I", "java/lang/StringBuilder.charAt(I)C",
            "java/util/BitSet.get(I)Z", "java/util/BitSet.set(I)V", "java/util/BitSet.clear(I)V");

    private final ClassFilter filter;

    CallPolicy(ClassFilter filter) {
        this.filter = filter;
    }

    /** True for calls that cannot keep the thread away from a poll for long. */
    boolean bounded(AbstractInsnNode insn) {
        if (insn instanceof InvokeDynamicInsnNode) {
            return false;
        }
        MethodInsnNode m = (MethodInsnNode) insn;
        if (m.owner.startsWith("[")) {
            return false;
        }
        return filter.rewrites(m.owner) || allowListed(m);
    }

    /**
     * True for a call to one of the small, O(1) JDK methods C2 inlines ({@link #INLINED_METHODS}):
     * not {@link #bounded} (the loop would otherwise take the call-loop form), but cheap enough
     * that a loop calling only these polls as a call-free loop does.
     */
    static boolean inlined(AbstractInsnNode insn) {
        return insn instanceof MethodInsnNode m && INLINED_METHODS.contains(m.owner + "." + m.name + m.desc);
    }

    /** True for JDK calls that are cheap enough that a loop-free caller needs no return poll. */
    static boolean allowListed(AbstractInsnNode insn) {
        if (!(insn instanceof MethodInsnNode m)) {
            return false;
        }
        return BOUNDED_CLASSES.contains(m.owner) || BOUNDED_METHODS.contains(m.owner + "." + m.name);
    }
}
