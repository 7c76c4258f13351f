package dev.timeslice.agent.rewrite;

/**
 * A control transfer from {@code source} to an instruction at or before it ({@code target}); every
 * cycle of the control-flow graph crosses at least one. Indices are {@link MethodGraph} positions.
 */
record BackEdge(int source, int target, Kind kind) {
    enum Kind {
        /** {@code goto target}. */
        GOTO,
        /** a conditional jump to {@code target}. */
        BRANCH,
        /** one backward label of a {@code tableswitch}/{@code lookupswitch}. */
        SWITCH,
        /** an exception edge: a handler at or before the last instruction of its protected range. */
        HANDLER
    }
}
