package dev.timeslice.runtime;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The scheduler's global run queue (Go's {@code sched.runq}), in two FIFO lists threaded
 * through {@link G#schedlink}:
 * <ul>
 *   <li>{@code wake} — G's made runnable or started from outside the scheduler (timers,
 *       platform threads, I/O): served first, so a wakeup never queues behind CPU hogs that
 *       were preempted before it (every 61st schedtick serves {@code main} first instead);</li>
 *   <li>{@code main} — yields, preemptions, overflow from full local queues.</li>
 * </ul>
 * All list fields are guarded by {@link #lock} (the scheduler's sched.lock). {@link #size} is written under the lock and read
 * without it as a hint (Go reads {@code sched.runqsize} the same way); callers that must not
 * miss work re-check under the lock. {@link #wakeHeadSince} (when the oldest waiting wakeup was
 * queued) is written under the lock and read racily by sysmon, which uses it only to decide
 * when to look at the P's again: a stale value delays or advances one look, nothing else.
 */
final class GlobalRunq {
    /** sched.lock, shared with the idle lists. */
    final ReentrantLock lock;
    private G wakeHead;
    private G wakeTail;
    private G head;
    private G tail;
    private volatile int size;
    private volatile int wakeSize;
    /** When the head of the wakeup list was queued (System.nanoTime), 0 while the list is empty. */
    private volatile long wakeHeadSince;

    GlobalRunq(ReentrantLock schedLock) {
        this.lock = schedLock;
    }

    int size() {
        return size;
    }

    int wakeSize() {
        return wakeSize;
    }

    /** When the oldest waiting wakeup was queued, 0 when none waits (a racy hint, see above). */
    long wakeHeadSince() {
        return wakeHeadSince;
    }

    void put(G g) {
        lock.lock();
        try {
            appendMain(g);
            size++;
        } finally {
            lock.unlock();
        }
    }

    void putWake(G g) {
        long now = System.nanoTime();
        lock.lock();
        try {
            g.schedlink = null;
            g.wakeQueuedAt = now;
            if (wakeTail == null) {
                wakeHead = g;
                wakeHeadSince = now;
            } else {
                wakeTail.schedlink = g;
            }
            wakeTail = g;
            wakeSize++;
            size++;
        } finally {
            lock.unlock();
        }
    }

    void putBatch(G[] batch, int n) {
        lock.lock();
        try {
            for (int i = 0; i < n; i++) {
                appendMain(batch[i]);
            }
            size += n;
        } finally {
            lock.unlock();
        }
    }

    private void appendMain(G g) {
        g.schedlink = null;
        if (tail == null) {
            head = g;
        } else {
            tail.schedlink = g;
        }
        tail = g;
    }

    /** Takes one G (wakeups first), or null. */
    G get() {
        if (size == 0) {
            return null;
        }
        lock.lock();
        try {
            return getLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Takes one G from the main list if it has any, else a wakeup; null when empty. */
    G getMainFirst() {
        if (size == 0) {
            return null;
        }
        lock.lock();
        try {
            return head != null ? popMain() : getLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Takes one wakeup, or null. */
    G getWake() {
        if (wakeSize == 0) {
            return null;
        }
        lock.lock();
        try {
            if (wakeHead == null) {
                return null;
            }
            return popWake();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Go's {@code globrunqget}: takes one G to run and moves a fair share of the rest (at most
     * {@code max}, at most half a local queue) into {@code local}. Caller holds no lock.
     */
    G get(Runq local, int procs, int max) {
        if (size == 0) {
            return null;
        }
        lock.lock();
        try {
            return getLocked(local, procs, max);
        } finally {
            lock.unlock();
        }
    }

    /** As {@link #get(Runq, int, int)}, with {@link #lock} held. */
    G getLocked(Runq local, int procs, int max) {
        int sz = size;
        if (sz == 0) {
            return null;
        }
        int n = Math.min(sz, sz / procs + 1);
        if (max > 0) {
            n = Math.min(n, max);
        }
        n = Math.min(n, Runq.SIZE / 2);
        G first = getLocked();
        for (int i = 1; i < n && head != null; i++) {
            // only the main list refills the local queue: a wakeup moved there would wait
            // behind the whole queue instead of being served first by whichever P looks next
            local.put(popMain(), false, this);
        }
        return first;
    }

    /** Takes one G with {@link #lock} held: wakeups first. */
    G getLocked() {
        if (wakeHead != null) {
            return popWake();
        }
        return head != null ? popMain() : null;
    }

    private G popMain() {
        G g = head;
        head = g.schedlink;
        if (head == null) {
            tail = null;
        }
        g.schedlink = null;
        size--;
        return g;
    }

    private G popWake() {
        G g = wakeHead;
        wakeHead = g.schedlink;
        if (wakeHead == null) {
            wakeTail = null;
            wakeHeadSince = 0;
        } else {
            wakeHeadSince = wakeHead.wakeQueuedAt;
        }
        g.schedlink = null;
        wakeSize--;
        size--;
        return g;
    }
}
