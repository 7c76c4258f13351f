package dev.timeslice.runtime;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Preemption requests and the poll's slow path (Go's {@code preemptone} /
 * {@code gopreempt_m}).
 *
 * <p>A requester (sysmon at the end of a slice or for a wakeup) sets the P's
 * {@link P#preemptReq} word by CAS from 0, tagged with the P's tick for the run it means, and
 * raises the global poll word. The G running there sees it at its next poll and yields: the
 * JDK unmounts it, the scheduler puts it on the global queue, its M schedules another G. A
 * request is retired exactly once, by CAS back to 0: when the G serves it, or when the run
 * ends first (it blocked: {@link #cancelStale}). The request lives on the P, not the G, so a
 * parked G carries no request state.
 *
 * <p>The poll word is shared by every scheduler in the JVM, so the count of pending requests
 * is global. Lowering it races with a new request; the retirer lowers the word and then
 * re-checks the count (a requester increments before it raises), so with volatile
 * (sequentially consistent) accesses a pending request always finds the word raised.
 *
 * <p>A yield fails when the virtual thread is pinned (a native frame, a class initializer, a
 * monitor on JDK &lt; 24): the request is retired and counted as failed, and sysmon asks again
 * later (and retakes the P if the G keeps running) — the G never spins on it. An {@code Error}
 * thrown by the yield itself (a {@code StackOverflowError} while the JDK freezes a deep stack)
 * is a failed yield too: the G goes on running and is never killed by a preemption.
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

    /**
     * Asks the G that {@code p} runs in the run identified by {@code tick} to yield, without
     * leaking the request if that run ended meanwhile: the M marks the end of a run (P status)
     * before it retires leftover requests, so if the P still shows the run after our request,
     * the M will retire it; otherwise we do.
     */
    static boolean requestForRun(P p, long tick, int kind, long now) {
        if (p.preemptReq != 0) {
            return false;
        }
        p.preemptSince = now;
        long req = (tick << 8) | kind;
        if (!P.PREEMPT_REQ.compareAndSet(p, 0L, req)) {
            return false;
        }
        PENDING.incrementAndGet();
        Safepoint.raise();
        int st = p.status();
        if (p.tick() != tick || (st != P.INGO && st != P.LOCKED && st != P.HANDOFF)) {
            retire(p, req);
            return false;
        }
        return true;
    }

    /** Retires {@code req} if it is still pending on {@code p}; true if this caller retired it. */
    private static boolean retire(P p, long req) {
        if (!P.PREEMPT_REQ.compareAndSet(p, req, 0L)) {
            return false;
        }
        unhold();
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

    /** The run {@code tick} on {@code p} ended before reaching a poll: drop its request. */
    static void cancelStale(P p, long tick) {
        long req = p.preemptReq;
        if (req != 0 && (req >>> 8) == tick) {
            retire(p, req);
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
        P p = m.p;
        int kind;
        long latency = -1;
        long req = p != null ? p.preemptReq : 0;
        if (req != 0 && (req >>> 8) < m.runTick && !m.lostP) {
            retire(p, req); // asked of a run of this P that has ended (ticks only grow)
            req = 0;
        }
        if (req != 0 && (req >>> 8) == m.runTick) {
            long since = p.preemptSince;
            if (!retire(p, req)) {
                return;
            }
            kind = (int) (req & 0xff);
            latency = System.nanoTime() - since;
        } else if (m.lostP) {
            // sysmon retook our P: give the M back (after a failed yield, not at every poll)
            if (m.noYieldUntil != 0 && System.nanoTime() - m.noYieldUntil < 0) {
                return;
            }
            kind = G.SLICE;
        } else {
            return;
        }
        preempt(m, p, g, kind, latency);
    }

    private static void preempt(M m, P p, G g, int kind, long latency) {
        Scheduler sched = g.sched;
        int runs = g.runs;
        m.yieldingFor = kind;
        boolean failedWithError = false;
        try {
            Thread.yield();
        } catch (Error e) {
            // The JDK could not freeze the stack (a StackOverflowError while copying a deep
            // stack, or any other Error from the yield): the G is still running here, unharmed.
            // Count it like a pinned yield; sysmon falls back to a handoff.
            failedWithError = true;
        }
        SchedEvents ev = sched.events();
        G.PreemptCounts counts = g.counts();
        if (g.runs == runs || failedWithError) {
            // pinned, or the yield failed: the continuation is still mounted here
            if (m.lostP) {
                // do not try again at every poll while the poll word is up: once per slice
                m.noYieldUntil = System.nanoTime() + sched.sliceNanos;
            }
            if (ev != null) {
                ev.preempted(p != null ? p.id : -1, g.goid, reason(kind), latency, false, System.nanoTime());
            }
            m.yieldingFor = G.NO_REQUEST;
            counts.failed++;
            if (p != null) {
                p.preemptFailed++;
            }
            sched.stats.preemptFailed.increment();
            return;
        }
        counts.served++;
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
