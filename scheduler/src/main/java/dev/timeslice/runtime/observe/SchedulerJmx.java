package dev.timeslice.runtime.observe;

import dev.timeslice.runtime.RouteStats;
import dev.timeslice.runtime.ScanResult;
import dev.timeslice.runtime.Scheduler;
import dev.timeslice.runtime.SchedulerStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The {@link SchedulerMXBean} of one scheduler. Attributes come from a {@link SchedulerStats}
 * snapshot that is reused for {@value #TTL_MILLIS} ms, so a console reading thirty attributes
 * takes one snapshot (each counts the G's by state, O(live G's)); operations drop it.
 */
final class SchedulerJmx implements SchedulerMXBean {
    static final long TTL_MILLIS = 20;
    private final Scheduler sched;
    private final Supplier<Path> traceFile;
    private final TraceWriter traceWriter;
    private volatile SchedulerStats cached;
    private volatile long cachedAt;

    /** Writes the trace on demand; returns the path written. */
    @FunctionalInterface
    interface TraceWriter {
        Path write() throws IOException;
    }

    SchedulerJmx(Scheduler sched, Supplier<Path> traceFile, TraceWriter traceWriter) {
        this.sched = sched;
        this.traceFile = traceFile;
        this.traceWriter = traceWriter;
    }

    private SchedulerStats st() {
        long now = System.nanoTime();
        SchedulerStats s = cached;
        if (s == null || now - cachedAt > TimeUnit.MILLISECONDS.toNanos(TTL_MILLIS)) {
            s = sched.stats();
            cached = s;
            cachedAt = now;
        }
        return s;
    }

    private int gs(String state) {
        return st().gsByState().getOrDefault(state, 0);
    }

    private static double micros(long nanos) {
        return nanos / 1000.0;
    }

    @Override
    public String getSchedulerName() {
        return sched.name();
    }

    @Override
    public int getProcs() {
        return sched.procs();
    }

    @Override
    public int getIdleProcs() {
        return st().idleProcs();
    }

    @Override
    public int getThreads() {
        return st().threads();
    }

    @Override
    public int getIdleThreads() {
        return st().idleThreads();
    }

    @Override
    public int getSpinningThreads() {
        return st().spinningThreads();
    }

    @Override
    public int getLiveGs() {
        return st().gsByState().values().stream().mapToInt(Integer::intValue).sum();
    }

    @Override
    public int getRunningGs() {
        return gs("running");
    }

    @Override
    public int getRunnableGs() {
        return gs("runnable") + gs("preempted");
    }

    @Override
    public int getPreemptedGs() {
        return gs("preempted");
    }

    @Override
    public int getWaitingGs() {
        return gs("waiting");
    }

    @Override
    public Map<String, Integer> getGsByState() {
        return st().gsByState();
    }

    @Override
    public int getGlobalRunqueue() {
        return st().globalRunqueue();
    }

    @Override
    public int getWakeupRunqueue() {
        return st().wakeupRunqueue();
    }

    @Override
    public int[] getLocalRunqueues() {
        return st().localRunqueues().stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public int getLocalRunqueueTotal() {
        return st().localRunqueueTotal();
    }

    @Override
    public long getCreatedGs() {
        return st().created();
    }

    @Override
    public long getFinishedGs() {
        return st().finished();
    }

    @Override
    public long getSteals() {
        return st().steals();
    }

    @Override
    public long getExternalWakeups() {
        return st().externalWakeups();
    }

    @Override
    public long getPreemptionsRequested() {
        return st().preemptRequested();
    }

    @Override
    public long getPreemptionsServed() {
        return st().preemptServed();
    }

    @Override
    public long getPreemptionsFailed() {
        return st().preemptFailed();
    }

    @Override
    public long getWakeupPreemptions() {
        return st().wakeupPreemptions();
    }

    @Override
    public long getHandoffs() {
        return st().handoffs();
    }

    @Override
    public double getPreemptLatencyP50Micros() {
        return micros(st().preemptLatencyP50());
    }

    @Override
    public double getPreemptLatencyP99Micros() {
        return micros(st().preemptLatencyP99());
    }

    @Override
    public double getPreemptLatencyMaxMicros() {
        return micros(st().preemptLatencyMax());
    }

    @Override
    public long getScans() {
        return st().scans();
    }

    @Override
    public double getScanTtspP50Micros() {
        return micros(st().scanTtspP50());
    }

    @Override
    public double getScanTtspP99Micros() {
        return micros(st().scanTtspP99());
    }

    @Override
    public String getLastScan() {
        ScanResult last = sched.lastScan();
        return last == null ? "" : last.summary();
    }

    @Override
    public Map<String, Long> getRoutedThreads() {
        return RouteStats.routed();
    }

    @Override
    public Map<String, Long> getLeftAloneThreads() {
        return RouteStats.leftAloneCounts();
    }

    @Override
    public String getTraceFile() {
        Path p = traceFile.get();
        return p == null ? "" : p.toAbsolutePath().toString();
    }

    @Override
    public String goroutineDump() {
        cached = null;
        return sched.goroutineDump();
    }

    @Override
    public String writeGoroutineDump(String path) {
        cached = null;
        Path p = Path.of(path).toAbsolutePath();
        try {
            sched.writeGoroutineDump(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the goroutine dump to " + p + ": " + e, e);
        }
        return p.toString();
    }

    @Override
    public long getDeadlocksFound() {
        return sched.deadlocks().size();
    }

    @Override
    public String findDeadlocks() {
        return sched.findDeadlocks();
    }

    @Override
    public String scanNow() {
        cached = null;
        return sched.scan().summary();
    }

    @Override
    public String writeTrace() {
        if (traceFile.get() == null) {
            return "tracing is off (start the agent with trace=<file.json>)";
        }
        try {
            return traceWriter.write().toAbsolutePath().toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the trace: " + e, e);
        }
    }
}
