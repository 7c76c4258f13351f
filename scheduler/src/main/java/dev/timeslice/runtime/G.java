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
 * written by the M running the G (or with atomic adds where two M's may overlap). Preemption
 * requests live on the P that runs the G ({@link P#preemptReq}), not here.
 *
 * <p>Size: a G is 64 bytes (12-byte header, three ints, six references, two longs), because a
 * million parked G's should cost little more than a million parked virtual threads (~550 bytes
 * each, mostly the stack chunk). So the thread's {@code runContinuation} is read from the
 * thread rather than kept here, the two flags share the status word, the time in a state is
 * kept in seconds, and preemption counters are allocated only for G's that get preempted.
 */
final class G implements Executor {
    static final int IDLE = 0;
    static final int RUNNABLE = 1;
    static final int RUNNING = 2;
    static final int WAITING = 3;
    static final int PREEMPTED = 4;
    static final int DEAD = 5;

    private static final String[] NAMES = {"idle", "runnable", "running", "waiting", "preempted", "dead"};

    /** Preemption request kinds (see {@link P#preemptReq}). */
    static final int NO_REQUEST = 0;
    static final int SLICE = 1;
    static final int WAKEUP = 2;

    // status word: gen << GEN_SHIFT | FOREIGN | DAEMON | state
    private static final int STATE_MASK = 0xff;
    private static final int DAEMON = 1 << 8;
    private static final int FOREIGN = 1 << 9;
    private static final int GEN_SHIFT = 10;
    private static final int GEN_MASK = (1 << (32 - GEN_SHIFT)) - 1;

    private static final VarHandle STATUS;
    private static final VarHandle RUN_NANOS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATUS = l.findVarHandle(G.class, "status", int.class);
            RUN_NANOS = l.findVarHandle(G.class, "runNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * gen (22 bits, wrapping) << 10 | FOREIGN | DAEMON | state. DAEMON counts toward the
     * scheduler's live non-daemon G's (the JVM's keep-alive rule) when clear; it changes only
     * before the thread starts ({@link Routes#setDaemon}), and Thread.start orders that write
     * before the read at registration. FOREIGN marks an adopted virtual thread (one that
     * inherited a G as scheduler from its parent).
     */
    private volatile int status;
    /** When it last started or stopped running, or started waiting, in seconds of System.nanoTime. */
    private int stateSince;
    /** Times an M started running it; written only by that M (one at a time), read racily. */
    volatile int runs;
    /** Its select could not unmount once (pinned): it selects as the JDK does ({@link SelectHandoff}). Own G only. */
    boolean selectPins;

    /**
     * What {@code getPriority()} answers in rewritten code after {@code setPriority} (virtual
     * threads ignore priorities; the program still sees the value it set). Not used for scheduling.
     */
    volatile int priority = Thread.NORM_PRIORITY;
    final Scheduler sched;
    /** The virtual thread; set once, before the G is published. */
    Thread thread;
    /** Link in the global run queue; guarded by the queue's lock. */
    G schedlink;
    /** Links in the {@link AllGs} registry; guarded by the registry stripe's lock. */
    G allPrev;
    G allNext;
    /** Preemption counters, allocated on the first preemption request: most G's are never preempted. */
    private volatile PreemptCounts preemptCounts;

    final long goid;
    /** When this G was put on the global queue's wakeup list; guarded by sched.lock. */
    long wakeQueuedAt;
    private volatile long runNanos;

    G(Scheduler sched, long goid, boolean daemon, boolean foreign) {
        this.sched = sched;
        this.goid = goid;
        this.status = (daemon ? DAEMON : 0) | (foreign ? FOREIGN : 0) | IDLE;
        this.stateSince = seconds(System.nanoTime());
    }

    /** Per-G preemption counters; requests and handoffs come from sysmon, the rest from the G itself. */
    static final class PreemptCounts {
        volatile long requested;
        volatile long served;
        volatile long failed;
        volatile long handoffs;
    }

    PreemptCounts counts() {
        PreemptCounts c = preemptCounts;
        if (c == null) {
            synchronized (this) {
                c = preemptCounts;
                if (c == null) {
                    preemptCounts = c = new PreemptCounts();
                }
            }
        }
        return c;
    }

    long preemptServed() {
        PreemptCounts c = preemptCounts;
        return c == null ? 0 : c.served;
    }

    /** Called by the JDK whenever the virtual thread becomes runnable. */
    @Override
    public void execute(Runnable task) {
        if (task == JdkAccess.runContinuation(thread)) {
            sched.ready(this);
        } else {
            // a virtual thread that inherited this G as its scheduler from its parent
            sched.readyForeign(task);
        }
    }

    /** The task the JDK submits for this G's thread. */
    Runnable runContinuation() {
        return JdkAccess.runContinuation(thread);
    }

    int state() {
        return status & STATE_MASK;
    }

    int gen() {
        return (status >>> GEN_SHIFT) & GEN_MASK;
    }

    boolean isDaemon() {
        return (status & DAEMON) != 0;
    }

    boolean isForeign() {
        return (status & FOREIGN) != 0;
    }

    /** Before the thread starts only (the creator's thread). */
    void setDaemon(boolean on) {
        int s = status;
        status = on ? s | DAEMON : s & ~DAEMON;
    }

    /**
     * Marks the G runnable (or preempted) before it is queued. No clock read: like Go, the
     * time in a runnable state is not tracked ({@link #stateSince} keeps the end of the last run).
     * A release store suffices: the only concurrent writer is its M's CAS in
     * {@link #casWaiting}, and a CAS is ordered with every store to the same variable.
     */
    void setRunnable(int state) {
        int s = (int) STATUS.getOpaque(this);
        STATUS.setRelease(this, (s & ~STATE_MASK) | state);
    }

    /** An M takes the G to run it; returns the new generation. */
    int setRunning(long now) {
        int s = (int) STATUS.getOpaque(this);
        int gen = (((s >>> GEN_SHIFT) & GEN_MASK) + 1) & GEN_MASK;
        STATUS.setRelease(this, (gen << GEN_SHIFT) | (s & (DAEMON | FOREIGN)) | RUNNING);
        stateSince = seconds(now);
        runs++;
        return gen;
    }

    /** The M's end of a run: RUNNING -> WAITING unless somebody made the G runnable meanwhile. */
    boolean casWaiting(int gen, long now) {
        int s = status;
        if ((s & STATE_MASK) != RUNNING || ((s >>> GEN_SHIFT) & GEN_MASK) != gen) {
            return false;
        }
        if (STATUS.compareAndSet(this, s, (s & ~STATE_MASK) | WAITING)) {
            stateSince = seconds(now);
            return true;
        }
        return false;
    }

    /** RUNNING -> DEAD, once; false if another M already did it. */
    boolean casDead(long now) {
        for (;;) {
            int s = status;
            if ((s & STATE_MASK) == DEAD) {
                return false;
            }
            if (STATUS.compareAndSet(this, s, (s & ~STATE_MASK) | DEAD)) {
                stateSince = seconds(now);
                return true;
            }
        }
    }

    /** How long the G has been in its state at {@code now}, to the second. */
    long nanosInState(long now) {
        return Math.max(0, (seconds(now) - stateSince)) * 1_000_000_000L;
    }

    private static int seconds(long nanos) {
        return (int) (nanos / 1_000_000_000L);
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
