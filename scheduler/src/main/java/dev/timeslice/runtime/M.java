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
    /**
     * A blocking select the running G left for this M to run once it has unmounted
     * ({@link SelectHandoff}). Written by the G on this M's thread, read and cleared by the M.
     */
    SelectHandoff syscall;
    /** The G whose select this M just finished, while the M unparks it (own thread only). */
    G exitsyscallG;
    /** That G, made runnable by the unpark: the M resumes it itself, without a P (own thread only). */
    G directG;
    /** The last G this M ran and when that run started; charged at the next run or idle. */
    G lastRunG;
    long lastRunStart;
    /** The P's schedtick for the current run (identifies the run to {@link P#lockFromG}). */
    long runTick;
    /** Whether the G being scheduled came from runnext (inherits the time slice). */
    boolean inheritTime;
    /** Whether this M is looking for work to steal (counted in sched.nmspinning). */
    boolean spinning;
    /** How long this M's next spin for work may last ({@code Scheduler.spinForWork}; own thread only). */
    long spinNanos = Scheduler.SPIN_NANOS;
    /** Set by sysmon when it retook this M's P while a G was running. */
    volatile boolean lostP;
    /**
     * After a yield failed on this M while it had lost its P (pinned, or an Error from the
     * yield): no new attempt before this time (System.nanoTime), 0 = none. Own thread only.
     */
    long noYieldUntil;

    /** Link in the idle-M list, and whether the M is on it; guarded by sched.lock (read racily for stats). */
    M schedlink;
    volatile boolean idle;
    /** Park/unpark handshake (Go's note): set by the waker, cleared by the M. */
    private volatile boolean wakeup;

    /**
     * This M's fork-join work queue, looked up on the first change of the hint (a program whose
     * P's never queue a second G never pays for the lookup's handles, ~10 ms at start). Written by
     * whichever thread gets there first, the owner or a thief: both write the same reference, and
     * one that reads null looks it up again.
     */
    private Object workQueue;
    private boolean knownQueuedWork;

    M(Scheduler sched, int mid, ForkJoinPool shadowPool) {
        super(null, shadowPool, true);
        this.sched = sched;
        this.mid = mid;
        setName(sched.name + "-M" + mid);
        setDaemon(true);
        JdkAccess.setStackSize(this, STACK_SIZE);
    }

    /**
     * The stack size of every M: a running G's frames live on its M's stack, so G 1 and every
     * G must be able to recurse at least as deep as the program's main thread could without the
     * agent. Rewritten frames are larger (the polls' locals; less inlining), so an M gets twice
     * the main thread's stack ({@code -Xss} / {@code -XX:ThreadStackSize}, 1 MB by default on
     * Linux x64), at least {@link #MIN_STACK}. Only address space is reserved; pages are
     * committed as a G uses them.
     */
    static final long MIN_STACK = 4L << 20;
    static final long STACK_SIZE = Math.max(MIN_STACK, 2 * mainStackSize());


    /** The main thread's stack size as the java launcher gives it: the last -Xss / ThreadStackSize given, else 1 MB. */
    static long mainStackSize() {
        long size = 1L << 20;
        try {
            java.util.List<String> args = JvmCommandLine.words();
            for (String a : args) {
                long v = -1;
                if (a.startsWith("-Xss")) {
                    v = parseSize(a.substring(4), 1);
                } else if (a.startsWith("-XX:ThreadStackSize=")) {
                    v = parseSize(a.substring("-XX:ThreadStackSize=".length()), 1024);
                }
                if (v > 0) {
                    size = v;
                }
            }
        } catch (RuntimeException e) {
            // keep the default
        }
        return size;
    }

    /** "512k", "8m", "1g", "65536" (times {@code unit} when bare); -1 if not a size. */
    static long parseSize(String s, long unit) {
        if (s.isEmpty()) {
            return -1;
        }
        char c = Character.toLowerCase(s.charAt(s.length() - 1));
        long mult = switch (c) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            case 't' -> 1L << 40;
            default -> 0;
        };
        try {
            return mult == 0 ? Long.parseLong(s) * unit : Long.parseLong(s.substring(0, s.length() - 1)) * mult;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** This M's OS thread id (set when it starts), -1 when unknown; read by sysmon. */
    volatile int tid = -1;

    @Override
    public void run() {
        tid = OsThread.currentTid();
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
            JdkAccess.setKnownQueuedWork(workQueue(), queued);
        }
    }

    private Object workQueue() {
        Object q = workQueue;
        if (q == null) {
            q = JdkAccess.workQueueOf(this);
            workQueue = q;
        }
        return q;
    }

    /**
     * A thief emptied this M's P: clear the hint so that a G on this M may spin in
     * {@code SynchronousQueue} again. Racy with the owner's own updates; a stale value only
     * makes one G spin or park when the other would have been better.
     */
    void noteQueuedWorkRemote(boolean queued) {
        if (knownQueuedWork != queued) {
            knownQueuedWork = queued;
            JdkAccess.setKnownQueuedWork(workQueue(), queued);
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
