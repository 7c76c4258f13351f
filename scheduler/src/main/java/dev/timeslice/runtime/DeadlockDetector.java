package dev.timeslice.runtime;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * Deadlocks among G's: Go's "all goroutines are asleep - deadlock!" ({@link AllAsleep}) and
 * lock cycles among G's while others still run ({@link LockCycles}), which neither
 * {@code ThreadMXBean.findDeadlockedThreads()} nor jstack see (they know platform threads only).
 *
 * <p>When it looks: sysmon calls {@link #sysmonIdle} each time it is about to park because no P
 * runs a G, and the GC-scan trigger calls {@link #afterScan} after each GC-triggered scan that
 * saw a G blocked on a lock. sysmonIdle is O(procs) (it sums the P's status words to skip
 * repeated calls when nothing ran since the last one), then both set a flag and unpark this
 * detector's own daemon platform thread ({@code <scheduler>-deadlock}, started by the first
 * request), which does the work off sysmon, at most once per {@link #MIN_INTERVAL_NANOS}. So a
 * program in which some G is always running or runnable reaches the checks only after a
 * GC-triggered scan that saw a G blocked on a lock, and a program that idles pays one O(live
 * G's) pass of {@code Thread.getState()} per second at most, while it is idle. Nothing here is
 * on a G's or an M's path.
 *
 * <p>How it decides: a first look that finds a deadlock candidate (a lock cycle not reported
 * yet, or "all asleep") is confirmed by a second look {@link #CONFIRM_NANOS} later: the same
 * cycle with none of its G's having run in between, or still all asleep with no G run, created
 * or ended in between. Each deadlock is reported once: one block on stderr (a cycle in
 * jstack's form; all-asleep as {@code timeslice: all goroutines are asleep - deadlock!} followed
 * by the goroutine dump), kept in {@link #found()} (goroutine dump, exit summary, MXBean), and
 * sent to the scheduler's event listener (JFR, trace). With {@link DeadlockMode#EXIT}, all
 * asleep then ends the JVM with status 2 as Go does ({@code System.exit}, so shutdown hooks and
 * the exit report run); a lock cycle is only reported (other G's may still do useful work).
 * With {@link DeadlockMode#OFF} nothing is checked unless asked ({@link #findNow}).
 *
 * <p>Threads: {@link #sysmonIdle} is called by sysmon only ({@link #lastIdleTicks} is its
 * own); {@link #afterScan} by the GC-scan thread; checks run on the detector thread or on the
 * caller of {@link #findNow}, one at a time ({@link #checking}).
 */
final class DeadlockDetector {
    /** Time between the first look and the confirming one. */
    static final long CONFIRM_NANOS = 300_000_000L;
    /** At most one automatic check per interval. */
    static final long MIN_INTERVAL_NANOS = 1_000_000_000L;

    private final Scheduler sched;
    final DeadlockMode mode;
    private final Object checking = new Object();
    private final List<Deadlock> found = new CopyOnWriteArrayList<>();
    private final Set<List<Long>> reportedCycles = ConcurrentHashMap.newKeySet();
    /** The all-asleep state last reported (guarded by checking): the same state is not reported twice. */
    private AllAsleep.State reportedAsleep;
    private volatile Thread thread;
    private volatile boolean requested;
    /**
     * When to look again by itself (System.nanoTime, 0 = never): set when a check found every G
     * asleep but for something transient (see {@link AllAsleep#check(Scheduler, boolean[])});
     * the delay doubles from 1 s to 64 s while that lasts, and is reset when sysmon idles anew.
     * Detector thread only, except {@link #retryDelay}'s reset by sysmon.
     */
    private long retryAt;
    private volatile long retryDelay = MIN_INTERVAL_NANOS;
    private static final long MAX_RETRY_NANOS = 64 * MIN_INTERVAL_NANOS;
    /** Sum of the P status words at the last sysmon request (sysmon's own). */
    private long lastIdleTicks = Long.MIN_VALUE;

    DeadlockDetector(Scheduler sched, DeadlockMode mode) {
        this.sched = sched;
        this.mode = mode;
    }

    /** sysmon is about to park: no P runs a G. */
    void sysmonIdle() {
        if (mode == DeadlockMode.OFF) {
            return;
        }
        long ticks = 0;
        for (P p : sched.allp) {
            ticks += p.tick();
        }
        if (ticks == lastIdleTicks) {
            return; // nothing ran since the last request (a spurious wakeup of sysmon)
        }
        lastIdleTicks = ticks;
        retryDelay = MIN_INTERVAL_NANOS;
        request();
    }

    /**
     * A GC-triggered scan ended (on the scan's thread). Looks only if the scan saw a G blocked on
     * a monitor or a {@code j.u.c} lock (wait reasons "monitor enter", "semacquire"): without
     * one there is no lock cycle, and a G running means nobody is all asleep. O(G's recorded),
     * next to the scan's own O(G's).
     */
    void afterScan(ScanResult scan) {
        if (mode == DeadlockMode.OFF) {
            return;
        }
        for (GInfo g : scan.gs()) {
            String reason = g.waitReason();
            if (reason.equals("monitor enter") || reason.equals("semacquire")) {
                request();
                return;
            }
        }
    }

    /**
     * After a JVM collection when no GC-scan ran (nobody reads them): the same question as
     * {@link #afterScan} from the G's states, without stopping any G — is any G waiting for a
     * lock (a cycle among lock waiters is what only a look can find)?
     */
    void afterGc() {
        if (mode == DeadlockMode.OFF) {
            return;
        }
        for (G g : sched.allgs()) {
            if (g.state() == G.WAITING) {
                String reason = WaitReason.of(g.thread, null);
                if (reason.equals("monitor enter") || reason.equals("semacquire")) {
                    request();
                    return;
                }
            }
        }
    }

    /** The scheduler has terminated: let the detector's thread end. */
    void stop() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Deadlocks found so far, oldest first. */
    List<Deadlock> found() {
        return List.copyOf(found);
    }

    private void request() {
        requested = true;
        Thread t = thread;
        if (t == null) {
            synchronized (this) {
                t = thread;
                if (t == null) {
                    t = new Thread(new Runnable() { // no lambda: may run before main
                        @Override
                        public void run() {
                            loop();
                        }
                    }, sched.name + "-deadlock");
                    t.setDaemon(true);
                    thread = t;
                    t.start();
                    return;
                }
            }
        }
        LockSupport.unpark(t);
    }

    private void loop() {
        long last = System.nanoTime() - MIN_INTERVAL_NANOS;
        while (!sched.isShutdown()) {
            if (!requested) {
                if (retryAt == 0) {
                    LockSupport.park(this);
                    continue;
                }
                long until = retryAt - System.nanoTime();
                if (until > 0) {
                    LockSupport.parkNanos(this, until);
                    continue;
                }
                retryAt = 0;
                requested = true;
            }
            long wait = last + MIN_INTERVAL_NANOS - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(this, wait); // requests meanwhile are served by this one check
                continue;
            }
            requested = false;
            try {
                check(CONFIRM_NANOS, true);
            } catch (Throwable t) {
                System.err.println("timeslice: deadlock check failed: " + t);
            }
            last = System.nanoTime();
        }
    }

    /**
     * Looks now (the MXBean's {@code findDeadlocks()}): lock cycles, confirmed after a short
     * second look, reported like the automatic checks if new. Returns the text of every deadlock
     * present now and of all-asleep deadlocks reported before, or a line saying there is none.
     */
    String findNow() {
        List<LockCycles.Cycle> now = check(50_000_000L, false);
        StringBuilder sb = new StringBuilder();
        for (Deadlock d : found) {
            if (d.kind() == Deadlock.Kind.ALL_ASLEEP) {
                sb.append(d.report()).append(" (").append(d.at()).append(")\n\n");
            }
        }
        for (LockCycles.Cycle c : now) {
            sb.append(LockCycles.format(c)).append('\n');
        }
        return sb.length() == 0 ? "No deadlock found among G's.\n" : sb.toString();
    }

    /** One check; returns the confirmed cycles (new or not). */
    private List<LockCycles.Cycle> check(long confirmNanos, boolean allAsleep) {
        synchronized (checking) {
            List<LockCycles.Cycle> first = LockCycles.find(sched.allgs());
            boolean anyNew = false;
            for (LockCycles.Cycle c : first) {
                anyNew |= !reportedCycles.contains(c.goids());
            }
            boolean[] transient_ = new boolean[1];
            AllAsleep.State asleep = allAsleep ? AllAsleep.check(sched, transient_) : null;
            if (allAsleep && asleep == null && transient_[0]) {
                long d = retryDelay;
                retryAt = System.nanoTime() + d;
                retryDelay = Math.min(MAX_RETRY_NANOS, d * 2);
            }
            if (asleep != null && asleep.sameAs(reportedAsleep)) {
                asleep = null; // reported already, nothing ran since
            }
            boolean askAgain = asleep != null || (allAsleep ? anyNew : !first.isEmpty());
            if (!askAgain) {
                return List.of();
            }
            LockSupport.parkNanos(this, confirmNanos);
            List<LockCycles.Cycle> confirmed = new ArrayList<>();
            for (LockCycles.Cycle c : LockCycles.find(sched.allgs())) {
                for (LockCycles.Cycle f : first) {
                    if (c.sameAs(f)) {
                        confirmed.add(c);
                        if (reportedCycles.add(c.goids())) {
                            reportCycle(c);
                        }
                        break;
                    }
                }
            }
            if (asleep != null) {
                AllAsleep.State again = AllAsleep.check(sched);
                if (again != null && again.sameAs(asleep)) {
                    reportedAsleep = again;
                    reportAllAsleep();
                } else if (retryAt == 0) {
                    retryAt = System.nanoTime() + retryDelay; // changed while confirming: look once more
                }
            }
            return confirmed;
        }
    }

    private void reportCycle(LockCycles.Cycle c) {
        String text = LockCycles.format(c);
        PrintStream err = System.err;
        err.print("timeslice: " + text);
        err.flush();
        record(new Deadlock(Deadlock.Kind.LOCK_CYCLE, Instant.now(), c.goids(), text));
    }

    private void reportAllAsleep() {
        String headline = "timeslice: all goroutines are asleep - deadlock!";
        List<Long> goids = new ArrayList<>();
        for (G g : sched.allgs()) {
            goids.add(g.goid);
        }
        goids.sort(null);
        String dump;
        try {
            dump = sched.goroutineDump();
        } catch (RuntimeException e) {
            dump = "(no goroutine dump: " + e + ")\n";
        }
        PrintStream err = System.err;
        err.print(headline + "\n\n" + dump);
        err.flush();
        record(new Deadlock(Deadlock.Kind.ALL_ASLEEP, Instant.now(), List.copyOf(goids), headline));
        if (mode == DeadlockMode.EXIT) {
            System.exit(2); // the user asked for Go's behaviour (option deadlock=exit)
        }
    }

    private void record(Deadlock d) {
        found.add(d);
        SchedEvents ev = sched.events();
        if (ev != null) {
            ev.deadlock(d);
        }
    }

    /** The goroutine dump's section on deadlocks found so far ("" when none). */
    String dumpSection() {
        if (found.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("# deadlocks found among G's: ").append(found.size()).append("\n");
        for (Deadlock d : found) {
            sb.append("# ").append(d.at()).append(": ").append(d.summary()).append('\n');
        }
        for (Deadlock d : found) {
            if (d.kind() == Deadlock.Kind.LOCK_CYCLE) {
                sb.append('\n').append(d.report());
            }
        }
        return sb.append('\n').toString();
    }
}
