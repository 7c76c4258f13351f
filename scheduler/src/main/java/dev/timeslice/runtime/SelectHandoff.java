package dev.timeslice.runtime;

import java.io.IOException;
import java.nio.channels.Selector;
import java.util.concurrent.locks.LockSupport;

/**
 * A G's blocking {@code Selector.select}, run by its own M as a platform thread, outside the P's:
 * Go's {@code entersyscallblock} for the event loops of NIO servers (Jetty's, Netty's selector
 * threads, routed to G's like any thread the program starts).
 *
 * <p>Why: on a virtual thread the JDK's selector does not block in {@code epoll_wait}; it
 * registers its epoll descriptor with the JDK's read poller ({@code epoll_ctl}) and parks, and
 * the poller thread wakes it through {@link Scheduler#ready}'s external path: per blocking select
 * an {@code epoll_ctl}, a second {@code epoll_wait}, a hop through the poller thread, and a wait
 * for a P behind the request G's the selector itself started (measured on Jetty: the selector's
 * G costs ~30% of the throughput and doubles /ping's p99 against the same server with its
 * selector threads left as platform threads, BENCHMARKS.md §15).
 *
 * <p>What: the rewriter turns {@code selector.select()} and {@code select(long)} in application
 * code into {@link Routes#select}. On a G, for a selector of the JDK's own, the G leaves the
 * select in {@link M#syscall} and parks. Its M, once the G has unmounted
 * ({@link Scheduler#execute}), hands off its P as Go's {@code handoffp} does, runs the select as
 * the platform thread it is (the JDK's blocking {@code epoll_wait}), then resumes the G itself,
 * still without a P: the code between two selects (taking the selected keys, dispatching
 * requests to G's) runs as a platform thread would, scheduled by the OS, and the next select
 * needs no handoff. The G rejoins the P's when it parks for anything else. The G's it starts or
 * wakes meanwhile go to the global queue ({@link Scheduler#ready}), as a G on a P would put them
 * in its runnext: not to the wakeup list, whose wakeups may preempt a running G. {@code selectNow},
 * {@code select(Consumer)} and other selectors go to the JDK as they were.
 *
 * <p>States of one handoff ({@link #state}): NEW (left by the G) → TAKEN (by its M, after the G
 * unmounted) → DONE (select returned; the M unparks the G), or NEW → CANCELLED (by the G, when its
 * park returned before any M took it: a pending unpark permit, or the G woke elsewhere first),
 * after which the G selects on its own. Exactly one select runs per call. An interrupt of the G
 * while its M selects wakes the selector ({@code Selector.wakeup}), as an interrupt wakes a
 * blocked select, and the G's interrupt status is kept. A G that cannot unmount where it selects
 * (pinned) would leave its carrier parked with no M to run the select: {@link PinWatch} unparks
 * a G whose handoff no M has taken {@link #PIN_PROBE_NANOS} after it parked, the G then selects
 * itself, and that G always does from then on ({@link G#selectPins}). (The park is not timed: a
 * timed park that unmounts schedules and cancels a JDK timer and wakes the JDK's timer thread,
 * at every select.)
 *
 * <p>Who may touch what: the G writes {@link M#syscall} on its own M before parking; the M reads
 * and clears it after the G's continuation returns (same thread: the G ran on it). {@link #state}
 * is the only field both sides write; the select's result and failure are written by the M before
 * its volatile write of DONE and read by the G after reading DONE.
 */
final class SelectHandoff {
    static final int NEW = 0;
    static final int TAKEN = 1;
    static final int DONE = 2;
    static final int CANCELLED = 3;
    /** How long the first park waits before the G concludes it could not unmount (pinned). */
    static final long PIN_PROBE_NANOS = 10_000_000L;

    private static final java.lang.invoke.VarHandle STATE;

    static {
        try {
            STATE = java.lang.invoke.MethodHandles.lookup().findVarHandle(SelectHandoff.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final G g;
    private final Selector selector;
    private final long timeout;
    /** When the G parked for this handoff (System.nanoTime). */
    private final long parkedAt;
    private volatile int state;
    private int selected;
    private Throwable failure;

    private SelectHandoff(G g, Selector selector, long timeout, long parkedAt) {
        this.g = g;
        this.selector = selector;
        this.timeout = timeout;
        this.parkedAt = parkedAt;
    }

    /** Still untaken a probe's time after the G parked: the G is parked on its carrier (pinned). */
    boolean stalled(long now) {
        return state == NEW && now - parkedAt >= PIN_PROBE_NANOS;
    }

    /** {@code selector.select(timeout)} (0: no timeout), handed to the M when the caller is a G. */
    static int select(Selector selector, long timeout) throws IOException {
        M m = JdkAccess.currentCarrierThread() instanceof M cm ? cm : null;
        G g = m != null ? m.curg : null;
        if (g == null || g.thread != Thread.currentThread() || timeout < 0
                || selector.getClass().getModule() != Object.class.getModule()
                || !selector.isOpen() || Thread.currentThread().isInterrupted() || g.selectPins) {
            return direct(selector, timeout);
        }
        long parkedAt = System.nanoTime();
        SelectHandoff op = new SelectHandoff(g, selector, timeout, parkedAt);
        m.syscall = op;
        boolean interrupted = false;
        boolean wokeSelector = false;
        int runs = g.runs;
        // If this G cannot unmount here (a native frame on its stack, or a monitor held on JDK
        // 21-23), the JDK parks its carrier instead, no M ever sees the select, and only
        // PinWatch's unpark brings the G back.
        g.sched.pinWatch.selecting(parkedAt);
        LockSupport.park(op);
        for (;;) {
            int s = op.state;
            if (s == DONE) {
                break;
            }
            if (s == NEW && STATE.compareAndSet(op, NEW, CANCELLED)) {
                // no M took it: the park did not unmount (a pending permit, or pinned), or this
                // G woke elsewhere first
                if (g.runs == runs && System.nanoTime() - parkedAt >= PIN_PROBE_NANOS) {
                    g.selectPins = true; // pinned: this G selects as the JDK does from now on
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                return direct(selector, timeout);
            }
            // TAKEN: the M is selecting. Only an interrupt needs anything from here.
            if (Thread.interrupted()) {
                interrupted = true;
                if (!wokeSelector) {
                    wokeSelector = true;
                    selector.wakeup();
                }
            }
            LockSupport.park(op);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable f = op.failure;
        if (f != null) {
            throw rethrow(f);
        }
        return op.selected;
    }

    private static int direct(Selector selector, long timeout) throws IOException {
        return timeout == 0 ? selector.select() : selector.select(timeout);
    }

    /** The M: claims the select of the G it just ran. False if the G cancelled it. */
    boolean take() {
        return STATE.compareAndSet(this, NEW, TAKEN);
    }

    /** The M, without a P: runs the select as a platform thread. */
    void run() {
        try {
            selected = direct(selector, timeout);
        } catch (Throwable t) {
            failure = t;
        }
        state = DONE;
    }

    private static IOException rethrow(Throwable f) {
        if (f instanceof IOException e) {
            return e;
        }
        if (f instanceof RuntimeException e) {
            throw e;
        }
        if (f instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(f);
    }
}
