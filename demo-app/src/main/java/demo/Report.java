package demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the load generator's JSON results of the two runs (without the agent, with Timeslice)
 * into the side-by-side table for the terminal and {@code demo-report.html}: one self-contained
 * page (inline CSS and SVG, no scripts, no external assets).
 *
 * <pre>
 * java -cp demo-app.jar demo.Report without.json with.json demo-report.html
 * java -cp demo-app.jar demo.Report --without a.json (--with b.json | --with-error TEXT)
 *                                   --out demo-report.html [--trace demo-trace.json] [--slice-ms 10]
 * </pre>
 */
public final class Report {
    static final String WITHOUT_COLOR = "#d62728";
    static final String WITH_COLOR = "#1f77b4";

    /** One run: its parsed results, or why there are none. */
    record Run(String name, Map<String, Object> data, String error) {
        boolean ok() {
            return data != null;
        }

        double num(String path) {
            return data == null ? Double.NaN : DemoApp.num(Report.get(data, path));
        }

        Object get(String path) {
            return data == null ? null : Report.get(data, path);
        }

        double[] array(String path) {
            Object o = get(path);
            if (!(o instanceof List<?> list)) {
                return new double[0];
            }
            double[] a = new double[list.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = DemoApp.num(list.get(i));
            }
            return a;
        }
    }

    private final Run without;
    private final Run with;
    private final String tracePath;
    private final double sliceMs;

    Report(Run without, Run with, String tracePath, double sliceMs) {
        this.without = without;
        this.with = with;
        this.tracePath = tracePath;
        this.sliceMs = sliceMs;
    }

    public static void main(String[] args) {
        try {
            System.exit(run(args, System.out));
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("report: " + e.getMessage());
            System.exit(2);
        }
    }

