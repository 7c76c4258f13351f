package dev.timeslice.agent.rewrite;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;

/**
 * Rewrites one method. Rules (see also {@link StripMiner}, {@link PollInserter}):
 * <ol>
 *   <li>abstract/native methods and {@code <clinit>} are never touched (a yield inside a class
 *       initializer cannot unmount);</li>
 *   <li>a method with no loop whose calls are all allow-listed cheap JDK calls is bounded: untouched;</li>
 *   <li>every other method polls ({@link PollCode#poll()}) at its returns: all of them if it has a
 *       loop, else those reached after a call ({@link ReturnPolls}); a loop-free method whose
 *       polls would take it past one of HotSpot's inlining limits ({@link InlineLimits}) polls with
 *       bare calls, or, unless it recurses within its class, not at all;</li>
 *   <li>a loop whose only calls are small JDK methods that C2 inlines and that run in O(1)
 *       ({@link CallPolicy#inlined}: {@code ArrayList.get}, {@code StringBuilder.append(int)}...)
 *       is polled as a call-free loop below (counted: strip-mined or versioned; else the budget,
 *       charging {@code loopPoll / 1024} per iteration);</li>
 *   <li>a loop whose body has a call that may not poll (JDK outside the allow-lists, excluded classes,
 *       {@code invokedynamic}) polls ({@code pollCallLoop}) every {@code callLoopPoll} iterations
 *       (default 64; 1 = every back-edge), through the same budget charged more per iteration;</li>
 *   <li>an innermost counted loop that {@link CountedLoopMatcher} proves safe is versioned when its
 *       test is at the top and it is nested in another loop (the original loop runs unchanged
 *       when its whole trip fits in the budget), and strip-mined in place otherwise — except a
 *       loop whose body is over {@link #MAX_CHUNKED_BODY} bytes or whose header other back-edges
 *       also target: those get the budget below;</li>
 *   <li>every other back-edge decrements the per-invocation budget, shared by all loops of the
 *       invocation, and calls {@code pollLoop} when it runs out (several {@code goto}s back to one
 *       header share one countdown, see {@code backEdge});</li>
 *   <li>a loop closed only by an exception edge polls ({@code pollCallLoop}) in its handler, once the
 *       exception is stored.</li>
 * </ol>
 * Every poll is {@code if (Safepoint.word != 0) Safepoint.pollX()}, except in the size-limited form
 * (see {@link PollCode}).
 * Size: if the result would push a method over HotSpot's HugeMethodLimit (8000 bytes) while the
 * original was under it, or over 64 KB, the next cheaper form is tried ({@link Form}); if none
 * fits, the original code is kept and reported. The original method node is never modified.
 */
public final class MethodRewriter {

    /** Rewriting forms, from best to cheapest in code size. */
    public enum Form {
        /** counted loops tested at the top versioned ({@link LoopVersioner}), other counted loops
         *  strip-mined in place, iteration budget elsewhere. */
        FULL,
        /** every counted loop strip-mined in place (no code duplication). */
        STRIP,
        /** iteration budget on every call-free back-edge. */
        COUNTERS,
        /** a poll call at every back-edge (3 bytes each). */
        MINIMAL
    }

    public enum Status { UNTOUCHED, REWRITTEN, KEPT_ORIGINAL, SKIPPED }

    /** What happened to one method. {@code method} is the node to emit. */
    record Outcome(MethodNode method, Status status, Form form, int versioned, int stripMined, int counters,
                   int callLoops, int returnPolls, String note) {
        static Outcome of(MethodNode m, Status s, String note) {
            return new Outcome(m, s, null, 0, 0, 0, 0, 0, note);
        }
    }

    private final RewriteConfig config;
    private final ClassContext cls;

    MethodRewriter(RewriteConfig config, ClassContext cls) {
        this.config = config;
        this.cls = cls;
    }

