package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fixtures.deadlock.AllAsleep;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deadlocks among G's (issue 17), end to end: JVMs with the agent on the fixture programs in
 * {@code fixtures.deadlock}. Deadlocked programs never end by themselves, so most tests start
 * the JVM, wait for what it prints, and then stop it (SIGTERM, or SIGKILL).
 *
 * <p>The programs that must not be reported are watched for {@link #QUIET} — several times the
 * detector's period (one check per second at most, confirmed 300 ms later); the deadlocked
 * programs are reported within about a second of deadlocking.
 */
class DeadlockIT {
    static final String ALL_ASLEEP = "timeslice: all goroutines are asleep - deadlock!";
    static final String CYCLE = "Found one deadlock among G's:";
    static final long QUIET = 4_000;
    static final long REPORT_TIMEOUT = 60_000;

    /** A JVM running a fixture, its stdout and stderr collected in files. */
    static final class Running implements AutoCloseable {
        final Process process;
        final Path out;
        final Path err;

        Running(List<String> jvmArgs, String mainClass, String agentOptions, String... args) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-javaagent:" + Jvm.agentJar() + (agentOptions.isEmpty() ? "" : "=" + agentOptions));
            cmd.addAll(jvmArgs);
            cmd.add("-cp");
            cmd.add(Jvm.classpath(AllAsleep.class));
            cmd.add(mainClass);
            cmd.addAll(List.of(args));
            out = Files.createTempFile("timeslice-deadlock", ".out");
            err = Files.createTempFile("timeslice-deadlock", ".err");
            process = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        }

        String out() throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        String err() throws IOException {
            return Files.readString(err, StandardCharsets.UTF_8);
        }

        /** Waits until stdout or stderr contains {@code text}; fails if the JVM ends first or it takes too long. */
        void await(String text) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REPORT_TIMEOUT);
            while (!out().contains(text) && !err().contains(text)) {
                if (!process.isAlive() && !out().contains(text) && !err().contains(text)) {
                    throw new AssertionError("ended (exit " + process.exitValue() + ") without printing '" + text + "'\n" + this);
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no '" + text + "' within " + REPORT_TIMEOUT + " ms\n" + this);
                }
                Thread.sleep(50);
            }
        }

        /** SIGTERM, and the exit status. */
        int terminate() throws Exception {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("did not end on SIGTERM\n" + this);
            }
            return process.exitValue();
        }

        @Override
        public void close() throws IOException {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }

        @Override
        public String toString() {
            try {
                return "--- stdout\n" + out() + "--- stderr\n" + err();
            } catch (IOException e) {
                return e.toString();
            }
        }
    }

    static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }

    // ---------------------------------------------------------------- deadlocks that are reported

    @Test
    void aMonitorCycleIsReportedOnceWithBothStacksWhileMainRunsOn(@TempDir Path dir) throws Exception {
        Path dump = dir.resolve("goroutines.txt");
        try (Running r = new Running(List.of(), "fixtures.deadlock.MonitorCycle", "dump=" + dump)) {
            r.await("Found 1 deadlock.");
            Thread.sleep(2_500); // main keeps waking up, sysmon keeps idling: later checks must not repeat it
            String err = r.err();
            assertEquals(1, count(err, CYCLE), r.toString());
            assertTrue(err.contains("goroutine 2 \"left\":\n  waiting to lock monitor <0x"), r.toString());
            assertTrue(err.contains("goroutine 3 \"right\":\n  waiting to lock monitor <0x"), r.toString());
            assertTrue(err.contains("(a java.lang.Object),\n  which is held by goroutine 3 \"right\""), r.toString());
            assertTrue(err.contains("(a java.lang.Object),\n  which is held by goroutine 2 \"left\""), r.toString());
            assertTrue(err.contains("goroutine 2 [monitor enter]:\nfixtures.deadlock.MonitorCycle.lambda$main$0(...)"), r.toString());
            assertTrue(err.contains("goroutine 3 [monitor enter]:\nfixtures.deadlock.MonitorCycle.lambda$main$1(...)"), r.toString());
            assertTrue(err.contains("\tMonitorCycle.java:17\n\t- waiting to lock <0x"), "jstack's lock lines: " + r);
            assertEquals(2, count(err, "\t- locked <0x"), "each holds one monitor: " + r);
            assertFalse(err.contains(ALL_ASLEEP), "main still runs: " + r);
            assertTrue(r.process.isAlive(), "report mode keeps the JVM up: " + r);
            assertEquals(143, r.terminate(), r.toString());
            assertTrue(r.err().contains("timeslice: 1 deadlock among G's: lock cycle among G's [2, 3]"),
                    "exit summary: " + r);
            String goroutines = Files.readString(dump);
            assertTrue(goroutines.contains("# deadlocks found among G's: 1\n"), goroutines);
            assertTrue(goroutines.contains(": lock cycle among G's [2, 3]\n"), goroutines);
            assertTrue(goroutines.contains("goroutine 2 \"left\":\n  waiting to lock monitor"), goroutines);
        }
    }

    @Test
    void aReentrantLockCycleIsFoundWhileAnotherGKeepsACoreBusyAndShowsInJfrAndTheTrace(@TempDir Path dir) throws Exception {
        Path jfr = dir.resolve("run.jfr");
        Path trace = dir.resolve("trace.json");
        List<String> jvm = List.of("-Xmx64m",
                "-XX:StartFlightRecording:+dev.timeslice.Deadlock#enabled=true,filename=" + jfr);
        try (Running r = new Running(jvm, "fixtures.deadlock.LockCycle", "trace=" + trace)) {
            r.await("Found 1 deadlock.");
            String err = r.err();
            assertEquals(1, count(err, CYCLE), r.toString());
            assertTrue(err.contains("goroutine 2 \"left\":\n  waiting for ownable synchronizer <0x"), r.toString());
            assertTrue(err.contains("(a java.util.concurrent.locks.ReentrantLock$NonfairSync),\n  which is held by goroutine 3 \"right\""), r.toString());
            assertTrue(err.contains("(a java.util.concurrent.locks.ReentrantLock$NonfairSync),\n  which is held by goroutine 2 \"left\""), r.toString());
            assertTrue(err.contains("fixtures.deadlock.LockCycle.both(...)"), r.toString());
            assertEquals(143, r.terminate(), r.toString());

            List<RecordedEvent> events = new ArrayList<>();
            for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
                if (e.getEventType().getName().equals("dev.timeslice.Deadlock")) {
                    events.add(e);
                }
            }
            assertEquals(1, events.size(), "one JFR event: " + events);
            assertEquals("lock cycle", events.get(0).getString("kind"));
            assertEquals(2, events.get(0).getInt("gs"));
            assertEquals("[2, 3]", events.get(0).getString("goids"));
            String json = Files.readString(trace);
            assertTrue(json.contains("\"name\":\"deadlock: lock cycle\""), json.length() > 2000 ? json.substring(0, 2000) : json);
            assertTrue(json.contains("\"goids\":\"[2, 3]\""), "trace args");
        }
    }

    @Test
    void aCycleOfThreeGsThroughMonitorsAndAReentrantLock() throws Exception {
        try (Running r = new Running(List.of(), "fixtures.deadlock.ThreeWayCycle", "")) {
            r.await("Found 1 deadlock.");
            String err = r.err();
            assertEquals(1, count(err, CYCLE), r.toString());
            assertTrue(err.contains("goroutine 2 \"one\":\n  waiting for ownable synchronizer"), r.toString());
            assertTrue(err.contains("which is held by goroutine 3 \"two\"\ngoroutine 3 \"two\":\n  waiting to lock monitor"), r.toString());
            assertTrue(err.contains("which is held by goroutine 4 \"three\"\ngoroutine 4 \"three\":\n  waiting to lock monitor"), r.toString());
            assertTrue(err.contains("which is held by goroutine 2 \"one\"\n\nStacks of the G's listed above:"), r.toString());
            assertTrue(err.contains("\tLocked ownable synchronizers:\n\t- <0x"), "two holds the ReentrantLock: " + r);
            assertTrue(err.contains("\t- parking to wait for <0x"), r.toString());
            for (String lambda : List.of("lambda$main$0", "lambda$main$1", "lambda$main$2")) {
                assertTrue(err.contains("fixtures.deadlock.ThreeWayCycle." + lambda + "(...)"), lambda + ": " + r);
            }
        }
    }

    @Test
    void allAsleepWithExitEndsTheJvmWithStatusTwoLikeGo() throws Exception {
        Jvm.Result r = ProgramsIT.run("fixtures.deadlock.AllAsleep", "deadlock=exit");
        assertEquals(2, r.exit(), r.toString());
        assertEquals(1, count(r.err(), ALL_ASLEEP), r.toString());
        assertTrue(r.err().contains(ALL_ASLEEP + "\n\n# timeslice goroutine dump"), r.toString());
        assertTrue(r.err().contains("goroutine 1 [join]:"), r.toString());
        assertTrue(r.err().contains("goroutine 2 [sync wait]:"), r.toString());
        assertTrue(r.err().contains("fixtures.deadlock.AllAsleep.main(...)"), r.toString());
        assertTrue(r.out().contains("started") && !r.out().contains("joined"), r.toString());
        assertTrue(r.err().contains("timeslice: 1 deadlock among G's: all goroutines are asleep (2 G's)"), r.toString());
    }

    @Test
    void allAsleepIsReportedOnceAndTheJvmWaitsAsJavaDoes() throws Exception {
        try (Running r = new Running(List.of(), "fixtures.deadlock.AllAsleep", "")) {
            r.await(ALL_ASLEEP);
            Thread.sleep(3_000);
            assertTrue(r.process.isAlive(), "report keeps Java's behaviour: " + r);
            assertEquals(1, count(r.err(), ALL_ASLEEP), r.toString());
            assertTrue(r.err().contains("goroutine 2 [sync wait]:"), r.toString());
        }
    }

    @Test
    void deadlockOffReportsNothing() throws Exception {
        try (Running r = new Running(List.of(), "fixtures.deadlock.MonitorCycle", "deadlock=off")) {
            r.await("started");
            Thread.sleep(QUIET);
            assertFalse(r.err().contains("deadlock"), r.toString());
        }
    }

    @Test
    void aBadModeStopsTheJvmBeforeMainWithOneLine() throws Exception {
        Jvm.Result r = ProgramsIT.run("fixtures.deadlock.AllAsleep", "deadlock=sometimes");
        assertEquals(1, r.exit(), r.toString());
        assertFalse(r.out().contains("started"), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().contains("deadlock") && r.err().contains("report, exit or off"), r.toString());
    }

    // ---------------------------------------------------------------- programs that are not deadlocked

    private static void staysQuiet(String mainClass, String ready, String... args) throws Exception {
        try (Running r = new Running(List.of(), mainClass, "", args)) {
            r.await(ready);
            Thread.sleep(QUIET);
            assertTrue(r.process.isAlive(), r.toString());
            assertFalse(r.err().contains("deadlock"), r.toString());
        }
    }

    @Test
    void aServerWaitingForAConnectionIsNotDeadlocked() throws Exception {
        staysQuiet("fixtures.deadlock.AcceptServer", "listening on");
    }

    @Test
    void aGInALongSleepIsNotDeadlocked() throws Exception {
        staysQuiet("fixtures.deadlock.Sleeper", "started");
    }

    @Test
    void aGWaitingForAChildProcessIsNotDeadlocked() throws Exception {
        staysQuiet("fixtures.deadlock.WaitsForChild", "child ", "60");
    }

    @Test
    void aGWaitingForAChildProcessThroughOnExitIsNotDeadlocked() throws Exception {
        staysQuiet("fixtures.deadlock.WaitsForChild", "child ", "60", "onExit");
    }

    @Test
    void mainWaitingForWhatAShutdownHookReleasesIsNotDeadlocked() throws Exception {
        try (Running r = new Running(List.of(), "fixtures.deadlock.HookReleases", "")) {
            r.await("waiting for a signal");
            Thread.sleep(QUIET);
            assertFalse(r.err().contains("deadlock"), r.toString());
            assertEquals(143, r.terminate(), r.toString());
            assertTrue(r.out().contains("hook ran"), r.toString());
            assertFalse(r.err().contains("deadlock"), r.toString());
        }
    }

    @Test
    void aSlowProducerAndItsConsumerAreNotDeadlocked() throws Exception {
        Jvm.Result r = ProgramsIT.run("fixtures.deadlock.SlowProducerConsumer");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("consumed 8, sum 36"), r.toString());
        assertFalse(r.err().contains("deadlock"), r.toString());
    }
}