    static int run(String[] args, PrintStream out) throws IOException {
        String withoutFile = null;
        String withFile = null;
        String withError = null;
        String outFile = null;
        String trace = null;
        double slice = 10;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                positional.add(a);
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--without" -> withoutFile = v;
                case "--with" -> withFile = v;
                case "--with-error" -> withError = v;
                case "--out" -> outFile = v;
                case "--trace" -> trace = v;
                case "--slice-ms" -> slice = Double.parseDouble(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (positional.size() == 3) {
            withoutFile = positional.get(0);
            withFile = positional.get(1);
            outFile = positional.get(2);
        } else if (positional.size() == 2) {
            withoutFile = positional.get(0);
            outFile = positional.get(1);
        } else if (!positional.isEmpty()) {
            throw new IllegalArgumentException("expected: without.json [with.json] out.html");
        }
        if (withoutFile == null || outFile == null) {
            throw new IllegalArgumentException("usage: demo.Report without.json (with.json | --with-error TEXT) out.html"
                    + " [--trace FILE] [--slice-ms 10]");
        }
        Run without = new Run("without agent", read(withoutFile), null);
        // --with-error alone: the run failed; with --with too: it ran but something went wrong
        Run with = new Run("with Timeslice", withFile == null ? null : read(withFile),
                withFile == null && withError == null ? "no results" : withError);
        Report report = new Report(without, with, trace, slice);
        out.print(report.text());
        Path outPath = Path.of(outFile);
        if (outPath.getParent() != null) {
            Files.createDirectories(outPath.getParent());
        }
        Files.writeString(outPath, report.html(), StandardCharsets.UTF_8);
        return 0;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> read(String file) throws IOException {
        Object o;
        try {
            o = Json.parse(Files.readString(Path.of(file), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        if (!(o instanceof Map)) {
            throw new IOException(file + ": not a JSON object");
        }
        return (Map<String, Object>) o;
    }

    /** Looks up a dotted path ({@code "ping.stats.p99"}) in nested maps. */
    static Object get(Map<String, Object> m, String path) {
        Object cur = m;
        for (String key : path.split("\\.")) {
            if (!(cur instanceof Map<?, ?> map)) {
                return null;
            }
            cur = map.get(key);
        }
        return cur;
    }

    // ---------------------------------------------------------------- formatting

    /** A latency for people: 0.42 ms, 12.3 ms, 1.98 s. */
    static String latency(double ms) {
        if (Double.isNaN(ms)) {
            return "–";
        }
        if (ms < 10) {
            return String.format(Locale.ROOT, "%.2f ms", ms);
        }
        if (ms < 1000) {
            return String.format(Locale.ROOT, "%.1f ms", ms);
        }
        return String.format(Locale.ROOT, "%.2f s", ms / 1000);
    }

    static String count(Object o) {
        double d = DemoApp.num(o);
        return Double.isNaN(d) ? "–" : String.valueOf(Math.round(d));
    }

    private static String fixed(double d, int decimals) {
        return Double.isNaN(d) ? "–" : String.format(Locale.ROOT, "%." + decimals + "f", d);
    }

    /** The table rows: label, without, with. */
    List<String[]> rows() {
        List<String[]> rows = new ArrayList<>();
        rows.add(row("/ping p50", r -> bound(r) + latency(r.num("ping.stats.p50"))));
        rows.add(row("/ping p99", r -> bound(r) + latency(r.num("ping.stats.p99"))));
        rows.add(row("/ping max", r -> bound(r) + latency(r.num("ping.stats.max"))));
        rows.add(row("pings answered", r -> count(r.get("ping.answered")) + " / " + count(r.get("ping.sent"))));
        rows.add(row("/work requests completed", r -> count(r.get("work.completed"))));
        rows.add(row("/work throughput", r -> fixed(r.num("work.throughputPerS"), 2) + " /s"));
        rows.add(row("server CPU use", r -> Double.isNaN(r.num("serverCpu.cores")) ? "–"
                : fixed(r.num("serverCpu.cores"), 2) + " of " + count(r.get("server.cores")) + " cores"));
        rows.add(row("/work latency p50", r -> latency(r.num("work.latency.p50"))));
        return rows;
    }

    /** "≥ " when unanswered pings make the run's percentiles lower bounds. */
    private static String bound(Run r) {
        return Boolean.TRUE.equals(r.get("ping.lowerBounds")) ? "≥ " : "";
    }

    private String[] row(String label, java.util.function.Function<Run, String> cell) {
        return new String[] {label, without.ok() ? cell.apply(without) : "FAILED", with.ok() ? cell.apply(with) : "FAILED"};
    }

    /** Whether the run with the agent answered every ping and kept p99 within two slices. */
    boolean goalMet() {
        return with.ok() && with.num("ping.stats.p99") <= 2 * sliceMs && with.num("ping.unanswered") == 0
                && with.num("ping.answered") > 0;
    }

    /** The verdict on the goal, or null when there is no run with the agent. */
    String verdict() {
        if (!with.ok()) {
            return null;
        }
        double p99 = with.num("ping.stats.p99");
        double goal = 2 * sliceMs;
        boolean met = goalMet();
        return String.format(Locale.ROOT, "goal: with Timeslice, /ping p99 ≤ %s (2 × %s slice) while /work keeps the cores busy: %s (p99 %s%s)",
                latencyTick(goal), latencyTick(sliceMs), met ? "met" : "NOT met", bound(with) + latency(p99),
                Double.isNaN(without.num("ping.stats.p99")) ? ""
                        : ", without the agent " + bound(without) + latency(without.num("ping.stats.p99")));
    }

    /** A hint when the agent ran but the server's virtual threads still ran on the JDK's scheduler. */
    String schedulerNote() {
        if (!with.ok()) {
            return null;
        }
        Object t = with.get("server.handlerThread");
        if (t instanceof String s && s.contains("@ForkJoinPool")) {
            return "note: with the agent the server's requests still ran on the JDK's own carrier threads (" + s
                    + "): this agent build did not put Executors.newVirtualThreadPerTaskExecutor()'s threads on Timeslice.";
        }
        return null;
    }

    // ---------------------------------------------------------------- text

    /** The terminal may not be UTF-8 (a C locale makes Java print '?'): keep the table ASCII. */
    static String ascii(String s) {
        return s.replace("≈", "~").replace("≤", "<=").replace("≥", ">=").replace("×", "x").replace("–", "-").replace("—", "-")
                .replace("→", "->").replace("µ", "u");
    }

    String text() {
        List<String[]> rows = new ArrayList<>();
        for (String[] r : rows()) {
            rows.add(new String[] {ascii(r[0]), ascii(r[1]), ascii(r[2])});
        }
        String[] head = {"", without.name(), with.name()};
        int[] w = {head[0].length(), head[1].length(), head[2].length()};
        for (String[] r : rows) {
            for (int i = 0; i < 3; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        String fmt = "  %-" + w[0] + "s   %" + w[1] + "s   %" + w[2] + "s%n";
        sb.append(String.format(Locale.ROOT, fmt, (Object[]) head));
        sb.append(String.format(Locale.ROOT, fmt, "-".repeat(w[0]), "-".repeat(w[1]), "-".repeat(w[2])));
        for (String[] r : rows) {
            sb.append(String.format(Locale.ROOT, fmt, (Object[]) r));
        }
        sb.append(String.format(Locale.ROOT, "  (%s /work requests of %s ms CPU each kept in flight, a /ping every %s ms, for %s s per run)%n",
                count(without.get("params.heavy")), count(without.get("params.workMs")),
                count(without.get("params.pingIntervalMs")), count(without.get("params.durationS"))));
        if (with.error() != null) {
            sb.append("  with Timeslice: FAILED — ").append(with.error()).append(System.lineSeparator());
        }
        for (String line : new String[] {verdict(), schedulerNote()}) {
            if (line != null) {
                sb.append("  ").append(line).append(System.lineSeparator());
            }
        }
        return ascii(sb.toString());
    }

    // ---------------------------------------------------------------- HTML

    static String esc(Object o) {
        String s = String.valueOf(o);
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    String html() {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
                .append("<title>Timeslice demo: /ping latency under CPU-bound load</title>\n<style>\n")
                .append(CSS).append("</style>\n</head>\n<body>\n");
        h.append("<h1>Timeslice demo: <code>/ping</code> latency while <code>/work</code> keeps every core busy</h1>\n");
        h.append("<p class=\"lead\">The same HTTP server — the JDK's <code>HttpServer</code> with one virtual thread per request — ran twice: ")
                .append("once as it is, once with <code>-javaagent:timeslice-agent.jar</code>. A load generator in another JVM kept ")
                .append(esc(count(without.get("params.heavy")))).append(" CPU-bound <code>/work</code> requests of ")
                .append(esc(count(without.get("params.workMs")))).append(" ms each in flight and sent a <code>/ping</code> every ")
                .append(esc(count(without.get("params.pingIntervalMs")))).append(" ms for ")
                .append(esc(count(without.get("params.durationS")))).append(" s. ")
                .append("JDK virtual threads are never time-sliced: once every carrier runs a <code>/work</code>, a <code>/ping</code> waits until one finishes. ")
                .append("Timeslice preempts a task after its ").append(esc(latencyTick(sliceMs))).append(" slice.</p>\n");

        String verdict = verdict();
        if (verdict != null) {
            h.append("<p class=\"verdict ").append(goalMet() ? "ok" : "bad").append("\">").append(esc(verdict)).append("</p>\n");
        }
        if (with.error() != null) {
            h.append("<p class=\"verdict bad\">The run with the agent failed: ").append(esc(with.error())).append("</p>\n");
        }
        String note = schedulerNote();
        if (note != null) {
            h.append("<p class=\"verdict bad\">").append(esc(note)).append("</p>\n");
        }

        h.append("<h2>Results</h2>\n<table class=\"results\">\n<thead><tr><th></th>")
                .append("<th><span class=\"swatch\" style=\"background:").append(WITHOUT_COLOR).append("\"></span>")
                .append(esc(without.name())).append("</th>")
                .append("<th><span class=\"swatch\" style=\"background:").append(WITH_COLOR).append("\"></span>")
                .append(esc(with.name())).append("</th></tr></thead>\n<tbody>\n");
        for (String[] r : rows()) {
            h.append("<tr><th>").append(esc(r[0])).append("</th><td>").append(esc(r[1])).append("</td><td>")
                    .append(esc(r[2])).append("</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n");
        h.append("<p class=\"small\">Percentiles by nearest rank; latency is measured by the client, ")
                .append("from sending the request to receiving the answer. Throughput is completed <code>/work</code> requests ")
                .append("divided by the time of the last completion (time-sliced requests finish in batches). ")
                .append("Server CPU use is the server process's CPU time over the run, as the server itself reports it. ")
                .append("A ping still unanswered when the load generator gave up counts with the time it had waited, ")
                .append("so where some were, the percentiles are lower bounds (≥).</p>\n");

        h.append("<h2><code>/ping</code> latency over time</h2>\n");
        h.append(chart());
        h.append("<p class=\"small\">One dot per <code>/ping</code>, at the time it was sent; logarithmic latency axis. ")
                .append("The dashed line is 2 × slice. Pings never answered are marked × on the top edge.</p>\n");

        h.append("<h2>Trace of the run with Timeslice</h2>\n");
        if (tracePath != null && with.ok() && with.error() == null && Files.isRegularFile(Path.of(tracePath))) {
            long size = 0;
            try {
                size = Files.size(Path.of(tracePath));
            } catch (IOException e) {
                // size stays unknown
            }
            h.append("<p>Scheduler trace (Chrome trace-event JSON, ").append(esc(String.format(Locale.ROOT, "%.1f MB", size / 1e6)))
                    .append("): <code>").append(esc(tracePath)).append("</code></p>\n")
                    .append("<p>Open <a href=\"https://ui.perfetto.dev\">https://ui.perfetto.dev</a> → <b>Open trace file</b> → pick it. ")
                    .append("It shows which task ran on which carrier, and every preemption (the file stays in your browser).</p>\n");
        } else {
            h.append("<p>No trace: ").append(esc(with.error() != null ? "the run with the agent failed" : "the agent wrote no trace file"))
                    .append(tracePath == null ? "" : " (expected at <code>" + esc(tracePath) + "</code>)").append(".</p>\n");
        }

        h.append("<h2>Setup</h2>\n<table class=\"setup\">\n");
        Run any = without.ok() ? without : with;
        setupRow(h, "machine", any.get("server.cores") == null ? "–"
                : count(any.get("server.cores")) + " cores, " + any.get("server.os"));
        setupRow(h, "JDK", any.get("server.javaVm") + " (" + any.get("server.javaVendor") + ", " + any.get("server.javaVersion") + ")");
        for (Run r : List.of(without, with)) {
            if (r.ok()) {
                List<String> jvmArgs = strings(r.get("server.jvmArgs"));
                setupRow(h, "server JVM arguments, " + r.name(), jvmArgs.isEmpty() ? "(none)" : String.join(" ", jvmArgs));
                setupRow(h, "a request's thread, " + r.name(), String.valueOf(r.get("server.handlerThread")));
                if (r.get("firstError") != null) {
                    setupRow(h, "first error, " + r.name(), String.valueOf(r.get("firstError")));
                }
            }
        }
        setupRow(h, "/work speed", fixed(any.num("server.blocksPerMs"), 0) + " hashed 64-byte blocks per ms (measured at start)");
        setupRow(h, "generated", ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z")) + " by scripts/demo.sh");
        h.append("</table>\n</body>\n</html>\n");
        return h.toString();
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        if (o instanceof List<?> list) {
            for (Object e : list) {
                out.add(String.valueOf(e));
            }
        }
        return out;
    }

    private static void setupRow(StringBuilder h, String k, String v) {
        h.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>\n");
    }

    // ---------------------------------------------------------------- SVG

    static final int W = 960;
    static final int H = 420;
    static final int ML = 78;
    static final int MR = 24;
    static final int MT = 58;
    static final int MB = 48;
    /** At most this many dots per run; beyond that, every k-th one plus all the slow ones. */
    static final int MAX_DOTS = 4000;

    String chart() {
        double xMax = 1;
        double yLo = Double.MAX_VALUE;
        double yHi = 2 * sliceMs;
        for (Run r : List.of(without, with)) {
            if (!r.ok()) {
                continue;
            }
            double d = r.num("params.durationS");
            xMax = Double.isNaN(d) ? xMax : Math.max(xMax, d);
            double[] s = r.array("pingSamples");
            for (int i = 0; i + 1 < s.length; i += 2) {
                xMax = Math.max(xMax, s[i] / 1000);
                yLo = Math.min(yLo, s[i + 1]);
                yHi = Math.max(yHi, s[i + 1]);
            }
        }
        if (yLo == Double.MAX_VALUE) {
            yLo = 1;
        }
        double lo = Math.pow(10, Math.floor(Math.log10(Math.max(0.01, Math.min(yLo, 1)))));
        double hi = Math.pow(10, Math.ceil(Math.log10(Math.max(yHi, 100)) + 1e-9));
        final double xm = xMax;
        final double logLo = Math.log10(lo);
        final double logHi = Math.log10(hi);
        java.util.function.DoubleUnaryOperator x = t -> ML + (W - ML - MR) * Math.max(0, Math.min(1, t / xm));
        java.util.function.DoubleUnaryOperator y = ms -> {
            double f = (Math.log10(Math.max(ms, lo)) - logLo) / (logHi - logLo);
            return MT + (H - MT - MB) * (1 - Math.max(0, Math.min(1, f)));
        };

        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" width=\"").append(W).append("\" height=\"").append(H)
                .append("\" role=\"img\" aria-label=\"/ping latency over time, both runs\" class=\"chart\">\n");
        s.append("<rect x=\"").append(ML).append("\" y=\"").append(MT).append("\" width=\"").append(W - ML - MR)
                .append("\" height=\"").append(H - MT - MB).append("\" class=\"plot\"/>\n");
        // y grid: decades labelled, 2 and 5 faint
        for (int e = (int) Math.round(logLo); e <= Math.round(logHi); e++) {
            double v = Math.pow(10, e);
            double py = y.applyAsDouble(v);
            s.append(line(ML, py, W - MR, py, "grid"));
            s.append(text(ML - 8, py + 4, "end", "axis", latencyTick(v)));
            for (int m : new int[] {2, 5}) {
                if (e < Math.round(logHi)) {
                    double pm = y.applyAsDouble(v * m);
                    s.append(line(ML, pm, W - MR, pm, "grid minor"));
                }
            }
        }
        // x grid
        double step = niceStep(xMax / 8);
        for (double t = 0; t <= xMax + 1e-9; t += step) {
            double px = x.applyAsDouble(t);
            s.append(line(px, MT, px, H - MB, "grid"));
            s.append(text(px, H - MB + 18, "middle", "axis", fixed(t, step < 1 ? 1 : 0) + " s"));
        }
        s.append(text(ML + (W - ML - MR) / 2.0, H - 8, "middle", "axis", "time since the load started (ping sent)"));
        s.append("<text x=\"16\" y=\"").append(MT + (H - MT - MB) / 2).append("\" text-anchor=\"middle\" class=\"axis\" transform=\"rotate(-90 16 ")
                .append(MT + (H - MT - MB) / 2).append(")\">/ping latency (log scale)</text>\n");
        // goal line
        double gy = y.applyAsDouble(2 * sliceMs);
        s.append(line(ML, gy, W - MR, gy, "goal"));

        for (Run r : List.of(without, with)) {
            if (!r.ok()) {
                continue;
            }
            String color = r == without ? WITHOUT_COLOR : WITH_COLOR;
            s.append("<g fill=\"").append(color).append("\" fill-opacity=\"0.55\">\n");
            double[] d = r.array("pingSamples");
            int n = d.length / 2;
            double keepAbove = r.num("ping.stats.p99");
            int stride = Math.max(1, (n + MAX_DOTS - 1) / MAX_DOTS);
            for (int i = 0; i < n; i++) {
                double t = d[2 * i] / 1000;
                double ms = d[2 * i + 1];
                if (stride > 1 && i % stride != 0 && !(ms >= keepAbove)) {
                    continue;
                }
                s.append("<circle cx=\"").append(f1(x.applyAsDouble(t))).append("\" cy=\"")
                        .append(f1(y.applyAsDouble(ms))).append("\" r=\"2\"/>");
                if (i % 8 == 7) {
                    s.append('\n');
                }
            }
            s.append("\n</g>\n");
            for (double t : r.array("pingUnanswered")) {
                double px = x.applyAsDouble(t / 1000);
                s.append(text(px, MT + 4, "middle", "lost", "×").replace("class=\"lost\"",
                        "class=\"lost\" fill=\"" + color + "\""));
            }
        }
        // over the dots, so it stays readable
        s.append(text(ML + 6, gy - 5, "start", "goallabel", "2 × slice = " + latencyTick(2 * sliceMs)));
        // legend
        int lx = ML + 6;
        int ly = 18;
        for (Run r : List.of(without, with)) {
            String color = r == without ? WITHOUT_COLOR : WITH_COLOR;
            s.append("<circle cx=\"").append(lx).append("\" cy=\"").append(ly - 4).append("\" r=\"5\" fill=\"").append(color).append("\"/>");
            String label = r.name() + (r.ok() ? ": p99 " + bound(r) + latency(r.num("ping.stats.p99")) + ", max "
                    + bound(r) + latency(r.num("ping.stats.max"))
                    : ": run failed");
            s.append(text(lx + 12, ly, "start", "legend", label));
            ly += 22;
        }
        s.append("</svg>\n");
        return s.toString();
    }

    static String latencyTick(double ms) {
        if (ms >= 1000) {
            return fmtTick(ms / 1000) + " s";
        }
        return fmtTick(ms) + " ms";
    }

    private static String fmtTick(double v) {
        if (v == Math.rint(v)) {
            return String.valueOf((long) v);
        }
        return String.format(Locale.ROOT, "%.3f", v).replaceAll("0+$", "");
    }

    static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-3))));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String line(double x1, double y1, double x2, double y2, String cls) {
        return "<line x1=\"" + f1(x1) + "\" y1=\"" + f1(y1) + "\" x2=\"" + f1(x2) + "\" y2=\"" + f1(y2)
                + "\" class=\"" + cls + "\"/>\n";
    }

    private static String text(double x, double y, String anchor, String cls, String body) {
        return "<text x=\"" + f1(x) + "\" y=\"" + f1(y) + "\" text-anchor=\"" + anchor + "\" class=\"" + cls + "\">"
                + esc(body) + "</text>\n";
    }

    static final String CSS = """
            body { font: 15px/1.5 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #222;
                   max-width: 1000px; margin: 2em auto; padding: 0 1em; }
            h1 { font-size: 1.5em; margin-bottom: .3em; }
            h2 { font-size: 1.15em; margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: .2em; }
            code { font: .92em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f3f3f3;
                   padding: 0 .25em; border-radius: 3px; }
            .lead { color: #333; }
            .small { color: #666; font-size: .88em; }
            .verdict { padding: .6em .9em; border-radius: 4px; }
            .verdict.ok { background: #e8f5e9; border-left: 4px solid #2e7d32; }
            .verdict.bad { background: #fff3e0; border-left: 4px solid #ef6c00; }
            table { border-collapse: collapse; }
            table.results th, table.results td { padding: .3em 1.2em; border-bottom: 1px solid #eee; }
            table.results td { text-align: right; font-variant-numeric: tabular-nums; }
            table.results thead th { text-align: right; }
            table.results tbody th { text-align: left; font-weight: normal; }
            table.setup th { text-align: left; font-weight: normal; color: #666; padding: .2em 1em .2em 0; vertical-align: top; }
            table.setup td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; word-break: break-all; }
            .swatch { display: inline-block; width: .8em; height: .8em; border-radius: 50%; margin-right: .4em; }
            svg.chart { max-width: 100%; height: auto; }
            svg .plot { fill: #fcfcfc; stroke: #ccc; }
            svg .grid { stroke: #e4e4e4; }
            svg .grid.minor { stroke: #f0f0f0; }
            svg .goal { stroke: #2e7d32; stroke-dasharray: 6 4; stroke-width: 1.5; }
            svg .goallabel { fill: #2e7d32; font-size: 12px; paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
            svg .axis { fill: #555; font-size: 12px; }
            svg .legend { fill: #222; font-size: 13px; }
            svg .lost { font-size: 14px; font-weight: bold; }
            """;
}
