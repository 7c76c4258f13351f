package dev.timeslice.agent.bench;

import fixtures.kernels.Cell;
import java.util.List;

/**
 * The benchmark kernels, as an interface so that the same benchmark code can call the original
 * and the rewritten copy of {@code fixtures.kernels.Kernels} (same class name, two loaders). Each
 * fork uses one copy only, so every call site stays monomorphic and C2 may inline the kernel.
 */
public interface KernelSet {
    int arraySum(int[] a);

    double matmulIjk(double[][] a, double[][] b, double[][] c);

    double matmulIkj(double[][] a, double[][] b, double[][] c);

    int hashMix(int n, int seed);

    long fib(int n);

    int stringBuild(int n);

    long streamPipeline(int[] a);

    long nestedSmallInner(int[] a, int cols);

    long getterLoop(Cell[] cells);

    int mathLoop(int[] a);

    long listLoop(List<Integer> list);
}
