package dev.timeslice.runtime.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timeslice.runtime.ScanResult;
import dev.timeslice.runtime.SchedEvents;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedEventsFanoutTest {
    static final class Log implements SchedEvents {
        final List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void runStart(int p, int m, long goid, String gName, long nanos) {
            seen.add("start " + goid);
        }

        @Override
        public void runEnd(int p, int m, long goid, long nanos) {
            seen.add("end " + goid);
        }

        @Override
        public void preempted(int p, long goid, String reason, long latencyNanos, boolean served, long nanos) {
            seen.add("preempt " + goid + " " + reason);
        }

        @Override
        public void scanned(ScanResult scan, long startNanos, long endNanos) {
            seen.add("scan " + scan.trigger());
        }
    }

    /** Overrides only a rare hook. */
    static final class Rare implements SchedEvents {
        int handoffs;

        @Override
        public void handoff(int p, int m, long goid, long nanos) {
            handoffs++;
        }
    }

    static final class Throwing implements SchedEvents {
        @Override
        public void runStart(int p, int m, long goid, String gName, long nanos) {
            throw new IllegalStateException("boom");
        }

        @Override
        public void preempted(int p, long goid, String reason, long latencyNanos, boolean served, long nanos) {
            throw new IllegalStateException("boom");
        }
    }

    @Test
    void noneOrOneListenerNeedsNoFanout() {
        assertNull(SchedEventsFanout.of(List.of()));
        assertNull(SchedEventsFanout.of(Arrays.asList(null, null)));
        Log l = new Log();
        assertSame(l, SchedEventsFanout.of(Arrays.asList(null, l)));
    }

    @Test
    void everyListenerGetsEveryEventAndAThrowingOneIsIsolated() {
        Log a = new Log();
        Log b = new Log();
        Rare r = new Rare();
        SchedEvents f = SchedEventsFanout.of(List.of(a, new Throwing(), r, b));
        f.runStart(0, 0, 7, "g", 1);
        f.runEnd(0, 0, 7, 2);
        f.preempted(0, 7, "slice", 5, true, 3);
        f.handoff(0, 0, 7, 4);
        f.scanned(new ScanResult("api", java.time.Instant.now(), 1, 2, 0, 0, List.of()), 5, 6);
        List<String> expect = List.of("start 7", "end 7", "preempt 7 slice", "scan api");
        assertEquals(expect, a.seen);
        assertEquals(expect, b.seen);
        assertEquals(1, r.handoffs);
        // nested fan-outs are flattened
        SchedEvents g = SchedEventsFanout.of(List.of(f, new Log()));
        assertEquals(5, ((SchedEventsFanout) g).listeners().size());
    }

    @Test
    void onlyListenersThatOverrideThePerRunHooksGetThem() {
        assertTrue(SchedEventsFanout.wantsRuns(new Log()));
        assertTrue(SchedEventsFanout.wantsRuns(new TraceRecorder("x", 1, 16, 1)));
        assertFalse(SchedEventsFanout.wantsRuns(new Rare()));
        assertFalse(SchedEventsFanout.wantsRuns(new JfrEvents()));
    }
}
