package dev.timeslice.runtime;

import java.time.Instant;
import java.util.List;

/**
 * A deadlock {@link DeadlockDetector} found.
 *
 * @param kind   {@link Kind#ALL_ASLEEP}: every G waits and nothing can wake one (Go's "all
 *               goroutines are asleep"); {@link Kind#LOCK_CYCLE}: G's wait for each other's locks
 * @param at     when it was confirmed
 * @param goids  the G's involved: for a lock cycle in wait order (each waits for the next), for
 *               all-asleep every live G
 * @param report what was printed: the jstack-style cycle with both stacks, or the headline
 *               (the goroutine dump that followed it is not repeated here)
 */
public record Deadlock(Kind kind, Instant at, List<Long> goids, String report) {
    public enum Kind {
        ALL_ASLEEP, LOCK_CYCLE
    }

    /** One line, for the exit summary, JFR and the trace. */
    public String summary() {
        return kind == Kind.ALL_ASLEEP
                ? "all goroutines are asleep (" + goids.size() + " G's)"
                : "lock cycle among G's " + goids;
    }
}
