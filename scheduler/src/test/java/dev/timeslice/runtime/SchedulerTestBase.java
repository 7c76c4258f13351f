package dev.timeslice.runtime;

import dev.timeslice.runtime.observe.Observability;
import org.junit.jupiter.api.AfterEach;

/**
 * Tests that own a scheduler (and possibly observability on it): both are closed after each test.
 * Public for the tests of {@code dev.timeslice.runtime.observe}.
 */
public abstract class SchedulerTestBase {
    protected Scheduler sched;
    protected Observability obs;

    @AfterEach
    protected void closeSchedulerAndObservability() {
        if (obs != null) {
            obs.close();
        }
        if (sched != null) {
            sched.close();
        }
        Safepoint.lower();
    }
}
