package dev.timeslice.runtime;

import java.util.concurrent.atomic.AtomicBoolean;

/** Scenarios shared by the scheduler's tests (public for those of {@code dev.timeslice.runtime.observe}). */
public final class ObsTestSupport {
    private ObsTestSupport() {
    }

    /** What a rewritten CPU-bound loop does: work, and a poll each iteration. */
    /** {@code rounds} rounds of arithmetic without a poll (returns early if {@code until} is set). */
    static long spinFor(AtomicBoolean until, int rounds) {
        long x = 0;
        for (int i = 0; i < rounds && !until.get(); i++) {
            x += i ^ (x >>> 3);
        }
        return x;
    }

    static void spinWithPolls(AtomicBoolean until) {
        long x = 0;
        while (!until.get()) {
            for (int i = 0; i < 1000; i++) {
                x += i ^ (x >>> 3);
            }
            Safepoint.pollLoop();
        }
        if (x == 42) {
            System.err.print("");
        }
    }

    /**
     * On a procs=1 scheduler: G "hog" spins with polls until G "stopper" runs, which it can only
     * do once sysmon has preempted the hog. Returns the hog's thread (ended).
     */
    public static Thread provokePreemption(Scheduler s) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        Thread hog = s.newThread().name("hog").start(() -> spinWithPolls(stop));
        Thread stopper = s.newThread().name("stopper").start(() -> stop.set(true));
        stopper.join();
        hog.join();
        return hog;
    }
}
