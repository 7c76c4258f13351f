package dev.timeslice.agent.bench;

import fixtures.kernels.Cell;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Original vs rewritten kernels (see {@link KernelLoader}), same JVM flags. Subclasses decide
 * how the kernel compiles: {@link Inlined} lets C2 inline it into the benchmark method,
 * {@link Standalone} forbids inlining the kernel methods so each is compiled on its own.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public abstract class KernelBench {
    @Param({"original", "rewritten"})
    public String variant;

    private KernelSet k;
    private int[] ints;
    private int[] small;
    private double[][] a;
    private double[][] b;
    private double[][] c;
    private Cell[] cells;
    private List<Integer> list;

    @Setup
    public void setup() {
        k = KernelLoader.load(variant);
        BenchData d = BenchData.INSTANCE;
        ints = d.ints;
        small = d.small;
        a = d.a;
        b = d.b;
        c = d.c;
        cells = d.cells;
        list = d.list;
    }

    @Benchmark
    public int arraySum() {
        return k.arraySum(ints);
    }

    @Benchmark
    public double matmulIjk() {
        return k.matmulIjk(a, b, c);
    }

    @Benchmark
    public double matmulIkj() {
        return k.matmulIkj(a, b, c);
    }

    @Benchmark
    public int hashMix() {
        return k.hashMix(100_000, 17);
    }

    @Benchmark
    public long fib() {
        return k.fib(22);
    }

    @Benchmark
    public int stringBuild() {
        return k.stringBuild(2_000);
    }

    @Benchmark
    public long streamPipeline() {
        return k.streamPipeline(ints);
    }

    @Benchmark
    public long nestedSmallInner() {
        return k.nestedSmallInner(small, 4);
    }

    @Benchmark
    public long getterLoop() {
        return k.getterLoop(cells);
    }

    @Benchmark
    public int mathLoop() {
        return k.mathLoop(ints);
    }

    @Benchmark
    public long listLoop() {
        return k.listLoop(list);
    }

    /** The kernel may be inlined into the benchmark method, as C2 decides. */
    public static class Inlined extends KernelBench {
    }

    /** Every method of the kernel class is compiled on its own (never inlined into a caller). */
    @Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC", "-XX:CompileCommand=quiet",
            "-XX:CompileCommand=dontinline,fixtures.kernels.Kernels::*"})
    public static class Standalone extends KernelBench {
    }
}
