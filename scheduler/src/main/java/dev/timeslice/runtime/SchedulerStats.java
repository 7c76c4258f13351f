package dev.timeslice.runtime;

import java.util.List;
import java.util.Map;

/**
 * A racy but self-consistent-enough snapshot of a scheduler's state and counters, for
 * schedtrace, JMX, JFR and the exit summary ({@link Scheduler#stats()}).
 *
 * @param procs              number of P's (GOMAXPROCS)
 * @param idleProcs          P's on the idle list
 * @param threads            M's created so far (carrier threads)
 * @param idleThreads        M's sleeping on the idle list
 * @param spinningThreads    M's looking for work
 * @param needSpinning       1 when a submitter found no idle P for a spinning M
 * @param globalRunqueue     G's on the global queue (wakeups included)
 * @param wakeupRunqueue     G's woken from outside, waiting to be served first
 * @param localRunqueues     G's on each P's local queue (runnext included)
 * @param schedticks         each P's schedtick
 * @param pStatus            each P's status (idle, sched, running, locked, handoff)
 * @param gsByState          live G's per state
 * @param created            G's started since the scheduler was created
 * @param finished           G's that ended
 * @param steals             successful steals from another P
 * @param externalWakeups    G's made runnable from outside the scheduler
 * @param preemptRequested   preemption requests (time slice and wakeup)
 * @param preemptServed      requests a G served by yielding at a poll
 * @param preemptFailed      yields that failed because the G was pinned
 * @param wakeupPreemptions  requests made so that a woken G runs sooner
 * @param handoffs           P's retaken from M's stuck in a G
 * @param preemptLatencyP50  request→yield latency percentiles, nanoseconds
 * @param preemptLatencyP99  ditto
 * @param preemptLatencyMax  ditto
 * @param scans              GC-scans taken
 * @param scanTtspP50        time-to-safepoint of whole scans, nanoseconds
 * @param scanTtspP99        ditto
 * @param lastScan           summary of the last scan, or ""
 */
public record SchedulerStats(int procs, int idleProcs, int threads, int idleThreads, int spinningThreads,
                             int needSpinning, int globalRunqueue, int wakeupRunqueue, List<Integer> localRunqueues,
                             List<Long> schedticks, List<String> pStatus, Map<String, Integer> gsByState,
                             long created, long finished, long steals, long externalWakeups,
                             long preemptRequested, long preemptServed, long preemptFailed, long wakeupPreemptions,
                             long handoffs, long preemptLatencyP50, long preemptLatencyP99, long preemptLatencyMax,
                             long scans, long scanTtspP50, long scanTtspP99, String lastScan) {

    /** Sum of all local run queues. */
    public int localRunqueueTotal() {
        return localRunqueues.stream().mapToInt(Integer::intValue).sum();
    }
}
