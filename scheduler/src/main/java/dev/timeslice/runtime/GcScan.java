package dev.timeslice.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The GC-scan safepoint (Go's {@code suspendG}/{@code resumeG} for stack scanning): stop every
 * running G at its next poll, record every G consistently, resume.
 *
 * <p>Phases of {@link #scan}:
 * <ol>
 *   <li><b>stop</b>: {@link #active} is published (M's stop starting G's: each waits in
 *       {@link #awaitRelease} before running its next G) and the poll word is raised. A running
 *       G reaching a poll records its own stack and time-to-safepoint
 *       ({@link #stopAtPoll}) and parks until released — it is not requeued like a preempted
 *       G. A G whose run ends otherwise (it blocked) is stopped too. The scanner waits until
 *       every G that was running has stopped, or the bound passes: the others are recorded as
 *       "running, not at a safepoint" with their M;</li>
 *   <li><b>record</b>, with the world stopped: every live G's state, wait reason, times,
 *       counters; stacks of the G's that were running (taken at their poll) and, when asked
 *       (dumps), of every G — like Go's {@code runtime.Stack(all)} this keeps the world stopped
 *       for the whole dump, so GC-triggered scans skip the stacks of waiting G's;</li>
 *   <li><b>release</b>: parked G's are unparked (they become runnable through the wakeup list),
 *       waiting M's continue.</li>
 * </ol>
 * One scan at a time per scheduler, always run by a platform thread: a scan asked for from
 * inside one of the scheduler's G's runs on a helper thread, the G waiting (not stopped) and
 * recorded as running.
 *
 * <p>Memory ordering: {@link #active} is volatile; a stopping G publishes its record in a
 * concurrent map before unparking the scanner; {@link Stop#released} is volatile and written
 * before any unpark, and every waiter re-checks it after each wakeup.
 */
final class GcScan {
    private final Scheduler sched;
    private final ReentrantLock oneAtATime = new ReentrantLock();
    final long boundNanos;

    /** The scan in its stop/record phases, or null. */
    volatile Stop active;
    volatile ScanResult last;
    final LongAdder scans = new LongAdder();
    final LatencyHistogram ttsp = new LatencyHistogram();
    final LatencyHistogram gTtsp = new LatencyHistogram();

    /** One scan's stop-the-world state. */
    static final class Stop {
        final long start = System.nanoTime();
        final Thread scanner = Thread.currentThread();
        final G caller;
        final List<StackTraceElement> callerStack;
        final Map<G, Stopped> stopped = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<Thread> parked = new ConcurrentLinkedQueue<>();
        volatile boolean released;

        Stop(G caller, List<StackTraceElement> callerStack) {
            this.caller = caller;
            this.callerStack = callerStack;
        }
    }

    /** What a G recorded when it stopped at its poll. */
    record Stopped(long ttspNanos, List<StackTraceElement> stack, String m) {
    }

    GcScan(Scheduler sched, Duration bound) {
        this.sched = sched;
        this.boundNanos = bound.toNanos();
    }

    /** Called by an M before it starts a G: wait while a scan has the world stopped. */
    void awaitRelease(Stop stop) {
        stop.parked.add(Thread.currentThread());
        while (!stop.released) {
            LockSupport.park(this);
        }
    }

    /** Called at a poll by a running G of this scheduler while {@code stop} is active. */
    void stopAtPoll(Stop stop, G g, M m) {
        if (g == stop.caller || stop.released || stop.stopped.containsKey(g)) {
            return;
        }
        long ttspNanos = System.nanoTime() - stop.start;
        List<StackTraceElement> stack = trim(Thread.currentThread().getStackTrace());
        stop.stopped.put(g, new Stopped(ttspNanos, stack, m.getName()));
        gTtsp.record(ttspNanos);
        LockSupport.unpark(stop.scanner);
        stop.parked.add(Thread.currentThread());
        try {
            while (!stop.released) {
                LockSupport.park(this); // unmounts the G; its M then waits in awaitRelease
            }
        } catch (Error e) {
            // the JDK could not unmount this G (a StackOverflowError while freezing a deep
            // stack): it is recorded as stopped already; wait on its carrier instead (the scan
            // is bounded by scanTimeout), never let the scan kill it
            while (!stop.released) {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * Runs a scan; {@code allStacks} also records the stacks of G's that were not running.
     *
     * <p>Called from one of this scheduler's G's, the scan runs on a platform thread while the
     * G waits for it (and is recorded as running, with the stack it had when it asked). The
     * scanner waits by parking, and a G that parks gives up its M: the M would then pick the
     * next G and wait in {@link #awaitRelease} holding its P, and with every P held that way
     * nothing would be left to run the scanner — the world would stay stopped for good.
     */
    ScanResult scan(String trigger, boolean allStacks) {
        M callerM = sched.currentM();
        G caller = callerM != null ? callerM.curg : null;
        if (caller == null || caller.thread != Thread.currentThread()) {
            return scan(trigger, allStacks, null, null);
        }
        List<StackTraceElement> stack = trim(Thread.currentThread().getStackTrace());
        ScanResult[] result = new ScanResult[1];
        RuntimeException[] failure = new RuntimeException[1];
        Thread scanner = Thread.ofPlatform().daemon().name(sched.name + "-scan").start(() -> {
            try {
                result[0] = scan(trigger, allStacks, caller, stack);
            } catch (RuntimeException e) {
                failure[0] = e;
            }
        });
        boolean interrupted = false;
        while (scanner.isAlive()) {
            try {
                scanner.join(); // join's happens-before makes result/failure visible
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return result[0];
    }

    private ScanResult scan(String trigger, boolean allStacks, G caller, List<StackTraceElement> callerStack) {
        oneAtATime.lock();
        Stop stop = null;
        try {
            Stop st = new Stop(caller, callerStack);
            stop = st;
            Instant at = Instant.now();
            active = stop;
            Preempt.hold();
            // The running G's are found through the M's (a handful), not the registry: walking
            // 100k G's took milliseconds, all of it counted in the time to safepoint. An M that
            // mounts a G after this walk checked `active` before we published it; that G stops
            // at its first poll all the same, and if it has not by the record phase it is
            // recorded as running, not at a safepoint.
            Map<G, Integer> targets = new HashMap<>();
            for (M m : sched.allm()) {
                G g = m.curg;
                if (g != null && g != stop.caller && g.state() == G.RUNNING) {
                    targets.put(g, g.gen());
                }
            }
            long deadline = stop.start + boundNanos;
            for (;;) {
                targets.entrySet().removeIf(e -> stopped(st, e.getKey(), e.getValue()));
                if (targets.isEmpty() || System.nanoTime() >= deadline) {
                    break;
                }
                LockSupport.parkNanos(this, 20_000);
            }
            long ttspNanos = System.nanoTime() - stop.start;
            List<GInfo> gs = record(stop, allStacks);
            long scanNanos = System.nanoTime() - stop.start;
            int notAtSafepoint = (int) gs.stream().filter(i -> i.state().equals("running") && !i.atSafepoint()).count();
            ScanResult result = new ScanResult(trigger, at, ttspNanos, scanNanos, stop.stopped.size(), notAtSafepoint, gs);
            ttsp.record(ttspNanos);
            scans.increment();
            last = result.withoutGs(); // a record per G would stay alive until the next scan
            SchedEvents ev = sched.events();
            if (ev != null) {
                ev.scanned(result, stop.start, stop.start + scanNanos);
            }
            return result;
        } finally {
            if (stop != null) {
                release(stop);
            }
            oneAtATime.unlock();
        }
    }

    /** Has {@code g} (running in run {@code gen} when the scan began) stopped? */
    private static boolean stopped(Stop stop, G g, int gen) {
        return stop.stopped.containsKey(g) || g.gen() != gen || g.state() != G.RUNNING;
    }

    private void release(Stop stop) {
        stop.released = true;
        active = null;
        Preempt.unhold();
        for (Thread t; (t = stop.parked.poll()) != null; ) {
            LockSupport.unpark(t);
        }
    }

    private List<GInfo> record(Stop stop, boolean allStacks) {
        long now = System.nanoTime();
        Map<G, String> runningOn = new HashMap<>();
        for (M m : sched.allm()) {
            G g = m.curg;
            if (g != null) {
                runningOn.put(g, m.getName());
            }
        }
        List<G> all = sched.allgs();
        all.sort(Comparator.comparingLong(g -> g.goid));
        List<GInfo> out = new ArrayList<>(all.size());
        for (G g : all) {
            int state = g.state();
            if (state == G.DEAD) {
                continue;
            }
            Stopped s = stop.stopped.get(g);
            String name = g.thread.getName();
            if (s != null) {
                out.add(new GInfo(g.goid, name, "running", "", g.nanosInState(now), g.runNanos(), g.runs,
                        g.preemptServed(), true, s.m(), s.ttspNanos(), s.stack()));
            } else if (state == G.RUNNING || g == stop.caller) {
                List<StackTraceElement> stack = g == stop.caller ? stop.callerStack : trim(g.thread.getStackTrace());
                out.add(new GInfo(g.goid, name, "running", "", g.nanosInState(now), g.runNanos(), g.runs,
                        g.preemptServed(), g == stop.caller, runningOn.getOrDefault(g, ""), -1, stack));
            } else {
                List<StackTraceElement> stack = allStacks ? trim(g.thread.getStackTrace()) : List.of();
                String reason = state == G.WAITING ? WaitReason.of(g.thread, allStacks ? stack : null) : "";
                long inState = state == G.WAITING || state == G.IDLE ? g.nanosInState(now) : 0;
                out.add(new GInfo(g.goid, name, G.stateName(state), reason, inState, g.runNanos(), g.runs,
                        g.preemptServed(), false, "", -1, stack));
            }
        }
        return out;
    }

    /** Drops the frames of the poll machinery (and of getStackTrace) from the top of a stack. */
    static List<StackTraceElement> trim(StackTraceElement[] frames) {
        int i = 0;
        while (i < frames.length) {
            String c = frames[i].getClassName();
            if (c.equals("java.lang.Thread") && frames[i].getMethodName().equals("getStackTrace")
                    || c.equals(GcScan.class.getName()) || c.equals(Preempt.class.getName())
                    || c.equals(Safepoint.class.getName()) || c.startsWith(GcScan.class.getName() + "$")) {
                i++;
            } else {
                break;
            }
        }
        return List.copyOf(Arrays.asList(frames).subList(i, frames.length));
    }
}
