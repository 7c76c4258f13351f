package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fixtures.programs.NioEcho;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A selector loop on a routed thread (a G): its blocking selects are run by its M as a platform
 * thread ({@code SelectHandoff}), and the server behaves as without the agent — every line
 * echoed, the loop ended by an interrupt with the interrupt status kept.
 */
class SelectorIT {
    private static Jvm.Result run(String... agent) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of(agent));
        args.addAll(List.of("-cp", Jvm.classpath(NioEcho.class), "fixtures.programs.NioEcho"));
        return Jvm.run(args);
    }

    @Test
    void aSelectorLoopOnAGEchoesEverythingAndStopsOnInterrupt() throws Exception {
        Jvm.Result r = run("-javaagent:" + Jvm.agentJar() + "=procs=2");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("echoed 1000 lines", "idle select on a platform thread in Timeslice's handoff: true",
                "selector loop stopped, interrupted: true", "selects > 0: true"), r.outLines(), r.toString());
    }

    @Test
    void withoutTheAgentTheSameProgramPrintsTheSameButTheHandoff() throws Exception {
        Jvm.Result r = run();
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("echoed 1000 lines", "idle select on a platform thread in Timeslice's handoff: false",
                "selector loop stopped, interrupted: true", "selects > 0: true"), r.outLines(), r.toString());
    }
}
