package dev.timeslice.runtime;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Starts a GC-scan after JVM garbage collections: listens to every
 * {@link GarbageCollectorMXBean}'s notifications and hands the scan to its own daemon thread
 * (the JVM's notification thread must not wait for G's to reach polls). At most one scan per
 * {@code minInterval}: collections that come faster (a GC storm) are coalesced, never queued.
 */
final class GcScanTrigger implements NotificationListener {
    private final Scheduler sched;
    private final long minIntervalNanos;
    private final Thread thread;
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private volatile String pendingGc;
    private volatile boolean stopped;
    private long lastScan = Long.MIN_VALUE / 2;
    private final java.util.concurrent.atomic.LongAdder coalesced = new java.util.concurrent.atomic.LongAdder();

    GcScanTrigger(Scheduler sched, long minIntervalNanos) {
        this.sched = sched;
        this.minIntervalNanos = minIntervalNanos;
        this.thread = new Thread(this::loop, sched.name + "-gcscan");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter e) {
                e.addNotificationListener(this, null, null);
                emitters.add(e);
            }
        }
    }

    void stop() {
        stopped = true;
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(this);
            } catch (ListenerNotFoundException ignored) {
                // already gone
            }
        }
        LockSupport.unpark(thread);
    }

    long coalesced() {
        return coalesced.sum();
    }

    @Override
    public void handleNotification(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        String gcName = "gc";
        if (n.getUserData() instanceof CompositeData cd) {
            gcName = GarbageCollectionNotificationInfo.from(cd).getGcName();
        }
        if (pendingGc != null) {
            coalesced.increment();
        }
        pendingGc = gcName;
        LockSupport.unpark(thread);
    }

    private void loop() {
        while (!stopped) {
            String gc = pendingGc;
            if (gc == null) {
                LockSupport.park(this);
                continue;
            }
            long wait = lastScan + minIntervalNanos - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
                continue;
            }
            pendingGc = null;
            lastScan = System.nanoTime();
            try {
                sched.scanForGc(gc);
            } catch (RuntimeException | Error e) {
                System.err.println("timeslice: GC-scan failed: " + e);
            }
        }
    }
}
