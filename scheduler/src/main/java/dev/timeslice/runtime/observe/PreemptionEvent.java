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
 * JFR: a G reached a poll with a pending preemption request and yielded its P, or could not
 * because it is pinned. Committed on the G's own (virtual) thread when it runs again, so the
 * event thread is the preempted G. Disabled unless a recording enables it (see
 * {@code timeslice.jfc}).
 */
@Name(PreemptionEvent.NAME)
@Label("Preemption")
@Category("Timeslice")
@Description("A G was asked to give up its P (time slice over, or a woken G waiting) and yielded at a poll, or could not because it was pinned")
@Enabled(false)
@StackTrace(false)
final class PreemptionEvent extends Event {
    static final String NAME = "dev.timeslice.Preemption";

    @Label("Goroutine Id")
    @Description("The goid of the preempted G")
    long goid;

    @Label("P")
    @Description("The P the G was running on (-1: none, it had lost it to sysmon)")
    int p;

    @Label("Reason")
    @Description("slice (ran past its time slice), wakeup (a G woken from outside needed a P) or other")
    String reason;

    @Label("Latency")
    @Description("From the preemption request to the poll that served it (-1 ns: not requested by sysmon)")
    @Timespan(Timespan.NANOSECONDS)
    long latency;

    @Label("Served")
    @Description("true: the G yielded; false: the yield failed because the virtual thread is pinned")
    boolean served;

}
