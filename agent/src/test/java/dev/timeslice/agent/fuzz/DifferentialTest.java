package dev.timeslice.agent.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Outcome comparison: exact, except HotSpot's message-less fast-throw of implicit exceptions. */
class DifferentialTest {
    @Test
    void outcomesCompareExactlyButAcceptTheJitsMessagelessImplicitExceptions() {
        assertTrue(Differential.same("returned 5 args after [1]", "returned 5 args after [1]"));
        assertFalse(Differential.same("returned 5 args after [1]", "returned 6 args after [1]"));
        assertTrue(Differential.same("threw java.lang.ArithmeticException: / by zero args after [1]",
                "threw java.lang.ArithmeticException: null args after [1]"));
        assertFalse(Differential.same("threw java.lang.ArithmeticException: / by zero args after [1]",
                "threw java.lang.ArithmeticException: null args after [2]"));
        assertFalse(Differential.same("threw java.lang.ArithmeticException: / by zero args after [1]",
                "threw java.lang.ArrayIndexOutOfBoundsException: null args after [1]"));
        assertFalse(Differential.same("threw java.lang.IllegalStateException: thrown 3 args after [1]",
                "threw java.lang.IllegalStateException: null args after [1]"));
        assertFalse(Differential.same("threw java.lang.ArithmeticException: / by zero args after [1]",
                "returned 0 args after [1]"));
    }
}
