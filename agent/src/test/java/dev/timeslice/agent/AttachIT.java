package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fixtures.attach.StarvedServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Late attach, end to end: a real JVM started without the agent runs {@link StarvedServer} (one
 * virtual thread per connection, the JDK's scheduler limited to one carrier); a CPU-bound request
 * starves every later one until Timeslice is attached with {@code timeslice-agent.jar attach
 * <pid>} or {@code jcmd <pid> JVMTI.agent_load}. Waits are generous bounds, never thresholds.
 */
class AttachIT {
    private static final String CP = Jvm.classpath(StarvedServer.class);
    private static final long BOUND_S = 60;
    private final List<Process> started = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stopLeftovers() {
        started.forEach(Process::destroyForcibly);
    }

    /** The server JVM, its stdout/stderr in files, and its port. */
    private record Target(Process process, Path out, Path err, int port) {
        long pid() {
            return process.pid();
        }

        List<String> outLines() throws IOException {
            return Files.readAllLines(out).stream().filter(l -> !l.isBlank()).toList();
        }

        List<String> errLines() throws IOException {
            return Files.readAllLines(err).stream().filter(l -> !l.isBlank()).toList();
        }

        String describe() throws IOException {
            return "--- target stdout\n" + Files.readString(out) + "--- target stderr\n" + Files.readString(err);
        }
    }

    /** Platform-thread I/O pollers: what README recommends for a JVM one may attach to (see LateAgent.ioPollers). */
    private static final String POLLERS = "-Djdk.pollerMode=1";

    private Target start(String... jvmFlags) throws Exception {
        return start(List.of(jvmFlags), List.of());
    }

    private Target start(List<String> jvmFlags, List<String> programArgs) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-Djdk.virtualThreadScheduler.parallelism=1", "-cp", CP, StarvedServer.class.getName()));
        cmd.addAll(programArgs);
        Path out = Files.createTempFile(dir, "target", ".out");
        Path err = Files.createTempFile(dir, "target", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        started.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_S);
        Pattern port = Pattern.compile("port (\\d+)");
        while (System.nanoTime() < deadline && p.isAlive()) {
            List<String> lines = Files.readAllLines(out);
            if (!lines.isEmpty()) {
                Matcher m = port.matcher(lines.get(0));
                if (m.matches()) {
                    return new Target(p, out, err, Integer.parseInt(m.group(1)));
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the server did not start: " + Files.readString(out) + Files.readString(err));
    }

    /** One request on its own connection; the future completes with every line of the answer. */
    private static CompletableFuture<List<String>> send(Target t, String request) {
        CompletableFuture<List<String>> answer = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), t.port());
                 PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
                 BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
                out.println(request);
                answer.complete(in.lines().toList());
            } catch (IOException e) {
                answer.completeExceptionally(e);
            }
        });
        return answer;
    }

    /** A spin request, returned once the server says it is spinning. */
    private static SpinningRequest spin(Target t) throws Exception {
        CompletableFuture<String> spinning = new CompletableFuture<>();
        CompletableFuture<String> spun = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), t.port());
                 PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
                 BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
                out.println("spin");
                spinning.complete(in.readLine());
                spun.complete(in.readLine());
            } catch (IOException e) {
                spinning.completeExceptionally(e);
                spun.completeExceptionally(e);
            }
        });
        assertEquals("spinning", spinning.get(BOUND_S, TimeUnit.SECONDS));
        return new SpinningRequest(spun);
    }

    private record SpinningRequest(CompletableFuture<String> spun) {
    }

    private static <T> T await(CompletableFuture<T> f, Target t) throws Exception {
        try {
            return f.get(BOUND_S, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no answer within " + BOUND_S + " s\n" + t.describe());
        }
    }

    private static Jvm.Result attachCli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("-jar", Jvm.agentJar().toString(), "attach"));
        cmd.addAll(List.of(args));
        return Jvm.run(cmd);
    }

    /** A request sent a while after connecting, so the server's read waits for it (through the I/O pollers). */
    private static CompletableFuture<List<String>> sendLate(Target t, String request) {
        CompletableFuture<List<String>> answer = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), t.port());
                 PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
                 BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
                Thread.sleep(300);
                out.println(request);
                answer.complete(in.lines().toList());
            } catch (IOException | InterruptedException e) {
                answer.completeExceptionally(e);
            }
        });
        return answer;
    }

    private static void quitAndCheckOutput(Target t, int pings) throws Exception {
        assertEquals(List.of("bye"), await(send(t, "quit"), t));
        assertTrue(t.process().waitFor(BOUND_S, TimeUnit.SECONDS), t.describe());
        assertEquals(0, t.process().exitValue(), t.describe());
        // the program's own output, exactly what it prints without Timeslice
        List<String> out = t.outLines();
        assertEquals(List.of("port " + t.port(), "served spin=1 ping=" + pings + " release=1", "bye"), out, t.describe());
        assertTrue(t.errLines().stream().noneMatch(l -> l.startsWith("request failed")), t.describe());
    }

    @Test
    void anAttachedServerAnswersNewCheapRequestsWhileTheOldCpuBoundOneFinishes() throws Exception {
        Target t = start("-XX:+EnableDynamicAgentLoading", POLLERS);
        SpinningRequest spin = spin(t);
        CompletableFuture<List<String>> starved = send(t, "ping");
        // the precondition: the JDK's only carrier is busy spinning, so the ping waits
        assertThrows(starved);

        Jvm.Result attach = attachCli(Long.toString(t.pid()));
        assertEquals(0, attach.exit(), attach + t.describe());
        assertEquals(1, attach.outLines().size(), attach.toString());
        Matcher m = Pattern.compile("timeslice: attached to " + t.pid()
                + ": (\\d+) classes retransformed, (\\d+) left alone, 0 failed \\(\\d+ JDK, Timeslice, hidden or excluded"
                + " classes not considered\\) in \\d+ ms; threads that already exist stay where they are")
                .matcher(attach.outLines().get(0));
        assertTrue(m.matches(), attach.toString());
        assertTrue(Integer.parseInt(m.group(1)) >= 1, "StarvedServer itself is retransformed: " + attach);
        assertEquals("", attach.err(), attach.toString());

        // a new request gets a new virtual thread, created by rewritten code: on Timeslice
        assertEquals(List.of("pong"), await(send(t, "ping"), t));
        assertEquals(List.of("pong"), await(sendLate(t, "ping"), t));
        assertFalse(spin.spun().isDone(), "the old CPU-bound request is still running");
        assertFalse(starved.isDone(), "a virtual thread created before the attach stays on the JDK's scheduler");

        assertEquals(List.of("released"), await(send(t, "release"), t));
        assertEquals("spun 0", await(spin.spun(), t));
        assertEquals(List.of("pong"), await(starved, t));
        quitAndCheckOutput(t, 3);
        List<String> attached = t.errLines().stream().filter(l -> l.startsWith("timeslice: attached: ")).toList();
        assertEquals(1, attached.size(), t.describe());
        assertTrue(t.errLines().stream().anyMatch(l -> l.contains("threads routed: Thread.ofVirtual ")), t.describe());
    }

    /** The ping is not answered while the JDK's only carrier spins (it cannot be, until the spin ends). */
    private static void assertThrows(CompletableFuture<List<String>> starved) throws Exception {
        try {
            List<String> early = starved.get(1, TimeUnit.SECONDS);
            throw new AssertionError("the server was not starved: " + early);
        } catch (TimeoutException expected) {
            // starved, as without Timeslice
        }
    }

    @Test
    void jcmdLoadsTheAgentTooAndASecondAttachIsRefused() throws Exception {
        Target t = start("-XX:+EnableDynamicAgentLoading", POLLERS);
        SpinningRequest spin = spin(t);
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(t.pid()), "JVMTI.agent_load",
                // jcmd takes key=value as its own named argument: the options go in double quotes
                Jvm.agentJar().toString(), "\"procs=1,slice=5ms\"").redirectErrorStream(true).start();
        String jcmdOut = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(BOUND_S, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), jcmdOut);
        assertTrue(jcmdOut.contains("return code: 0"), jcmdOut);
        List<String> ours = t.errLines().stream().filter(l -> l.startsWith("timeslice")).toList();
        assertEquals(1, ours.size(), jcmdOut + t.describe());
        assertTrue(ours.get(0).startsWith("timeslice: attached: "), jcmdOut + t.describe());
        assertEquals(List.of("pong"), await(send(t, "ping"), t));

        Jvm.Result again = attachCli(Long.toString(t.pid()));
        assertEquals(1, again.exit(), again.toString());
        assertEquals(List.of("timeslice: already running in this JVM (started with -javaagent, or attached before)"),
                again.errLines(), again.toString());
        assertEquals("", again.out());

        assertEquals(List.of("released"), await(send(t, "release"), t));
        assertEquals("spun 0", await(spin.spun(), t));
        quitAndCheckOutput(t, 1);
    }

    @Test
    void aJvmStartedWithTheAgentRefusesTheAttachAndKeepsRunning() throws Exception {
        Target t = start("-XX:+EnableDynamicAgentLoading", "-javaagent:" + Jvm.agentJar() + "=summary=false");
        Jvm.Result attach = attachCli(Long.toString(t.pid()), "procs=1");
        assertEquals(1, attach.exit(), attach.toString());
        assertEquals(List.of("timeslice: already running in this JVM (started with -javaagent, or attached before)"),
                attach.errLines(), attach.toString());
        // with -javaagent the spin is preempted anyway: every request is answered
        SpinningRequest spin = spin(t);
        assertEquals(List.of("pong"), await(send(t, "ping"), t));
        assertEquals(List.of("released"), await(send(t, "release"), t));
        assertEquals("spun 0", await(spin.spun(), t));
        quitAndCheckOutput(t, 1);
        // the JVM itself may say that appending Boot-Class-Path limits class data sharing
        assertEquals(List.of("timeslice: already running in this JVM (started with -javaagent, or attached before)"),
                t.errLines().stream().filter(l -> l.startsWith("timeslice")).toList(), "one line in the target too");
    }

    @Test
    void badAttachCommandsSayWhatIsWrongInOneLine() throws Exception {
        Jvm.Result noPid = attachCli();
        assertEquals(2, noPid.exit(), noPid.toString());
        assertTrue(noPid.err().startsWith("usage: java -jar timeslice-agent.jar attach <pid>"), noPid.toString());

        Jvm.Result gone = attachCli("999999999");
        assertEquals(1, gone.exit(), gone.toString());
        assertEquals(List.of("timeslice: no process with pid 999999999"), gone.errLines());

        Jvm.Result badOption = attachCli(Long.toString(ProcessHandle.current().pid()), "procs=0");
        assertEquals(1, badOption.exit(), badOption.toString());
        assertEquals(1, badOption.errLines().size(), badOption.toString());
        assertTrue(badOption.err().startsWith("timeslice: bad value '0' for option procs"), badOption.toString());
        assertEquals("", badOption.out());
    }

    @Test
    void aProgramCanAttachTimesliceToItself() throws Exception {
        Jvm.Result r = Jvm.run(List.of("-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading",
                "-cp", Jvm.classpath(itapp.SelfAttach.class), "itapp.SelfAttach", Jvm.agentJar().toString()));
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("still running"), r.outLines());
        List<String> attached = r.errLines().stream().filter(l -> l.startsWith("timeslice: attached: ")).toList();
        assertEquals(1, attached.size(), r.toString());
    }

    @Test
    void loadedClassesBehaveTheSameAfterTheyAreRetransformed() throws Exception {
        String cp = Jvm.classpath(fixtures.attach.SemanticsAcrossAttach.class, org.apache.commons.lang3.StringUtils.class,
                com.fasterxml.jackson.databind.ObjectMapper.class, com.fasterxml.jackson.core.JsonParser.class,
                com.fasterxml.jackson.annotation.JsonProperty.class);
        Jvm.Result r = Jvm.run(List.of("-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading",
                "-cp", cp, "fixtures.attach.SemanticsAcrossAttach", Jvm.agentJar().toString(), "log=info"));
        assertEquals(0, r.exit(), r.toString());
        List<String> out = r.outLines();
        int second = out.indexOf("round 2");
        assertTrue(second > 0, r.toString());
        List<String> one = out.subList(1, second);
        List<String> two = out.subList(second + 1, out.size() - 1);
        // no virtual thread waited for I/O before the attach: the JDK's pollers start as platform threads
        assertEquals("pollerMode 1", out.get(out.size() - 1), r.toString());
        assertEquals(List.of("ALL OK"), one.stream().filter(l -> l.startsWith("ALL OK") || l.startsWith("FAIL")).toList(), r.toString());
        assertEquals(List.of("ALL OK"), two.stream().filter(l -> l.startsWith("ALL OK") || l.startsWith("FAIL")).toList(), r.toString());
        assertEquals(one.stream().filter(l -> !l.startsWith("carrier")).toList(),
                two.stream().filter(l -> !l.startsWith("carrier")).toList(), "same results before and after: " + r);
        // threads created by the retransformed code after the attach run on Timeslice; main stays a platform thread
        assertTrue(one.stream().filter(l -> l.startsWith("carrier ")).noneMatch(l -> l.contains(ProgramsIT.ON_TIMESLICE)), r.toString());
        assertTrue(two.stream().filter(l -> l.startsWith("carrier virtual") || l.startsWith("carrier pool")
                || l.startsWith("carrier platform-builder")).allMatch(l -> l.contains(ProgramsIT.ON_TIMESLICE)), r.toString());
        assertTrue(two.stream().anyMatch(l -> l.startsWith("carrier main Thread[#")), r.toString());

        Matcher m = Pattern.compile(".*timeslice: attached: (\\d+) classes retransformed, (\\d+) left alone, (\\d+) failed .*")
                .matcher(r.errLines().stream().filter(l -> l.contains("timeslice: attached:")).findFirst().orElse(""));
        assertTrue(m.matches(), r.toString());
        // a class the JVM refuses (a rewriter bug: its verifier is the judge) is left as it was, with one warning
        List<String> refused = r.errLines().stream().filter(l -> l.contains(": left as it was: ")).toList();
        // (failed also counts classes the rewriter itself gave up on, each with its own warning)
        assertTrue(refused.size() <= Integer.parseInt(m.group(3)), r.toString());
        assertEquals(refused.size(), refused.stream().distinct().count(), r.toString());
        // the libraries' classes that were loaded (and are not JDK) are among those retransformed
        assertTrue(Integer.parseInt(m.group(1)) > 50, r.toString());
        assertTrue(r.errLines().stream().anyMatch(l -> l.startsWith("timeslice: info: com.fasterxml.jackson.databind.ObjectMapper: rewritten")),
                r.toString());
    }

    @Test
    void aJvmOlderThanJava21IsNotTouched() throws Exception {
        Path java17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(java17), "no JDK 17 here");
        Path program = dir.resolve("Waits.java");
        Files.writeString(program, "public class Waits { public static void main(String[] a) throws Exception {"
                + " System.out.println(\"waiting\"); Thread.sleep(120_000); } }");
        Path out = dir.resolve("waits.out");
        Process p = new ProcessBuilder(java17.toString(), program.toString()).redirectOutput(out.toFile())
                .redirectError(dir.resolve("waits.err").toFile()).start();
        started.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_S);
        while (!Files.readString(out).contains("waiting") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Jvm.Result r = attachCli(Long.toString(p.pid()));
        assertEquals(1, r.exit(), r.toString());
        assertEquals(List.of("timeslice: " + p.pid() + " runs Java 17; Timeslice needs Java 21 or newer"), r.errLines());
        assertTrue(p.isAlive(), "still running");
        assertEquals("", Files.readString(dir.resolve("waits.err")), "nothing loaded into it");
    }

    @Test
    void whenNoVirtualThreadHasWaitedForIoYetTheAttachGivesTheJdkPlatformThreadPollers() throws Exception {
        // no -Djdk.pollerMode: the JDK's default (JDK 22+ on Linux: pollers are virtual threads on its own scheduler)
        Target t = start(List.of("-XX:+EnableDynamicAgentLoading"), List.of("spin-at-start"));
        Jvm.Result attach = attachCli(Long.toString(t.pid()));
        assertEquals(0, attach.exit(), attach + t.describe());
        assertFalse(attach.out().contains("note:"), attach.toString());
        // reads that wait for their data are woken by pollers that do not need the JDK's busy carrier
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of("pong"), await(sendLate(t, "ping"), t));
        }
        assertEquals(List.of("released"), await(send(t, "release"), t));
        quitAndCheckOutput(t, 3);
    }

    @Test
    void whenTheJdkPollersAreVirtualThreadsAlreadyTheSummarySaysSo() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"),
                "the JDK's default poller mode differs elsewhere");
        Target t = start("-XX:+EnableDynamicAgentLoading");
        assertEquals(List.of("pong"), await(sendLate(t, "ping"), t)); // a read waited: the pollers run
        Jvm.Result attach = attachCli(Long.toString(t.pid()));
        assertEquals(0, attach.exit(), attach + t.describe());
        assertTrue(attach.out().contains("; note: the JDK's I/O pollers run on the JDK's busy scheduler (jdk.pollerMode=2)"),
                attach.toString());
        assertEquals(List.of("bye"), await(send(t, "quit"), t));
        assertTrue(t.process().waitFor(BOUND_S, TimeUnit.SECONDS), t.describe());
        assertEquals(0, t.process().exitValue(), t.describe());
        assertEquals(List.of("port " + t.port(), "served spin=0 ping=1 release=0", "bye"), t.outLines(), t.describe());
    }

    @Test
    void aRenamedAgentJarAttachesToo() throws Exception {
        Path renamed = Files.copy(Jvm.agentJar(), dir.resolve("ts agent.jar"));
        Target t = start("-XX:+EnableDynamicAgentLoading", POLLERS);
        Jvm.Result attach = Jvm.run(List.of("-jar", renamed.toString(), "attach", Long.toString(t.pid()), "procs=1", "slice=5ms"));
        assertEquals(0, attach.exit(), attach + t.describe());
        assertTrue(attach.out().startsWith("timeslice: attached to " + t.pid() + ": "), attach.toString());
        assertEquals(List.of("pong"), await(sendLate(t, "ping"), t));
        assertEquals(List.of("bye"), await(send(t, "quit"), t));
        assertTrue(t.process().waitFor(BOUND_S, TimeUnit.SECONDS), t.describe());
        assertEquals(0, t.process().exitValue(), t.describe());
        assertTrue(t.errLines().stream().anyMatch(l -> l.startsWith("timeslice: procs=1, ")), "the options arrived: " + t.describe());
    }
}
