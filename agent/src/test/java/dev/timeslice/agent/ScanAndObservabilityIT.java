package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fixtures.programs.ScanTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GC-scan, the goroutine dump, schedtrace and the trace file, end to end (issues 6 and 7). */
class ScanAndObservabilityIT {
    @Test
    void aForcedGcScansAndTheExitDumpShowsEveryG(@TempDir Path dir) throws Exception {
        Path dump = dir.resolve("goroutines.txt");
        Path trace = dir.resolve("trace.json");
        Jvm.Result r = Jvm.run(List.of(
                "-javaagent:" + Jvm.agentJar() + "=procs=2,gcscanInterval=0,dump=" + dump + ",trace=" + trace
                        + ",schedtrace=100ms",
                "-cp", Jvm.classpath(ScanTarget.class), "fixtures.programs.ScanTarget"));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(Pattern.compile("(\\d+) GC-scans").matcher(r.err()).results()
                .anyMatch(m -> Integer.parseInt(m.group(1)) >= 1), "System.gc() started a scan:\n" + r);

        String d = Files.readString(dump);
        assertTrue(Pattern.compile("(?m)^goroutine \\d+ \\[running\\]:\\nfixtures\\.programs\\.ScanTarget\\.spin\\(\\.\\.\\.\\)$")
                .matcher(d).find(), "a spinner stopped at a poll in its own loop:\n" + d);
        assertTrue(Pattern.compile("(?m)^goroutine \\d+ \\[sleep\\]:$").matcher(d).find(), d);
        assertTrue(d.contains("thread \"spinner-0\"") && d.contains("thread \"sleeper\""), d);

        assertTrue(Pattern.compile("(?m)^SCHED \\d+ms: gomaxprocs=2 idleprocs=\\d+ threads=\\d+ ").matcher(r.err()).find(),
                "schedtrace lines on stderr:\n" + r.err());
        String t = Files.readString(trace);
        assertTrue(t.startsWith("{") && t.contains("\"traceEvents\"") && t.contains("spinner-0"), "trace: " + t.length());
    }
}
