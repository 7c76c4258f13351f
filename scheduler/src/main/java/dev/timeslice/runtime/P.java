package dev.timeslice.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A P: a logical processor (Go's {@code p}). An M must hold a P to run G's; there are exactly
 * {@code procs} of them.
 *
 * <pre>
 * Status (low bits of {@link #status}; the high bits hold {@link #schedtick} so that a CAS by
 * sysmon can only hit the G run it observed):
 *
 *   IDLE    on the scheduler's idle list, no M                       (under sched.lock)
 *   SCHED   held by an M that is between G's (in schedule())         (owner M)
 *   INGO    held by an M that is running a G                         (owner M)
 *   LOCKED  the running G is touching this P's run queue (a wakeup)  (owner M, from INGO)
 *   HANDOFF sysmon took it from an M stuck in a G; it will be        (sysmon, CAS from INGO)
 *           handed to another M
 *
 *   IDLE -> SCHED      acquire (an M takes it from the idle list, or is handed it)
 *   SCHED -> INGO      the owner starts running a G (schedtick+1 unless the G inherits the slice)
 *   INGO -> SCHED      the G's run returned (CAS: fails if sysmon took the P)
 *   INGO -> LOCKED -> INGO   a wakeup by the running G (CAS: fails if sysmon took the P)
 *   INGO -> HANDOFF    sysmon's retake (CAS on the same schedtick)
 *   HANDOFF -> SCHED   the M sysmon hands it to acquires it
 *   SCHED -> IDLE      the owner found no work and releases it (under sched.lock)
 * </pre>
 *
 * <p>So the owner can touch the local run queue without a CAS whenever it is in SCHED (sysmon
 * never takes a P in SCHED), and with one uncontended CAS while a G runs; a P is never used by
 * two M's at once. {@link #curg}, {@link #curgGen}, {@link #runStart} and {@link #curgStart} are written by the
 * owner before it publishes INGO and read racily by sysmon, which validates its reading by the
 * schedtick in the status word.
 */
final class P {
    static final int IDLE = 0;
    static final int SCHED = 1;
    static final int INGO = 2;
    static final int LOCKED = 3;
    static final int HANDOFF = 4;
    private static final String[] NAMES = {"idle", "sched", "running", "locked", "handoff"};

    /** Whether a P in this status has a G running on it (what sysmon looks at). */
    static boolean runsG(int status) {
        return status == INGO || status == LOCKED;
    }

    private static final VarHandle STATUS;
    static final VarHandle PREEMPT_REQ;

    static {
        try {
            STATUS = MethodHandles.lookup().findVarHandle(P.class, "status", long.class);
            PREEMPT_REQ = MethodHandles.lookup().findVarHandle(P.class, "preemptReq", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int id;
    final Runq runq = new Runq();

    /** schedtick << 3 | status. */
    private volatile long status;
    /** G runs started on this P, not counting those that inherited the slice (Go's schedtick). */
    private long schedtick;

    /** The M holding this P; written by whoever hands the P over. */
    volatile M m;
    /** The G being run, its run generation, and when its slice started (published by status). */
    volatile G curg;
    long curgGen;
    long runStart;
    /**
     * When the G being run started this run: {@link #runStart} unless it came from runnext and
     * inherited the slice. A chain of runnext G's (a selector starting one handler G per
     * request) shares one slice, as in Go, but each of them may have run for µs only: sysmon
     * judges wakeup victims by this (see Sysmon#preemptForWakeups), slices by runStart.
     */
    long curgStart;

    /**
     * Pending preemption request for the run this P is doing: {@code tick << 8 | kind}, or 0.
     * Set by CAS from 0 by a requester ({@link Preempt#requestForRun}); retired by CAS to 0 by
     * the G that serves it at a poll, or by the M when the run ends first. The tick ties it to
     * one run (a G that inherited the slice from runnext shares it, as in Go).
     */
    volatile long preemptReq;
    /** When the pending request was made (System.nanoTime); written just before the CAS. */
    volatile long preemptSince;

    /** Set when this P's G was preempted to make room for a wakeup: serve the wakeup list first. */
    volatile boolean wakeupTarget;

    /** Whether the owner's last pick came from the wakeup list (owner only; see Scheduler#schedule). */
    boolean lastFromWake;

    /** Link in the idle-P list; guarded by sched.lock. */
    P link;

    // sysmon's bookkeeping; only sysmon touches these.
    long sysmonTick = -1;
    long sysmonRequestedGen = -1;
    long sysmonRequestAt;
    long sysmonRequestCpu;
    /** The run sysmon watches for an M that makes no progress (see Sysmon#blockedOnM), -1 for none. */
    long watchTick = -1;
    long watchGen;
    long watchAt;
    long watchCpu;
    long watchPeriod;
    int watchStrikes;
    /** The run sysmon watches because a wakeup is late (see Sysmon#escalateWakeups), -1 for none. */
    long wakeWatchTick = -1;
    long wakeWatchGen;
    long wakeWatchAt;
    long wakeWatchCpu;

    // Counters (written by the owner M or sysmon; read racily for stats).
    volatile long preemptRequested;
    volatile long preemptServed;
    volatile long preemptFailed;
    volatile long handoffs;

    P(int id) {
        this.id = id;
    }

    int status() {
        return (int) (status & 7);
    }

    long tick() {
        return status >>> 3;
    }

    long schedtick() {
        return schedtick;
    }

    /**
     * An M now holds this P (from IDLE or HANDOFF). The schedtick moves on, so that an M that
     * lost this P can never match a CAS on the new owner's status.
     */
    void acquire(M m) {
        this.m = m;
        schedtick++;
        STATUS.setRelease(this, (schedtick << 3) | SCHED);
    }

    /** The owner releases the P to the idle list; caller holds sched.lock. */
    void release() {
        this.m = null;
        this.curg = null;
        status = (schedtick << 3) | IDLE;
    }

    /** Owner: a G starts running. Returns the tick that identifies this run for {@link #endRun}. */
    long beginRun(G g, long gen, long now, boolean inheritTime) {
        if (!inheritTime) {
            schedtick++;
            runStart = now;
        }
        curgStart = now;
        curgGen = gen;
        curg = g;
        // Release store: sysmon reads status (acquire) and then curg/curgGen/runStart/curgStart.
        STATUS.setRelease(this, (schedtick << 3) | INGO);
        return schedtick;
    }

    /** Owner: the G's run returned. False when sysmon took the P meanwhile (the M no longer owns it). */
    boolean endRun(long tick) {
        long expect = (tick << 3) | INGO;
        for (;;) {
            if (STATUS.compareAndSet(this, expect, (tick << 3) | SCHED)) {
                curg = null;
                return true;
            }
            long s = status;
            if ((s & 7) != LOCKED || (s >>> 3) != tick) {
                return false; // HANDOFF (LOCKED is only transient, by the owner itself)
            }
        }
    }

    /** Owner, while its G runs: lock the run queue for a wakeup. False when the P was taken. */
    boolean lockFromG(long tick) {
        return STATUS.compareAndSet(this, (tick << 3) | INGO, (tick << 3) | LOCKED);
    }

    void unlockFromG(long tick) {
        STATUS.setRelease(this, (tick << 3) | INGO);
    }

    /** sysmon: take the P from an M stuck in the G run identified by {@code tick}. */
    boolean casHandoff(long tick) {
        return STATUS.compareAndSet(this, (tick << 3) | INGO, (tick << 3) | HANDOFF);
    }

    String statusName() {
        return NAMES[status()];
    }

    @Override
    public String toString() {
        return "P" + id + "[" + statusName() + "]";
    }
}
