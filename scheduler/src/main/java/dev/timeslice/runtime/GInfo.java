package dev.timeslice.runtime;

import java.util.List;

/**
 * One G as a scan recorded it.
 *
 * @param goid           the G's id (the program's first G is 1)
 * @param name           its thread's name ("" when unnamed)
 * @param state          "running", "runnable", "waiting", "preempted" or "idle"
 * @param waitReason     why it waits ("sleep", "park", "monitor enter", "IO wait", ...), or ""
 * @param stateNanos     time spent in this state when recorded (0 when not tracked: runnable)
 * @param runNanos       total CPU time the G has been scheduled for
 * @param runs           times an M started running it
 * @param preemptions    preemptions it served
 * @param atSafepoint    for a running G: it stopped at a poll for the scan; false when it did
 *                       not reach one within the scan's bound (pinned, or in long native/JDK code)
 * @param m              for a running G, the name of its M ("" otherwise)
 * @param ttspNanos      for a running G that stopped: time from the scan's start to its poll; -1 otherwise
 * @param stack          its stack, innermost frame first (Timeslice's own poll frames removed)
 */
public record GInfo(long goid, String name, String state, String waitReason, long stateNanos, long runNanos,
                    long runs, long preemptions, boolean atSafepoint, String m, long ttspNanos,
                    List<StackTraceElement> stack) {
}
