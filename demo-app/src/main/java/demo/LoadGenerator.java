package demo;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The demo's load generator: keeps {@code heavy} CPU-bound {@code /work} requests in flight and,
 * meanwhile, sends a {@code /ping} every {@code pingInterval} ms and measures how long each one
 * takes to be answered.
 *
 * <p>Pings are sent on a fixed schedule whether or not earlier ones have been answered (an open
 * loop), so a server that stalls for two seconds shows two seconds of late answers instead of one
 * slow sample. Everything is bounded: the load runs for {@code duration}; afterwards no new
 * request is sent and the generator waits at most {@code grace} for pings still in flight. It
 * only talks to loopback addresses.
 */
public final class LoadGenerator {

    /** How progress is shown while the load runs. */
    public enum Progress {
        /** one line rewritten in place every second (for a terminal) */
        TTY,
        /** one line every five seconds (for logs) */
        LINES,
        NONE
    }

    public record Config(URI base, int heavy, int workMs, Duration duration, int pingIntervalMs, Duration grace,
                         int warmupPings, String label, Progress progress, PrintStream progressOut) {
        public Config {
            if (heavy < 0 || workMs < 0 || workMs > Server.MAX_WORK_MS || pingIntervalMs < 1
                    || duration.isNegative() || duration.isZero() || grace.isNegative() || warmupPings < 0) {
                throw new IllegalArgumentException("bad load configuration: heavy=" + heavy + " workMs=" + workMs
                        + " duration=" + duration + " pingIntervalMs=" + pingIntervalMs + " grace=" + grace);
            }
        }
    }

    /** Most pings that may wait for an answer at the same time (each holds a connection). */
    static final int MAX_OUTSTANDING_PINGS = 1000;

    private final Config config;
    private final HttpClient client;
    private final long t0 = System.nanoTime();
    private final List<double[]> pingSamples = new ArrayList<>();   // {sentAtMs, latencyMs}
    private final List<double[]> workSamples = new ArrayList<>();   // {doneAtMs, latencyMs}
    private final Map<Long, Long> outstandingPings = new ConcurrentHashMap<>(); // id -> sent nanos
    private final AtomicLong pingIds = new AtomicLong();
    private final AtomicInteger pingErrors = new AtomicInteger();
    private final AtomicInteger pingsSkipped = new AtomicInteger();
    private final AtomicInteger workErrors = new AtomicInteger();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private volatile long loadStart;
    private volatile long deadline;
    private boolean closed; // guarded by pingSamples

