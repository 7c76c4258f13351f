package dev.timeslice.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** An M's adaptive spin budget ({@code Scheduler.spinForWork}): halved by a spin that ran out, doubled by one that found work late, within its bounds. */
class SpinBudgetTest {
    @Test
    void spinsThatRunOutHalveTheBudgetDownToTheFloor() {
        long b = Scheduler.SPIN_NANOS;
        assertEquals(Scheduler.SPIN_NANOS / 2, Scheduler.nextSpinBudget(b, false));
        for (int i = 0; i < 64; i++) {
            b = Scheduler.nextSpinBudget(b, false);
        }
        assertEquals(Scheduler.SPIN_MIN_NANOS, b, "never below the floor: an M always gets its steal rounds");
    }

    @Test
    void spinsThatFindWorkLateDoubleItBackUpToTheCeiling() {
        long b = Scheduler.SPIN_MIN_NANOS;
        assertEquals(2 * Scheduler.SPIN_MIN_NANOS, Scheduler.nextSpinBudget(b, true));
        int steps = 0;
        while (b < Scheduler.SPIN_NANOS) {
            b = Scheduler.nextSpinBudget(b, true);
            steps++;
        }
        assertEquals(Scheduler.SPIN_NANOS, b, "never above the ceiling");
        assertEquals(6, steps, "1 µs back to 50 µs in six late finds");
        assertEquals(Scheduler.SPIN_NANOS, Scheduler.nextSpinBudget(b, true));
    }
}
