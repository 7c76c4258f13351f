package dev.timeslice.agent.rewrite;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicInterpreter;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.Frame;

/**
 * The rewriter's defence in depth: a structural re-check of a rewritten method, without the class
 * hierarchy, of what HotSpot's verifier would reject for reasons the rewriter can cause. It is run
 * on every method the rewriter changed before the class goes back to the JVM; a method that fails
 * keeps its original code (see {@link MethodRewriter}).
 *
 * <p>For a method with stack map frames it does what the split verifier does, in one linear pass:
 * every instruction that follows an unconditional transfer ({@code goto}, return, {@code athrow},
 * switch) and every jump, switch and handler target must carry a frame; the state flowing into a
 * frame (by fall-through, by a jump, or into a handler from each covered instruction, before and
 * after it) must be assignable to it, and the pass then continues from the declared frame. Value
 * kinds are compared exactly (int, float, long, double, reference); references are not compared
 * with each other (that needs the class hierarchy; the rewriter never changes a reference's type).
 * Stack overflow against {@code max_stack} and local slots beyond {@code max_locals} fail too.
 * For a method without frames (class files before version 50) ASM's {@link Analyzer} checks that
 * stack heights agree where paths join and that {@code max_stack} suffices.
 */
final class SelfCheck {
    private static final BasicInterpreter INTERPRETER = new BasicInterpreter();

    private SelfCheck() {
    }

    /** Null when {@code m} passes, else what is wrong (with the instruction index). */
    static String check(String owner, MethodNode m, boolean framed) {
        try {
            if (framed) {
                new Linear(m).run();
            } else {
                new Analyzer<>(INTERPRETER).analyze(owner, m);
            }
            return null;
        } catch (AnalyzerException | RuntimeException e) {
            return e.getMessage() == null ? e.toString() : e.getMessage();
        }
    }

    /** The linear split-verifier pass. */
    private static final class Linear {
        private final MethodNode m;
        private final AbstractInsnNode[] nodes;
        private final Map<LabelNode, FrameNode> frameAtLabel = new IdentityHashMap<>();
        private final Map<LabelNode, Integer> position = new IdentityHashMap<>();
        private final Map<FrameNode, Frame<BasicValue>> declared = new HashMap<>();
        /** Per exception-table entry: its range [start, end) as node positions, and its handler. */
        private final int[] tcbStart;
        private final int[] tcbEnd;
        private final LabelNode[] tcbHandler;

        Linear(MethodNode m) {
            this.m = m;
            this.nodes = m.instructions.toArray();
            for (int i = 0; i < nodes.length; i++) {
                if (nodes[i] instanceof LabelNode l) {
                    position.put(l, i);
                    FrameNode f = frameAfter(i);
                    if (f != null) {
                        frameAtLabel.put(l, f);
                    }
                }
            }
            int t = m.tryCatchBlocks == null ? 0 : m.tryCatchBlocks.size();
            tcbStart = new int[t];
            tcbEnd = new int[t];
            tcbHandler = new LabelNode[t];
            for (int k = 0; k < t; k++) {
                TryCatchBlockNode tcb = m.tryCatchBlocks.get(k);
                tcbStart[k] = position.get(tcb.start);
                tcbEnd[k] = position.get(tcb.end);
                tcbHandler[k] = tcb.handler;
            }
        }

        /** The frame declared for the instruction that label position {@code i} stands for. */
        private FrameNode frameAfter(int i) {
            for (int k = i; k < nodes.length && nodes[k].getOpcode() < 0; k++) {
                if (nodes[k] instanceof FrameNode f) {
                    return f;
                }
            }
            return null;
        }

        void run() throws AnalyzerException {
            Frame<BasicValue> cur = entryFrame();
            boolean frameSinceInsn = false;
            for (int i = 0; i < nodes.length; i++) {
                AbstractInsnNode n = nodes[i];
                if (n instanceof FrameNode f) {
                    if (frameSinceInsn) {
                        throw new AnalyzerException(n, "two stack map frames at one offset (node " + i + ")");
                    }
                    frameSinceInsn = true;
                    Frame<BasicValue> d = declared(f);
                    if (cur != null) {
                        assignable(cur, d, i, "fall-through");
                    }
                    cur = new Frame<>(d);
                    continue;
                }
                if (n.getOpcode() < 0) {
                    continue;
                }
                frameSinceInsn = false;
                if (cur == null) {
                    throw new AnalyzerException(n, "no stack map frame at instruction " + i
                            + " after an unconditional transfer");
                }
                handlers(cur, i);
                cur.execute(n, INTERPRETER);
                if (n instanceof org.objectweb.asm.tree.VarInsnNode || n instanceof org.objectweb.asm.tree.IincInsnNode) {
                    handlers(cur, i); // a store changes the locals a handler sees after it
                }
                for (LabelNode target : MethodGraph.jumpTargets(n)) {
                    FrameNode f = frameAtLabel.get(target);
                    if (f == null) {
                        throw new AnalyzerException(n, "no stack map frame at the target of instruction " + i);
                    }
                    assignable(cur, declared(f), i, "jump");
                }
                if (!MethodGraph.fallsThrough(n)) {
                    cur = null;
                }
            }
            if (cur != null) {
                throw new AnalyzerException(null, "execution falls off the end of the code");
            }
        }

