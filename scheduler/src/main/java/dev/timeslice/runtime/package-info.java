/**
 * The scheduler core: Go's M:P:G scheduler for JDK virtual threads, and what rewritten
 * application code calls.
 *
 * <ul>
 *   <li>scheduling: {@link dev.timeslice.runtime.Scheduler} ({@code G}, {@code P}, {@code M},
 *       {@code Runq}, {@code GlobalRunq}, {@code AllGs}), sysmon and preemption ({@code Sysmon},
 *       {@code Preempt}, {@code OsThread}), the JVM-wide instance
 *       ({@link dev.timeslice.runtime.Timeslice}) and G builders
 *       ({@link dev.timeslice.runtime.GBuilder});</li>
 *   <li>the poll and the entry points of rewritten code: {@link dev.timeslice.runtime.Safepoint},
 *       {@link dev.timeslice.runtime.PollMath}, {@link dev.timeslice.runtime.Launcher},
 *       {@link dev.timeslice.runtime.Routes}, {@link dev.timeslice.runtime.RouteStats}. The agent's
 *       rewriter emits these names as constants ({@code agent/.../rewrite/PollCode},
 *       {@code MainPrologueStage}, {@code ThreadCallSites}): they must not move or be renamed;</li>
 *   <li>the GC-scan ({@code GcScan}, {@code GcScanTrigger}, {@link dev.timeslice.runtime.ScanResult},
 *       {@link dev.timeslice.runtime.GoroutineDump}) and the deadlock detector
 *       ({@code DeadlockDetector}, {@code AllAsleep}, {@code LockCycles}, {@code WaitsForGraph},
 *       {@link dev.timeslice.runtime.Deadlock}, {@link dev.timeslice.runtime.DeadlockMode}). They
 *       stay here because they are part of the scheduler's state machine, not clients of it: they
 *       read G states, P status words, the run queues and M's, and the lock owners and monitors
 *       only {@code JdkAccess} can reach, and the poll path itself serves a scan's stop
 *       ({@code Preempt}, {@code M}); in another package all of that would have to be public;</li>
 *   <li>JDK internals, in {@code JdkAccess} only;</li>
 *   <li>what the scheduler reports, as public values: {@link dev.timeslice.runtime.SchedulerStats},
 *       {@link dev.timeslice.runtime.GInfo}, {@link dev.timeslice.runtime.PInfo},
 *       {@link dev.timeslice.runtime.MInfo}, {@link dev.timeslice.runtime.LatencyHistogram}, and
 *       its event listener {@link dev.timeslice.runtime.SchedEvents}.</li>
 * </ul>
 *
 * <p>Dependencies: the JDK only. The core never names a class of
 * {@code dev.timeslice.runtime.observe}; it reaches observability only through
 * {@link dev.timeslice.runtime.SchedEvents}, which observe implements, and observe asks for the
 * rest through the public API above. Scheduler internals ({@code G}, {@code P}, {@code M},
 * {@code JdkAccess}...) are package-private: the runtime sits in the bootstrap loader's unnamed
 * module, so {@code public} means callable by every class in the JVM.
 */
package dev.timeslice.runtime;
