package demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class ReportTest {
    /** A result file as the load generator writes it, with fixed samples. */
    static Map<String, Object> result(String label, String thread, double... latencies) {
        double[] flat = new double[latencies.length * 2];
        for (int i = 0; i < latencies.length; i++) {
            flat[2 * i] = i * 20.0;
            flat[2 * i + 1] = latencies[i];
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("heavy", 4);
        params.put("workMs", 2000);
        params.put("durationS", 15);
        params.put("pingIntervalMs", 20);
        Map<String, Object> server = new LinkedHashMap<>();
        server.put("javaVersion", "25.0.3");
        server.put("javaVm", "OpenJDK 64-Bit Server VM 25.0.3");
        server.put("javaVendor", "Test & Co <vendor>");
        server.put("os", "Linux");
        server.put("cores", 2);
        server.put("jvmArgs", List.of("-javaagent:agent.jar=trace=demo-trace.json"));
        server.put("handlerThread", thread);
        server.put("blocksPerMs", 40000.0);
        Map<String, Object> ping = new LinkedHashMap<>();
        ping.put("sent", latencies.length + 1);
        ping.put("answered", latencies.length);
        ping.put("unanswered", 1);
        ping.put("errors", 0);
        ping.put("stats", LoadGenerator.statsMap(Stats.of(latencies)));
        Map<String, Object> work = new LinkedHashMap<>();
        work.put("completed", 15);
        work.put("throughputPerS", 1.0);
        work.put("latency", LoadGenerator.statsMap(Stats.of(new double[] {4000, 4100})));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", label);
        m.put("params", params);
        m.put("server", server);
        m.put("ping", ping);
        m.put("work", work);
        m.put("pingSamples", flat);
        m.put("pingUnanswered", List.of(100.0));
        m.put("workSamples", new double[] {4000, 4000});
        m.put("serverCpu", Map.of("cores", 1.97, "intervalS", 15.2));
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> viaJson(Map<String, Object> m) {
        return (Map<String, Object>) Json.parse(Json.write(m));
    }

    private static Document parseXml(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    }

    private static final double[] SLOW = {1200, 1500, 1800, 2100, 2950, 2990};
    private static final double[] FAST = {0.42, 0.9, 3.3, 7.5, 12.34, 14.8};

    @Test
    void bothRunsMakeWellFormedHtmlWithAnSvgChartAndBothRunsNumbers(@TempDir Path dir) throws Exception {
        Path trace = Files.writeString(dir.resolve("demo-trace.json"), "{\"traceEvents\":[]}");
        Report report = new Report(
                new Report.Run("without agent", viaJson(result("without agent", "VirtualThread[#1]/runnable@ForkJoinPool-1-worker-1", SLOW)), null),
                new Report.Run("with Timeslice", viaJson(result("with Timeslice", "VirtualThread[#1]/runnable@timeslice-M0", FAST)), null),
                trace.toString(), 10);
        String html = report.html();
        Document doc = parseXml(html);
        assertEquals("html", doc.getDocumentElement().getTagName());
        assertEquals(1, doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "svg").getLength());
        assertTrue(doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "circle").getLength() >= SLOW.length + FAST.length);
        assertTrue(html.contains("<svg"));
        // both runs' p99 and max, in the table and the legend
        assertTrue(html.contains("2.99 s"), "without: p99/max");
        assertTrue(html.contains("14.8 ms"), "with: p99/max");
        assertTrue(html.contains("1.80 s"), "without: p50");
        assertTrue(html.contains("3.30 ms"), "with: p50");
        assertTrue(html.contains("Test &amp; Co &lt;vendor&gt;"), "escaped");
        assertTrue(html.contains("ui.perfetto.dev") && html.contains(trace.toString()));
        assertFalse(html.contains("NaN"));
        assertFalse(html.contains("<script"));
        assertFalse(html.matches("(?s).*(src|href)=\"(?!https://ui\\.perfetto\\.dev).*"), "no external assets");

        String text = report.text();
        assertTrue(text.contains("without agent") && text.contains("with Timeslice"));
        assertTrue(text.contains("2.99 s") && text.contains("14.8 ms"), text);
        assertTrue(text.contains("1.97 of 2 cores"), text);
        assertTrue(text.contains("goal:") && text.contains(": NOT met"), text); // one ping unanswered
        assertFalse(text.contains("note:"), "handlers ran on Timeslice carriers");
    }

    @Test
    void aFailedAgentRunIsReportedAndThePlainRunStillShown() throws Exception {
        Report report = new Report(
                new Report.Run("without agent", viaJson(result("without agent", "VirtualThread[#1]/runnable@ForkJoinPool-1-worker-1", SLOW)), null),
                new Report.Run("with Timeslice", null, "the server JVM exited with status 1 before it was ready"),
                null, 10);
        String html = report.html();
        parseXml(html);
        assertTrue(html.contains("<svg"));
        assertTrue(html.contains("2.99 s"));
        assertTrue(html.contains("exited with status 1"));
        assertFalse(html.contains("NaN"));
        String text = report.text();
        assertTrue(text.contains("FAILED"), text);
        assertTrue(text.contains("2.99 s"), text);
    }

    @Test
    @SuppressWarnings("unchecked")
    void unansweredPingsMakeThePercentilesLowerBounds() {
        Map<String, Object> without = viaJson(result("without agent", "t", SLOW));
        ((Map<String, Object>) without.get("ping")).put("lowerBounds", true);
        Report report = new Report(new Report.Run("without agent", without, null),
                new Report.Run("with Timeslice", viaJson(result("with Timeslice", "t", FAST)), null), null, 10);
        String text = report.text();
        assertTrue(text.contains(">= 2.99 s"), text);
        assertFalse(text.contains(">= 14.8 ms"), text);
        assertTrue(report.html().contains("≥ 2.99 s"));
    }

    @Test
    void notesWhenTheAgentDidNotScheduleTheServersThreads() {
        Report report = new Report(
                new Report.Run("without agent", viaJson(result("without agent", "VirtualThread[#1]/runnable@ForkJoinPool-1-worker-1", SLOW)), null),
                new Report.Run("with Timeslice", viaJson(result("with Timeslice", "VirtualThread[#1]/runnable@ForkJoinPool-1-worker-2", SLOW)), null),
                null, 10);
        assertTrue(report.text().contains("note: with the agent the server's requests still ran on the JDK's own carrier threads"));
    }

    @Test
    void commandLineWritesTheFileAndPrintsTheTable(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        Path out = dir.resolve("sub/report.html");
        Files.writeString(a, Json.write(result("without agent", "t", SLOW)));
        Files.writeString(b, Json.write(result("with Timeslice", "t", FAST)));
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        assertEquals(0, Report.run(new String[] {a.toString(), b.toString(), out.toString()},
                new PrintStream(text, true, StandardCharsets.UTF_8)));
        String html = Files.readString(out);
        parseXml(html);
        assertTrue(html.contains("14.8 ms"));
        String table = text.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("/ping p99") && table.contains("pings answered") && table.contains("/work requests completed"), table);
    }

    @Test
    void latencyFormatting() {
        assertEquals("0.42 ms", Report.latency(0.42));
        assertEquals("12.3 ms", Report.latency(12.34));
        assertEquals("1.98 s", Report.latency(1980));
        assertEquals("–", Report.latency(Double.NaN));
        assertEquals(1.0, Report.niceStep(0.8));
        assertEquals(2.0, Report.niceStep(1.9));
        assertEquals(5.0, Report.niceStep(3));
        assertEquals("20 ms", Report.latencyTick(20));
        assertEquals("2.5 ms", Report.latencyTick(2.5));
        assertEquals("0.1 ms", Report.latencyTick(0.1));
        assertEquals("10 s", Report.latencyTick(10_000));
    }
}