        /** The state at instruction {@code i} must be accepted by every handler covering it. */
        private void handlers(Frame<BasicValue> cur, int i) throws AnalyzerException {
            for (int k = 0; k < tcbStart.length; k++) {
                if (i < tcbStart[k] || i >= tcbEnd[k]) {
                    continue;
                }
                FrameNode f = frameAtLabel.get(tcbHandler[k]);
                if (f == null) {
                    throw new AnalyzerException(nodes[i], "no stack map frame at a handler covering instruction " + i);
                }
                Frame<BasicValue> h = declared(f);
                if (h.getStackSize() != 1 || h.getStack(0) != BasicValue.REFERENCE_VALUE) {
                    throw new AnalyzerException(nodes[i], "a handler's frame must hold one reference on the stack");
                }
                for (int l = 0; l < h.getLocals(); l++) {
                    if (!accepts(h.getLocal(l), cur.getLocal(l))) {
                        throw new AnalyzerException(nodes[i], "local " + l + " at instruction " + i
                                + " does not match the frame of a handler covering it");
                    }
                }
            }
        }

        private void assignable(Frame<BasicValue> from, Frame<BasicValue> to, int i, String how)
                throws AnalyzerException {
            if (from.getStackSize() != to.getStackSize()) {
                throw new AnalyzerException(nodes[i], how + " at instruction " + i + ": stack size "
                        + from.getStackSize() + " where the frame declares " + to.getStackSize());
            }
            for (int k = 0; k < to.getStackSize(); k++) {
                if (!accepts(to.getStack(k), from.getStack(k)) || to.getStack(k) == BasicValue.UNINITIALIZED_VALUE) {
                    throw new AnalyzerException(nodes[i], how + " at instruction " + i + ": stack entry " + k
                            + " is " + from.getStack(k) + " where the frame declares " + to.getStack(k));
                }
            }
            for (int k = 0; k < to.getLocals(); k++) {
                if (!accepts(to.getLocal(k), from.getLocal(k))) {
                    throw new AnalyzerException(nodes[i], how + " at instruction " + i + ": local " + k
                            + " is " + from.getLocal(k) + " where the frame declares " + to.getLocal(k));
                }
            }
        }

        /** Whether a slot declared {@code declared} accepts {@code actual}. */
        private static boolean accepts(BasicValue declared, BasicValue actual) {
            return declared == BasicValue.UNINITIALIZED_VALUE || declared.equals(actual);
        }

        private Frame<BasicValue> entryFrame() {
            Frame<BasicValue> f = new Frame<>(m.maxLocals, m.maxStack);
            int slot = 0;
            if ((m.access & Opcodes.ACC_STATIC) == 0) {
                f.setLocal(slot++, BasicValue.REFERENCE_VALUE);
            }
            for (Type t : Type.getArgumentTypes(m.desc)) {
                f.setLocal(slot++, INTERPRETER.newValue(t));
                if (t.getSize() == 2) {
                    f.setLocal(slot++, BasicValue.UNINITIALIZED_VALUE);
                }
            }
            for (; slot < m.maxLocals; slot++) {
                f.setLocal(slot, BasicValue.UNINITIALIZED_VALUE);
            }
            return f;
        }

        private Frame<BasicValue> declared(FrameNode fn) {
            Frame<BasicValue> cached = declared.get(fn);
            if (cached != null) {
                return cached;
            }
            if (fn.type != Opcodes.F_NEW) {
                throw new IllegalStateException("frames must be expanded");
            }
            Frame<BasicValue> f = new Frame<>(m.maxLocals, m.maxStack);
            int slot = 0;
            if (fn.local != null) {
                for (Object o : fn.local) {
                    BasicValue v = value(o);
                    f.setLocal(slot++, v);
                    if (v.getSize() == 2) {
                        f.setLocal(slot++, BasicValue.UNINITIALIZED_VALUE);
                    }
                }
            }
            for (; slot < m.maxLocals; slot++) {
                f.setLocal(slot, BasicValue.UNINITIALIZED_VALUE);
            }
            if (fn.stack != null) {
                for (Object o : fn.stack) {
                    f.push(value(o));
                }
            }
            declared.put(fn, f);
            return f;
        }

        private static BasicValue value(Object o) {
            if (o == Opcodes.TOP) {
                return BasicValue.UNINITIALIZED_VALUE;
            } else if (o == Opcodes.INTEGER) {
                return BasicValue.INT_VALUE;
            } else if (o == Opcodes.FLOAT) {
                return BasicValue.FLOAT_VALUE;
            } else if (o == Opcodes.LONG) {
                return BasicValue.LONG_VALUE;
            } else if (o == Opcodes.DOUBLE) {
                return BasicValue.DOUBLE_VALUE;
            }
            return BasicValue.REFERENCE_VALUE; // NULL, UNINITIALIZED_THIS, a type name, a label (new)
        }
    }
}
