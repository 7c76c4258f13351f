package dev.timeslice.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class WaitsForGraphTest {
    private static WaitsForGraph graph(long... edges) {
        WaitsForGraph g = new WaitsForGraph();
        for (int i = 0; i < edges.length; i += 2) {
            g.add(edges[i], edges[i + 1]);
        }
        return g;
    }

    @Test
    void noEdgesNoCycle() {
        assertEquals(List.of(), graph().cycles());
    }

    @Test
    void aChainOfWaitsIsNoCycle() {
        assertEquals(List.of(), graph(1, 2, 2, 3, 3, 4).cycles());
    }

    @Test
    void twoGsWaitingForEachOther() {
        assertEquals(List.of(List.of(1L, 2L)), graph(2, 1, 1, 2).cycles());
    }

    @Test
    void aCycleStartsAtItsSmallestGoidInWaitOrder() {
        // 7 waits for 3, 3 for 9, 9 for 7
        assertEquals(List.of(List.of(3L, 9L, 7L)), graph(7, 3, 3, 9, 9, 7).cycles());
        assertEquals(List.of(List.of(3L, 9L, 7L)), graph(9, 7, 7, 3, 3, 9).cycles());
    }

    @Test
    void gsWaitingForACycleAreNotPartOfIt() {
        // 5 -> 6 -> 1 -> 2 -> 1, and 8 -> 2
        assertEquals(List.of(List.of(1L, 2L)), graph(5, 6, 6, 1, 1, 2, 2, 1, 8, 2).cycles());
    }

    @Test
    void disjointCyclesAreEachFoundOnceInGoidOrder() {
        assertEquals(List.of(List.of(1L, 4L), List.of(2L, 3L, 6L)),
                graph(6, 2, 3, 6, 2, 3, 4, 1, 1, 4, 10, 3).cycles());
    }

    @Test
    void aGWaitingForALockItHoldsItselfIsACycleOfOne() {
        // a read lock held while asking for the write lock of the same ReentrantReadWriteLock
        assertEquals(List.of(List.of(5L)), graph(5, 5, 6, 5).cycles());
    }

    @Test
    void aLongCycle() {
        WaitsForGraph g = new WaitsForGraph();
        int n = 1000;
        for (long i = 1; i <= n; i++) {
            g.add(i, i % n + 1);
        }
        List<List<Long>> cycles = g.cycles();
        assertEquals(1, cycles.size());
        assertEquals(n, cycles.get(0).size());
        assertEquals(1L, cycles.get(0).get(0));
        assertEquals(2L, cycles.get(0).get(1));
    }
}
