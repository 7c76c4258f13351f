package dev.timeslice.runtime;

/**
 * One P, for Go's {@code scheddetail} lines.
 *
 * @param id         the P's index
 * @param status     idle, sched, running, locked, handoff
 * @param schedtick  G runs started (not counting those that inherited the slice)
 * @param handoffs   times sysmon retook it from a stuck M
 * @param m          the id of its M, or -1
 * @param runqsize   G's in its local queue, runnext included
 * @param curg       the goid of the G it runs, or -1
 */
public record PInfo(int id, String status, long schedtick, long handoffs, int m, int runqsize, long curg) {
}
