package demo;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An ordinary Java program — no dependency on Timeslice — that shows what CPU-bound virtual
 * threads do to everything else: an HTTP service on loopback ({@link Server}) and a load
 * generator ({@link LoadGenerator}) that keeps it busy with {@code /work} while it measures
 * {@code /ping}.
 *
 * <pre>
 * java -jar demo-app.jar [all]  [load options]     server and load in one JVM, a quick try
 * java -jar demo-app.jar serve  [serve options]    prints port=&lt;n&gt;, runs until killed
 * java -jar demo-app.jar load   --url http://127.0.0.1:&lt;port&gt; [load options]
 * </pre>
 */
public final class DemoApp {
    private DemoApp() {
    }

    static final String USAGE = """
            usage: java -jar demo-app.jar [all|serve|load|help] [options]

              all     (default) start the server and run the load against it in this JVM
              serve   start the server on a free loopback port; prints port=<n> and
                      blocks_per_ms=<x>, then runs until killed (or --duration, --watch-pid)
              load    run the load generator against a server started with 'serve'

            serve options:
              --port N              port on 127.0.0.1 (default 0: a free one)
              --blocks-per-ms X     /work's hashing speed; default: measured at start
              --calibrate-ms N      how long to measure it (default 300)
              --duration S          stop after S seconds (default 0: run until killed)
              --watch-pid PID       stop when process PID exits

            load options:
              --url URL             the server, http://127.0.0.1:<port> (load only; loopback only)
              --heavy K             /work requests kept in flight (default 2 x cores = %d)
              --work-ms N           CPU time each /work burns, ms (default 2000)
              --duration S          how long to load the server, s (default 15; 'all': 10)
              --ping-interval-ms I  send a /ping every I ms (default 20)
              --grace S             then wait at most S s for pings in flight (default 10 + 2 x work)
              --warmup-pings N      unrecorded pings before the load starts (default 50)
              --json FILE           write the results and raw samples as JSON
              --label TEXT          name of this run in progress lines and results
              --progress MODE       tty (one line, rewritten), lines (every 5 s) or none (default lines)
            """;

