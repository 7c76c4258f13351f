package dev.timeslice.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A timer wakeup whose only P is held by an M that is not on a CPU (the OS runs other threads)
 * is served by another M (sysmon's late-wakeup handoff, issue 13 item 6). The M is made to look
 * descheduled by a CPU clock that stands still, while the OS still reports its thread runnable:
 * the retake of blocked M's (state S) does not apply, and the hog never reaches a poll, so the
 * wakeup preemption it is asked for is never served by that M. No assertion on time: the hog
 * spins until the sleeper has run, or gives up after 20 s (then the test fails).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LateWakeupTest {
    private Scheduler sched;

    @AfterEach
    void close() {
        Sysmon.cpuClockForTest = null;
        if (sched != null) {
            sched.close();
        }
        Safepoint.lower();
    }

    @Test
    void aWakeupWhosePIsHeldByAnMOffTheCpuIsTakenByAnotherM() throws Exception {
        // a slice far longer than the test: no slice preemption or stuck-M retake can help
        sched = Scheduler.builder().procs(1).slice(Duration.ofSeconds(60)).build();
        AtomicBoolean ran = new AtomicBoolean();
        AtomicBoolean hogGaveUp = new AtomicBoolean();
        Thread sleeper = sched.go(() -> {
            try {
                Thread.sleep(20); // woken by the JDK's timer thread: from outside the scheduler
            } catch (InterruptedException e) {
                return;
            }
            ran.set(true);
        });
        Thread hog = sched.go(() -> {
            Sysmon.cpuClockForTest = m -> 0L; // from now on no M seems to get any CPU
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!ran.get()) { // no poll: this M never serves a request
                if (System.nanoTime() > end) {
                    hogGaveUp.set(true);
                    return;
                }
                Thread.onSpinWait();
            }
        });
        hog.join();
        sleeper.join();
        assertTrue(ran.get());
        assertTrue(!hogGaveUp.get(), "the sleeper ran only after the hog gave up its P");
        assertTrue(sched.stats.handoffs.sum() >= 1, "handoffs: " + sched.stats.handoffs.sum());
    }
}
