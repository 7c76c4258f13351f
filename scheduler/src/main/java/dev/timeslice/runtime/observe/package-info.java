/**
 * Observability of a scheduler: what a person or a tool sees of it.
 *
 * <ul>
 *   <li>{@link dev.timeslice.runtime.observe.Observability}: turns everything below on and off
 *       for one scheduler, with the agent's options;</li>
 *   <li>schedtrace and scheddetail lines ({@link dev.timeslice.runtime.observe.SchedTrace});</li>
 *   <li>the JMX MXBean ({@link dev.timeslice.runtime.observe.SchedulerMXBean}, registered as
 *       {@value dev.timeslice.runtime.observe.Observability#MBEAN_NAME}) and its registration in the
 *       platform MBean server as soon as that exists
 *       ({@link dev.timeslice.runtime.observe.PlatformMBeanHook});</li>
 *   <li>JFR events ({@link dev.timeslice.runtime.observe.JfrEvents} and the {@code *Event}
 *       classes; their {@code @Name}s, {@code dev.timeslice.*}, are what users' JFR settings and
 *       {@code timeslice.jfc} refer to, and do not change);</li>
 *   <li>the Perfetto/Chrome trace ({@link dev.timeslice.runtime.observe.TraceRecorder}) and the
 *       fan-out of scheduler events to several listeners
 *       ({@link dev.timeslice.runtime.observe.SchedEventsFanout}).</li>
 * </ul>
 *
 * <p>Dependencies: the core's public API only (the scheduler's snapshots and statistics, and the
 * {@link dev.timeslice.runtime.SchedEvents} listener it calls), the JDK's JMX and JFR. Nothing in
 * the core depends on this package; the agent uses {@code Observability}.
 */
package dev.timeslice.runtime.observe;
