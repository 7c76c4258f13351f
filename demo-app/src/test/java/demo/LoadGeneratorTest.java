package demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadGeneratorTest {
    @Test
    @SuppressWarnings("unchecked")
    void measuresAnInProcessServerAndItsStatisticsMatchTheSamples() throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Map<String, Object> r;
        try (Server server = Server.start(0, 100.0)) {
            LoadGenerator.Config config = new LoadGenerator.Config(URI.create("http://127.0.0.1:" + server.port()),
                    1, 5, Duration.ofMillis(1200), 10, Duration.ofSeconds(10), 3, "test run",
                    LoadGenerator.Progress.LINES, new PrintStream(progress, true, StandardCharsets.UTF_8));
            r = LoadGenerator.run(config);
        }
        // through JSON and back, as the report reads it
        r = (Map<String, Object>) Json.parse(Json.write(r));

        assertEquals("test run", r.get("label"));
        Map<String, Object> ping = (Map<String, Object>) r.get("ping");
        double sent = (Double) ping.get("sent");
        double answered = (Double) ping.get("answered");
        assertTrue(answered > 0, "some pings answered");
        assertEquals(sent, answered + (Double) ping.get("unanswered") + (Double) ping.get("errors"));

        List<Object> flat = (List<Object>) r.get("pingSamples");
        assertEquals(2 * answered, flat.size());
        double[] latencies = new double[flat.size() / 2];
        for (int i = 0; i < latencies.length; i++) {
            latencies[i] = (Double) flat.get(2 * i + 1);
            assertTrue(latencies[i] > 0);
        }
        List<Double> unanswered = new java.util.ArrayList<>();
        for (Object o : (List<Object>) r.get("pingUnanswered")) {
            unanswered.add((Double) o);
        }
        Stats expected = Stats.of(LoadGenerator.withLowerBounds(latencies, unanswered, (Double) r.get("pingGaveUpAtMs")));
        assertEquals(!unanswered.isEmpty(), ping.get("lowerBounds"));
        Map<String, Object> stats = (Map<String, Object>) ping.get("stats");
        // the result file rounds to 0.1 µs
        assertEquals(expected.p50(), (Double) stats.get("p50"), 1e-3);
        assertEquals(expected.p99(), (Double) stats.get("p99"), 1e-3);
        assertEquals(expected.max(), (Double) stats.get("max"), 1e-3);
        assertTrue((Double) stats.get("p50") <= (Double) stats.get("p99"));

        Map<String, Object> work = (Map<String, Object>) r.get("work");
        assertEquals(0.0, work.get("errors"));
        assertEquals(((List<Object>) r.get("workSamples")).size(), 2 * (Double) work.get("completed"));

        Map<String, Object> server = (Map<String, Object>) r.get("server");
        assertEquals(100.0, server.get("blocksPerMs"));
        assertTrue(progress.toString(StandardCharsets.UTF_8).contains("[demo] test run: "));
        assertTrue(DemoApp.summary(r).startsWith("test run: /ping p50 "));
        if (r.get("serverCpu") instanceof Map<?, ?> cpu) {
            assertTrue((Double) cpu.get("cores") >= 0);
        }
    }

    @Test
    void unansweredPingsCountWithTheirWaitSoFar() {
        double[] all = LoadGenerator.withLowerBounds(new double[] {1, 2, 3}, List.of(100.0, 900.0), 1000);
        assertEquals(List.of(1.0, 2.0, 3.0, 900.0, 100.0), java.util.Arrays.stream(all).boxed().toList());
        Stats s = Stats.of(all);
        assertEquals(900, s.max());
        assertEquals(3, s.p50());
    }

    @Test
    void serverCpuUseFromTwoInfoAnswers() {
        Map<String, Object> cpu = LoadGenerator.serverCpu(
                Map.of("processCpuMs", 1000.0, "monotonicMs", 5000.0),
                Map.of("processCpuMs", 4000.0, "monotonicMs", 6500.0));
        assertEquals(2.0, (Double) cpu.get("cores"), 1e-12);
        assertEquals(1.5, (Double) cpu.get("intervalS"), 1e-12);
        assertNull(LoadGenerator.serverCpu(Map.of("processCpuMs", -1.0, "monotonicMs", 1.0),
                Map.of("processCpuMs", -1.0, "monotonicMs", 2.0)));
        assertNull(LoadGenerator.serverCpu(Map.of(), Map.of()));
    }

    @Test
    void onlyLoopback() {
        assertThrows(IllegalArgumentException.class, () -> LoadGenerator.requireLoopback(URI.create("http://10.1.2.3:80")));
        assertThrows(IllegalArgumentException.class, () -> LoadGenerator.requireLoopback(URI.create("https://127.0.0.1:80")));
        assertThrows(IllegalArgumentException.class, () -> LoadGenerator.requireLoopback(URI.create("127.0.0.1:80")));
    }

    @Test
    void badConfigurationsAreRejected() {
        URI url = URI.create("http://127.0.0.1:1");
        PrintStream out = System.err;
        assertThrows(IllegalArgumentException.class, () -> new LoadGenerator.Config(url, 1, 5, Duration.ZERO, 10,
                Duration.ofSeconds(1), 0, "x", LoadGenerator.Progress.NONE, out));
        assertThrows(IllegalArgumentException.class, () -> new LoadGenerator.Config(url, 1, 5, Duration.ofSeconds(1), 0,
                Duration.ofSeconds(1), 0, "x", LoadGenerator.Progress.NONE, out));
        assertThrows(IllegalArgumentException.class, () -> new LoadGenerator.Config(url, 1, Server.MAX_WORK_MS + 1,
                Duration.ofSeconds(1), 10, Duration.ofSeconds(1), 0, "x", LoadGenerator.Progress.NONE, out));
    }
}
