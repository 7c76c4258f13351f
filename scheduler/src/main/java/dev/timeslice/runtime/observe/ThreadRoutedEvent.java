package dev.timeslice.runtime.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR: a thread creation in rewritten code was routed to the scheduler (it became a G).
 * Committed on the creating thread, with its stack trace (the creation site) when the recording
 * asks for it. Disabled unless a recording enables it.
 */
@Name(ThreadRoutedEvent.NAME)
@Label("Thread Routed")
@Category("Timeslice")
@Description("A thread, pool or virtual-thread creation in rewritten code was routed to the scheduler as a G")
@Enabled(false)
@StackTrace(false)
final class ThreadRoutedEvent extends Event {
    static final String NAME = "dev.timeslice.ThreadRouted";

    @Label("Kind")
    @Description("What the code created: new Thread, Executors pool, virtual thread, ...")
    String kind;

    @Label("Goroutine Id")
    @Description("The goid of the new G (-1 when not known)")
    long goid;

    @Label("Thread Name")
    String threadName;
}
