package dev.timeslice.runtime;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Starts a GC-scan after JVM garbage collections, found by a <em>sentinel</em>: a fresh object
 * reachable only through a {@link WeakReference} registered with a queue. The first collection
 * that processes the object's region clears the reference, and the JDK's reference handler
 * enqueues it; the trigger's own daemon thread, blocked on the queue, then arms a new sentinel
 * and runs the scan (the reference handler never waits for G's). With the serial, parallel and
 * G1 collectors every young and full collection clears it (the sentinel is always young when it
 * is cleared); with a collector whose young collections leave weak references alone, scans follow
 * the collections that do process them.
 *
 * <p>Why not {@code GarbageCollectorMXBean} notifications: getting the beans creates the
 * platform MXBean machinery (~100 classes, tens of ms of CPU in every JVM's start-up, issue 15);
 * the sentinel costs one object per collection.
 *
 * <p>At most one scan per {@code minInterval}: collections that come faster (a GC storm) are
 * coalesced, never queued. Only the trigger's thread touches {@link #sentinel}; {@link #stop}
 * may be called from any thread.
 */
final class GcScanTrigger implements Runnable {
    /** What a GC-triggered scan names as its trigger (the collector is not known here). */
    static final String TRIGGER = "gc";

    private final Scheduler sched;
    private final long minIntervalNanos;
    private final Thread thread;
    private final ReferenceQueue<Object> queue = new ReferenceQueue<>();
    private WeakReference<Object> sentinel;
    private volatile boolean stopped;
    private long lastScan = Long.MIN_VALUE / 2;
    private final LongAdder coalesced = new LongAdder();

    GcScanTrigger(Scheduler sched, long minIntervalNanos) {
        this.sched = sched;
        this.minIntervalNanos = minIntervalNanos;
        this.thread = new Thread(this, sched.name + "-gcscan");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() {
        stopped = true;
        thread.interrupt();
    }

    long coalesced() {
        return coalesced.sum();
    }

    private void arm() {
        sentinel = new WeakReference<>(new Object(), queue);
    }

    @Override
    public void run() {
        arm();
        try {
            while (!stopped) {
                queue.remove(); // a collection cleared the sentinel
                arm();
                long wait = lastScan + minIntervalNanos - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                    if (sentinel.refersTo(null)) {
                        // collections during the wait: this one scan stands for them
                        coalesced.increment();
                        queue.poll();
                        arm();
                    }
                }
                if (stopped) {
                    return;
                }
                lastScan = System.nanoTime();
                try {
                    sched.scanForGc(TRIGGER);
                } catch (RuntimeException | Error e) {
                    System.err.println("timeslice: GC-scan failed: " + e);
                }
            }
        } catch (InterruptedException e) {
            // stop()
        }
    }
}
