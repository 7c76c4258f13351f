package dev.timeslice.runtime;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The watchdog of handed-off selects whose G could not unmount ({@link SelectHandoff}).
 *
 * <p>Why: a G that hands its select to its M parks without a timeout. If it cannot unmount there
 * (a native frame on its stack, or a monitor held on JDK 21-23), the JDK parks its carrier
 * instead, the continuation never returns to the M, and no M ever runs the select: only an
 * unpark brings the G back. The G's park used to be timed for that reason, which made every
 * select that unmounted (nearly all) schedule and cancel a JDK timer and wake the JDK's timer
 * thread ({@code VirtualThread-unparker}: ~0.6 s of CPU in a 14 s Jetty run, plus the timer
 * code on the M's). One look every {@link #PERIOD} over the M's costs a wakeup per period
 * instead of one per select.
 *
 * <p>What: while selects are being handed off, a daemon thread looks at every M's {@link
 * M#syscall} every {@link #PERIOD}; a handoff still NEW (no M took it) {@link
 * SelectHandoff#PIN_PROBE_NANOS} after its G parked belongs to a G parked on its carrier, and
 * the watchdog unparks that G, which then cancels the handoff and selects by itself (marking
 * itself {@link G#selectPins}). A spurious unpark (an M slow to take the handoff) is harmless:
 * the G's loop handles any wakeup. The thread ends after {@link #LINGER} without a select and is
 * started again by the next one, so an idle program has no watchdog waking.
 *
 * <p>Memory ordering: a G writes {@link #lastSelect} then reads {@link #active}; the watchdog,
 * before ending, writes {@link #active} false then reads {@link #lastSelect}; both volatile, so
 * at least one sees the other's write: either the G starts a new watchdog, or the old one goes
 * on ({@link #active}'s CAS keeps it to one thread). {@link M#syscall} is read racily: a stale
 * handoff is no longer NEW, or is NEW and old, and then unparking its G is what is wanted.
 *
 * <p>Who may touch what: G's in {@link SelectHandoff#select} call {@link #selecting}; only the
 * watchdog thread reads the M's.
 */
final class PinWatch implements Runnable {
    /** How often the watchdog looks while selects are handed off. */
    static final long PERIOD = SelectHandoff.PIN_PROBE_NANOS;
    /** How long after the last handed-off select the watchdog ends. */
    static final long LINGER = 1_000_000_000L;

    private final Scheduler sched;
    private final AtomicBoolean active = new AtomicBoolean();
    private volatile long lastSelect;
    /** Pinned G's found (tests). */
    volatile int unparked;

    PinWatch(Scheduler sched) {
        this.sched = sched;
    }

    /** A G is about to park for a handed-off select (at {@code now}, System.nanoTime). */
    void selecting(long now) {
        lastSelect = now;
        if (!active.get() && active.compareAndSet(false, true)) {
            Thread t = new Thread(this, sched.name + "-pinwatch");
            t.setDaemon(true);
            t.start();
        }
    }

    @Override
    public void run() {
        for (;;) {
            LockSupport.parkNanos(this, PERIOD);
            long now = System.nanoTime();
            look(now);
            if (now - lastSelect > LINGER) {
                active.set(false);
                if (System.nanoTime() - lastSelect > LINGER || !active.compareAndSet(false, true)) {
                    return; // idle (a select from now on starts a new watchdog), or one already has
                }
            }
        }
    }

    /** One look over the M's: unparks the G's of handoffs nobody took for a probe's time. */
    void look(long now) {
        for (M m : sched.allm()) {
            SelectHandoff op = m.syscall;
            if (op != null && op.stalled(now)) {
                unparked++;
                LockSupport.unpark(op.g.thread);
            }
        }
    }
}
