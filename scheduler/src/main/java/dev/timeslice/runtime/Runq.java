package dev.timeslice.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A P's local run queue: a fixed ring of {@value #SIZE} G's plus the {@code runnext} slot, with
 * Go's semantics ({@code runqput}, {@code runqget}, {@code runqgrab}, {@code runqsteal}).
 *
 * <p>Who may touch what:
 * <ul>
 *   <li>the owner (the M holding the P) puts at {@code tail} and gets at {@code head};</li>
 *   <li>thieves (other M's) grab up to half of the ring from {@code head};</li>
 *   <li>{@code runnext} is set to non-null only by the owner; anyone may CAS it to null
 *       (the owner taking it, a thief stealing it).</li>
 * </ul>
 *
 * <p>Memory ordering: {@code tail} is written only by the owner, with a release store after the
 * slot write; consumers read {@code tail} with acquire, so a consumer that sees a tail also
 * sees the G's stored below it. {@code head} moves only by CAS (release), which commits a
 * consumption: a consumer reads slots, then CASes head from the value it read; if another
 * consumer (or the owner) moved head meanwhile the slots it read may have been reused, the CAS
 * fails and it retries. The owner reads {@code head} with acquire before reusing a slot, so a
 * slot is never overwritten while a consumer whose CAS can still succeed might be reading it.
 * Indices are free-running ints; differences are taken modulo 2^32 like Go's uint32.
 */
final class Runq {
    static final int SIZE = 256;
    private static final int MASK = SIZE - 1;

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle RUNNEXT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(Runq.class, "head", int.class);
            TAIL = l.findVarHandle(Runq.class, "tail", int.class);
            RUNNEXT = l.findVarHandle(Runq.class, "runnext", G.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final G[] ring = new G[SIZE];
    @SuppressWarnings("unused") // accessed through HEAD
    private volatile int head;
    @SuppressWarnings("unused") // accessed through TAIL
    private volatile int tail;
    @SuppressWarnings("unused") // accessed through RUNNEXT
    private volatile G runnext;

    /** Set by {@link #get()}: whether the G it returned came from runnext (inherits the slice). */
    boolean inheritTime;

    /**
     * Owner only. Puts {@code g} at the tail, or into runnext when {@code next} (kicking the old
     * runnext to the tail). When the ring is full, moves half of it plus the G to {@code global}.
     */
    void put(G g, boolean next, GlobalRunq global) {
        if (next) {
            G old;
            do {
                old = (G) RUNNEXT.getVolatile(this);
            } while (!RUNNEXT.compareAndSet(this, old, g));
            if (old == null) {
                return;
            }
            g = old;
        }
        for (;;) {
            int h = (int) HEAD.getAcquire(this);
            int t = (int) TAIL.get(this);
            if (t - h < SIZE) {
                ring[t & MASK] = g;
                TAIL.setRelease(this, t + 1);
                return;
            }
            if (putSlow(g, h, t, global)) {
                return;
            }
            // the ring is no longer full: a thief took some; retry the fast path
        }
    }

    /** Owner only: moves half of a full ring and {@code g} to the global queue, in order. */
    private boolean putSlow(G g, int h, int t, GlobalRunq global) {
        int n = (t - h) / 2;
        G[] batch = new G[n + 1];
        for (int i = 0; i < n; i++) {
            batch[i] = ring[(h + i) & MASK];
        }
        if (!HEAD.compareAndSet(this, h, h + n)) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            ring[(h + i) & MASK] = null; // consumed: only the owner writes slots, so this is safe
        }
        batch[n] = g;
        global.putBatch(batch, n + 1);
        return true;
    }

    /** Owner only. Takes runnext, else the head of the ring; null when empty. */
    G get() {
        G next = (G) RUNNEXT.getVolatile(this);
        // Only the owner sets runnext to non-null, so a failed CAS means a thief took it.
        if (next != null && RUNNEXT.compareAndSet(this, next, null)) {
            inheritTime = true;
            return next;
        }
        inheritTime = false;
        for (;;) {
            int h = (int) HEAD.getAcquire(this);
            int t = (int) TAIL.get(this);
            if (t == h) {
                return null;
            }
            G g = ring[h & MASK];
            if (HEAD.compareAndSet(this, h, h + 1)) {
                // The slot is ours now and only the owner writes slots; a thief that read it
                // before our CAS will fail its own CAS on head. Clearing lets dead G's be collected.
                ring[h & MASK] = null;
                return g;
            }
        }
    }

    /**
     * Any thread. Grabs half (rounded up) of this ring into {@code batch} (a ring of
     * {@value #SIZE} starting at {@code batchHead}); if the ring is empty and
     * {@code stealRunnext}, takes runnext instead. Returns how many G's were taken.
     */
    int grab(G[] batch, int batchHead, boolean stealRunnext) {
        for (;;) {
            int h = (int) HEAD.getAcquire(this);
            int t = (int) TAIL.getAcquire(this);
            int n = t - h;
            n = n - n / 2;
            if (n == 0) {
                if (stealRunnext) {
                    G next = (G) RUNNEXT.getVolatile(this);
                    if (next != null) {
                        if (!RUNNEXT.compareAndSet(this, next, null)) {
                            continue;
                        }
                        batch[batchHead & MASK] = next;
                        return 1;
                    }
                }
                return 0;
            }
            if (n < 0 || n > SIZE / 2) {
                continue; // read an inconsistent head and tail
            }
            for (int i = 0; i < n; i++) {
                batch[(batchHead + i) & MASK] = ring[(h + i) & MASK];
            }
            if (HEAD.compareAndSet(this, h, h + n)) {
                return n;
            }
        }
    }

    /**
     * Owner of this queue only. Steals half of {@code victim}'s ring into this ring and returns
     * one of the stolen G's to run now, or null.
     *
     * <p>Unlike Go, runnext is stolen without first waiting ~3 µs for its owner to run it: Go's
     * channel receivers park at once, so a ping-ponging pair is fastest on one P; the JDK's
     * {@code SynchronousQueue}/{@code Exchanger} spin while the carrier has no known queued
     * work, so a pair split across two M's exchanges without parking at all.
     */
    G stealFrom(Runq victim, boolean stealRunnext) {
        int t = (int) TAIL.get(this);
        int n = victim.grab(ring, t, stealRunnext);
        if (n == 0) {
            return null;
        }
        n--;
        G g = ring[(t + n) & MASK];
        ring[(t + n) & MASK] = null;
        if (n == 0) {
            return g;
        }
        int h = (int) HEAD.getAcquire(this);
        if (t - h + n >= SIZE) {
            throw new IllegalStateException("runqsteal: runq overflow");
        }
        TAIL.setRelease(this, t + n);
        return g;
    }

    /** Any thread; a racy snapshot. Counts runnext. */
    int size() {
        for (;;) {
            int h = (int) HEAD.getAcquire(this);
            int t = (int) TAIL.getAcquire(this);
            if (h == (int) HEAD.getAcquire(this)) {
                int n = t - h;
                if (n < 0 || n > SIZE) {
                    continue;
                }
                return n + (RUNNEXT.getVolatile(this) != null ? 1 : 0);
            }
        }
    }

    /** Any thread; a racy snapshot. */
    boolean isEmpty() {
        return (int) HEAD.getAcquire(this) == (int) TAIL.getAcquire(this) && RUNNEXT.getVolatile(this) == null;
    }

    /** Owner only, for shutdown: moves everything to {@code out}. */
    int drainTo(java.util.List<G> out) {
        int n = 0;
        for (G g; (g = get()) != null; n++) {
            out.add(g);
        }
        return n;
    }
}
