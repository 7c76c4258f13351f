package dev.timeslice.runtime.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR: sysmon retook a P from an M stuck in a G that does not reach a poll (blocking, pinned or
 * uninstrumented code) and handed it to another M, as Go retakes a P from a syscall. Committed
 * on the sysmon thread. Disabled unless a recording enables it.
 */
@Name(HandoffEvent.NAME)
@Label("P Handoff")
@Category("Timeslice")
@Description("sysmon took a P away from an M stuck in a G and handed it to another M")
@Enabled(false)
@StackTrace(false)
final class HandoffEvent extends Event {
    static final String NAME = "dev.timeslice.Handoff";

    @Label("P")
    @Description("The P that was retaken")
    int p;

    @Label("M")
    @Description("The id of the stuck M (its carrier thread is named <scheduler>-M<id>)")
    int m;

    @Label("Goroutine Id")
    @Description("The goid of the G the M is stuck in")
    long goid;
}
