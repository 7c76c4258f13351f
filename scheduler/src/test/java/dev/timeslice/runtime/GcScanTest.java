package dev.timeslice.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GcScanTest {
    private Scheduler sched;

    @AfterEach
    void close() {
        if (sched != null) {
            sched.close();
        }
    }

    /** A CPU-bound loop with the poll the agent would insert at its back-edge. */
    static void spinner(AtomicBoolean stop, AtomicLongArray progress, int id) {
        while (!stop.get()) {
            progress.incrementAndGet(id);
            Safepoint.pollLoop();
        }
    }

    /** One spinner G per slot of {@code progress}, named spinner-0, spinner-1, ... */
    private Thread[] startSpinners(AtomicBoolean stop, AtomicLongArray progress) {
        Thread[] ts = new Thread[progress.length()];
        for (int i = 0; i < ts.length; i++) {
            int id = i;
            ts[i] = sched.newThread().name("spinner-" + i).start(() -> spinner(stop, progress, id));
        }
        return ts;
    }

    @Test
    void runningGsStopAtAPollAreRecordedAndContinue() throws Exception {
        sched = Scheduler.builder().procs(2).build();
        int n = 2;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLongArray progress = new AtomicLongArray(n);
        Thread[] ts = startSpinners(stop, progress);
        for (int i = 0; i < n; i++) {
            while (progress.get(i) == 0) {
                Thread.sleep(1);
            }
        }
        // A spinner may be between two runs at the instant of a scan (just preempted by sysmon,
        // or its M descheduled by the OS): scan until one sees both running.
        ScanResult scan;
        List<GInfo> running;
        int attempts = 0;
        do {
            scan = sched.scan();
            running = scan.gs().stream().filter(g -> g.state().equals("running")).toList();
            for (GInfo g : running) {
                assertTrue(g.atSafepoint(), g.toString()); // whatever runs stops at a poll, every time
            }
        } while (running.size() < n && ++attempts < 200);
        assertEquals(n, running.size(), scan.summary());
        for (GInfo g : running) {
            assertTrue(g.atSafepoint(), g.toString());
            assertTrue(g.ttspNanos() >= 0);
            StackTraceElement top = g.stack().get(0);
            assertEquals(GcScanTest.class.getName(), top.getClassName(), "top frame is the poll site");
            assertEquals("spinner", top.getMethodName());
            assertFalse(g.m().isEmpty());
        }
        assertEquals(n, scan.stoppedAtPoll());
        assertTrue(scan.ttspNanos() > 0);
        // every spinner continues after the scan
        long[] before = new long[n];
        for (int i = 0; i < n; i++) {
            before[i] = progress.get(i);
        }
        for (int i = 0; i < n; i++) {
            while (progress.get(i) == before[i]) {
                Thread.sleep(1);
            }
        }
        stop.set(true);
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(scan.withoutGs(), sched.lastScan());
    }

    @Test
    void aForcedGcTriggersAScan() throws Exception {
        sched = Scheduler.builder().procs(1).gcScan(true).gcScanInterval(Duration.ZERO).build();
        CountDownLatch release = new CountDownLatch(1);
        Thread waiter = sched.newThread().name("waiter").start(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        while (sched.gOf(waiter).state() != G.WAITING) {
            Thread.sleep(1);
        }
        assertNull(sched.lastScan(), "a reader asks first: GC-triggered scans run once something reads them");
        System.gc();
        ScanResult scan;
        while ((scan = sched.lastScan()) == null) {
            Thread.sleep(5);
        }
        assertNotEquals("api", scan.trigger());
        assertTrue(scan.countsByState().getOrDefault("waiting", 0) >= 1, scan.summary());
        assertTrue(scan.gs().isEmpty(), "the last scan keeps counts, not a record per G");
        release.countDown();
        waiter.join();
    }

    private static void assertNotEquals(String unexpected, String actual) {
        assertFalse(unexpected.equals(actual), "trigger was " + actual);
    }

    @Test
    void oneHundredThousandParkedGsAreAllRecorded() throws Exception {
        sched = Scheduler.builder().procs(2).build();
        int n = 100_000;
        CountDownLatch parked = new CountDownLatch(n);
        AtomicBoolean go = new AtomicBoolean();
        Thread[] ts = new Thread[n];
        for (int i = 0; i < n; i++) {
            ts[i] = sched.newThread().daemon(true).start(() -> {
                parked.countDown();
                while (!go.get()) {
                    LockSupport.park();
                }
            });
        }
        parked.await();
        ScanResult scan;
        do {
            scan = sched.scan();
        } while (scan.countsByState().getOrDefault("waiting", 0) < n); // the last few may still be parking
        assertEquals(n, scan.gs().size());
        go.set(true);
        for (Thread t : ts) {
            LockSupport.unpark(t);
        }
        for (Thread t : ts) {
            t.join();
        }
    }

    @Test
    void aGThatNeverPollsDoesNotHangTheScan() throws Exception {
        sched = Scheduler.builder().procs(2).scanBound(Duration.ofMillis(20)).build();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        Thread stuck = sched.newThread().name("stuck").start(() -> {
            started.countDown();
            while (!stop.get()) {
                Thread.onSpinWait(); // like native or long JDK code: no poll
            }
        });
        started.await();
        ScanResult scan = sched.scan();
        GInfo g = scan.gs().stream().filter(x -> x.name().equals("stuck")).findFirst().orElseThrow();
        assertEquals("running", g.state());
        assertFalse(g.atSafepoint());
        assertFalse(g.m().isEmpty(), "records the M it runs on");
        assertEquals(1, scan.notAtSafepoint());
        assertTrue(GoroutineDump.format(scan).contains("[running, not at a safepoint]"));
        stop.set(true);
        stuck.join();
    }

    @Test
    void aScanFromInsideAGDoesNotWaitForItself() throws Exception {
        sched = Scheduler.builder().procs(1).build();
        ScanResult[] out = new ScanResult[1];
        Thread t = sched.newThread().name("self-scanner").start(() -> out[0] = sched.scan());
        t.join();
        GInfo self = out[0].gs().stream().filter(g -> g.name().equals("self-scanner")).findFirst().orElseThrow();
        assertEquals("running", self.state());
    }

    /**
     * Regression: a scanning G parks while it waits, and every P was then held by an M waiting
     * for the scan to end with nothing left to run the scanner (a hang, found by ScanBench).
     */
    @Test
    void scansFromAGWhileSpinnersHoldEveryPAllFinish() throws Exception {
        sched = Scheduler.builder().procs(2).build();
        // more spinners than P's: an M that finishes waiting for a scan has a G to start
        AtomicBoolean stop = new AtomicBoolean();
        Thread[] ts = startSpinners(stop, new AtomicLongArray(3));
        int[] scans = new int[1];
        Thread scanner = sched.newThread().name("scanner").start(() -> {
            for (int i = 0; i < 200; i++) {
                ScanResult r = sched.scan();
                assertEquals("running", r.gs().stream().filter(g -> g.name().equals("scanner"))
                        .findFirst().orElseThrow().state());
                scans[0]++;
                Safepoint.pollCallLoop();
            }
        });
        scanner.join(Duration.ofSeconds(60));
        boolean finished = !scanner.isAlive();
        stop.set(true);
        assertTrue(finished, "scans from a G hung after " + scans[0]);
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(200, scans[0]);
    }

    @Test
    void theDumpLooksLikeGos() throws Exception {
        sched = Scheduler.builder().procs(1).build();
        CountDownLatch release = new CountDownLatch(1);
        Thread sleeper = sched.newThread().name("sleeper").start(() -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                release.countDown();
            }
        });
        while (sched.gOf(sleeper).state() != G.WAITING) {
            Thread.sleep(1);
        }
        String dump = sched.goroutineDump();
        Pattern header = Pattern.compile("^goroutine (\\d+) \\[sleep\\]:$", Pattern.MULTILINE);
        assertTrue(header.matcher(dump).find(), dump);
        assertTrue(dump.contains("java.lang.Thread.sleep(...)\n\tThread.java:"), dump);
        assertTrue(dump.contains("thread \"sleeper\""), dump);
        sleeper.interrupt();
        release.await();
    }

    /** Nobody reads scans (no listener, no lastScan()): a collection stops no G (issue 15). */
    @Test
    void aGcWithNoReaderStopsNoG() throws Exception {
        sched = Scheduler.builder().procs(1).gcScan(true).gcScanInterval(Duration.ZERO).build();
        AtomicBoolean stop = new AtomicBoolean();
        Thread spinner = sched.newThread().name("spinner").start(() -> ObsTestSupport.spinWithPolls(stop));
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        assertEquals(0, sched.stats().scans(), "GC-scans without a reader");
        stop.set(true);
        spinner.join();
        assertNull(sched.lastScan());
    }
}
