package dev.timeslice.runtime.observe;

import dev.timeslice.runtime.GInfo;
import dev.timeslice.runtime.MInfo;
import dev.timeslice.runtime.PInfo;
import dev.timeslice.runtime.Scheduler;
import dev.timeslice.runtime.SchedulerStats;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Go's {@code GODEBUG=schedtrace=<ms>} (and {@code scheddetail=1}) for a Timeslice scheduler: a
 * daemon platform thread that prints, every interval, one line in Go's format followed by
 * Timeslice's own counters:
 *
 * <pre>
 * SCHED 1004ms: gomaxprocs=2 idleprocs=0 threads=5 spinningthreads=0 needspinning=0 idlethreads=1 runqueue=3 [ 1 0 ] schedticks=[ 208 197 ] gs=11 preempt=52/53 preemptfail=0 wakeuppreempt=4 handoff=0 scans=1 lat_p99=91us
 * </pre>
 *
 * Up to {@code schedticks=[...]} the fields, their order and their spacing are Go's (1.23+;
 * older Go printed {@code [1 0]} without the inner spaces and no schedticks): the milliseconds
 * since tracing started (the first line is {@code SCHED 0ms}, as in Go), the number of P's, idle
 * P's, M's (carrier threads) created, spinning M's, needspinning, idle M's, the global run queue
 * (wakeups included), each P's local run queue (runnext included) and each P's schedtick. Then
 * Timeslice's: live G's, preemptions served/requested, yields that failed because the G was
 * pinned, preemptions made for a G woken from outside, P's retaken from stuck M's, GC-scans, and
 * the p99 of the request→yield preemption latency in microseconds.
 *
 * <p>With scheddetail the same line is followed by one line per P, M and G in the spirit of Go's
 * (Go drops the bracketed lists from its SCHED line in detail mode; Timeslice keeps the line
 * identical in both modes, so one parser reads both):
 *
 * <pre>
 *   P0: status=1(running) schedtick=208 handoffs=0 m=3 runqsize=1 curg=17
 *   M3: p=0 curg=17 spinning=false blocked=false thread=timeslice-M3
 *   G17: status=2() m=3 name="worker-3"
 *   G18: status=4(sleep) m=nil name=""
 * </pre>
 *
 * Status numbers are Go's: a P is 0 (idle), 1 (held by an M: Timeslice's sched, running and
 * locked) or 2 (handoff, Go's _Psyscall: being retaken from a stuck M), with Timeslice's status
 * name in parentheses. A G is 0 (idle: created, not started), 1 (runnable; "(preempted)" when
 * it was put back by a preemption), 2 (running) or 4 (waiting, with the wait reason), as Go
 * prints {@code status=4(semacquire)}. {@code blocked} is Go's: the M sleeps on the idle list.
 * Go fields with no Timeslice counterpart (syscalltick, gfreecnt, timerslen, mallocing,
 * throwing, preemptoff, locks, dying, lockedg, lockedm) are left out rather than faked;
 * {@code handoffs}, {@code curg}, {@code thread} and {@code name} are Timeslice's.
 *
 * <p>The whole block of one interval is written with a single {@code print}, so it is not
 * interleaved with other output on the same stream. The formatters are pure functions of a
 * {@link SchedulerStats} snapshot (and the racy {@code pInfo}/{@code mInfo}/{@code gInfo}
 * snapshots), tested directly.
 */
public final class SchedTrace {
    private final Scheduler sched;
    private final long intervalNanos;
    private final boolean detail;
    private final PrintStream out;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile long startNanos;

    /** Creates (but does not start) the schedtrace thread of {@code sched}. */
    public SchedTrace(Scheduler sched, long intervalMillis, boolean detail, PrintStream out) {
        if (intervalMillis <= 0) {
            throw new IllegalArgumentException("schedtrace interval must be positive, got " + intervalMillis);
        }
        this.sched = sched;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
        this.detail = detail;
        this.out = out;
        this.thread = new Thread(this::loop, sched.name() + "-schedtrace");
        this.thread.setDaemon(true);
    }

    /**
     * Starts printing: one block at once, then one per interval. As in Go, the clock starts at
     * the first line, which is {@code SCHED 0ms}.
     */
    public SchedTrace start() {
        thread.start();
        return this;
    }

    /** Stops the thread and waits (up to a second) for it to end. Idempotent. */
    public void stop() {
        stopped = true;
        LockSupport.unpark(thread);
        if (thread.isAlive() && thread != Thread.currentThread()) {
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        startNanos = System.nanoTime();
        long next = startNanos;
        boolean reported = false;
        while (!stopped) {
            long now = System.nanoTime();
            if (now - next < 0) {
                LockSupport.parkNanos(this, next - now);
                continue;
            }
            try {
                out.print(block(now));
                out.flush();
            } catch (Throwable t) {
                if (!reported) {
                    reported = true;
                    System.err.println("timeslice: schedtrace failed: " + t);
                }
            }
            next += intervalNanos;
            if (System.nanoTime() - next > intervalNanos) {
                next = System.nanoTime(); // fell behind (suspended, overloaded): do not print a burst
            }
        }
    }

    /** The text of one interval (the SCHED line and, with scheddetail, the P, M and G lines). */
    String block(long nowNanos) {
        long ms = TimeUnit.NANOSECONDS.toMillis(nowNanos - startNanos);
        SchedulerStats st = sched.stats();
        String line = line(ms, st);
        if (!detail) {
            return line + "\n";
        }
        return line + "\n" + detailLines(sched.pInfo(), sched.mInfo(), sched.gInfo());
    }

    /** Go's SCHED line (without the newline) with Timeslice's fields at the end. */
    public static String line(long millisSinceStart, SchedulerStats st) {
        StringBuilder sb = new StringBuilder(160 + 16 * st.procs());
        sb.append("SCHED ").append(millisSinceStart).append("ms: gomaxprocs=").append(st.procs())
                .append(" idleprocs=").append(st.idleProcs())
                .append(" threads=").append(st.threads())
                .append(" spinningthreads=").append(st.spinningThreads())
                .append(" needspinning=").append(st.needSpinning())
                .append(" idlethreads=").append(st.idleThreads())
                .append(" runqueue=").append(st.globalRunqueue())
                .append(" [ ");
        for (int n : st.localRunqueues()) {
            sb.append(n).append(' ');
        }
        sb.append("] schedticks=[ ");
        for (long t : st.schedticks()) {
            sb.append(t).append(' ');
        }
        sb.append(']');
        int live = 0;
        for (int n : st.gsByState().values()) {
            live += n;
        }
        sb.append(" gs=").append(live)
                .append(" preempt=").append(st.preemptServed()).append('/').append(st.preemptRequested())
                .append(" preemptfail=").append(st.preemptFailed())
                .append(" wakeuppreempt=").append(st.wakeupPreemptions())
                .append(" handoff=").append(st.handoffs())
                .append(" scans=").append(st.scans())
                .append(" lat_p99=").append(TimeUnit.NANOSECONDS.toMicros(st.preemptLatencyP99())).append("us");
        return sb.toString();
    }

    /** The scheddetail lines: one per P, M and G, each ending with a newline. */
    public static String detailLines(List<PInfo> ps, List<MInfo> ms, List<GInfo> gs) {
        StringBuilder sb = new StringBuilder(64 * (ps.size() + ms.size() + gs.size()));
        for (PInfo p : ps) {
            sb.append("  P").append(p.id()).append(": status=").append(goPStatus(p.status()))
                    .append('(').append(p.status()).append(')')
                    .append(" schedtick=").append(p.schedtick())
                    .append(" handoffs=").append(p.handoffs())
                    .append(" m=").append(p.m() >= 0 ? Integer.toString(p.m()) : "nil")
                    .append(" runqsize=").append(p.runqsize())
                    .append(" curg=").append(p.curg() >= 0 ? Long.toString(p.curg()) : "nil")
                    .append('\n');
        }
        Map<Long, Integer> mOfG = new HashMap<>();
        for (MInfo m : ms) {
            sb.append("  M").append(m.id()).append(": p=").append(m.p() >= 0 ? Integer.toString(m.p()) : "nil")
                    .append(" curg=").append(m.curg() >= 0 ? Long.toString(m.curg()) : "nil")
                    .append(" spinning=").append(m.spinning())
                    .append(" blocked=").append(m.idle())
                    .append(" thread=").append(m.name())
                    .append('\n');
            if (m.curg() >= 0) {
                mOfG.put(m.curg(), m.id());
            }
        }
        for (GInfo g : gs) {
            Integer m = mOfG.get(g.goid());
            sb.append("  G").append(g.goid()).append(": status=").append(goGStatus(g.state()))
                    .append('(').append(goWaitReason(g)).append(')')
                    .append(" m=").append(m != null ? m.toString() : "nil")
                    .append(" name=\"").append(g.name().replace("\\", "\\\\").replace("\"", "\\\"")
                            .replace("\n", "\\n")).append('"')
                    .append('\n');
        }
        return sb.toString();
    }

    /** Go's P status number for a Timeslice P status name. */
    static int goPStatus(String status) {
        return switch (status) {
            case "idle" -> 0;     // _Pidle
            case "handoff" -> 2;  // _Psyscall: retaken from a stuck M
            default -> 1;         // _Prunning: sched, running, locked
        };
    }

    /** Go's G status number for a Timeslice G state name. */
    static int goGStatus(String state) {
        return switch (state) {
            case "idle" -> 0;                   // _Gidle
            case "runnable", "preempted" -> 1;  // _Grunnable
            case "running" -> 2;                // _Grunning
            case "waiting" -> 4;                // _Gwaiting
            default -> 6;                       // _Gdead
        };
    }

    private static String goWaitReason(GInfo g) {
        return switch (g.state()) {
            case "waiting" -> g.waitReason();
            case "preempted" -> "preempted";
            default -> "";
        };
    }
}
