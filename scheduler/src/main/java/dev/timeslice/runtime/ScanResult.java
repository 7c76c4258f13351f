package dev.timeslice.runtime;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A consistent snapshot of every G, taken by a GC-scan ({@link Scheduler#scan}).
 *
 * @param trigger         what started it ("api", or the name of the JVM collector, e.g. "G1 Young Generation")
 * @param at              wall-clock time of the scan
 * @param ttspNanos       time-to-safepoint of the whole scan: from its start until every G that
 *                        was running had stopped at a poll (or the bound passed)
 * @param scanNanos       total duration, including recording every G
 * @param stoppedAtPoll   running G's that stopped at a poll
 * @param notAtSafepoint  running G's that did not reach a poll within the bound
 * @param gs              every live G, by goid
 */
public record ScanResult(String trigger, Instant at, long ttspNanos, long scanNanos, int stoppedAtPoll,
                         int notAtSafepoint, List<GInfo> gs) {

    /** Number of G's per state. */
    public Map<String, Integer> countsByState() {
        Map<String, Integer> counts = new TreeMap<>();
        for (GInfo g : gs) {
            counts.merge(g.state(), 1, Integer::sum);
        }
        return counts;
    }

    /** A one-line summary. */
    public String summary() {
        return String.format("scan (%s): %d G's %s, ttsp %.3f ms, %d stopped at a poll, %d not at a safepoint, took %.3f ms",
                trigger, gs.size(), countsByState(), ttspNanos / 1e6, stoppedAtPoll, notAtSafepoint, scanNanos / 1e6);
    }
}
