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
 * What sysmon costs a busy server whose G's run for µs (issue 14): it must not read an M's CPU
 * clock for a run it sees only once, not ask a run younger than the wakeup lateness to yield for
 * a late wakeup, and not be unparked by every external wakeup. Each test drives a Sysmon that is
 * not started (the scheduler runs without one) through its package-private rounds, with the
 * clock values passed in: no assertion on time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SysmonCostTest {
    private Scheduler sched;
    private final AtomicBoolean stop = new AtomicBoolean();

    @AfterEach
    void close() {
        stop.set(true);
        if (sched != null) {
            sched.close();
        }
        Safepoint.lower();
    }

    /** procs=1, no sysmon of its own; a slice longer than the test: no slice request interferes. */
    private Scheduler sched() {
        sched = Scheduler.builder().procs(1).slice(Duration.ofSeconds(60)).sysmon(false).build();
        return sched;
    }

    private static void awaitRunning(P p) throws InterruptedException {
        while (!P.runsG(p.status()) || p.curg == null) {
            Thread.sleep(1);
        }
    }

    @Test
    void aRunSeenOnceCostsNoCpuSample() throws Exception {
        Scheduler s = sched();
        P p = s.allp[0];
        AtomicBoolean queued = new AtomicBoolean();
        s.go(() -> {
            s.go(() -> { }); // runnext of our P: work waits, no P is idle (sysmon's retake watches)
            queued.set(true);
            ObsTestSupport.spinWithPolls(stop);
        });
        while (!queued.get()) {
            Thread.sleep(1);
        }
        awaitRunning(p);
        Sysmon sm = new Sysmon(s);
        long now = System.nanoTime();
        sm.retake(now);
        assertEquals(0, sm.cpuSamples, "CPU samples at the first look at a run");
        sm.retake(now + Sysmon.BLOCK_CHECK_NANOS); // the same run, still going: now it is sampled
        assertEquals(1, sm.cpuSamples, "CPU samples once the run outlived a look");
    }

    @Test
    void aLateWakeupAsksOnlyRunsOlderThanTheLatenessToYield() throws Exception {
        Scheduler s = sched();
        P p = s.allp[0];
        s.go(() -> ObsTestSupport.spinWithPolls(stop));
        awaitRunning(p);
        s.go(() -> { }); // from this platform thread: the wakeup list
        long since;
        while ((since = s.globrunq.wakeHeadSince()) == 0) {
            Thread.sleep(1);
        }
        Sysmon sm = new Sysmon(s);
        long lateness = sm.wakeLateness();
        // as if the running G had been mounted just after the wakeup was queued, from runnext,
        // inheriting a slice that began long before (white box: the owner writes these only
        // when a run begins, and this run goes on)
        p.runStart = since - 10 * lateness;
        p.curgStart = since + 1;
        sm.escalateWakeups(since + lateness);
        assertEquals(0, p.preemptReq, "a run younger than the lateness was asked to yield");
        assertEquals(false, sm.preemptForWakeups(since + lateness), "a wakeup victim younger than the grace");
        assertEquals(0, p.preemptReq, "a G mounted less than wakeupGrace ago was asked to yield");
        assertEquals(0, s.stats.wakeupPreemptions.sum());
        sm.escalateWakeups(since + 1 + lateness);
        assertEquals(1, s.stats.wakeupPreemptions.sum(), "the same run, once as old as the lateness");
    }

    @Test
    void wakeupsUnparkSysmonOnceUntilItsNextRound() {
        Scheduler s = sched();
        Sysmon sm = new Sysmon(s); // never runs a round: it "sleeps" past any lateness
        for (int i = 0; i < 100; i++) {
            sm.wakeupPending();
        }
        assertEquals(1, sm.wakeupKicks, "unparks of a sysmon that has not looked since the first wakeup");
        assertTrue(sm.rounds == 0);
    }
}
