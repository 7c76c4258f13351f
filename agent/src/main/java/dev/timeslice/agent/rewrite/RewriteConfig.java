package dev.timeslice.agent.rewrite;

import dev.timeslice.agent.AgentOptions;
import dev.timeslice.agent.ClassFilter;

/**
 * Settings of the rewriter: the poll interval of call-free loops, which classes count as rewritten
 * (callees that poll on their own), and the best form to try first (anything but FULL only to
 * measure the others). Immutable.
 */
public final class RewriteConfig {
    private final int loopPoll;
    private final CallPolicy callPolicy;
    private final MethodRewriter.Form bestForm;

    public RewriteConfig(int loopPoll, ClassFilter filter, boolean stripMining) {
        this(loopPoll, filter, stripMining ? MethodRewriter.Form.FULL : MethodRewriter.Form.COUNTERS);
    }

    /** @param bestForm the first form tried (benchmarks compare forms; the agent uses FULL) */
    public RewriteConfig(int loopPoll, ClassFilter filter, MethodRewriter.Form bestForm) {
        if (loopPoll < 2) {
            throw new IllegalArgumentException("loopPoll must be >= 2");
        }
        this.loopPoll = loopPoll;
        this.callPolicy = new CallPolicy(filter);
        this.bestForm = bestForm;
    }

    public static RewriteConfig of(AgentOptions options) {
        return new RewriteConfig(options.loopPoll(), ClassFilter.of(options), true);
    }

    public static RewriteConfig defaults() {
        return new RewriteConfig(8192, ClassFilter.all(), true);
    }

    public int loopPoll() {
        return loopPoll;
    }

    CallPolicy callPolicy() {
        return callPolicy;
    }

    public MethodRewriter.Form bestForm() {
        return bestForm;
    }
}