    private LoadGenerator(Config config) {
        this.config = config;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** Runs the load and returns the result as a JSON-ready map (see {@link #result}). */
    public static Map<String, Object> run(Config config) throws IOException, InterruptedException {
        requireLoopback(config.base());
        LoadGenerator g = new LoadGenerator(config);
        try {
            return g.go();
        } finally {
            g.client.shutdownNow();
        }
    }

    static void requireLoopback(URI base) {
        if (!"http".equals(base.getScheme()) || base.getHost() == null) {
            throw new IllegalArgumentException("--url must look like http://127.0.0.1:<port>: " + base);
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(base.getHost());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("unknown host " + base.getHost() + " (the demo only talks to loopback)");
        }
        if (!address.isLoopbackAddress()) {
            throw new IllegalArgumentException("the demo only talks to loopback; " + base.getHost() + " is not");
        }
    }

    private Map<String, Object> go() throws IOException, InterruptedException {
        Map<String, Object> serverInfo = fetchInfo();
        for (int i = 0; i < config.warmupPings(); i++) {
            get("/ping", Duration.ofSeconds(10));
        }

        loadStart = System.nanoTime();
        deadline = loadStart + config.duration().toNanos();
        Instant startedAt = Instant.now();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < config.heavy(); i++) {
            threads.add(Thread.ofPlatform().daemon().name("load-work-" + i).start(this::heavyLoop));
        }
        Thread pinger = Thread.ofPlatform().daemon().name("load-ping").start(this::pingLoop);

        long reportEvery = config.progress() == Progress.TTY ? 1_000_000_000L : 5_000_000_000L;
        long nextReport = loadStart + reportEvery;
        while (System.nanoTime() < deadline) {
            long now = System.nanoTime();
            if (now >= nextReport) {
                progress(false);
                nextReport += reportEvery;
            }
            LockSupport.parkNanos(Math.max(1, Math.min(deadline, nextReport) - System.nanoTime()));
        }
        pinger.join();
        long measuredNanos = System.nanoTime() - loadStart;
        // the server's CPU time now, to compare with the one in serverInfo (answered when it can)
        CompletableFuture<HttpResponse<String>> infoAtEnd =
                client.sendAsync(request("/info", config.grace()), HttpResponse.BodyHandlers.ofString());

        // no new requests from here on; give the pings still in flight a bounded time to finish
        long graceEnd = System.nanoTime() + config.grace().toNanos();
        while ((!outstandingPings.isEmpty() || !infoAtEnd.isDone()) && System.nanoTime() < graceEnd) {
            if (System.nanoTime() >= nextReport) {
                progress(false);
                nextReport += reportEvery;
            }
            Thread.sleep(20);
        }
        progress(true);
        Map<String, Object> result = result(serverInfo, startedAt, measuredNanos);
        result.put("serverCpu", serverCpu(serverInfo, infoAtEnd));
        return result;
    }

    /** The server's CPU use between two {@code /info} answers: {cores, intervalS}, or null. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> serverCpu(Map<String, Object> before, CompletableFuture<HttpResponse<String>> after) {
        if (!after.isDone() || after.isCompletedExceptionally()) {
            return null;
        }
        HttpResponse<String> r = after.join();
        if (r.statusCode() != 200 || !(Json.parse(r.body()) instanceof Map<?, ?> m)) {
            return null;
        }
        return serverCpu(before, (Map<String, Object>) m);
    }

    static Map<String, Object> serverCpu(Map<String, Object> before, Map<String, Object> after) {
        double cpu0 = DemoApp.num(before.get("processCpuMs"));
        double cpu1 = DemoApp.num(after.get("processCpuMs"));
        double t0 = DemoApp.num(before.get("monotonicMs"));
        double t1 = DemoApp.num(after.get("monotonicMs"));
        if (!(cpu0 >= 0 && cpu1 >= cpu0 && t1 > t0)) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", (cpu1 - cpu0) / (t1 - t0));
        m.put("intervalS", (t1 - t0) / 1000);
        return m;
    }

    private Map<String, Object> fetchInfo() throws IOException, InterruptedException {
        HttpResponse<String> r;
        try {
            r = get("/info", Duration.ofSeconds(30));
        } catch (IOException e) {
            throw new IOException("cannot reach the demo server at " + config.base() + ": " + e, e);
        }
        if (r.statusCode() != 200) {
            throw new IOException("GET /info answered " + r.statusCode());
        }
        Object info = Json.parse(r.body());
        if (!(info instanceof Map<?, ?> m)) {
            throw new IOException("GET /info did not answer a JSON object");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    private HttpResponse<String> get(String pathAndQuery, Duration timeout) throws IOException, InterruptedException {
        return client.send(request(pathAndQuery, timeout), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String pathAndQuery, Duration timeout) {
        return HttpRequest.newBuilder(config.base().resolve(pathAndQuery)).timeout(timeout).GET().build();
    }

    private double ms(long nanos) {
        return (nanos - loadStart) / 1e6;
    }

    /** One of the {@code heavy} clients: a {@code /work} request, then the next, until the deadline. */
    private void heavyLoop() {
        HttpRequest req = request("/work?ms=" + config.workMs(),
                Duration.ofMillis(config.duration().toMillis() + config.grace().toMillis() + 60_000L));
        while (System.nanoTime() < deadline) {
            long sent = System.nanoTime();
            try {
                HttpResponse<Void> r = client.send(req, HttpResponse.BodyHandlers.discarding());
                long done = System.nanoTime();
                if (r.statusCode() != 200) {
                    error(workErrors, "/work answered " + r.statusCode());
                } else if (done <= deadline) {
                    synchronized (workSamples) {
                        workSamples.add(new double[] {ms(done), (done - sent) / 1e6});
                    }
                }
            } catch (IOException e) {
                error(workErrors, "/work: " + e);
                LockSupport.parkNanos(100_000_000L); // server gone? don't spin
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Sends a ping every interval on a fixed schedule, not waiting for answers. */
    private void pingLoop() {
        long interval = config.pingIntervalMs() * 1_000_000L;
        HttpRequest req = request("/ping",
                Duration.ofMillis(config.duration().toMillis() + config.grace().toMillis() + 10_000L));
        long next = loadStart;
        while (true) {
            long now = System.nanoTime();
            if (now >= deadline) {
                return;
            }
            if (now < next) {
                LockSupport.parkNanos(Math.min(next, deadline) - now);
                continue;
            }
            next += interval;
            if (now - next > interval) {
                next = now + interval; // this JVM fell behind (e.g. no CPU): skip, don't burst
            }
            if (outstandingPings.size() >= MAX_OUTSTANDING_PINGS) {
                pingsSkipped.incrementAndGet();
                continue;
            }
            long id = pingIds.incrementAndGet();
            long sent = System.nanoTime();
            outstandingPings.put(id, sent);
            client.sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                long done = System.nanoTime();
                synchronized (pingSamples) {
                    if (closed || outstandingPings.remove(id) == null) {
                        return; // too late: the result counts it as unanswered
                    }
                    if (e != null) {
                        error(pingErrors, "/ping: " + e);
                    } else if (r.statusCode() != 200) {
                        error(pingErrors, "/ping answered " + r.statusCode());
                    } else {
                        pingSamples.add(new double[] {ms(sent), (done - sent) / 1e6});
                    }
                }
            });
        }
    }

    private void error(AtomicInteger counter, String message) {
        counter.incrementAndGet();
        firstError.compareAndSet(null, message);
    }

    private void progress(boolean last) {
        if (config.progress() == Progress.NONE) {
            return;
        }
        long now = System.nanoTime();
        int answered;
        synchronized (pingSamples) {
            answered = pingSamples.size();
        }
        int works;
        synchronized (workSamples) {
            works = workSamples.size();
        }
        long elapsed = Math.min(now, deadline) - loadStart;
        String line = String.format(Locale.ROOT, "[demo] %s: %d s / %d s, %d pings answered, %d /work done",
                config.label(), elapsed / 1_000_000_000L, config.duration().toSeconds(), answered, works);
        if (now >= deadline && !outstandingPings.isEmpty()) {
            line += ", waiting for " + outstandingPings.size() + " pings";
        }
        PrintStream out = config.progressOut();
        if (config.progress() == Progress.TTY) {
            out.print("\r" + line + "\033[K" + (last ? "\n" : ""));
        } else {
            out.println(line);
        }
        out.flush();
    }

    private Map<String, Object> result(Map<String, Object> serverInfo, Instant startedAt, long measuredNanos) {
        double[][] pings;
        List<Double> unanswered = new ArrayList<>();
        double gaveUpAt;
        synchronized (pingSamples) {
            closed = true; // from here on, late answers are ignored: the counts below stay consistent
            gaveUpAt = ms(System.nanoTime());
            pings = pingSamples.toArray(new double[0][]);
            for (long sent : outstandingPings.values()) {
                unanswered.add(ms(sent));
            }
        }
        double[][] works;
        synchronized (workSamples) {
            works = workSamples.toArray(new double[0][]);
        }
        Arrays.sort(pings, (a, b) -> Double.compare(a[0], b[0]));
        Arrays.sort(works, (a, b) -> Double.compare(a[0], b[0]));
        unanswered.sort(null);

        Stats ping = Stats.of(withLowerBounds(column(pings, 1), unanswered, gaveUpAt));
        Stats work = Stats.of(column(works, 1));
        double lastDone = works.length == 0 ? 0 : works[works.length - 1][0];
        // rate up to the last completion: the requests run in batches when they share the CPU,
        // and a window that ends between two batches should not count as lost throughput
        double throughput = lastDone > 0 ? works.length / (lastDone / 1000.0) : 0;

        Map<String, Object> params = new LinkedHashMap<>();
        params.put("url", config.base().toString());
        params.put("heavy", config.heavy());
        params.put("workMs", config.workMs());
        params.put("durationS", config.duration().toMillis() / 1000.0);
        params.put("pingIntervalMs", config.pingIntervalMs());
        params.put("graceS", config.grace().toMillis() / 1000.0);

        Map<String, Object> p = new LinkedHashMap<>();
        p.put("sent", pingIds.get());
        p.put("answered", pings.length);
        p.put("unanswered", unanswered.size());
        p.put("errors", pingErrors.get());
        p.put("skipped", pingsSkipped.get());
        p.put("stats", statsMap(ping));
        // an unanswered ping waited at least until we gave up: the statistics count it with that
        // wait, so with unanswered pings every percentile is a lower bound
        p.put("lowerBounds", !unanswered.isEmpty());

        Map<String, Object> w = new LinkedHashMap<>();
        w.put("completed", works.length);
        w.put("errors", workErrors.get());
        w.put("throughputPerS", throughput);
        w.put("latency", statsMap(work));

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", config.label());
        m.put("startedAt", startedAt.toString());
        m.put("measuredS", measuredNanos / 1e9);
        m.put("params", params);
        m.put("server", serverInfo);
        m.put("ping", p);
        m.put("work", w);
        m.put("firstError", firstError.get());
        m.put("pingSamples", flatten(pings));     // [sentAtMs, latencyMs, sentAtMs, latencyMs, ...]
        m.put("pingUnanswered", unanswered);      // [sentAtMs, ...]
        m.put("pingGaveUpAtMs", gaveUpAt);
        m.put("workSamples", flatten(works));     // [doneAtMs, latencyMs, ...]
        return m;
    }

    /** Answered latencies plus, for each unanswered ping, how long it had waited when we gave up. */
    static double[] withLowerBounds(double[] answered, List<Double> unansweredSentAt, double gaveUpAt) {
        double[] all = Arrays.copyOf(answered, answered.length + unansweredSentAt.size());
        for (int i = 0; i < unansweredSentAt.size(); i++) {
            all[answered.length + i] = gaveUpAt - unansweredSentAt.get(i);
        }
        return all;
    }

    static Map<String, Object> statsMap(Stats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", s.count());
        m.put("p50", s.p50());
        m.put("p90", s.p90());
        m.put("p99", s.p99());
        m.put("max", s.max());
        m.put("mean", s.mean());
        return m;
    }

    private static double[] column(double[][] rows, int i) {
        double[] c = new double[rows.length];
        for (int r = 0; r < rows.length; r++) {
            c[r] = rows[r][i];
        }
        return c;
    }

    private static double[] flatten(double[][] rows) {
        double[] out = new double[rows.length * 2];
        for (int r = 0; r < rows.length; r++) {
            out[2 * r] = rows[r][0];
            out[2 * r + 1] = rows[r][1];
        }
        return out;
    }
}
