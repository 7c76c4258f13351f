package dev.timeslice.runtime.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR: a GC-scan (a JVM collection or an on-demand scan) stopped every running G at a poll and
 * recorded every G. Committed on the scanning thread when the scan ends. Disabled unless a
 * recording enables it.
 */
@Name(GcScanEvent.NAME)
@Label("GC-Scan")
@Category("Timeslice")
@Description("Every running G was brought to a poll and every live G recorded (Go's suspendG for stack scans)")
@Enabled(false)
@StackTrace(false)
final class GcScanEvent extends Event {
    static final String NAME = "dev.timeslice.GcScan";

    @Label("Trigger")
    @Description("api, dump, or the name of the JVM collector whose collection started it")
    String trigger;

    @Label("Time To Safepoint")
    @Description("From the scan's start until every running G had stopped at a poll (or the bound passed)")
    @Timespan(Timespan.NANOSECONDS)
    long ttsp;

    @Label("Scan Duration")
    @Description("The whole scan, recording every G included")
    @Timespan(Timespan.NANOSECONDS)
    long scanDuration;

    @Label("G's")
    @Description("Live G's recorded")
    int gs;

    @Label("Running")
    int running;

    @Label("Runnable")
    @Description("Runnable G's, preempted ones included")
    int runnable;

    @Label("Waiting")
    int waiting;

    @Label("Stopped At Poll")
    @Description("Running G's that stopped at a poll")
    int stoppedAtPoll;

    @Label("Not At Safepoint")
    @Description("Running G's that did not reach a poll within the scan's bound")
    int notAtSafepoint;
}
