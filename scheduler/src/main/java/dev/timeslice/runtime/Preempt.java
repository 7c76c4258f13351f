package dev.timeslice.runtime;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Preemption requests and the poll's slow path (Go's {@code preemptone} /
 * {@code gopreempt_m}).
 *
 * <p>A requester (sysmon at the end of a slice, a wakeup, the GC-scan) sets a G's
 * {@link G#preempt} word by CAS from 0 and raises the global poll word. The G sees it at its
 * next poll and yields: the JDK unmounts it, our scheduler puts it on the global queue, its M
 * schedules another G. A request is retired exactly once, by CAS back to 0: when the G serves
 * it, when the G's run ends first (it blocked: {@link #cancelStale}), or when it turns out to
 * belong to an earlier run.
 *
 * <p>The poll word is shared by every scheduler in the JVM, so the count of pending requests
 * is global. Lowering it races with a new request; the retirer lowers the word and then
 * re-checks the count (a requester increments before it raises), so with volatile
 * (sequentially consistent) accesses a pending request always finds the word raised.
 *
 * <p>A yield fails when the virtual thread is pinned (a native frame, a class initializer, a
 * monitor on JDK &lt; 24): the request is retired and counted as failed, and sysmon will ask
 * again later (and retake the P if the G keeps running) — the G never spins on it.
 */
final class Preempt implements Safepoint.Handler {
    static final Preempt HANDLER = new Preempt();
    private static final AtomicInteger PENDING = new AtomicInteger();

    private Preempt() {
    }

    /** Installs the scheduler's slow path (idempotent). */
    static void install() {
        if (Safepoint.handler() != HANDLER) {
            Safepoint.setHandler(HANDLER);
        }
    }

    /** Asks {@code g}, during its run {@code gen}, to yield at its next poll. */
    static boolean request(G g, long gen, int kind, long now) {
        if (g.preempt != 0) {
            return false;
        }
        g.preemptSince = now;
        if (!G.PREEMPT.compareAndSet(g, 0L, (gen << 8) | kind)) {
            return false;
        }
        PENDING.incrementAndGet();
        Safepoint.raise();
        return true;
    }

    /**
     * Asks the G that {@code p} runs in the run identified by {@code tick}/{@code gen} to yield,
     * without leaking the request if that run ended meanwhile: the M marks the end of a run
     * (P status) before it retires leftover requests, so if the P still shows the run after
     * our request, the M will retire it; otherwise we do.
     */
    static boolean requestForRun(P p, long tick, G g, long gen, int kind, long now) {
        if (!request(g, gen, kind, now)) {
            return false;
        }
        int st = p.status();
        if (p.tick() != tick || (st != P.INGO && st != P.LOCKED && st != P.HANDOFF)) {
            long req = g.preempt;
            if ((req >>> 8) == gen) {
                retire(g, req);
            }
            return false;
        }
        return true;
    }

    /** Retires {@code req} if it is still pending; true if this caller retired it. */
    private static boolean retire(G g, long req) {
        if (!G.PREEMPT.compareAndSet(g, req, 0L)) {
            return false;
        }
        if (PENDING.decrementAndGet() == 0) {
            Safepoint.lower();
            if (PENDING.get() != 0) {
                Safepoint.raise();
            }
        }
        return true;
    }

    /** Keeps the poll word raised until {@link #unhold()} (a GC-scan in its stop phase). */
    static void hold() {
        PENDING.incrementAndGet();
        Safepoint.raise();
    }

    static void unhold() {
        if (PENDING.decrementAndGet() == 0) {
            Safepoint.lower();
            if (PENDING.get() != 0) {
                Safepoint.raise();
            }
        }
    }

    /** The G's run ended before it reached a poll: drop its request. */
    static void cancelStale(G g) {
        long req = g.preempt;
        if (req != 0) {
            retire(g, req);
        }
    }

    static int pending() {
        return PENDING.get();
    }

    @Override
    public void atPoll(int site) {
        if (!(JdkAccess.currentCarrierThread() instanceof M m)) {
            return; // not a G: platform threads and other schedulers' threads return at once
        }
        G g = m.curg;
        if (g == null || g.thread != Thread.currentThread()) {
            return;
        }
        GcScan.Stop stop = g.sched.scan.active;
        if (stop != null) {
            g.sched.scan.stopAtPoll(stop, g, m);
        }
        long req = g.preempt;
        int kind;
        if (req != 0) {
            if (!retire(g, req)) {
                return;
            }
            if ((req >>> 8) != g.gen()) {
                return; // asked of an earlier run
            }
            kind = (int) (req & 0xff);
        } else if (m.lostP) {
            kind = G.SLICE; // sysmon retook our P: give the M back
        } else {
            return;
        }
        preempt(m, g, kind, req != 0 ? System.nanoTime() - g.preemptSince : -1);
    }

    private static void preempt(M m, G g, int kind, long latency) {
        Scheduler sched = g.sched;
        P p = m.p;
        long runs = g.runs;
        g.yieldingFor = kind;
        Thread.yield();
        SchedEvents ev = sched.events();
        if (g.runs == runs) {
            // pinned: the continuation could not yield
            if (ev != null) {
                ev.preempted(p != null ? p.id : -1, g.goid, reason(kind), latency, false, System.nanoTime());
            }
            g.yieldingFor = G.NO_REQUEST;
            g.preemptFailed++;
            if (p != null) {
                p.preemptFailed++;
            }
            sched.stats.preemptFailed.increment();
            return;
        }
        g.preemptServed++;
        if (p != null) {
            p.preemptServed++;
        }
        sched.stats.preemptServed.increment();
        if (latency >= 0) {
            sched.stats.preemptLatency.record(latency);
        }
        if (ev != null) {
            ev.preempted(p != null ? p.id : -1, g.goid, reason(kind), latency, true, System.nanoTime());
        }
    }

    static String reason(int kind) {
        return switch (kind) {
            case G.SLICE -> "slice";
            case G.WAKEUP -> "wakeup";
            default -> "other";
        };
    }
}
