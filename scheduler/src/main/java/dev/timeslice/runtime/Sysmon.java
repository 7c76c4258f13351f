package dev.timeslice.runtime;

import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * sysmon: a daemon platform thread that runs without a P (Go's {@code sysmon}, {@code retake},
 * {@code preemptone}, {@code handoffp}).
 *
 * <p>Each round it looks at every P that is running a G:
 * <ol>
 *   <li><b>time slice</b>: a G that has run for {@code slice} since it (re)started gets a
 *       preemption request (at most one per run, renewed if it was not served);</li>
 *   <li><b>retake</b>: if runnable work is waiting that no other P can take (none idle, no M
 *       spinning), the P is taken from its M and handed to another M, as Go retakes P's from
 *       system calls, when the M is blocked (a native read, {@code Process.waitFor}, file or DNS
 *       I/O — it burns no CPU over two checks ~1.2 ms apart, see {@link #blockedOnM}), or the G
 *       is blocked while pinned to its carrier, or the G has not served its slice request within
 *       {@link #handoffDelayNanos} while its M kept burning CPU (stuck in uninstrumented or
 *       native code). The stuck M finds out when its G next polls or unmounts, and goes idle;</li>
 *   <li><b>wakeup preemption</b> (beyond Go): when G's woken from outside wait on the global
 *       queue and no P is idle, the G that has run longest in its current run (at least
 *       {@code wakeupGrace}; a G from runnext counts from its own start, not the slice it
 *       inherited) is asked to yield and its P serves the wakeup next;</li>
 *   <li><b>late wakeup</b> (beyond Go): only an M that is on a CPU can serve a wakeup, and on a
 *       busy machine the victim's M may be waiting for one (the kernel ran other processes; its
 *       CPU time stands still), so the request sits unread. When the oldest wakeup has waited
 *       {@link #WAKE_LATE_NANOS} (or wakeupGrace, if longer), every running P whose run is at
 *       least that old is asked to yield for it (a younger run ends soon, or is seen at a later
 *       look: its M was on a CPU when it began it), and the M of each is sampled; one whose CPU time moved by less than a quarter of
 *       {@link #WAKE_CONFIRM_NANOS} later is off the CPU (descheduled or blocked), and its P is
 *       handed to another M, which the kernel runs sooner: a thread that slept is placed ahead of
 *       CPU hogs, like the platform thread the wakeup would have woken without Timeslice. At most
 *       one such handoff per waiting wakeup and look ({@link #escalateWakeups}).</li>
 * </ol>
 *
 * <p>Sleeping: Go's sysmon does not know when the next slice ends, so it polls with a backoff
 * (20 µs, doubling after 50 idle rounds, up to 10 ms). This sysmon reads every running G's
 * start time, so it sleeps exactly until the earliest deadline (slice end, handoff, wakeup
 * grace) within Go's bounds: at least 20 µs, at most 10 ms; and it parks indefinitely while no
 * P runs a G ({@link #noteRunning} wakes it). So a slice ends on time without sysmon waking
 * hundreds of times per slice. Waker threads call {@link #wakeupPending} to get a wakeup
 * preemption without waiting for the next round; while wakeups keep arriving, sysmon sleeps at
 * most their lateness, and a waker unparks it only when it would sleep longer.
 *
 * <p>Nothing to starve, nothing to do (beyond Go, which preempts anyway): a G whose slice is
 * over is not asked to yield while no other G is runnable (every run queue, runnext and the
 * global queue empty) — yielding would only put it back on its P, and cost a deoptimisation the
 * first time. When every running G is such a G, sysmon parks; the scheduler calls
 * {@link #noteRunnable} when it makes a G runnable while no P is idle (the only way starvation
 * becomes possible: with a P idle, that P runs it), and sysmon then asks at once. The park is
 * bounded ({@link #STARVE_PARK_MAX}, 20 wakeups a second) so that a path that queues a G without
 * that call delays it by at most that much instead of starving it.
 *
 * <p>sysmon only reads P fields racily and validates what it read through the schedtick in the
 * P's status word; it changes scheduler state only by CAS (requests, retakes).
 */
final class Sysmon implements Runnable {
    private static final long MIN_SLEEP = 20_000;
    private static final long MAX_SLEEP = 10_000_000;
    /** First look at a run's M for CPU progress after work starts waiting (see {@link #blockedOnM}). */
    static final long BLOCK_CHECK_NANOS = 1_000_000;
    /** {@link P#watchCpu} before the watched run's M has been sampled (see {@link #blockedOnM}). */
    static final long UNSAMPLED = Long.MIN_VALUE;
    /** M CPU-clock reads by sysmon (written by sysmon only; for tests). */
    volatile long cpuSamples;
    /** Second look, confirming that the M is still not running. */
    static final long BLOCK_CONFIRM_NANOS = 200_000;
    /** How long the oldest wakeup may wait for a P before sysmon looks for M's off the CPU. */
    static final long WAKE_LATE_NANOS = 1_000_000;
    /** The sample of a running P's M CPU time that tells whether it is on a CPU. */
    static final long WAKE_CONFIRM_NANOS = 200_000;
    /** The longest sleep while G's run past their slice and none waits: a bound on any missed wakeup. */
    private static final long STARVE_PARK_MAX = 50_000_000;

    private final Scheduler sched;
    private final Thread thread;
    final long handoffDelayNanos;
    private volatile boolean stopped;
    /** True while sysmon is parked with no deadline; {@link #noteRunning} then wakes it. */
    private volatile boolean idleParked;
    private volatile boolean wakeupRequested;
    /** Rounds of the loop in {@link #run} (written by sysmon only; for tests). */
    volatile long rounds;
    /** When sysmon means to wake next (System.nanoTime), Long.MAX_VALUE while parked without a deadline. */
    private volatile long plannedWake = Long.MAX_VALUE;
    /** True while sysmon is parked because no G is runnable; {@link #noteRunnable} then wakes it. */
    private volatile boolean starveParked;
    /** Set by {@link #retake}: it left a G past its slice alone because nothing else was runnable. */
    private boolean leftAlone;

    Sysmon(Scheduler sched) {
        this.sched = sched;
        this.handoffDelayNanos = Math.max(1_000_000, sched.sliceNanos / 10);
        this.thread = new Thread(this, sched.name + "-sysmon");
        thread.setDaemon(true);
    }

    void start() {
        Preempt.install();
        thread.start();
    }

    void stop() {
        stopped = true;
        LockSupport.unpark(thread);
    }

    /** An M started running a G; wake sysmon if it sleeps without a deadline. */
    void noteRunning(P p) {
        if (idleParked) {
            idleParked = false;
            LockSupport.unpark(thread);
        }
    }

    /**
     * The scheduler made a G runnable while no P was idle: a G past its slice may now starve it.
     * Called after the G is queued (the fence orders that put before the flag's read, against
     * sysmon's write of the flag before it re-reads the queues).
     */
    void noteRunnable() {
        VarHandle.fullFence();
        if (starveParked) {
            starveParked = false;
            LockSupport.unpark(thread);
        }
    }

    /**
     * A G woken from outside is waiting and no P is idle: try a wakeup preemption now, and make
     * sure sysmon looks again within {@link #wakeLateness} (a late wakeup, or the M of the G
     * asked to yield may be blocked and never serve the request).
     *
     * <p>sysmon is unparked only when it means to sleep longer than that and has not been told
     * of a wakeup since its last round ({@link #wakeupsArrived}): while wakeups keep arriving,
     * each round shortens sysmon's next sleep to the lateness instead. Before, every wakeup
     * that found no G old enough to preempt (a server whose handlers run for µs: all of them)
     * unparked sysmon for a round of its own — a futex call on the waker (the JDK's I/O poller)
     * and a sysmon round per request.
     *
     * <p>Ordering: the waker writes {@code wakeupsArrived} and then reads {@link #plannedWake};
     * sysmon writes plannedWake and then reads (and clears) wakeupsArrived before it parks.
     * Both volatile, so either sysmon sees the flag and shortens its sleep, or the waker sees
     * the long sleep and unparks it.
     */
    void wakeupPending() {
        long now = System.nanoTime();
        preemptForWakeups(now);
        if (wakeupsArrived) {
            return; // sysmon has not had its round since the last one: it looks within the lateness
        }
        wakeupsArrived = true;
        if (plannedWake - now > wakeLateness()) {
            wakeupKicks++;
            wakeupRequested = true;
            LockSupport.unpark(thread);
        }
    }

    /** How long the oldest wakeup may wait before sysmon looks for M's off the CPU. */
    long wakeLateness() {
        return Math.max(WAKE_LATE_NANOS, sched.wakeupGraceNanos);
    }

    /** Set by a waker ({@link #wakeupPending}), cleared by sysmon before it parks. */
    private volatile boolean wakeupsArrived;
    /** Times {@link #wakeupPending} unparked sysmon (racy count; for tests). */
    volatile long wakeupKicks;

    @Override
    public void run() {
        while (!stopped) {
            // A wakeup request is consumed by the round that follows it; one that arrives during
            // the round is seen by the checks before parking below (and its unpark leaves a
            // permit). Left set, it kept sysmon from ever parking again: a whole core spent
            // spinning for the rest of the run after one wakeup that found nothing to do.
            wakeupRequested = false;
            rounds++;
            long now = System.nanoTime();
            long next = retake(now);
            if (sched.globrunq.wakeSize() > 0 && sched.npidle == 0) {
                wakeupRequested = false;
                if (!preemptForWakeups(now)) {
                    next = Math.min(next, now + Math.max(MIN_SLEEP, sched.wakeupGraceNanos / 4));
                }
                next = Math.min(next, escalateWakeups(now));
            }
            if (next == Long.MAX_VALUE && leftAlone) {
                // G's run past their slice, but none is waiting: sleep until one is
                starveParked = true;
                wakeupsArrived = false; // a wakeup from now on is runnable work: noteRunnable wakes us
                VarHandle.fullFence();
                if (runnableWaiting() || wakeupRequested) {
                    starveParked = false;
                    continue;
                }
                plannedWake = now + STARVE_PARK_MAX;
                LockSupport.parkNanos(this, STARVE_PARK_MAX);
                starveParked = false;
                continue;
            }
            if (next == Long.MAX_VALUE) {
                // nothing running: sleep until an M starts a G
                idleParked = true;
                plannedWake = Long.MAX_VALUE;
                wakeupsArrived = false; // noteRunning wakes us when a G runs again
                if (anyRunning() || wakeupRequested) {
                    idleParked = false;
                    continue;
                }
                sched.deadlock.sysmonIdle(); // O(procs): asks the deadlock detector's thread to look
                LockSupport.park(this);
                continue;
            }
            long sleep = Math.min(MAX_SLEEP, Math.max(MIN_SLEEP, next - now));
            plannedWake = now + sleep;
            if (wakeupsArrived) {
                // wakeups arrived since the last round: look again within their lateness
                // (see wakeupPending for the ordering against the waker)
                wakeupsArrived = false;
                long lateness = wakeLateness();
                if (sleep > lateness) {
                    sleep = lateness;
                    plannedWake = now + sleep;
                }
            }
            LockSupport.parkNanos(this, sleep);
        }
    }

    private boolean anyRunning() {
        for (P p : sched.allp) {
            int s = p.status();
            if (P.runsG(s)) {
                return true;
            }
        }
        return false;
    }

    /**
     * One pass of Go's {@code retake} over all P's. Returns the earliest time at which
     * something may be due, or {@code Long.MAX_VALUE} when no P is running a G.
     */
    long retake(long now) {
        long next = Long.MAX_VALUE;
        boolean workStarving = workStarving();
        boolean runnable = workStarving || runnableWaiting();
        leftAlone = false;
        for (P p : sched.allp) {
            int status = p.status();
            if (!P.runsG(status)) {
                continue;
            }
            long tick = p.tick();
            G g = p.curg;
            long gen = p.curgGen;
            long start = p.runStart;
            M m = p.m;
            if (g == null || m == null || p.tick() != tick) {
                next = Math.min(next, now + MIN_SLEEP);
                continue; // changed while we looked; see it next round
            }
            if (workStarving) {
                // Go's retake of a P in a syscall: an M that is blocked (or simply gets no CPU)
                // while its G runs gives up its P once work waits for one
                if (blockedOnM(p, tick, gen, m, g, now)) {
                    handoff(p, tick, m, g);
                    continue;
                }
                next = Math.min(next, p.watchAt + p.watchPeriod);
            } else {
                p.watchTick = -1;
            }
            long deadline = start + sched.sliceNanos;
            if (now < deadline) {
                next = Math.min(next, deadline);
                continue;
            }
            if (!runnable) {
                // slice over, but no G waits for a P: nothing to give it to (see the class comment)
                leftAlone = true;
                continue;
            }
            if (p.sysmonRequestedGen != gen || p.sysmonTick != tick) {
                // slice over: first request for this run
                p.sysmonTick = tick;
                p.sysmonRequestedGen = gen;
                p.sysmonRequestAt = now;
                p.sysmonRequestCpu = cpuTime(m);
                if (blockedPinned(g) && workStarving) {
                    handoff(p, tick, m, g);
                    continue;
                }
                if (Preempt.requestForRun(p, tick, G.SLICE, now)) {
                    countRequest(p, g);
                }
                next = Math.min(next, now + handoffDelayNanos);
                continue;
            }
            // asked before, and still the same run
            long handoffAt = p.sysmonRequestAt + handoffDelayNanos;
            if (now >= handoffAt && workStarving && stuck(p, m, g)) {
                handoff(p, tick, m, g);
                continue;
            }
            if (now >= handoffAt && p.preemptReq == 0) {
                // the earlier request was retired (pinned yield): ask again, never spin
                p.sysmonRequestAt = now;
                p.sysmonRequestCpu = cpuTime(m);
                if (Preempt.requestForRun(p, tick, G.SLICE, now)) {
                    countRequest(p, g);
                }
            }
            // past the handoff time and nothing to do now: the next look is due when work
            // starts waiting (a wakeup tells us, see wakeupPending) or, as Go's sysmon, in 10 ms
            next = Math.min(next, now < handoffAt ? handoffAt : now + MAX_SLEEP);
        }
        return next;
    }

    /**
     * Is the M under this run blocked — in a native read, {@code Process.waitFor}, a file or DNS
     * call, anything that does not come back to a poll? Go knows when an M enters a system call;
     * the JVM does not say, so sysmon samples the M's CPU time: an M that burnt (almost) none over
     * two consecutive checks (the first sample half {@link #BLOCK_CHECK_NANOS} after sysmon first
     * saw the run, the first check half of it later, the second {@link #BLOCK_CONFIRM_NANOS}
     * after that, so that one JVM pause does not count; a run that ends sooner costs no sample)
     * and that the OS
     * does not report runnable ({@link OsThread}: an M merely waiting for a CPU on a busy machine
     * would not be helped by another M) is blocked: its P is better used by another M. Where the
     * OS says nothing (not Linux), no CPU progress is enough. While the M keeps computing, the
     * checks back off to {@link #MAX_SLEEP}. Only while work is starving (caller); true means:
     * hand the P off now.
     */
    private boolean blockedOnM(P p, long tick, long gen, M m, G g, long now) {
        if (p.watchTick != tick || p.watchGen != gen) {
            // A run sysmon has not seen before: note it, sample nothing. Most runs of a busy
            // server end within µs, long before a second look; reading the M's CPU clock for
            // each of them was half of sysmon's CPU (issue 14). The first sample is taken at
            // the first look at least BLOCK_CHECK/2 later, if the run is still the same.
            p.watchTick = tick;
            p.watchGen = gen;
            p.watchAt = now;
            p.watchCpu = UNSAMPLED;
            p.watchStrikes = 0;
            p.watchPeriod = BLOCK_CHECK_NANOS / 2;
            return false;
        }
        if (now - p.watchAt < p.watchPeriod) {
            return false;
        }
        if (blockedPinned(g)) {
            return true;
        }
        if (p.watchCpu == UNSAMPLED) {
            p.watchAt = now;
            p.watchCpu = cpuTime(m);
            p.watchPeriod = BLOCK_CHECK_NANOS / 2;
            return false;
        }
        long cpu = cpuTime(m);
        long elapsed = now - p.watchAt;
        // An M that is runnable but gets no CPU keeps its P: the kernel will run it, and handing
        // its P to yet another thread on a busy machine made wakeups later, not sooner (burst
        // benchmark, BENCHMARKS.md)
        boolean idle = cpu >= 0 && p.watchCpu >= 0 && cpu - p.watchCpu < elapsed / 8
                && !OsThread.runnable(m.tid);
        p.watchAt = now;
        p.watchCpu = cpu;
        if (!idle) {
            p.watchStrikes = 0;
            p.watchPeriod = Math.min(MAX_SLEEP, p.watchPeriod * 2);
            return false;
        }
        if (++p.watchStrikes >= 2) {
            if (sched.globrunq.wakeSize() > 0) {
                p.wakeupTarget = true; // the M that takes the P serves the wakeup list first
            }
            return true;
        }
        p.watchPeriod = BLOCK_CONFIRM_NANOS;
        return false;
    }

    /**
     * A wakeup has waited too long: find the running P's whose M is not on a CPU and hand them
     * to other M's (class comment, "late wakeup"). Returns when to look again.
     *
     * <p>Each running P whose run is at least the lateness old is first asked to yield (kind
     * WAKEUP, marked {@link P#wakeupTarget}) and
     * its M's CPU time sampled; {@link #WAKE_CONFIRM_NANOS} later an M whose CPU time moved by
     * less than a quarter of that is off the CPU. A JVM pause stops every M and looks the same:
     * the handoff then costs one extra thread switch. The handoff is the retake's CAS on the
     * run's schedtick, so a run that ended meanwhile is never touched; the M that lost the P
     * finds out at its G's next poll (the request stays pending) and goes idle. The new owner
     * reads {@code wakeupTarget} after {@link Scheduler#startm}'s volatile handshake, which
     * orders it after this thread's write.
     */
    long escalateWakeups(long now) {
        long since = sched.globrunq.wakeHeadSince();
        if (since == 0) {
            return Long.MAX_VALUE;
        }
        long lateness = wakeLateness();
        long late = since + lateness;
        if (now < late) {
            return late;
        }
        int budget = sched.globrunq.wakeSize();
        long next = now + WAKE_CONFIRM_NANOS;
        for (P p : sched.allp) {
            if (budget <= 0) {
                break;
            }
            int status = p.status();
            if (!P.runsG(status)) {
                continue;
            }
            long tick = p.tick();
            G g = p.curg;
            long gen = p.curgGen;
            long start = p.curgStart; // this G's own run, not the slice a runnext chain shares
            M m = p.m;
            if (g == null || m == null || p.tick() != tick) {
                continue;
            }
            if (now - start < lateness) {
                // A run younger than the lateness: its M was on a CPU when it started it, and it
                // picks again (the wakeup list first every other pick) when the run ends, within
                // µs for a request handler. Asking it to yield only cost a yield and, the first
                // time at a poll, a deoptimisation, for every request of a busy server. An M the
                // kernel does not run keeps its run, which ages by the wall clock: seen later.
                next = Math.min(next, start + lateness);
                continue;
            }
            if (p.wakeWatchTick != tick || p.wakeWatchGen != gen) {
                p.wakeWatchTick = tick;
                p.wakeWatchGen = gen;
                p.wakeWatchAt = now;
                p.wakeWatchCpu = cpuTime(m);
                if (!p.wakeupTarget) {
                    p.wakeupTarget = true;
                    if (Preempt.requestForRun(p, tick, G.WAKEUP, now)) {
                        countRequest(p, g);
                        sched.stats.wakeupPreemptions.increment();
                    }
                }
                continue;
            }
            long elapsed = now - p.wakeWatchAt;
            if (elapsed < WAKE_CONFIRM_NANOS) {
                next = Math.min(next, p.wakeWatchAt + WAKE_CONFIRM_NANOS);
                continue;
            }
            long cpu = cpuTime(m);
            boolean offCpu = cpu >= 0 && p.wakeWatchCpu >= 0 && cpu - p.wakeWatchCpu < elapsed / 4;
            p.wakeWatchAt = now;
            p.wakeWatchCpu = cpu;
            if (offCpu) {
                p.wakeupTarget = true; // the M that takes the P serves the wakeup list first
                handoff(p, tick, m, g);
                budget--;
            }
        }
        return next;
    }

    private void countRequest(P p, G g) {
        p.preemptRequested++;
        g.counts().requested++;
        sched.stats.preemptRequested.increment();
    }

    /**
     * Has the G been running without reaching a poll since sysmon asked it to yield? Either it
     * is blocked while pinned to its carrier, or its M has burnt at least half the handoff
     * delay of CPU since the request. An M that got no CPU (the OS ran other threads, or the
     * JVM was stopped for a GC) is not stuck: another M would not run any sooner.
     */
    private boolean stuck(P p, M m, G g) {
        if (blockedPinned(g)) {
            return true;
        }
        long cpu = cpuTime(m);
        return cpu < 0 || p.sysmonRequestCpu < 0 || cpu - p.sysmonRequestCpu >= handoffDelayNanos / 2;
    }

    /** Tests only: stands in for the OS's CPU clock of M's (an M that gets no CPU), or null. */
    static volatile java.util.function.ToLongFunction<M> cpuClockForTest;

    /** CPU time of an M's thread, or -1 when the JVM does not measure it. */
    private long cpuTime(M m) {
        cpuSamples++;
        java.util.function.ToLongFunction<M> test = cpuClockForTest;
        if (test != null) {
            return test.applyAsLong(m);
        }
        try {
            return ThreadCpu.BEAN.getThreadCpuTime(m.threadId());
        } catch (RuntimeException | Error e) {
            return -1;
        }
    }

    /**
     * Holder: java.management is loaded only when sysmon first needs a thread's CPU time (~24 ms
     * of CPU once, on sysmon's thread). Not {@code /proc/self/task/<tid>/schedstat} instead: a
     * read costs 9-18 µs against 0.4 µs (a server samples hundreds of times a second), and its
     * {@code sum_exec_runtime} of a running thread is only brought up to date at scheduler
     * events (up to a 4 ms tick stale), so an M on a CPU would look off it over sysmon's 200 µs
     * windows (BENCHMARKS.md §17).
     */
    private static final class ThreadCpu {
        static final java.lang.management.ThreadMXBean BEAN = java.lang.management.ManagementFactory.getThreadMXBean();
    }

    /** Is the G parked or blocked while still mounted (pinned to its carrier)? */
    private static boolean blockedPinned(G g) {
        Thread.State s = g.thread.getState();
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.BLOCKED;
    }

    /**
     * Runnable G's wait and no other P can take them (none idle, no M spinning): only then is
     * it worth adding a thread by retaking a P from a stuck M.
     */
    private boolean workStarving() {
        if (sched.npidle > 0 || sched.nmspinning.get() > 0) {
            return false;
        }
        if (sched.globrunq.size() > 0) {
            return true;
        }
        for (P p : sched.allp) {
            if (!p.runq.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Is any G runnable but not running: in a P's run queue or runnext, or the global queue? */
    private boolean runnableWaiting() {
        if (sched.globrunq.size() > 0 || sched.globrunq.wakeSize() > 0) {
            return true;
        }
        for (P p : sched.allp) {
            if (!p.runq.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Go's {@code handoffp} from a stuck M: take the P and start another M on it. */
    private void handoff(P p, long tick, M m, G g) {
        if (!p.casHandoff(tick)) {
            return;
        }
        m.lostP = true;
        p.m = null;
        SchedEvents ev = sched.events();
        if (ev != null) {
            ev.handoff(p.id, m.mid, g.goid, System.nanoTime());
        }
        p.handoffs++;
        g.counts().handoffs++;
        sched.stats.handoffs.increment();
        // keep the stuck G's request pending so its next poll gives the M back
        if (p.preemptReq == 0 && Preempt.requestForRun(p, tick, G.SLICE, System.nanoTime())) {
            countRequest(p, g);
        }
        sched.startm(p, false);
    }

    /**
     * Wakeup preemption: for each G waiting on the wakeup list, ask the longest-running G (run
     * at least wakeupGrace since it was mounted, not already asked: a G that inherited its slice
     * from runnext is judged by its own run, as a request handler started by a selector G has
     * run for µs however old the slice is) to yield, and mark its P to serve wakeups
     * first. Any thread may call this. Returns false when a wakeup is left without a victim.
     */
    boolean preemptForWakeups(long now) {
        int waiting = sched.globrunq.wakeSize();
        for (P p : sched.allp) {
            if (p.wakeupTarget) {
                waiting--;
            }
        }
        while (waiting > 0) {
            P victim = null;
            long victimTick = 0;
            long oldest = Long.MAX_VALUE;
            for (P p : sched.allp) {
                long tick = p.tick();
                int s = p.status();
                if (P.runsG(s) && !p.wakeupTarget && p.preemptReq == 0) {
                    long start = p.curgStart; // this G's own run (see P#curgStart)
                    G g = p.curg;
                    if (g != null && p.tick() == tick && start < oldest) {
                        oldest = start;
                        victim = p;
                        victimTick = tick;
                    }
                }
            }
            if (victim == null || now - oldest < sched.wakeupGraceNanos) {
                return false;
            }
            G g = victim.curg;
            if (g == null) {
                return false;
            }
            victim.wakeupTarget = true;
            if (Preempt.requestForRun(victim, victimTick, G.WAKEUP, now)) {
                countRequest(victim, g);
                sched.stats.wakeupPreemptions.increment();
            }
            waiting--;
        }
        return true;
    }
}
