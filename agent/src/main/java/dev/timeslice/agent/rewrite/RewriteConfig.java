package dev.timeslice.agent.rewrite;

import dev.timeslice.agent.AgentOptions;
import dev.timeslice.agent.ClassFilter;

/**
 * Settings of the rewriter: the poll intervals of call-free loops and of loops with calls, which classes count as rewritten
 * (callees that poll on their own), and the best form to try first (anything but FULL only to
 * measure the others). Immutable.
 */
public final class RewriteConfig {
    private final int loopPoll;
    private final int callLoopPoll;
    private final CallPolicy callPolicy;
    private final MethodRewriter.Form bestForm;

    public RewriteConfig(int loopPoll, ClassFilter filter, boolean stripMining) {
        this(loopPoll, DEFAULT_CALL_LOOP_POLL, filter, stripMining ? MethodRewriter.Form.FULL : MethodRewriter.Form.COUNTERS);
    }

    public RewriteConfig(int loopPoll, ClassFilter filter, MethodRewriter.Form bestForm) {
        this(loopPoll, DEFAULT_CALL_LOOP_POLL, filter, bestForm);
    }

    /**
     * @param callLoopPoll iterations between polls in loops that call code which may not poll
     * @param bestForm     the first form tried (benchmarks compare forms; the agent uses FULL)
     */
    public RewriteConfig(int loopPoll, int callLoopPoll, ClassFilter filter, MethodRewriter.Form bestForm) {
        if (loopPoll < 2 || callLoopPoll < 1) {
            throw new IllegalArgumentException("loopPoll must be >= 2, callLoopPoll >= 1");
        }
        this.loopPoll = loopPoll;
        this.callLoopPoll = callLoopPoll;
        this.callPolicy = new CallPolicy(filter);
        this.bestForm = bestForm;
    }

    public static final int DEFAULT_CALL_LOOP_POLL = 64;

    public static RewriteConfig of(AgentOptions options) {
        return new RewriteConfig(options.loopPoll(), options.callLoopPoll(), ClassFilter.of(options), MethodRewriter.Form.FULL);
    }

    public static RewriteConfig defaults() {
        return new RewriteConfig(8192, ClassFilter.all(), true);
    }

    public int loopPoll() {
        return loopPoll;
    }

    /**
     * What one iteration of a loop with calls that may not poll costs in the budget: a full budget
     * buys {@code callLoopPoll} of them ({@code loopPoll} when {@code callLoopPoll} is 1: every
     * iteration polls).
     */
    public int callLoopWeight() {
        return Math.max(1, (loopPoll + callLoopPoll - 1) / callLoopPoll);
    }

    /** Iterations between polls of a non-counted loop whose only calls are small inlined JDK methods. */
    public static final int INLINED_CALL_LOOP_POLL = 1024;

    /**
     * What one iteration of a loop calling only small inlined JDK methods ({@code CallPolicy.inlined})
     * costs in the budget: such a loop polls about every {@link #INLINED_CALL_LOOP_POLL} iterations,
     * so that an interface call that turns out to be O(n) ({@code List.get} on a {@code LinkedList})
     * cannot stretch the interval between polls as far as {@code loopPoll} such calls. The budget's
     * arithmetic is the same whatever the weight, so this costs nothing measurable (listLoop paired,
     * weight 8 vs 1: 1.06 vs 1.08-1.14).
     */
    public int inlinedCallWeight() {
        return Math.max(1, (loopPoll + INLINED_CALL_LOOP_POLL - 1) / INLINED_CALL_LOOP_POLL);
    }

    CallPolicy callPolicy() {
        return callPolicy;
    }

    public MethodRewriter.Form bestForm() {
        return bestForm;
    }
}
