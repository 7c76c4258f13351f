package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.verify;

import dev.timeslice.runtime.observe.Observability;
import dev.timeslice.runtime.Scheduler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The exit report when what it writes to fails: a disk that fills up while the goroutine dump is
 * written (a spied scheduler whose write fails as {@code Files.writeString} does then), and an
 * observability whose close throws (a mock: the real one reports its own failures). Each failure
 * costs one stderr line; the rest of the report still happens; nothing escapes the shutdown hook.
 */
class ExitReportTest {
    private static Scheduler real;

    @BeforeAll
    static void scheduler() {
        real = Scheduler.builder().name("exit-report-test").procs(1).gcScan(false).build();
    }

    @AfterAll
    static void stop() {
        real.shutdown();
    }

    private static List<String> run(Scheduler sched, Observability obs, String dump) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        ExitReport report;
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            report = new ExitReport(sched, obs, new TransformLog(LogLevel.WARN), dump, true);
        } finally {
            System.setErr(saved);
        }
        report.run();
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void aDiskThatFillsUpWhileTheDumpIsWrittenCostsOneLine() throws Exception {
        Scheduler sched = spy(real);
        doThrow(new IOException("No space left on device")).when(sched).writeGoroutineDump(any(Path.class));
        Observability obs = mock(Observability.class);
        List<String> lines = run(sched, obs, "goroutines.txt");
        assertEquals("timeslice: cannot write the goroutine dump to goroutines.txt: java.io.IOException: No space left on device",
                lines.get(0), lines.toString());
        assertEquals(3, lines.size(), "then the two summary lines: " + lines);
        assertTrue(lines.get(1).startsWith("timeslice: 0 classes rewritten"), lines.toString());
        assertTrue(lines.get(2).startsWith("timeslice: procs=1, "), lines.toString());
        verify(obs).close();
    }

    @Test
    void anObservabilityThatThrowsAtCloseStillLeavesTheDumpAndSummary() throws Exception {
        Scheduler sched = spy(real);
        doThrow(new IOException("Input/output error")).when(sched).writeGoroutineDump(any(Path.class));
        Observability obs = mock(Observability.class);
        doThrow(new IllegalStateException("trace file vanished")).when(obs).close();
        List<String> lines = run(sched, obs, "g.txt");
        assertEquals(List.of("timeslice: could not close the observability (trace, JMX, JFR): java.lang.IllegalStateException: trace file vanished",
                "timeslice: cannot write the goroutine dump to g.txt: java.io.IOException: Input/output error"),
                lines.subList(0, 2), lines.toString());
        assertEquals(4, lines.size(), lines.toString());
    }
}
