package bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The load generator of scripts/bench-server.sh (run without the agent).
 * <ul>
 *   <li>{@code ping <port> <connections> <seconds>}: closed loop on /ping from N virtual
 *       threads (the fallback when wrk is not installed); prints
 *       {@code rps=<n> p50_ms=<x> p99_ms=<x> max_ms=<x> errors=<n>}.</li>
 *   <li>{@code mixed <port> <works> <seconds>}: keeps {@code works} /work?ms=2000 requests in
 *       flight and sends a /ping every 20 ms; prints the ping latencies in the same form
 *       ({@code rps} = pings answered per second) and {@code work_done=<n>}.</li>
 * </ul>
 */
public final class Load {
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int port = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        long seconds = Long.parseLong(args[3]);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        URI ping = URI.create("http://127.0.0.1:" + port + "/ping");
        URI work = URI.create("http://127.0.0.1:" + port + "/work?ms=2000");
        List<Long> lat = Collections.synchronizedList(new ArrayList<>());
        long[] errors = new long[1];
        long[] worksDone = new long[1];
        AtomicBoolean stop = new AtomicBoolean();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            if (mode.equals("ping")) {
                for (int i = 0; i < n; i++) {
                    ex.submit(() -> {
                        while (System.nanoTime() < end) {
                            long t0 = System.nanoTime();
                            if (get(client, ping)) {
                                lat.add(System.nanoTime() - t0);
                            } else {
                                synchronized (errors) {
                                    errors[0]++;
                                }
                            }
                        }
                        return null;
                    });
                }
            } else {
                for (int i = 0; i < n; i++) {
                    ex.submit(() -> {
                        while (!stop.get()) {
                            if (get(client, work)) {
                                synchronized (worksDone) {
                                    worksDone[0]++;
                                }
                            }
                        }
                        return null;
                    });
                }
                Thread.sleep(300); // the work requests are running
                long pingEnd = System.nanoTime() + seconds * 1_000_000_000L;
                List<java.util.concurrent.Future<?>> pings = new ArrayList<>();
                while (System.nanoTime() < pingEnd) {
                    pings.add(ex.submit(() -> {
                        long t0 = System.nanoTime();
                        if (get(client, ping)) {
                            lat.add(System.nanoTime() - t0);
                        } else {
                            synchronized (errors) {
                                errors[0]++;
                            }
                        }
                        return null;
                    }));
                    Thread.sleep(20);
                }
                for (var f : pings) {
                    f.get();
                }
                stop.set(true);
            }
        }
        List<Long> sorted = new ArrayList<>(lat);
        Collections.sort(sorted);
        double secs = mode.equals("ping") ? seconds : seconds;
        System.out.printf("rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f errors=%d%s%n", sorted.size() / secs,
                pct(sorted, 0.50), pct(sorted, 0.99), sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1) / 1e6,
                errors[0], mode.equals("ping") ? "" : " work_done=" + worksDone[0]);
    }

    private static boolean get(HttpClient client, URI uri) {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private static double pct(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(p * sorted.size()) - 1));
        return sorted.get(i) / 1e6;
    }
}
