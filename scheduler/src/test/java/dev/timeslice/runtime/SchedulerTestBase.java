package dev.timeslice.runtime;

import org.junit.jupiter.api.AfterEach;

/** Tests that own a scheduler (and possibly observability on it): both are closed after each test. */
abstract class SchedulerTestBase {
    Scheduler sched;
    Observability obs;

    @AfterEach
    void closeSchedulerAndObservability() {
        if (obs != null) {
            obs.close();
        }
        if (sched != null) {
            sched.close();
        }
        Safepoint.lower();
    }
}
