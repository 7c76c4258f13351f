package demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's HTTP service, bound to loopback only, one virtual thread per request — the way the
 * JDK recommends writing a thread-per-request server today:
 * <ul>
 *   <li>{@code /ping}: answers at once ({@code pong});</li>
 *   <li>{@code /work?ms=N}: hashes for about N ms of CPU time (see {@link Work});</li>
 *   <li>{@code /info}: JSON about the server JVM (JDK, cores, JVM arguments, and the thread a
 *       handler runs on — which shows whose scheduler runs the virtual threads).</li>
 * </ul>
 */
public final class Server implements AutoCloseable {
    /** Longest {@code /work} a request may ask for. */
    public static final int MAX_WORK_MS = 60_000;

    private final HttpServer http;
    private final ExecutorService executor;
    private final double blocksPerMs;
    private final AtomicLong pings = new AtomicLong();
    private final AtomicLong works = new AtomicLong();

    private Server(HttpServer http, ExecutorService executor, double blocksPerMs) {
        this.http = http;
        this.executor = executor;
        this.blocksPerMs = blocksPerMs;
    }

    /**
     * Starts a server on {@code 127.0.0.1:port} (port 0: a free one) whose {@code /work} hashes
     * {@code blocksPerMs} blocks per requested millisecond.
     */
    public static Server start(int port, double blocksPerMs) throws IOException {
        if (!(blocksPerMs > 0)) {
            throw new IllegalArgumentException("blocksPerMs must be > 0: " + blocksPerMs);
        }
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        Server server = new Server(http, executor, blocksPerMs);
        http.setExecutor(executor);
        http.createContext("/ping", server::ping);
        http.createContext("/work", server::work);
        http.createContext("/info", server::info);
        http.createContext("/", ex -> respond(ex, 404, "text/plain", "not found: try /ping, /work?ms=N or /info\n"));
        http.start();
        return server;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public double blocksPerMs() {
        return blocksPerMs;
    }

    public long pingsServed() {
        return pings.get();
    }

    public long worksServed() {
        return works.get();
    }

    private void ping(HttpExchange ex) throws IOException {
        pings.incrementAndGet();
        respond(ex, 200, "text/plain", "pong\n");
    }

    private void work(HttpExchange ex) throws IOException {
        String ms = queryParam(ex.getRequestURI(), "ms");
        int millis;
        try {
            millis = ms == null ? 100 : Integer.parseInt(ms);
        } catch (NumberFormatException e) {
            millis = -1;
        }
        if (millis < 0 || millis > MAX_WORK_MS) {
            respond(ex, 400, "text/plain", "ms must be an integer from 0 to " + MAX_WORK_MS + "\n");
            return;
        }
        long blocks = Math.round(millis * blocksPerMs);
        long start = System.nanoTime();
        long hash = Work.hashBlocks(blocks, start);
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        works.incrementAndGet();
        respond(ex, 200, "text/plain",
                "ms=" + millis + " blocks=" + blocks + " hash=" + Long.toHexString(hash) + " took_ms=" + tookMs + "\n");
    }

    private void info(HttpExchange ex) throws IOException {
        respond(ex, 200, "application/json", Json.write(info(Thread.currentThread().toString())) + "\n");
    }

    /** What {@code /info} reports; {@code handlerThread} is the thread that served the request. */
    Map<String, Object> info(String handlerThread) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("javaVersion", System.getProperty("java.version"));
        m.put("javaVm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        m.put("javaVendor", System.getProperty("java.vendor"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("jvmArgs", ManagementFactory.getRuntimeMXBean().getInputArguments());
        m.put("handlerThread", handlerThread);
        m.put("blocksPerMs", blocksPerMs);
        // two /info answers give the server's CPU use in between, whenever they were answered
        m.put("processCpuMs", processCpuNanos() / 1e6);
        m.put("monotonicMs", System.nanoTime() / 1e6);
        return m;
    }

    /** CPU time of the whole server process, or -1 where the JDK cannot tell. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    static String queryParam(URI uri, String name) {
        String q = uri.getRawQuery();
        if (q == null) {
            return null;
        }
        for (String part : q.split("&")) {
            int eq = part.indexOf('=');
            String key = eq < 0 ? part : part.substring(0, eq);
            if (key.equals(name)) {
                return eq < 0 ? "" : java.net.URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        try (ex) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Stops accepting requests and abandons the ones in flight (a {@code /work} may take seconds). */
    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }
}
