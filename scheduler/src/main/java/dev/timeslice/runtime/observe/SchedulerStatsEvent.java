package dev.timeslice.runtime.observe;

import dev.timeslice.runtime.Scheduler;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR: a periodic snapshot of a scheduler ({@link Scheduler#stats()}), the JFR form of a
 * schedtrace line. Emitted every period (default 1 s) while a recording enables it.
 */
@Name(SchedulerStatsEvent.NAME)
@Label("Scheduler Statistics")
@Category("Timeslice")
@Description("Periodic snapshot of the Timeslice scheduler: P's, M's, run queues, G's and preemption counters")
@Enabled(false)
@StackTrace(false)
@Period("1 s")
final class SchedulerStatsEvent extends Event {
    static final String NAME = "dev.timeslice.SchedulerStats";

    @Label("Scheduler")
    String scheduler;

    @Label("Procs")
    int procs;

    @Label("Idle Procs")
    int idleProcs;

    @Label("Threads")
    @Description("M's (carrier threads) created")
    int threads;

    @Label("Idle Threads")
    int idleThreads;

    @Label("Spinning Threads")
    int spinningThreads;

    @Label("Global Run Queue")
    int globalRunqueue;

    @Label("Local Run Queues")
    @Description("G's on all P's local run queues")
    int localRunqueues;

    @Label("Live G's")
    int liveGs;

    @Label("Running G's")
    int runningGs;

    @Label("Runnable G's")
    @Description("Runnable G's, preempted ones included")
    int runnableGs;

    @Label("Waiting G's")
    int waitingGs;

    @Label("Preemptions Requested")
    long preemptRequested;

    @Label("Preemptions Served")
    long preemptServed;

    @Label("Preemptions Failed")
    long preemptFailed;

    @Label("Handoffs")
    long handoffs;

    @Label("Scans")
    long scans;

    @Label("Preemption Latency p99")
    @Timespan(Timespan.NANOSECONDS)
    long preemptLatencyP99;
}
