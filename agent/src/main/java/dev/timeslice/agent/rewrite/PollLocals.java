package dev.timeslice.agent.rewrite;

/**
 * The int locals the rewriter adds to one method: the per-invocation iteration {@code budget}
 * (counts down from {@code loopPoll}; polls when it reaches zero) and, when the method has a
 * strip-mined loop, the current chunk's {@code limit} (-1 when absent).
 */
record PollLocals(int budget, int limit, int loopPoll) {
}
