package demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WorkTest {
    @Test
    void hashIsDeterministicAndDependsOnEveryInput() {
        assertEquals(Work.hashBlocks(10_000, 1), Work.hashBlocks(10_000, 1));
        assertNotEquals(Work.hashBlocks(10_000, 1), Work.hashBlocks(10_000, 2));
        assertNotEquals(Work.hashBlocks(10_000, 1), Work.hashBlocks(10_001, 1));
        assertNotEquals(Work.hashBlocks(0, 1), Work.hashBlocks(1, 1));
    }

    @Test
    void calibrationMeasuresAPositiveRate() {
        double rate = Work.calibrate(30);
        assertTrue(rate >= 1 && Double.isFinite(rate), "rate " + rate);
    }
}
