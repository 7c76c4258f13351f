package dev.timeslice.runtime.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timeslice.runtime.Scheduler;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObservabilityTest {
    @Test
    void settingsFromAgentOptions() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("schedtrace", "1000");
        o.put("scheddetail", "");
        o.put("trace", "out/t.json");
        o.put("tracebuf", "4096");
        o.put("jmx", "false");
        o.put("include", "com.example.*"); // the agent's, ignored here
        Observability.Settings s = Observability.Settings.fromOptions(o);
        assertEquals(1000, s.schedtraceMillis());
        assertTrue(s.scheddetail());
        assertEquals(Path.of("out/t.json"), s.traceFile());
        assertEquals(4096, s.traceBufferEvents());
        assertFalse(s.jmx());
        assertTrue(s.jfr());

        Observability.Settings d = Observability.Settings.fromOptions(Map.of());
        assertEquals(Observability.Settings.defaults(), d);
        assertEquals(0, d.schedtraceMillis());
        assertNull(d.traceFile());
        assertTrue(d.jmx() && d.jfr());

        assertEquals(250, Observability.Settings.fromOptions(Map.of("schedtrace", "250ms")).schedtraceMillis());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Observability.Settings.fromOptions(Map.of("jfr", "maybe")));
        assertTrue(e.getMessage().startsWith("jfr=maybe"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Observability.Settings.fromOptions(Map.of("schedtrace", "-1")));
    }

    @Test
    void aListenerInstalledBeforeKeepsItsEventsAndIsPutBack() throws Exception {
        try (Scheduler s = Scheduler.builder().name("obs-prev").procs(1).build()) {
            SchedEventsFanoutTest.Log prev = new SchedEventsFanoutTest.Log();
            s.setEvents(prev);
            Observability o = Observability.install(s, Observability.Settings.none()
                    .withTrace(Path.of(System.getProperty("java.io.tmpdir"), "obs-prev-" + ProcessHandle.current().pid() + ".json")));
            assertTrue(s.events() instanceof SchedEventsFanout);
            s.go(() -> { }).join();
            // join() returns when the G ends, a moment before its M reports the end of the run
            while (prev.seen.stream().noneMatch(x -> x.startsWith("end "))) {
                Thread.sleep(1);
            }
            o.close();
            assertSame(prev, s.events());
            java.nio.file.Files.deleteIfExists(o.settings().traceFile());
        }
    }
}
