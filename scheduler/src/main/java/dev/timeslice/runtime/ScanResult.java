package dev.timeslice.runtime;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A consistent snapshot of every G, taken by a GC-scan ({@link Scheduler#scan}).
 *
 * @param trigger         what started it ("api", or "gc" after a JVM garbage collection)
 * @param at              wall-clock time of the scan
 * @param ttspNanos       time-to-safepoint of the whole scan: from its start until every G that
 *                        was running had stopped at a poll (or the bound passed)
 * @param scanNanos       total duration, including recording every G
 * @param stoppedAtPoll   running G's that stopped at a poll
 * @param notAtSafepoint  running G's that did not reach a poll within the bound
 * @param gs              every live G, by goid (empty in {@link Scheduler#lastScan}, which keeps
 *                        only the counts)
 * @param countsByState   number of G's per state
 */
public record ScanResult(String trigger, Instant at, long ttspNanos, long scanNanos, int stoppedAtPoll,
                         int notAtSafepoint, List<GInfo> gs, Map<String, Integer> countsByState) {

    /** A scan's result with every G; the counts are computed from them. */
    public ScanResult(String trigger, Instant at, long ttspNanos, long scanNanos, int stoppedAtPoll,
                      int notAtSafepoint, List<GInfo> gs) {
        this(trigger, at, ttspNanos, scanNanos, stoppedAtPoll, notAtSafepoint, gs, count(gs));
    }

    private static Map<String, Integer> count(List<GInfo> gs) {
        Map<String, Integer> counts = new TreeMap<>();
        for (GInfo g : gs) {
            counts.merge(g.state(), 1, Integer::sum);
        }
        return Collections.unmodifiableMap(counts);
    }

    /**
     * The same result without the per-G records: what the scheduler keeps between scans (with
     * a million G's the records are tens of megabytes).
     */
    public ScanResult withoutGs() {
        return new ScanResult(trigger, at, ttspNanos, scanNanos, stoppedAtPoll, notAtSafepoint, List.of(), countsByState);
    }

    /** Number of G's recorded. */
    public int gCount() {
        int n = 0;
        for (int c : countsByState.values()) {
            n += c;
        }
        return n;
    }

    /** A one-line summary. */
    public String summary() {
        return String.format("scan (%s): %d G's %s, ttsp %.3f ms, %d stopped at a poll, %d not at a safepoint, took %.3f ms",
                trigger, gCount(), countsByState, ttspNanos / 1e6, stoppedAtPoll, notAtSafepoint, scanNanos / 1e6);
    }
}
