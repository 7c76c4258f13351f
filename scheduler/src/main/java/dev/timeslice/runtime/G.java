package dev.timeslice.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;

/**
 * A G: one virtual thread whose scheduler is Timeslice (Go's {@code g}).
 *
 * <p>The G is itself the virtual thread's {@link Executor}: the JDK calls {@link #execute} with
 * the thread's {@code runContinuation} task each time the thread becomes runnable (start, unpark,
 * yield, monitor exit, timer), and an M runs that task to mount and continue the thread.
 *
 * <pre>
 * State transitions (who performs them):
 *
 *   IDLE      -> RUNNABLE   first execute(), from Thread.start          (the starting thread)
 *   RUNNABLE  -> RUNNING    an M takes it from a run queue; gen+1       (that M)
 *   PREEMPTED -> RUNNING    likewise
 *   RUNNING   -> RUNNABLE   execute() while its own M still runs it:    (its M, in afterYield)
 *                           Thread.yield, or unparked before its park completed
 *   RUNNING   -> PREEMPTED  execute() after it yielded to serve a preemption request (its M)
 *   RUNNING   -> WAITING    the run returned, the thread is alive and   (its M, CAS on gen)
 *                           nobody made it runnable meanwhile (parked, blocked, waiting)
 *   RUNNING   -> DEAD       the run returned and the thread terminated  (its M)
 *   WAITING   -> RUNNABLE   execute() by a waker: unpark, timer,        (any thread)
 *                           monitor exit, I/O
 * </pre>
 *
 * <p>The state shares one volatile word with a generation number bumped on every
 * {@code -> RUNNING}; the M's {@code RUNNING -> WAITING} is a CAS on (gen, RUNNING), so a G
 * that was made runnable (or is already running again on another M) between the end of its
 * continuation and that CAS is never marked waiting. {@code execute()} writes with a plain
 * volatile store: the JDK submits a continuation at most once per runnable transition, so no
 * two writers race there, and the M's CAS either precedes it (WAITING, then RUNNABLE) or fails.
 *
 * <p>Other fields: {@code schedlink} belongs to whoever holds the G in a queue; counters are
 * written by the M running the G (or with atomic adds where two M's may overlap); preemption
 * requests are written by sysmon / the scan and read by the G at its polls.
 */
final class G implements Executor {
    static final int IDLE = 0;
    static final int RUNNABLE = 1;
    static final int RUNNING = 2;
    static final int WAITING = 3;
    static final int PREEMPTED = 4;
    static final int DEAD = 5;

    private static final String[] NAMES = {"idle", "runnable", "running", "waiting", "preempted", "dead"};

    /** Preemption request kinds (field {@link #preempt}). */
    static final int NO_REQUEST = 0;
    static final int SLICE = 1;
    static final int WAKEUP = 2;

    private static final VarHandle STATUS;
    private static final VarHandle RUN_NANOS;
    static final VarHandle PREEMPT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATUS = l.findVarHandle(G.class, "status", long.class);
            RUN_NANOS = l.findVarHandle(G.class, "runNanos", long.class);
            PREEMPT = l.findVarHandle(G.class, "preempt", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Scheduler sched;
    final long goid;
    /**
     * Counts toward the scheduler's live non-daemon G's (the JVM's keep-alive rule). Changed
     * only before the thread starts ({@link Routes#setDaemon}); Thread.start orders that write
     * before the read at registration.
     */
    boolean daemon;
    final long createdNanos;
    /** Adopted: a virtual thread that inherited a G as scheduler from its parent. */
    boolean foreign;

    /** The virtual thread; set once, before the G is published. */
    Thread thread;
    /** The thread's runContinuation task; identifies this G's own submissions. */
    Runnable runContinuation;

    /** gen << 8 | state. */
    private volatile long status;
    /** When it last started or stopped running, or started waiting (System.nanoTime), for dumps. */
    long stateSince;

    /** Link in the global run queue; guarded by the queue's lock. */
    G schedlink;
    /** Links in the {@link AllGs} registry; guarded by the registry stripe's lock. */
    G allPrev;
    G allNext;

    /**
     * Pending preemption request, {@code gen << 8 | kind}, or 0. Set by CAS from 0 by a
     * requester ({@link Preempt#request}); retired by CAS to 0 by whoever serves or cancels it.
     * The gen ties the request to one run: a request for an earlier run is retired unserved.
     */
    volatile long preempt;
    /** When the pending request was made (System.nanoTime); written just before the CAS. */
    volatile long preemptSince;
    /** Kind of the request this G yielded for; read by its M when requeueing it. */
    int yieldingFor;

    // Counters. runs is written only by the M that takes the G (one at a time, ordered by the
    // queue hand-over), read racily by others.
    volatile long runs;
    private volatile long runNanos;
    volatile long preemptRequested;
    volatile long preemptServed;
    volatile long preemptFailed;
    volatile long handoffs;

    G(Scheduler sched, long goid, boolean daemon) {
        this.sched = sched;
        this.goid = goid;
        this.daemon = daemon;
        this.createdNanos = System.nanoTime();
        this.stateSince = createdNanos;
    }

    /** Called by the JDK whenever the virtual thread becomes runnable. */
    @Override
    public void execute(Runnable task) {
        if (task == runContinuation) {
            sched.ready(this);
        } else {
            // a virtual thread that inherited this G as its scheduler from its parent
            sched.readyForeign(task);
        }
    }

    int state() {
        return (int) (status & 0xff);
    }

    long gen() {
        return status >>> 8;
    }

    /**
     * Marks the G runnable (or preempted) before it is queued. No clock read: like Go, the
     * time in a runnable state is not tracked ({@link #stateSince} keeps the end of the last run).
     * A release store suffices: the only concurrent writer is its M's CAS in
     * {@link #casWaiting}, and a CAS is ordered with every store to the same variable.
     */
    void setRunnable(int state) {
        long s = (long) STATUS.getOpaque(this);
        STATUS.setRelease(this, (s & ~0xffL) | state);
    }

    /** An M takes the G to run it; returns the new generation. */
    long setRunning(long now) {
        long gen = ((long) STATUS.getOpaque(this) >>> 8) + 1;
        STATUS.setRelease(this, (gen << 8) | RUNNING);
        stateSince = now;
        runs++;
        return gen;
    }

    /** The M's end of a run: RUNNING -> WAITING unless somebody made the G runnable meanwhile. */
    boolean casWaiting(long gen, long now) {
        if (STATUS.compareAndSet(this, (gen << 8) | RUNNING, (gen << 8) | WAITING)) {
            stateSince = now;
            return true;
        }
        return false;
    }

    void setDead(long now) {
        status = (status & ~0xffL) | DEAD;
        stateSince = now;
    }

    void addRunNanos(long nanos) {
        RUN_NANOS.getAndAdd(this, nanos);
    }

    long runNanos() {
        return runNanos;
    }

    static String stateName(int state) {
        return NAMES[state];
    }

    @Override
    public String toString() {
        return "G" + goid + "[" + stateName(state()) + (thread == null ? "" : ", " + thread.getName()) + "]";
    }
}
