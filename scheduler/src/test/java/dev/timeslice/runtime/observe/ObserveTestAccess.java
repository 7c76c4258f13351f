package dev.timeslice.runtime.observe;

import dev.timeslice.runtime.Scheduler;
import java.nio.file.Path;

/** Package-private parts of observe that tests of other packages use. */
public final class ObserveTestAccess {
    private ObserveTestAccess() {
    }

    /** An MXBean for {@code sched} without a trace file, registered nowhere. */
    public static SchedulerMXBean mxBean(Scheduler sched) {
        return new SchedulerJmx(sched, () -> (Path) null, () -> null);
    }
}
