package dev.timeslice.agent.bench;

import fixtures.kernels.Cell;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The kernels' inputs, created once per JVM from a fixed seed and shared by every copy of the
 * kernels, so that original and rewritten runs read the very same objects (memory layout matters
 * to the getter and list kernels).
 */
public final class BenchData {
    public static final BenchData INSTANCE = new BenchData();

    public final int[] ints;
    public final int[] small;
    public final double[][] a = new double[64][64];
    public final double[][] b = new double[64][64];
    public final double[][] c = new double[64][64];
    public final Cell[] cells = new Cell[100_000];
    public final List<Integer> list = new ArrayList<>();

    private BenchData() {
        SplittableRandom rnd = new SplittableRandom(42);
        ints = rnd.ints(100_000, -1000, 1000).toArray();
        small = rnd.ints(100_000, 0, 100).toArray();
        for (int i = 0; i < 64; i++) {
            for (int j = 0; j < 64; j++) {
                a[i][j] = rnd.nextDouble();
                b[i][j] = rnd.nextDouble();
            }
        }
        for (int i = 0; i < cells.length; i++) {
            cells[i] = new Cell(rnd.nextInt(100));
        }
        for (int i = 0; i < 100_000; i++) {
            list.add(rnd.nextInt(100));
        }
    }
}
