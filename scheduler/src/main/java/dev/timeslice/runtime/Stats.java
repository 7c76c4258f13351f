package dev.timeslice.runtime;

import java.util.concurrent.atomic.LongAdder;

/**
 * A scheduler's event counters. Written by M's, sysmon and wakers with {@link LongAdder}s (no
 * contention on hot paths); read by {@link Scheduler#stats()} as a racy snapshot. Only what
 * something reads is counted: an increment on the run path is a CAS per G switch.
 */
final class Stats {
    final LongAdder created = new LongAdder();
    final LongAdder finished = new LongAdder();
    final LongAdder steals = new LongAdder();
    final LongAdder externalWakeups = new LongAdder();
    final LongAdder preemptRequested = new LongAdder();
    final LongAdder preemptServed = new LongAdder();
    final LongAdder preemptFailed = new LongAdder();
    final LongAdder wakeupPreemptions = new LongAdder();
    final LongAdder handoffs = new LongAdder();
    final LatencyHistogram preemptLatency = new LatencyHistogram();
}