    /** @param originalLength the method's exact code length in the input class file, or -1 */
    Outcome rewrite(MethodNode original, int originalLength) {
        if ((original.access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0
                || original.instructions.size() == 0 || original.name.equals("<clinit>")) {
            return Outcome.of(original, Status.UNTOUCHED, "no code to rewrite");
        }
        for (AbstractInsnNode n = original.instructions.getFirst(); n != null; n = n.getNext()) {
            if (n.getOpcode() == Opcodes.JSR || n.getOpcode() == Opcodes.RET) {
                return Outcome.of(original, Status.SKIPPED, "jsr/ret subroutines are not supported");
            }
        }
        boolean framed = cls.majorVersion() >= Opcodes.V1_7 || Frames.hasFrames(original);
        MethodGraph graph = new MethodGraph(original, framed);
        LoopAnalysis first = LoopAnalysis.of(graph, config.callPolicy());
        if (first.loops.isEmpty() && !first.hasPollingWorthyCall) {
            return Outcome.of(original, Status.UNTOUCHED, "bounded: no loop, no call");
        }
        int before = originalLength >= 0 ? originalLength : CodeSize.upperBound(original);
        String last = null;
        String rejected = null;
        // once per method: every form's copy has the original's nodes in the same order
        int[] depths = StackDepth.of(graph);
        for (Form form : Form.values()) {
            if (form.ordinal() < config.bestForm().ordinal()) {
                continue;
            }
            original.instructions.resetLabels();
            MethodNode work = copy(original);
            Outcome o;
            try {
                o = apply(work, form, framed, depths, Returns.GUARDED);
            } catch (RuntimeException e) {
                rejected = note(rejected, form, "internal error: " + e);
                continue;
            }
            String bad = SelfCheck.check(cls.name(), work, framed);
            if (bad != null) {
                // a rewriter bug: never hand the JVM code that would not verify; try a simpler form
                rejected = note(rejected, form, bad);
                continue;
            }
            int after = CodeSize.upperBound(work);
            boolean huge = before <= CodeSize.HUGE_METHOD_LIMIT && after > CodeSize.HUGE_METHOD_LIMIT;
            // past 32 KB, jumps need wide offsets, which ASM can only emit by recomputing frames
            // (it needs the class hierarchy for that): found by the fuzzer in javac's nested finally
            boolean wide = before <= CodeSize.SHORT_JUMP_LIMIT && after > CodeSize.SHORT_JUMP_LIMIT;
            if (!huge && !wide && after <= CodeSize.MAX_CODE_LENGTH) {
                // no loop polls (no loop, or only the self-covering handler loops of javac's finally)
                if (o.returnPolls() > 0 && o.versioned() + o.stripMined() + o.counters() + o.callLoops() == 0) {
                    o = fitInlineLimits(original, o, form, framed, depths, before, after);
                }
                return rejected == null ? o : new Outcome(o.method(), o.status(), o.form(), o.versioned(),
                        o.stripMined(), o.counters(), o.callLoops(), o.returnPolls(), SELF_CHECK + rejected);
            }
            last = huge ? "would exceed HugeMethodLimit (" + before + " -> " + after + " bytes)"
                    : wide ? "would need wide jumps (" + before + " -> " + after + " bytes)"
                    : "would exceed 64 KB (" + after + " bytes)";
        }
        original.instructions.resetLabels();
        return Outcome.of(original, Status.KEPT_ORIGINAL, rejected != null ? SELF_CHECK + rejected : last);
    }

    /** How a method's return polls are emitted. */
    private enum Returns {
        /** the shared tail {@code if (Safepoint.word != 0) Safepoint.poll()} ({@link ReturnPolls}) */
        GUARDED,
        /** a bare {@code Safepoint.poll()} call before each polled return: 3 bytes each */
        BARE
    }

    /**
     * A loop-free method whose return polls make it grow across one of HotSpot's inlining limits
     * ({@link InlineLimits}): with bare calls if those fit under the limit; else, if the method is
     * on a cycle of calls within its class (recursion, which only return polls can preempt), as it
     * is; else without return polls. The method then ran a bounded amount of code plus its
     * calls, and every caller that is rewritten polls at its own return or back-edge; a loop in
     * code that is not rewritten calling it stays covered by sysmon's handoff. A bare call costs
     * nothing in the profile: the method has no loop for C2 to lay out around it.
     *
     * @param before the original's exact length; {@code after} the rewritten one's upper bound
     */
    private Outcome fitInlineLimits(MethodNode original, Outcome guarded, Form form, boolean framed, int[] depths,
                                    int before, int after) {
        // the rewritten length as its upper bound: an ldc may come out 1 byte wider than it was
        // (a constant pool with two entries for one class: ASM's writer picks the later one, past
        // index 255; jackson-databind has such classes), so this errs towards keeping the limit
        int limit = InlineLimits.crossed(before, after);
        if (limit == 0) {
            return guarded;
        }
        original.instructions.resetLabels();
        MethodNode work = copy(original);
        Outcome bare = apply(work, form, framed, depths, Returns.BARE);
        if (InlineLimits.crossed(before, CodeSize.upperBound(work)) == 0
                && SelfCheck.check(cls.name(), work, framed) == null) {
            return bare;
        }
        if (cls.inCallCycle(original.name + original.desc)) {
            return new Outcome(guarded.method(), guarded.status(), guarded.form(), guarded.versioned(), guarded.stripMined(),
                    guarded.counters(), guarded.callLoops(), guarded.returnPolls(),
                    RECURSIVE_PAST_LIMIT + limit + "-byte inlining limit: it recurses, and only return polls preempt that");
        }
        original.instructions.resetLabels();
        return Outcome.of(original, Status.UNTOUCHED, "no return poll: it would take the method past HotSpot's "
                + limit + "-byte inlining limit (" + before + " bytes; the callers poll)");
    }

    /** The prefix of the note on a recursive method whose return polls take it past an inlining limit. */
    public static final String RECURSIVE_PAST_LIMIT = "return polls kept past HotSpot's ";

    /** The prefix of a note saying the self-check rejected a form (see {@link SelfCheck}). */
    public static final String SELF_CHECK = "self-check rejected ";

    private static String note(String earlier, Form form, String why) {
        String s = form.name().toLowerCase(java.util.Locale.ROOT) + " form (" + why + ")";
        return earlier == null ? s : earlier + ", " + s;
    }

    private Outcome apply(MethodNode m, Form form, boolean framed, int[] depths, Returns shape) {
        MethodGraph g = new MethodGraph(m, framed);
        LoopAnalysis a = LoopAnalysis.of(g, config.callPolicy());
        CountedLoopMatcher matcher = new CountedLoopMatcher(g, cls);
        boolean guarded = form != Form.MINIMAL;
        List<CountedLoop> strips = new ArrayList<>();
        List<CountedLoop> versioned = new ArrayList<>();
        // identity maps: a CountedLoop is one loop's match; a record's own hashCode would hash its
        // instruction lists and link ObjectMethods (a bootstrap method) on first use
        Map<CountedLoop, LoopAnalysis.Loop> loopOf = new java.util.IdentityHashMap<>();
        List<LoopAnalysis.Loop> counters = new ArrayList<>();
        List<LoopAnalysis.Loop> callLoops = new ArrayList<>();
        List<LoopAnalysis.Loop> handlerLoops = new ArrayList<>();
        List<LoopAnalysis.Loop> bare = new ArrayList<>();
        for (LoopAnalysis.Loop loop : a.loops) {
            if (loop.edge.kind() == BackEdge.Kind.HANDLER) {
                if (!selfCovering(g, loop)) {
                    handlerLoops.add(loop);
                }
            } else if (form == Form.MINIMAL) {
                bare.add(loop);
            } else if (loop.unboundedCall) {
                callLoops.add(loop);
                // a loop whose only calls are small inlined JDK methods (loop.inlinedCall) is call-free here:
                // versioned when counted and tested at the top, even at top level (strip-mined in place, a
                // StringBuilder.append loop inlined into its caller ran 1.63-1.78x in 4 of 6 JVMs, C2
                // inlining each append twice; versioned 0.93-1.01x in 6 of 6), strip-mined otherwise
                // (chunks never poll: the calls are O(1)), else the iteration budget with separate edges
            } else {
                CountedLoop c = form == Form.FULL || form == Form.STRIP ? matcher.match(loop) : null;
                if (c != null && bodySize(g, loop) > MAX_CHUNKED_BODY) {
                    c = null; // too big for C2 to unroll: the budget countdown (see MAX_CHUNKED_BODY)
                }
                if (c != null && edgesTo(a, loop.lo()) > 1) {
                    // Not a loop of its own: one back-edge of a loop with several (a `continue` in
                    // an if/else chain), whose other edges enter it at the same header. Versioned,
                    // every iteration that came round by another edge ran the entry check, took
                    // the clone (the trip left is the whole array) and, charged the whole chunk,
                    // polled: 75 774 polls in 100 000 iterations of fixtures.Loops.manyContinues
                    // instead of 12. As a countdown it joins its siblings' shared one (backEdge).
                    c = null;
                }
                if (c == null) {
                    counters.add(loop);
                } else if (form == Form.FULL && c.topTested() && (nested(a, loop) || loop.inlinedCall) && versionable(g, loop, c)) {
                    versioned.add(c);
                    loopOf.put(c, loop);
                } else {
                    strips.add(c);
                }
            }
        }
        ReturnPolls returns = ReturnPolls.plan(g, !a.loops.isEmpty(), depths);
        // frames are looked up before the list changes; padding below updates these same nodes
        Map<LabelNode, FrameNode> frames = new HashMap<>();
        if (framed) {
            for (CountedLoop c : strips) {
                frames.put(c.header(), requireFrame(g, c.header()));
            }
            for (CountedLoop c : versioned) {
                frames.put(c.header(), requireFrame(g, c.header()));
            }
            for (List<LoopAnalysis.Loop> list : List.of(counters, callLoops)) {
                for (LoopAnalysis.Loop loop : list) {
                    // trampolines and handler polls start with the header's frame, and a
                    // call-free loop's countdown on a goto joins before the goto with it
                    if (loop.edge.kind() != BackEdge.Kind.GOTO || list == counters) {
                        LabelNode h = (LabelNode) g.nodes[loop.lo()];
                        frames.put(h, requireFrame(g, h));
                    }
                }
            }
        }
        // out-of-line code runs under the handlers of the point it stands for (found before the list changes)
        Map<CountedLoop, List<TryCatchBlockNode>> covers = new java.util.IdentityHashMap<>();
        for (CountedLoop c : strips) {
            covers.put(c, g.covering(g.indexOf(c.header()), g.indexOf(c.headBefore())));
        }
        for (CountedLoop c : versioned) {
            covers.put(c, g.covering(g.indexOf(c.header()), g.indexOf(c.headBefore())));
        }
        Map<LoopAnalysis.Loop, List<TryCatchBlockNode>> edgeCovers = new HashMap<>();
        for (List<LoopAnalysis.Loop> list : List.of(counters, callLoops)) {
            for (LoopAnalysis.Loop loop : list) {
                edgeCovers.put(loop, g.covering(loop.lo(), loop.hi()));
            }
        }
        boolean chunked = !strips.isEmpty() || !versioned.isEmpty();
        boolean budget = chunked || !counters.isEmpty() || !callLoops.isEmpty();
        int extra = (budget ? 1 : 0) + (chunked ? 1 : 0);
        PollLocals locals = new PollLocals(m.maxLocals, chunked ? m.maxLocals + 1 : -1, config.loopPoll());
        if (framed && extra > 0) {
            Frames.appendIntLocals(m, m.maxLocals, extra);
        }
        // a versioned loop is entered through its entry check: outside jumps to its header go there
        Map<LabelNode, LabelNode> entries = new HashMap<>();
        for (CountedLoop c : versioned) {
            LoopAnalysis.Loop loop = loopOf.get(c);
            entries.put(c.header(), LoopVersioner.apply(m, c, locals, frames.get(c.header()),
                    g.nodes[loop.hi()], outsideJumps(g, loop), covers.get(c)));
        }
        for (CountedLoop c : strips) {
            StripMiner.apply(m, c, locals, frames.get(c.header()), covers.get(c));
        }
        Map<List<Object>, LabelNode> counting = new HashMap<>();
        Map<List<Object>, LabelNode> polling = new HashMap<>();
        // a loop whose calls are inlined JDK methods keeps separate paths back to its header (see backEdge)
        Map<List<Object>, LabelNode> countingInlined = new HashMap<>();
        // goto back-edges of call-free loops, per header: more than one share a trampoline (see backEdge)
        Map<Integer, Integer> gotoEdges = new HashMap<>();
        for (LoopAnalysis.Loop loop : counters) {
            if (!loop.inlinedCall && loop.edge.kind() == BackEdge.Kind.GOTO) {
                gotoEdges.merge(loop.lo(), 1, Integer::sum);
            }
        }
        for (LoopAnalysis.Loop loop : counters) {
            boolean join = !loop.inlinedCall;
            boolean share = join && gotoEdges.getOrDefault(loop.lo(), 0) > 1 && !entries.containsKey((LabelNode) g.nodes[loop.lo()]);
            backEdge(m, g, loop, entries, frames, join ? counting : countingInlined, locals,
                    loop.inlinedCall ? config.inlinedCallWeight() : 1, PollCode::pollLoop, join, share, edgeCovers.get(loop));
        }
        for (LoopAnalysis.Loop loop : callLoops) {
            backEdge(m, g, loop, entries, frames, polling, locals, config.callLoopWeight(), PollCode::pollCallLoop, false,
                    false, edgeCovers.get(loop));
        }
        for (LoopAnalysis.Loop loop : handlerLoops) {
            // A handler is entered with the exception on the stack. The poll comes once the handler
            // has stored or dropped it (javac's handlers begin with astore), as a bare call: handler
            // entries are rare, and a call in front of the store, or a branch joining there, made
            // C1 refuse whole methods ("error while joining with exception handler").
            AbstractInsnNode first = g.nodes[g.firstReal(loop.lo())];
            int op = first.getOpcode();
            if (op == Opcodes.ASTORE || op == Opcodes.POP) {
                m.instructions.insert(first, PollCode.pollCallLoop());
            } else {
                PollInserter.pollBefore(m, first, PollCode.pollCallLoop());
            }
        }
        for (LoopAnalysis.Loop loop : bare) {
            PollInserter.pollBefore(m, g.nodes[loop.hi()], loop.unboundedCall ? PollCode.pollCallLoop() : PollCode.pollLoop());
        }
        returns.apply(m, framed, guarded && shape == Returns.GUARDED);
        if (budget) {
            PollInserter.initLocals(m, locals);
        }
        m.maxLocals += extra;
        // on top of whatever is on the stack: PollMath arguments (5 slots), or a counter / the poll word
        m.maxStack += chunked ? 5 : 2;
        return new Outcome(m, Status.REWRITTEN, form, versioned.size(), strips.size(), counters.size(),
                callLoops.size() + handlerLoops.size() + bare.size(), returns.count(), null);
    }

    /**
     * A budget countdown by {@code weight} on one back-edge: in place before a {@code goto}, in a
     * shared per-target trampoline for a conditional or switch edge. With {@code join} the
     * countdown's paths meet before the one jump back, so the loop keeps a single back-edge;
     * without it each path jumps back to the header itself, and C2 turns the hot path into an
     * inner loop of its own. Measured (paired benchmark): joined is better for call-free loops
     * (a small inner loop in a long outer one: 1.6x -> 1.0-1.27x) and for a loop of
     * StringBuilder.append (2.3x -> 1.08x), but a loop over ArrayList.get went 1.19x -> 3x;
     * loops with JDK calls therefore keep the separate edges, and so do loops whose only calls are
     * small JDK methods C2 inlines ({@link CallPolicy#inlined}): joined, the poll's volatile read
     * (an acquire barrier, which kills all memory in C2's graph) is on a path inside the loop and
     * C2 no longer hoists ArrayList's size/elementData loads (listLoop 2.7-3.2x); separate, C2
     * splits the hot edge into an inner loop without the barrier (1.06-1.14x).
     *
     * <p>With {@code shareGoto}, a {@code goto} back-edge goes through the per-header trampoline too
     * instead of getting a countdown in place: done when a call-free loop has several {@code goto}s
     * back to one header ({@code continue} in a loop of {@code if}/{@code else} chains). bzip2's
     * {@code BlockSort.mainSimpleSort} has twelve to one header, each of which got its own
     * 22-byte countdown: with the other loops, 929 -&gt; 1 638 bytes, and C2 compiled it in 1.30 s
     * instead of 0.93 s (JFR {@code jdk.Compilation}). Shared, each edge stays a 3-byte
     * {@code goto}, and the loop has one edge back to its header, the joined shape C2 compiles
     * best. Polls are unchanged: every one of those edges still counts down the same budget.
     */
    private static void backEdge(MethodNode m, MethodGraph g, LoopAnalysis.Loop loop, Map<LabelNode, LabelNode> entries,
                                 Map<LabelNode, FrameNode> frames, Map<List<Object>, LabelNode> trampolines,
                                 PollLocals locals, int weight, java.util.function.Supplier<MethodInsnNode> poll,
                                 boolean join, boolean shareGoto, List<TryCatchBlockNode> cover) {
        AbstractInsnNode src = g.nodes[loop.hi()];
        LabelNode original = (LabelNode) g.nodes[loop.lo()];
        LabelNode header = entries.getOrDefault(original, original);
        if (loop.edge.kind() == BackEdge.Kind.GOTO && !shareGoto) {
            PollInserter.counterAtGoto(m, (JumpInsnNode) src, locals, weight, poll.get(), join, frames.get(original));
        } else {
            // one trampoline per target and exception-handler coverage (back-edges from different
            // protected ranges must not share out-of-line code); a shared goto's header has no
            // entry check (the caller's condition), so header is its original target here too
            List<Object> key = new ArrayList<>(cover);
            key.add(0, header);
            LabelNode tr = trampolines.computeIfAbsent(key,
                    k -> PollInserter.trampoline(m, header, locals, weight, poll.get(), join, frames.get(original), cover));
            PollInserter.retarget(src, header, tr);
        }
    }

    /** How many back-edges (of any kind) go to node {@code header}. */
    private static int edgesTo(LoopAnalysis a, int header) {
        int n = 0;
        for (LoopAnalysis.Loop l : a.loops) {
            n += l.lo() == header ? 1 : 0;
        }
        return n;
    }

    /**
     * The largest loop body (bytes of bytecode, {@link #bodySize}) that is strip-mined or versioned;
     * a counted loop with a bigger body gets the budget countdown, as a loop that is not counted
     * does. Why: what chunking buys is a clean inner loop that C2 can unroll and vectorize
     * without the countdown's decrement and untaken branch; C2 unrolls only loops whose body is
     * under {@code LoopUnrollLimit} (60 ideal nodes on x86, up to 4x that for a loop SuperWord
     * vectorizes), which a body of more than about 100 bytes of bytecode exceeds. Past it the
     * countdown's three instructions are a few per cent of the iteration, while chunking costs
     * 40-60 bytes in place and a whole copy of the loop when versioned, and C2's compile time
     * with it, which a program running a second or two pays in full and on the critical path:
     * <ul>
     *   <li>commons-math {@code FastFourierTransformer.transformInPlace} (two top-level
     *       butterfly loops of ~200 bytes, strip-mined, and a ~170-byte inner loop, versioned)
     *       grew 873 -&gt; 1 396 bytes and its C2 compilation took 0.25 s instead of 0.08 s
     *       (JFR {@code jdk.Compilation}; the whole program runs ~1 s);</li>
     *   <li>bzip2's {@code mainSimpleSort} compares two suffixes in {@code while (x > 0) { x -= 4;
     *       ... }}, a 180-byte body with {@code x} the block length (~900 000) that leaves after
     *       a few iterations: every entry went to the strip-mined clone and paid
     *       {@code PollMath.downTrip}, {@code downLimit} and {@code downChunk} (async-profiler: 104
     *       of the method's ~1 800 samples) for a handful of iterations.</li>
     * </ul>
     * Every kernel of {@code scripts/bench-rewrite.sh} (bodies of 8-30 bytes) keeps its form.
     * Preemption is the same: the countdown polls every {@code loopPoll} iterations, as the
     * chunks do.
     */
    static final int MAX_CHUNKED_BODY = 100;

    /** Bytes of bytecode in a loop's body (its real instructions, short forms as written). */
    static int bodySize(MethodGraph g, LoopAnalysis.Loop loop) {
        int size = 0;
        for (int i = loop.body.nextSetBit(0); i >= 0; i = loop.body.nextSetBit(i + 1)) {
            size += CodeSize.size(g.nodes[i]);
        }
        return size;
    }

    /**
     * Whether a counted loop tested at the top can get an entry check right before its header:
     * the header is no exception handler, and no protected range starts or ends between the header
     * and its first instruction (the check would then be covered differently from the test).
     */
    private static boolean versionable(MethodGraph g, LoopAnalysis.Loop loop, CountedLoop c) {
        int t = loop.lo();
        int p = g.firstReal(t);
        if (g.method.tryCatchBlocks != null) {
            for (TryCatchBlockNode tcb : g.method.tryCatchBlocks) {
                if (tcb.handler == c.header()) {
                    return false;
                }
                for (LabelNode l : new LabelNode[] {tcb.start, tcb.end}) {
                    int i = g.indexOf(l);
                    if (i >= t && i <= p) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * Whether the loop lies inside another loop of the method. Versioning pays off there: the
     * entry check runs often, so C2's profile of the branch to the strip-mined clone is large, the
     * never-taken clone is not compiled, and the hot loop is the original one. A loop entered
     * rarely (a method's top-level loop) gives C2 too few samples (&lt; 40) to prune the unused
     * copy, and two copies compiled together made the hot one up to 1.5x slower (measured); such
     * loops are strip-mined in place, where the per-entry cost does not matter. A top-level loop
     * whose calls are inlined JDK methods is versioned all the same (see {@code apply}).
     */
    private static boolean nested(LoopAnalysis a, LoopAnalysis.Loop inner) {
        for (LoopAnalysis.Loop outer : a.loops) {
            if (outer != inner && outer.lo() <= inner.lo() && outer.hi() >= inner.hi() && outer.body.get(inner.lo())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a loop closed by an exception edge is a handler covering its own start: javac's
     * release handler of a {@code synchronized} block (it covers its own {@code monitorexit}) and
     * the catch-any handler of a {@code try/catch/finally} (it covers its own {@code astore}). It
     * "iterates" only by throwing inside itself. A poll in it bought nothing and made C1 refuse the
     * whole method ("error while joining with exception handler", -XX:+PrintCompilation).
     */
    private static boolean selfCovering(MethodGraph g, LoopAnalysis.Loop loop) {
        if (g.method.tryCatchBlocks == null) {
            return false;
        }
        AbstractInsnNode header = g.nodes[loop.lo()];
        for (TryCatchBlockNode t : g.method.tryCatchBlocks) {
            if (t.handler == header && g.indexOf(t.start) <= loop.lo() && loop.lo() < g.indexOf(t.end)) {
                return true;
            }
        }
        return false;
    }

    /** Jumps and switches outside the loop that target its header. */
    private static List<AbstractInsnNode> outsideJumps(MethodGraph g, LoopAnalysis.Loop loop) {
        List<AbstractInsnNode> out = new ArrayList<>();
        for (int u : g.predecessors(loop.lo())) {
            if ((u < loop.lo() || u > loop.hi()) && g.isReal(u)
                    && MethodGraph.jumpTargets(g.nodes[u]).contains((LabelNode) g.nodes[loop.lo()])) {
                out.add(g.nodes[u]);
            }
        }
        return out;
    }

    private static FrameNode requireFrame(MethodGraph g, LabelNode l) {
        FrameNode f = g.frameAt(l);
        if (f == null) {
            throw new IllegalStateException("no stack map frame at a loop header");
        }
        return f;
    }

    static MethodNode copy(MethodNode m) {
        MethodNode c = new MethodNode(Opcodes.ASM9, m.access, m.name, m.desc, m.signature,
                m.exceptions == null ? null : m.exceptions.toArray(new String[0]));
        m.accept(c);
        return c;
    }
}
