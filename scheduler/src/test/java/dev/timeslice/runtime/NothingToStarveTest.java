package dev.timeslice.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A G past its slice is not preempted while no other G is runnable (issue 15), and is preempted
 * once one becomes runnable. The G's run for many slices by their own clock (no assertion on
 * time); a hog that were never preempted again would hang the last test, and @Timeout reports it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NothingToStarveTest {
    private static final long SLICES = 20;
    private Scheduler sched;

    @AfterEach
    void close() {
        if (sched != null) {
            sched.close();
        }
        Safepoint.lower();
    }

    private Scheduler sched(int procs) {
        sched = Scheduler.builder().procs(procs).slice(Duration.ofMillis(5)).build();
        return sched;
    }

    /** Spins with polls until {@code SLICES} slices have passed on the clock. */
    private static void spinSlices() {
        long end = System.nanoTime() + SLICES * 5_000_000L;
        AtomicBoolean never = new AtomicBoolean();
        while (System.nanoTime() < end) {
            ObsTestSupport.spinFor(never, 1000);
            Safepoint.pollLoop();
        }
    }

    @Test
    void aLoneGIsNeverAskedToYield() throws Exception {
        for (int procs : new int[] {1, 2}) {
            Scheduler s = sched(procs);
            s.go(NothingToStarveTest::spinSlices).join();
            assertEquals(0, s.stats.preemptRequested.sum(), "procs=" + procs + ": requests for a G nothing waits for");
            s.close();
        }
    }

    @Test
    void twoGsOnTwoPsAreNeverAskedToYieldOnceBothRun() throws Exception {
        // While one of them still waits for its P, a request is right; count from when both run
        // and two more slices have passed (sysmon's round that saw the waiting one is over).
        Scheduler s = sched(2);
        java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
        long[] baseline = new long[1];
        Runnable body = () -> {
            running.incrementAndGet();
            AtomicBoolean never = new AtomicBoolean();
            while (running.get() < 2) {
                ObsTestSupport.spinFor(never, 1000);
                Safepoint.pollLoop();
            }
            // two more slices, and two whole sysmon rounds begun after both ran (a round that
            // read the queue before b was stolen may count its request late on a busy machine)
            long end = System.nanoTime() + 2 * 5_000_000L;
            long roundsBoth = s.sysmon.rounds;
            while (System.nanoTime() < end || s.sysmon.rounds < roundsBoth + 2) {
                ObsTestSupport.spinFor(never, 1000);
                Safepoint.pollLoop();
            }
            // no monitor here: a contended synchronized block unmounts a virtual thread (JDK 24+),
            // and the G it blocked is runnable again while the other one is past its slice — a
            // request that is right, and made this test fail now and then
            if (running.getAndIncrement() == 2) {
                baseline[0] = s.stats.preemptRequested.sum(); // read by the test thread after join
            }
            spinSlices();
        };
        Thread a = s.go(body);
        Thread b = s.go(body);
        a.join();
        b.join();
        assertEquals(baseline[0], s.stats.preemptRequested.sum(), "requests after both G's ran");
    }

    @Test
    void aGQueuedByTheLoneGPreemptsItAtOnce() throws Exception {
        Scheduler s = sched(1);
        AtomicBoolean ran = new AtomicBoolean();
        Thread hog = s.go(() -> {
            spinSlices(); // sysmon is asleep now: nothing can starve
            s.go(() -> ran.set(true)); // queued on the only P, which the hog keeps
            ObsTestSupport.spinWithPolls(ran); // ends only if the hog is preempted
        });
        hog.join();
        assertTrue(ran.get());
        // the hog gave way: preempted at a poll, or (on a busy machine, where its M may look off
        // the CPU to sysmon) its P handed to another M, which ran the queued G
        assertTrue(s.stats.preemptServed.sum() + s.stats.handoffs.sum() >= 1, "neither served nor handed off: " + s.stats());
    }

    /**
     * A wakeup that finds nothing waiting once it is looked at must not keep sysmon awake: the
     * request flag used to stay set, and sysmon spun (millions of rounds, a whole core) for the
     * rest of the run while a lone G ran past its slice. Parked, sysmon takes one round per
     * {@code STARVE_PARK_MAX} (50 ms) or per slice: a few dozen in this test.
     */
    @Test
    void aWakeupWithNothingWaitingDoesNotKeepSysmonSpinning() throws Exception {
        Scheduler s = sched(1);
        long[] rounds = new long[2];
        s.go(() -> {
            long end = System.nanoTime() + 4 * 5_000_000L;
            AtomicBoolean never = new AtomicBoolean();
            while (System.nanoTime() < end) { // past its slice: sysmon leaves it alone
                ObsTestSupport.spinFor(never, 1000);
                Safepoint.pollLoop();
            }
            s.sysmon.wakeupPending(); // nothing is queued: the request finds nothing to do
            rounds[0] = s.sysmon.rounds;
            spinSlices();
            rounds[1] = s.sysmon.rounds;
        }).join();
        long during = rounds[1] - rounds[0];
        assertTrue(during < 2_000, "sysmon rounds while a lone G ran " + SLICES + " slices after one wakeup: " + during);
    }
}
