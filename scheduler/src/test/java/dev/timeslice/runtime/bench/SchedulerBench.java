package dev.timeslice.runtime.bench;

import dev.timeslice.runtime.Safepoint;
import dev.timeslice.runtime.Scheduler;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Scheduler cost against the JDK's default virtual-thread scheduler (a ForkJoinPool with
 * parallelism = available processors), in the same JVM: Timeslice runs with procs = available
 * processors. Each operation is one whole scenario, timed from a platform thread that starts the
 * G's and joins them.
 *
 * <p>Loops that run inside G's call {@link Safepoint#pollCallLoop()} at every iteration, as the
 * agent's rewriting would (they call into the JDK): without any poll a long-running G can only
 * be handed off, not preempted, which is not how Timeslice runs programs. In the default
 * scheduler's forks nothing raises the poll word, so the polls cost a load and a branch.
 *
 * <p>Run with {@code scripts/bench-scheduler.sh}; results in BENCHMARKS.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 3, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED",
        "--add-opens", "java.base/java.util.concurrent=ALL-UNNAMED"})
public class SchedulerBench {
    static final int SPAWN = 100_000;
    static final int ROUNDS = 10_000;

    @Param({"default", "timeslice"})
    public String scheduler;

    private Scheduler timeslice;
    private ThreadFactory factory;

    @Setup(Level.Trial)
    public void setup() {
        if (scheduler.equals("timeslice")) {
            timeslice = Scheduler.builder().build();
            factory = timeslice.threadFactory();
        } else {
            factory = Thread.ofVirtual().factory();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (timeslice != null) {
            timeslice.close();
        }
    }

    private Thread start(Runnable r) {
        Thread t = factory.newThread(r);
        t.start();
        return t;
    }

    /** A root G starts 100k G's and joins them all. */
    @Benchmark
    public int spawnJoin100k() throws InterruptedException {
        return Scenarios.spawnJoin(this::start, SPAWN);
    }

    /** Two G's take turns 10k times, each spinning on Thread.yield() until it is its turn. */
    @Benchmark
    public int yieldPingPong() throws InterruptedException {
        return Scenarios.yieldPingPong(this::start, ROUNDS);
    }

    /** Two G's pass a token back and forth 10k times through two SynchronousQueues. */
    @Benchmark
    public int synchronousQueuePingPong() throws InterruptedException {
        SynchronousQueue<Integer> ping = new SynchronousQueue<>();
        SynchronousQueue<Integer> pong = new SynchronousQueue<>();
        AtomicInteger last = new AtomicInteger();
        Thread a = start(() -> {
            try {
                for (int i = 0; i < ROUNDS; i++) {
                    ping.put(i);
                    last.set(pong.take());
                    Safepoint.pollCallLoop();
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread b = start(() -> {
            try {
                for (int i = 0; i < ROUNDS; i++) {
                    pong.put(ping.take());
                    Safepoint.pollCallLoop();
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        a.join();
        b.join();
        return last.get();
    }
}
