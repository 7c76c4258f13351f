package dev.timeslice.runtime;

/** What the scheduler does about deadlocks among its G's (agent option {@code deadlock}). */
public enum DeadlockMode {
    /** Print each deadlock once on stderr and go on (the JVM keeps waiting, as Java does). */
    REPORT,
    /** Print it, then end the JVM with status 2, as Go's "all goroutines are asleep" does. */
    EXIT,
    /** Check only when asked (the MXBean's {@code findDeadlocks()}). */
    OFF
}
