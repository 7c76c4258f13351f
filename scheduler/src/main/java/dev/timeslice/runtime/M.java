package dev.timeslice.runtime;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.locks.LockSupport;

/**
 * An M: a carrier platform thread (Go's {@code m}). It runs G's while it holds a P; without a P
 * it sleeps on the idle-M list until {@link Scheduler#startm} hands it one.
 *
 * <p>M's extend {@link ForkJoinWorkerThread} only so that {@code LinkedTransferQueue},
 * {@code SynchronousQueue} and {@code Exchanger}, which ask
 * {@code ForkJoinWorkerThread.hasKnownQueuedWork()} of the carrier before spinning, see whether
 * this M's P has G's waiting (see {@link JdkAccess#setKnownQueuedWork}). The M is never
 * registered with the (otherwise unused) pool and never runs fork-join tasks.
 *
 * <p>Who may touch what: {@link #p}, {@link #curg}, {@link #spinning} and {@link #runTick} are
 * written by the M itself, except that a waker sets {@link #nextp}/{@link #spinning} before
 * waking an idle M (the volatile {@link #wakeup} store publishes them) and sysmon sets
 * {@link #lostP} when it retakes the P. {@link #schedlink} is guarded by sched.lock.
 */
final class M extends ForkJoinWorkerThread {
    final Scheduler sched;
    final int mid;

    /** The P this M holds, or null. */
    volatile P p;
    /** The P handed to this M by {@link Scheduler#startm}, taken when it wakes. */
    volatile P nextp;
    /**
     * The G this M is running (set before its continuation runs, cleared after it returns).
     * Plain: written and read on this M's own OS thread (the G runs on it); other threads read
     * it racily, for diagnostics and to find the G's a GC-scan must stop (see {@link GcScan#scan}).
     */
    G curg;
    /** Kind of preemption the G on this M is yielding for (set by the G, read in ready() on the same M). */
    int yieldingFor;
    /** A G that called Thread.yield on this M, kept off the global queue until schedule() (see there). */
    G yielded;
    /** The last G this M ran and when that run started; charged at the next run or idle. */
    G lastRunG;
    long lastRunStart;
    /** The P's schedtick for the current run (identifies the run to {@link P#lockFromG}). */
    long runTick;
    /** Whether the G being scheduled came from runnext (inherits the time slice). */
    boolean inheritTime;
    /** Whether this M is looking for work to steal (counted in sched.nmspinning). */
    boolean spinning;
    /** Set by sysmon when it retook this M's P while a G was running. */
    volatile boolean lostP;

    /** Link in the idle-M list, and whether the M is on it; guarded by sched.lock (read racily for stats). */
    M schedlink;
    volatile boolean idle;
    /** Park/unpark handshake (Go's note): set by the waker, cleared by the M. */
    private volatile boolean wakeup;

    private final Object workQueue;
    private boolean knownQueuedWork;

    M(Scheduler sched, int mid, ForkJoinPool shadowPool) {
        super(null, shadowPool, true);
        this.sched = sched;
        this.mid = mid;
        setName(sched.name + "-M" + mid);
        setDaemon(true);
        this.workQueue = JdkAccess.workQueueOf(this);
    }

    @Override
    public void run() {
        sched.mstart(this);
    }

    /** Sleeps until {@link #wake()} (Go's notesleep). Spurious unparks are absorbed. */
    void sleep() {
        while (!wakeup) {
            LockSupport.park(this);
        }
        wakeup = false;
    }

    /** Wakes this M from {@link #sleep()} (Go's notewakeup). */
    void wake() {
        wakeup = true;
        LockSupport.unpark(this);
    }

    /**
     * Mirrors "my P has runnable G's queued" for {@code hasKnownQueuedWork()}. Called by this M
     * (also from the G it runs, which executes on this thread) after it changes its run queue.
     */
    void noteQueuedWork(boolean queued) {
        if (queued != knownQueuedWork) {
            knownQueuedWork = queued;
            JdkAccess.setKnownQueuedWork(workQueue, queued);
        }
    }

    /**
     * A thief emptied this M's P: clear the hint so that a G on this M may spin in
     * {@code SynchronousQueue} again. Racy with the owner's own updates; a stale value only
     * makes one G spin or park when the other would have been better.
     */
    void noteQueuedWorkRemote(boolean queued) {
        if (knownQueuedWork != queued) {
            knownQueuedWork = queued;
            JdkAccess.setKnownQueuedWork(workQueue, queued);
        }
    }

    /** Adds the time since the last run started to that G's run time. */
    void chargeLastRun(long now) {
        G g = lastRunG;
        if (g != null) {
            lastRunG = null;
            g.addRunNanos(now - lastRunStart);
        }
    }

    @Override
    public String toString() {
        return "M" + mid;
    }
}
