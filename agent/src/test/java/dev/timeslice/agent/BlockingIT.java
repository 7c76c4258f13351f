package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fixtures.programs.BlockedCalls;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, end to end: G's blocked in calls that never reach a poll lose their P (Go's
 * syscall handoff), a deep stack never makes a preemption fail the program, and what a G cannot
 * give (its own stack size, thread group) or would hide (a priority) behaves as without the
 * agent. No timing thresholds: the programs print what they observed.
 */
class BlockingIT {
    private static final String CP = Jvm.classpath(BlockedCalls.class);

    private static Jvm.Result plain(String main, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("-cp", CP, main));
        cmd.addAll(List.of(args));
        return Jvm.run(cmd);
    }

    private static Jvm.Result agent(String options, String main, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("-javaagent:" + Jvm.agentJar() + "=" + options, "-cp", CP, main));
        cmd.addAll(List.of(args));
        return Jvm.run(cmd);
    }

    @Test
    void theTickerAndMainRunWhileTwoGsAreBlockedInAPipeRead() throws Exception {
        Jvm.Result r = agent("procs=2", "fixtures.programs.BlockedCalls", "pipe", "2");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("pipe: ticker ticked and main slept while 2 G's were blocked: true"), r.toString());
        assertTrue(!r.err().contains(" 0 P handoffs"), "the blocked G's P's were handed off: " + r);
    }

    @Test
    void theTickerAndMainRunWhileThreeGsWaitForChildProcesses() throws Exception {
        Jvm.Result r = agent("procs=2", "fixtures.programs.BlockedCalls", "waitFor", "3");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("waitFor: ticker ticked and main slept while 3 G's were blocked: true"), r.toString());
    }

    @Test
    void oneStdinReadDoesNotStopEverythingWithOneP() throws Exception {
        Jvm.Result r = agent("procs=1", "fixtures.programs.BlockedCalls", "stdin", "1");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("stdin: ticker ticked and main slept while 1 G's were blocked: true"), r.toString());
    }

    @Test
    void aSleepingTickerIsServedDuringABurstOfRunnableGs() throws Exception {
        Jvm.Result r = agent("procs=2", "fixtures.fairness.Burst", "2000", "platform");
        assertEquals(0, r.exit(), r.toString());
        String line = r.outLines().stream().filter(l -> l.startsWith("burst of 2000 tasks done")).findFirst()
                .orElseThrow(() -> new AssertionError(r.toString()));
        int ticks = Integer.parseInt(line.replaceAll(".*ticked (\\d+) times.*", "$1"));
        assertTrue(ticks > 0, "the ticker's wakeups were served while 2000 G's were runnable: " + r);
    }

    @Test
    void deepStacksNeverCrashAndMainRecursesAsDeepAsPlainMain() throws Exception {
        Jvm.Result p = plain("fixtures.programs.DeepStacks");
        assertEquals(0, p.exit(), p.toString());
        Jvm.Result r = agent("procs=1", "fixtures.programs.DeepStacks");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("main depth ") && r.out().contains("@timeslice-M") == false, r.toString());
        assertTrue(r.out().contains("survived a loop 5000 frames deep"), r.toString());
        assertTrue(r.out().contains("thread with a 256 MB stack recursed 200000 deep"), r.toString());
        assertTrue(depth(r) >= depth(p), "main on G 1 recursed " + depth(r) + " deep, plain main " + depth(p));
        assertTrue(r.err().contains("explicit stack size 1"), r.err());
    }

    private static int depth(Jvm.Result r) {
        for (String line : r.outLines()) {
            if (line.startsWith("main depth ")) {
                return Integer.parseInt(line.substring("main depth ".length()).trim());
            }
        }
        throw new AssertionError("no depth: " + r);
    }

    @Test
    void threadGroupsStackSizesAndPrioritiesLookAsWithoutTheAgent() throws Exception {
        Jvm.Result p = plain("fixtures.programs.ThreadIdentity");
        assertEquals(0, p.exit(), p.toString());
        assertTrue(p.out().contains("group.interrupt reached a: true, b: true"), p.toString());
        Jvm.Result r = agent("procs=2", "fixtures.programs.ThreadIdentity");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(p.out(), r.out(), "same output as plain; agent run:\n" + r);
        assertTrue(r.err().contains("explicit ThreadGroup"), r.err());
        assertTrue(r.err().contains("explicit stack size"), r.err());
    }
}
