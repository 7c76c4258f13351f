package dev.timeslice.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The waits-for graph among blocked G's, and its cycles (the lock-cycle half of
 * {@link DeadlockDetector}).
 *
 * <p>An edge {@code a -> b} means "G {@code a} waits for a lock that G {@code b} holds". A
 * blocked G waits for exactly one lock and an exclusively held lock has one owner, so every
 * node has at most one outgoing edge (a functional graph): each cycle is found by walking from
 * each node until the walk meets a node seen before, O(nodes) in all. Pure data, no locking:
 * built and read by one thread.
 */
final class WaitsForGraph {
    private final Map<Long, Long> next = new HashMap<>();

    /** {@code waiter} waits for a lock held by {@code holder}; a second edge from the same waiter replaces the first. */
    void add(long waiter, long holder) {
        next.put(waiter, holder);
    }

    int edges() {
        return next.size();
    }

    /**
     * Every cycle once, each as the goids in wait order (each waits for the next, the last for
     * the first), starting at its smallest goid; cycles are ordered by that goid.
     */
    List<List<Long>> cycles() {
        // 0: not visited, 1: on the current walk, 2: done
        Map<Long, Integer> mark = new HashMap<>();
        List<List<Long>> out = new ArrayList<>();
        for (Long start : next.keySet()) {
            if (mark.containsKey(start)) {
                continue;
            }
            List<Long> walk = new ArrayList<>();
            Long at = start;
            while (at != null && !mark.containsKey(at)) {
                mark.put(at, 1);
                walk.add(at);
                at = next.get(at);
            }
            if (at != null && mark.get(at) == 1) {
                // the walk ran into itself: the part from `at` on is a cycle
                List<Long> cycle = new ArrayList<>(walk.subList(walk.indexOf(at), walk.size()));
                out.add(rotateToSmallest(cycle));
            }
            for (Long n : walk) {
                mark.put(n, 2);
            }
        }
        out.sort((a, b) -> Long.compare(a.get(0), b.get(0)));
        return out;
    }

    private static List<Long> rotateToSmallest(List<Long> cycle) {
        int min = 0;
        for (int i = 1; i < cycle.size(); i++) {
            if (cycle.get(i) < cycle.get(min)) {
                min = i;
            }
        }
        List<Long> out = new ArrayList<>(cycle.size());
        for (int i = 0; i < cycle.size(); i++) {
            out.add(cycle.get((min + i) % cycle.size()));
        }
        return List.copyOf(out);
    }
}
