package dev.timeslice.runtime.observe;

import dev.timeslice.runtime.SchedulerStats;
import java.util.Map;

/**
 * The JMX view of a Timeslice scheduler, registered as {@code timeslice:type=Scheduler} (see
 * {@link Observability}), in the spirit of the JDK's {@code VirtualThreadSchedulerMXBean}.
 * Counters are cumulative since the scheduler started; durations are in microseconds. Reading
 * several attributes in a row (as JConsole and VisualVM do) reads one {@link SchedulerStats}
 * snapshot, refreshed at most every 20 ms; the operations always act on the live scheduler.
 */
public interface SchedulerMXBean {
    /** The scheduler's name (prefix of its carrier threads' names). */
    String getSchedulerName();

    /** Number of P's (Go's GOMAXPROCS). */
    int getProcs();

    /** P's on the idle list. */
    int getIdleProcs();

    /** M's (carrier platform threads) created so far. */
    int getThreads();

    /** M's sleeping on the idle list. */
    int getIdleThreads();

    /** M's looking for work to steal. */
    int getSpinningThreads();

    /** Live G's (started, not ended). */
    int getLiveGs();

    /** G's running on an M. */
    int getRunningGs();

    /** G's waiting in a run queue (preempted ones included). */
    int getRunnableGs();

    /** G's that were preempted and wait in the global run queue. */
    int getPreemptedGs();

    /** G's parked (sleep, lock, I/O, ...). */
    int getWaitingGs();

    /** Live G's per state (idle, runnable, running, waiting, preempted). */
    Map<String, Integer> getGsByState();

    /** G's on the global run queue (wakeups included). */
    int getGlobalRunqueue();

    /** G's woken from outside the scheduler, waiting to be served first. */
    int getWakeupRunqueue();

    /** G's on each P's local run queue (runnext included). */
    int[] getLocalRunqueues();

    /** Sum of {@link #getLocalRunqueues()}. */
    int getLocalRunqueueTotal();

    /** G's started since the scheduler was created. */
    long getCreatedGs();

    /** G's that ended. */
    long getFinishedGs();

    /** Successful steals from another P's run queue. */
    long getSteals();

    /** G's made runnable from outside the scheduler (timers, platform threads, I/O). */
    long getExternalWakeups();

    /** Preemption requests made by sysmon (time slice and wakeup). */
    long getPreemptionsRequested();

    /** Requests a G served by yielding at a poll. */
    long getPreemptionsServed();

    /** Yields that failed because the G was pinned (native frame, class initializer, ...). */
    long getPreemptionsFailed();

    /** Requests made so that a G woken from outside runs sooner. */
    long getWakeupPreemptions();

    /** P's that sysmon retook from M's stuck in a G. */
    long getHandoffs();

    /** Request→yield preemption latency, median, µs. */
    double getPreemptLatencyP50Micros();

    /** Request→yield preemption latency, 99th percentile, µs. */
    double getPreemptLatencyP99Micros();

    /** Request→yield preemption latency, maximum, µs. */
    double getPreemptLatencyMaxMicros();

    /** GC-scans taken (GC-triggered and on demand). */
    long getScans();

    /** Time-to-safepoint of whole scans, median, µs. */
    double getScanTtspP50Micros();

    /** Time-to-safepoint of whole scans, 99th percentile, µs. */
    double getScanTtspP99Micros();

    /** One-line summary of the last scan, or "". */
    String getLastScan();

    /** Thread creations in rewritten code routed to the scheduler, by kind (all schedulers). */
    Map<String, Long> getRoutedThreads();

    /** Thread creations the agent deliberately left alone, by kind (all schedulers). */
    Map<String, Long> getLeftAloneThreads();

    /** The trace file written at exit or by {@link #writeTrace()}, or "" when tracing is off. */
    String getTraceFile();

    /** A GC-scan with every G's stack, as a Go-style goroutine dump. */
    String goroutineDump();

    /** Writes {@link #goroutineDump()} to {@code path}; returns the absolute path written. */
    String writeGoroutineDump(String path);

    /** Takes a GC-scan now; returns its summary. */
    String scanNow();

    /** Writes the trace now (tracing keeps going); returns the path written, or why not. */
    String writeTrace();

    /** Deadlocks among G's found so far (lock cycles and "all goroutines are asleep"). */
    long getDeadlocksFound();

    /** Looks for lock cycles among G's now; returns every deadlock present, jstack-style, or "No deadlock found". */
    String findDeadlocks();
}
