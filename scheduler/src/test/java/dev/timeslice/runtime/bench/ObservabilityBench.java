package dev.timeslice.runtime.bench;

import dev.timeslice.runtime.observe.JfrEvents;
import dev.timeslice.runtime.SchedEvents;
import dev.timeslice.runtime.observe.SchedEventsFanout;
import dev.timeslice.runtime.Safepoint;
import dev.timeslice.runtime.Scheduler;
import dev.timeslice.runtime.observe.TraceRecorder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What observability costs the scheduler, in the same JVM: the same scenarios with no event
 * listener (the default: schedtrace, JMX and an idle JFR add nothing to a G run), with the JFR
 * listener attached while no recording enables its events (what JFR would cost if it were not
 * detached), with the trace recorder (trace=), and with both behind the fan-out.
 *
 * <ul>
 *   <li>{@code runHooks}: just what {@code Scheduler.execute} calls per G run (runStart, and
 *       runEnd with a clock read), in ns per run, single-threaded: the hooks' own cost, robust on
 *       a busy machine.</li>
 *   <li>{@code yieldPingPong}: two G's take turns 10k times through Thread.yield on procs=1
 *       (20k G runs per op): the most G runs per second the scheduler does, so the per-run hooks
 *       weigh the most here. procs=1 without sysmon keeps the numbers stable on a loaded
 *       machine.</li>
 *   <li>{@code spawnJoin}: a root G starts 20k G's and joins them, procs=1 without sysmon (one
 *       run per G).</li>
 *   <li>{@code hogs}: the fairness benchmark's load: 8 CPU-bound G's with polls on procs=2,
 *       preempted every 10 ms slice, each doing a fixed amount of work.</li>
 * </ul>
 *
 * <p>Run with {@code scripts/bench-observability.sh}; results in BENCHMARKS.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED",
        "--add-opens", "java.base/java.util.concurrent=ALL-UNNAMED"})
public class ObservabilityBench {
    static final int ROUNDS = 10_000;
    static final int SPAWN = 20_000;
    static final int HOGS = 8;
    static final int HOG_WORK = 20_000;

    @Param({"none", "jfr-idle", "trace", "trace+jfr-idle"})
    public String listener;

    /** procs=1, for the scenarios with many short runs. */
    private Scheduler sched;
    /** procs=2, for the fairness load. */
    private Scheduler sched2;
    /** The listener as the scheduler holds it (null for none). */
    private volatile SchedEvents events;
    private long goid;
    private final Thread self = Thread.currentThread();

    private SchedEvents listenerFor(Scheduler s) {
        List<SchedEvents> ls = new ArrayList<>();
        if (listener.contains("trace")) {
            ls.add(new TraceRecorder(s));
        }
        if (listener.contains("jfr-idle")) {
            ls.add(new JfrEvents());
        }
        return SchedEventsFanout.of(ls);
    }

    @Setup(Level.Trial)
    public void setup() {
        // No sysmon on the procs=1 scheduler: these G's yield or end by themselves, and on an
        // oversubscribed machine sysmon's retakes make the timings swing (see BENCHMARKS.md).
        sched = Scheduler.builder().name("bench1").procs(1).sysmon(false).build();
        sched2 = Scheduler.builder().name("bench2").procs(2).build();
        events = listenerFor(sched);
        sched.setEvents(events);
        sched2.setEvents(listenerFor(sched2));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        sched.close();
        sched2.close();
    }

    /** The per-run hook calls of Scheduler.execute, as it makes them. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long runHooks() {
        long start = System.nanoTime();
        SchedEvents ev = events;
        long g = ++goid;
        if (ev != null) {
            ev.runStart(0, 0, g, self.getName(), start);
        }
        if (ev != null) {
            ev.runEnd(0, 0, g, System.nanoTime());
        }
        return start;
    }

    @Benchmark
    public int yieldPingPong() throws InterruptedException {
        return Scenarios.yieldPingPong(sched::go, ROUNDS);
    }

    @Benchmark
    public int spawnJoin() throws InterruptedException {
        return Scenarios.spawnJoin(sched::go, SPAWN);
    }

    @Benchmark
    public long hogs() throws InterruptedException {
        long[] out = new long[HOGS];
        Thread[] ts = new Thread[HOGS];
        for (int h = 0; h < HOGS; h++) {
            int id = h;
            ts[h] = sched2.go(() -> {
                long x = id;
                for (int k = 0; k < HOG_WORK; k++) {
                    for (int i = 0; i < 1000; i++) {
                        x += i ^ (x >>> 3);
                    }
                    Safepoint.pollLoop();
                }
                out[id] = x;
            });
        }
        long sum = 0;
        for (int h = 0; h < HOGS; h++) {
            ts[h].join();
            sum += out[h];
        }
        return sum;
    }
}
