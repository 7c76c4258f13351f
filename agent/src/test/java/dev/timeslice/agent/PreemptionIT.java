package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fixtures.fairness.Fairness;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Preemption end to end (issue 4): CPU-bound G's of every loop shape (counted, nested, list
 * walk, calls, recursion, long counter, synchronized, Math) and a 10 ms ticker, with the agent.
 * A starvation detector with generous bounds, not a timing gate: without preemption the ticker
 * gets no tick at all (the JDK's scheduler: "ticks=0").
 */
class PreemptionIT {
    static final Pattern TICKS = Pattern.compile("ticks=(\\d+)");
    static final Pattern SERVED = Pattern.compile("preemptions (\\d+) served");
    static final Pattern HANDOFFS = Pattern.compile("(\\d+) P handoffs");

    static long find(Pattern p, String s) {
        Matcher m = p.matcher(s);
        assertTrue(m.find(), p + " in:\n" + s);
        return Long.parseLong(m.group(1));
    }

    @Test
    void cpuBoundGsOfEveryLoopShapeDoNotStarveATicker() throws Exception {
        for (String kind : List.of("virtual", "platform")) {
            Jvm.Result r = Jvm.run(List.of("-javaagent:" + Jvm.agentJar() + "=procs=2",
                    "-cp", Jvm.classpath(Fairness.class), "fixtures.fairness.Fairness", kind, "8", "2"));
            assertEquals(0, r.exit(), r.toString());
            long ticks = find(TICKS, r.out());
            assertTrue(ticks >= 20, kind + ": the ticker starved (" + ticks + " ticks in 2 s):\n" + r);
            assertTrue(find(SERVED, r.err()) > 0, "preemptions were served:\n" + r);
        }
    }

    @Test
    void aGStuckInALongJdkCallDoesNotStopTheOthers() throws Exception {
        Jvm.Result r = Jvm.run(List.of("-javaagent:" + Jvm.agentJar() + "=procs=1", "-Xmx1g",
                "-cp", Jvm.classpath(Fairness.class), "fixtures.programs.StuckInJdk"));
        assertEquals(0, r.exit(), r.toString());
        Matcher m = Pattern.compile("ticks while sorting (\\d+)").matcher(r.out());
        assertTrue(m.find(), r.toString());
        assertTrue(Long.parseLong(m.group(1)) >= 5, "the ticker ran while the sort held the only P:\n" + r);
        assertTrue(find(HANDOFFS, r.err()) >= 1, "sysmon retook the P:\n" + r);
    }
}
