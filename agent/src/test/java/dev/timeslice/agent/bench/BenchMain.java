package dev.timeslice.agent.bench;

import dev.timeslice.agent.ClassFilter;
import dev.timeslice.agent.rewrite.ClassRewriter;
import dev.timeslice.agent.rewrite.MethodReport;
import dev.timeslice.agent.rewrite.RewriteConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link KernelBench} (original vs rewritten, inlined and standalone) and prints a Markdown
 * table: time per operation of each variant with JMH's 99.9 % confidence half-width, the ratio
 * rewritten/original with its propagated error, and the geometric mean and worst ratio.
 *
 * <p>Arguments: {@code [-f forks] [-wi warmups] [-i iterations] [-t seconds per iteration]
 * [-o file.md] [-v original,rewritten,counters] [kernel regex]}.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws RunnerException, IOException {
        int forks = 3;
        int warmups = 5;
        int iterations = 5;
        int seconds = 1;
        String out = null;
        String filter = ".*";
        String variants = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-f" -> forks = Integer.parseInt(args[++i]);
                case "-wi" -> warmups = Integer.parseInt(args[++i]);
                case "-i" -> iterations = Integer.parseInt(args[++i]);
                case "-t" -> seconds = Integer.parseInt(args[++i]);
                case "-o" -> out = args[++i];
                case "-v" -> variants = args[++i];
                default -> filter = args[i];
            }
        }
        ChainedOptionsBuilder ob = new OptionsBuilder()
                .include("dev\\.timeslice\\.agent\\.bench\\.KernelBench\\.(Inlined|Standalone)\\.(" + filter + ")$")
                .forks(forks)
                .warmupIterations(warmups)
                .measurementIterations(iterations)
                .warmupTime(TimeValue.seconds(seconds))
                .measurementTime(TimeValue.seconds(seconds))
                .shouldFailOnError(true);
        if (variants != null) {
            ob.param("variant", variants.split(","));
        }
        Collection<RunResult> results = new Runner(ob.build()).run();
        String table = table(results, forks, warmups, iterations, seconds);
        System.out.println();
        System.out.println(table);
        if (out != null) {
            Files.writeString(Path.of(out), table);
        }
    }

    record Row(String kernel, String compiled, Result<?> original, Result<?> rewritten) {
        double ratio() {
            return rewritten.getScore() / original.getScore();
        }

        double ratioError() {
            double ro = relError(original);
            double rr = relError(rewritten);
            return ratio() * Math.sqrt(ro * ro + rr * rr);
        }

        private static double relError(Result<?> r) {
            double e = r.getScoreError();
            return Double.isNaN(e) ? 0 : e / r.getScore();
        }
    }

    static String table(Collection<RunResult> results, int forks, int warmups, int iterations, int seconds) {
        Map<String, Result<?>[]> byKey = new TreeMap<>();
        for (RunResult rr : results) {
            String name = rr.getParams().getBenchmark();
            String[] parts = name.split("\\.");
            String kernel = parts[parts.length - 1];
            String compiled = parts[parts.length - 2].toLowerCase(Locale.ROOT);
            String variant = rr.getParams().getParam("variant");
            Result<?>[] pair = byKey.computeIfAbsent(kernel + "\u0000" + compiled, k -> new Result<?>[2]);
            if (variant.equals("original") || variant.equals("rewritten")) {
                pair[variant.equals("original") ? 0 : 1] = rr.getPrimaryResult();
            }
        }
        Map<String, String> forms = forms();
        List<Row> rows = new ArrayList<>();
        byKey.forEach((k, v) -> {
            if (v[0] != null && v[1] != null) {
                String[] kc = k.split("\u0000");
                rows.add(new Row(kc[0], kc[1], v[0], v[1]));
            }
        });
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "JMH: %d forks x %d iterations of %d s (after %d warm-up iterations), "
                + "µs/op ± 99.9%% CI half-width; ratio = rewritten / original ± propagated error.%n%n",
                forks, iterations, seconds, warmups));
        sb.append("| kernel | compiled | rewritten form | original µs/op | rewritten µs/op | ratio |\n");
        sb.append("|---|---|---|---:|---:|---:|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.3f ± %.3f |%n", r.kernel, r.compiled,
                    forms.getOrDefault(r.kernel, "?"), fmt(r.original), fmt(r.rewritten), r.ratio(), r.ratioError()));
        }
        sb.append('\n');
        for (String compiled : new String[] {"inlined", "standalone", null}) {
            List<Row> sel = rows.stream().filter(r -> compiled == null || r.compiled.equals(compiled)).toList();
            if (sel.isEmpty()) {
                continue;
            }
            double logSum = 0;
            Row worst = sel.get(0);
            for (Row r : sel) {
                logSum += Math.log(r.ratio());
                if (r.ratio() > worst.ratio()) {
                    worst = r;
                }
            }
            sb.append(String.format(Locale.ROOT, "- %s: geometric mean ratio %.3f (%+.1f %%), worst %.3f (%s, %s)%n",
                    compiled == null ? "all" : compiled, Math.exp(logSum / sel.size()),
                    (Math.exp(logSum / sel.size()) - 1) * 100, worst.ratio(), worst.kernel, worst.compiled));
        }
        return sb.toString();
    }

    private static String fmt(Result<?> r) {
        double e = r.getScoreError();
        return Double.isNaN(e) ? String.format(Locale.ROOT, "%.2f", r.getScore())
                : String.format(Locale.ROOT, "%.2f ± %.2f", r.getScore(), e);
    }

    /** How the rewriter treats each kernel method, from its own report. */
    static Map<String, String> forms() {
        Map<String, String> out = new TreeMap<>();
        try (InputStream in = BenchMain.class.getResourceAsStream("/fixtures/kernels/Kernels.class")) {
            ClassRewriter.Result r = new ClassRewriter(new RewriteConfig(8192, ClassFilter.all(), true))
                    .rewrite(in.readAllBytes());
            for (MethodReport m : r.methods()) {
                List<String> parts = new ArrayList<>();
                if (m.versioned() > 0) {
                    parts.add(m.versioned() + " versioned");
                }
                if (m.stripMined() > 0) {
                    parts.add(m.stripMined() + " strip-mined");
                }
                if (m.counters() > 0) {
                    parts.add(m.counters() + " counted");
                }
                if (m.edgePolls() > 0) {
                    parts.add(m.edgePolls() + " polled back-edge");
                }
                if (m.returnPolls() > 0) {
                    parts.add("return poll");
                }
                out.putIfAbsent(m.name(), parts.isEmpty() ? "unchanged" : String.join(", ", parts));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
