package dev.timeslice.agent.rewrite;

import dev.timeslice.agent.AgentOptions;
import dev.timeslice.agent.ClassFilter;

/**
 * Settings of the rewriter: the poll interval of call-free loops, which classes count as rewritten
 * (callees that poll on their own), and whether counted loops are strip-mined (off only to
 * measure the generic form). Immutable.
 */
public final class RewriteConfig {
    private final int loopPoll;
    private final CallPolicy callPolicy;
    private final boolean stripMining;

    public RewriteConfig(int loopPoll, ClassFilter filter, boolean stripMining) {
        if (loopPoll < 2) {
            throw new IllegalArgumentException("loopPoll must be >= 2");
        }
        this.loopPoll = loopPoll;
        this.callPolicy = new CallPolicy(filter);
        this.stripMining = stripMining;
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

    public boolean stripMining() {
        return stripMining;
    }
}
