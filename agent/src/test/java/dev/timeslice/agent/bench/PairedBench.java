package dev.timeslice.agent.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Paired measurement, robust to a machine whose load changes over minutes (other benchmarks,
 * noisy neighbours): one JVM per kernel and compilation mode, both copies of the kernels loaded
 * in it (see {@link KernelLoader}), rounds alternating original and rewritten batches of about
 * 100 ms, the ratio of each pair of rounds kept; the median of those ratios is reported with its
 * interquartile range. Complements {@link BenchMain} (JMH), whose variants run in separate forks
 * minutes apart.
 *
 * <p>{@code PairedBench [-r rounds] [-o file.md] [kernel regex]}; {@code PairedBench --child kernel mode rounds}
 * is the per-JVM worker.
 */
public final class PairedBench {
    static final String[] KERNELS = {"arraySum", "matmulIjk", "matmulIkj", "hashMix", "fib", "stringBuild",
        "streamPipeline", "nestedSmallInner", "getterLoop", "mathLoop", "listLoop"};

    private PairedBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(args[1], Integer.parseInt(args[3]));
            return;
        }
        int rounds = 40;
        String out = null;
        String filter = ".*";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-r" -> rounds = Integer.parseInt(args[++i]);
                case "-o" -> out = args[++i];
                default -> filter = args[i];
            }
        }
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "Paired: one JVM per row, %d alternating rounds of ~100 ms per variant "
                + "after warm-up; ratio = median of per-round rewritten/original [interquartile range].%n%n", rounds));
        table.append("| kernel | compiled | original µs/op | rewritten µs/op | ratio [IQR] |\n|---|---|---:|---:|---:|\n");
        List<double[]> all = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String mode : new String[] {"inlined", "standalone"}) {
            for (String k : KERNELS) {
                if (!k.matches(filter)) {
                    continue;
                }
                double[] r = spawn(k, mode, rounds);
                all.add(r);
                names.add(k + ", " + mode);
                String row = String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.3f [%.3f, %.3f] |%n",
                        k, mode, r[0], r[1], r[2], r[3], r[4]);
                table.append(row);
                System.err.print(row);
            }
        }
        double logSum = 0;
        int worst = 0;
        for (int i = 0; i < all.size(); i++) {
            logSum += Math.log(all.get(i)[2]);
            if (all.get(i)[2] > all.get(worst)[2]) {
                worst = i;
            }
        }
        if (!all.isEmpty()) {
            table.append(String.format(Locale.ROOT, "%n- geometric mean ratio %.3f (%+.1f %%), worst %.3f (%s)%n",
                    Math.exp(logSum / all.size()), (Math.exp(logSum / all.size()) - 1) * 100, all.get(worst)[2],
                    names.get(worst)));
        }
        System.out.println(table);
        if (out != null) {
            Files.writeString(Path.of(out), table.toString());
        }
    }

    /** Runs one kernel in a fresh JVM; returns {original µs/op, rewritten µs/op, median ratio, q1, q3}. */
    private static double[] spawn(String kernel, String mode, int rounds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"));
        if (mode.equals("standalone")) {
            cmd.addAll(List.of("-XX:CompileCommand=quiet", "-XX:CompileCommand=dontinline,fixtures.kernels.Kernels::*"));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), PairedBench.class.getName(), "--child",
                kernel, mode, Integer.toString(rounds)));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(kernel + " " + mode + " failed: " + out);
        }
        String[] last = out.lines().reduce((a, b) -> b).orElseThrow().split(" ");
        double[] r = new double[5];
        for (int i = 0; i < 5; i++) {
            r[i] = Double.parseDouble(last[i]);
        }
        return r;
    }

    private static void child(String kernel, int rounds) {
        Driver orig = KernelLoader.driver("original");
        Driver rew = KernelLoader.driver("rewritten");
        // calibrate a batch to about 100 ms, then warm both up
        int reps = 1;
        while (orig.time(kernel, reps) < 20_000_000L && reps < (1 << 24)) {
            reps *= 2;
        }
        long batch = Math.max(1, reps * 5L);
        int n = (int) Math.min(batch, Integer.MAX_VALUE);
        for (int i = 0; i < 8; i++) {
            orig.time(kernel, n);
            rew.time(kernel, n);
        }
        double[] ratios = new double[rounds];
        double[] o = new double[rounds];
        double[] w = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            // alternate which goes first, so neither always follows the other
            long to;
            long tr;
            if ((i & 1) == 0) {
                to = orig.time(kernel, n);
                tr = rew.time(kernel, n);
            } else {
                tr = rew.time(kernel, n);
                to = orig.time(kernel, n);
            }
            o[i] = to / 1000.0 / n;
            w[i] = tr / 1000.0 / n;
            ratios[i] = (double) tr / to;
        }
        Arrays.sort(ratios);
        Arrays.sort(o);
        Arrays.sort(w);
        System.out.printf(Locale.ROOT, "%.4f %.4f %.4f %.4f %.4f%n", o[rounds / 2], w[rounds / 2], ratios[rounds / 2],
                ratios[rounds / 4], ratios[(3 * rounds) / 4]);
    }
}