    public static void main(String[] args) throws Exception {
        int code;
        try {
            code = run(args, System.out, System.err);
        } catch (IllegalArgumentException e) {
            System.err.println("demo: " + e.getMessage());
            System.err.println("run 'java -jar demo-app.jar help' for the options");
            code = 2;
        } catch (IOException e) {
            System.err.println("demo: " + e.getMessage());
            code = 1;
        }
        if (code != 0) {
            System.exit(code);
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        String mode = args.length > 0 && !args[0].startsWith("-") ? args[0] : "all";
        String[] rest = args.length > 0 && !args[0].startsWith("-") ? java.util.Arrays.copyOfRange(args, 1, args.length) : args;
        switch (mode) {
            case "help", "-h", "--help" -> {
                out.printf(Locale.ROOT, USAGE, 2 * Runtime.getRuntime().availableProcessors());
                return 0;
            }
            case "serve" -> {
                return serve(Options.parse(rest, SERVE_OPTIONS), out);
            }
            case "load" -> {
                return load(Options.parse(rest, LOAD_OPTIONS), out, err, false);
            }
            case "all" -> {
                return load(Options.parse(rest, LOAD_OPTIONS), out, err, true);
            }
            default -> throw new IllegalArgumentException("unknown mode '" + mode + "' (all, serve, load or help)");
        }
    }

    static final Set<String> SERVE_OPTIONS = Set.of("port", "blocks-per-ms", "calibrate-ms", "duration", "watch-pid");
    static final Set<String> LOAD_OPTIONS = Set.of("url", "heavy", "work-ms", "duration", "ping-interval-ms", "grace",
            "warmup-pings", "json", "label", "progress");

    private static int serve(Options o, PrintStream out) throws Exception {
        double blocksPerMs = o.dbl("blocks-per-ms", 0);
        if (blocksPerMs <= 0) {
            blocksPerMs = Work.calibrate(o.integer("calibrate-ms", 300));
        }
        Server server = Server.start(o.integer("port", 0), blocksPerMs);
        out.printf(Locale.ROOT, "blocks_per_ms=%.1f%n", blocksPerMs);
        out.println("port=" + server.port());
        out.println("demo server on http://127.0.0.1:" + server.port() + " (/ping, /work?ms=N, /info)");
        out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("demo server stopping: served " + server.pingsServed() + " pings, "
                    + server.worksServed() + " /work");
            out.flush();
            server.close();
        }, "demo-shutdown"));
        long watch = o.integer("watch-pid", 0);
        if (watch > 0) {
            var handle = ProcessHandle.of(watch);
            if (handle.isEmpty()) {
                out.println("demo server: process " + watch + " is gone; stopping");
                System.exit(0);
            }
            handle.get().onExit().thenRun(() -> {
                out.println("demo server: process " + watch + " exited; stopping");
                System.exit(0);
            });
        }
        long seconds = o.integer("duration", 0);
        if (seconds > 0) {
            Thread.sleep(Duration.ofSeconds(seconds));
            System.exit(0);
        }
        new java.util.concurrent.CountDownLatch(1).await(); // until killed
        return 0;
    }

    private static int load(Options o, PrintStream out, PrintStream err, boolean inProcess) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        int workMs = o.integer("work-ms", 2000);
        LoadGenerator.Progress progress = switch (o.str("progress", "lines")) {
            case "tty" -> LoadGenerator.Progress.TTY;
            case "lines" -> LoadGenerator.Progress.LINES;
            case "none" -> LoadGenerator.Progress.NONE;
            default -> throw new IllegalArgumentException("--progress must be tty, lines or none");
        };
        Server server = null;
        URI url;
        if (inProcess) {
            if (o.has("url")) {
                throw new IllegalArgumentException("'all' starts its own server; use 'load' for --url");
            }
            err.println("[demo] calibrating /work ...");
            server = Server.start(0, Work.calibrate(300));
            url = URI.create("http://127.0.0.1:" + server.port());
            err.println("[demo] server on " + url);
        } else {
            if (!o.has("url")) {
                throw new IllegalArgumentException("load needs --url http://127.0.0.1:<port> (from 'serve')");
            }
            url = URI.create(o.str("url", null));
        }
        try {
            LoadGenerator.Config config = new LoadGenerator.Config(url,
                    o.integer("heavy", 2 * cores),
                    workMs,
                    Duration.ofMillis(Math.round(1000 * o.dbl("duration", inProcess ? 10 : 15))),
                    o.integer("ping-interval-ms", 20),
                    Duration.ofMillis(Math.round(1000 * o.dbl("grace", 10 + 2 * workMs / 1000.0))),
                    o.integer("warmup-pings", 50),
                    o.str("label", inProcess ? "demo" : "load"),
                    progress, err);
            Map<String, Object> result = LoadGenerator.run(config);
            out.println(summary(result));
            String json = o.str("json", null);
            if (json != null) {
                Path p = Path.of(json);
                if (p.getParent() != null) {
                    Files.createDirectories(p.getParent());
                }
                Files.writeString(p, Json.write(result) + "\n", StandardCharsets.UTF_8);
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
        return 0;
    }

    /** One paragraph of results, for the terminal. */
    @SuppressWarnings("unchecked")
    static String summary(Map<String, Object> r) {
        Map<String, Object> ping = (Map<String, Object>) r.get("ping");
        Map<String, Object> ps = (Map<String, Object>) ping.get("stats");
        Map<String, Object> work = (Map<String, Object>) r.get("work");
        Map<String, Object> server = (Map<String, Object>) r.get("server");
        StringBuilder sb = new StringBuilder();
        Object cpu = r.get("serverCpu") instanceof Map<?, ?> m ? m.get("cores") : null;
        String ge = Boolean.TRUE.equals(ping.get("lowerBounds")) ? ">= " : "";
        sb.append(String.format(Locale.ROOT, "%s: /ping p50 %s, p99 %s, max %s (%s of %s answered); "
                        + "/work %s completed, %.2f/s; server CPU %s cores",
                r.get("label"), ge + Report.latency(num(ps.get("p50"))), ge + Report.latency(num(ps.get("p99"))),
                ge + Report.latency(num(ps.get("max"))), Report.count(ping.get("answered")), Report.count(ping.get("sent")),
                Report.count(work.get("completed")), num(work.get("throughputPerS")),
                cpu == null ? "-" : String.format(Locale.ROOT, "%.2f", num(cpu))));
        sb.append("\n  server handler thread: ").append(server.get("handlerThread"));
        if (r.get("firstError") != null) {
            sb.append("\n  first error: ").append(r.get("firstError"));
        }
        return Report.ascii(sb.toString());
    }

    static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** {@code --name value} options, each allowed once, checked against the mode's names. */
    record Options(Map<String, String> values) {
        static Options parse(String[] args, Set<String> known) {
            Map<String, String> values = new HashMap<>();
            List<String> list = new ArrayList<>(List.of(args));
            for (int i = 0; i < list.size(); i++) {
                String a = list.get(i);
                if (!a.startsWith("--")) {
                    throw new IllegalArgumentException("unexpected argument '" + a + "'");
                }
                String name = a.substring(2);
                String value;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else if (i + 1 < list.size()) {
                    value = list.get(++i);
                } else {
                    throw new IllegalArgumentException("option --" + name + " needs a value");
                }
                if (!known.contains(name)) {
                    throw new IllegalArgumentException("unknown option --" + name + "; known: --"
                            + String.join(", --", known.stream().sorted().toList()));
                }
                if (values.put(name, value) != null) {
                    throw new IllegalArgumentException("option --" + name + " given twice");
                }
            }
            return new Options(values);
        }

        boolean has(String name) {
            return values.containsKey(name);
        }

        String str(String name, String dflt) {
            return values.getOrDefault(name, dflt);
        }

        int integer(String name, int dflt) {
            String v = values.get(name);
            try {
                return v == null ? dflt : Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " needs an integer, not '" + v + "'");
            }
        }

        double dbl(String name, double dflt) {
            String v = values.get(name);
            try {
                return v == null ? dflt : Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " needs a number, not '" + v + "'");
            }
        }
    }
}
