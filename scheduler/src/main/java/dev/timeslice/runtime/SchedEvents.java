package dev.timeslice.runtime;

/**
 * Receives scheduler events, for tracing and JFR ({@link Scheduler#setEvents}). Called on the
 * scheduler's hot paths by the M's, sysmon and the scan: implementations must be fast, must not
 * block and must not throw. With no listener installed the cost is one volatile read per G run.
 * All times are {@link System#nanoTime()}.
 *
 * <p>It is the core's only way out to observability: the core calls it and never names a class of
 * {@code dev.timeslice.runtime.observe}, which implements it.
 */
public interface SchedEvents {
    /** An M started (or resumed) running G {@code goid} on P {@code p}. */
    default void runStart(int p, int m, long goid, String gName, long nanos) {
    }

    /** The run of G {@code goid} on P {@code p} ended (it yielded, parked or finished). */
    default void runEnd(int p, int m, long goid, long nanos) {
    }

    /**
     * A G reached a poll with a pending preemption request ({@code reason}: "slice", "wakeup"
     * or "handoff") and yielded ({@code served}) or could not because it is pinned.
     */
    default void preempted(int p, long goid, String reason, long latencyNanos, boolean served, long nanos) {
    }

    /** sysmon took P {@code p} from M {@code m}, stuck running G {@code goid}. */
    default void handoff(int p, int m, long goid, long nanos) {
    }

    /** A GC-scan finished. */
    default void scanned(ScanResult scan, long startNanos, long endNanos) {
    }

    /** The deadlock detector confirmed a deadlock among G's (called once per deadlock, on its thread). */
    default void deadlock(Deadlock deadlock) {
    }

    /** A thread creation in rewritten code was routed to the scheduler. */
    default void routed(String kind, long goid, String threadName) {
    }
}
