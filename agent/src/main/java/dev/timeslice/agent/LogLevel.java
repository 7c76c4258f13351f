package dev.timeslice.agent;

/** How much the agent says on stderr. Ordered: each level includes the ones before it. */
public enum LogLevel {
    /** Nothing. */
    OFF,
    /** One line per class that had to be left (partly) unchanged for a reason other than policy. */
    WARN,
    /** Also a start-up line and one line per rewritten class. */
    INFO,
    /** Also excluded classes and per-method decisions. */
    DEBUG;

    public boolean includes(LogLevel other) {
        return other != OFF && other.ordinal() <= ordinal();
    }
}
