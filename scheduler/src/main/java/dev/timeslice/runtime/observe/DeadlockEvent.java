package dev.timeslice.runtime.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR: {@link DeadlockDetector} confirmed a deadlock among G's (once per deadlock). Committed on
 * the detector's thread. Disabled unless a recording enables it.
 */
@Name(DeadlockEvent.NAME)
@Label("Deadlock Among G's")
@Category("Timeslice")
@Description("All goroutines are asleep, or G's wait for each other's locks")
@Enabled(false)
@StackTrace(false)
final class DeadlockEvent extends Event {
    static final String NAME = "dev.timeslice.Deadlock";

    @Label("Kind")
    @Description("all asleep, or lock cycle")
    String kind;

    @Label("Goroutines")
    @Description("Number of G's involved")
    int gs;

    @Label("Goroutine Ids")
    @Description("The goids involved, in wait order for a lock cycle")
    String goids;

    @Label("Report")
    @Description("What was printed on stderr: the cycle with each G's lock, holder and stack")
    String report;
}
