package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timeslice.runtime.Safepoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent jar in real JVMs: {@code java -javaagent:timeslice-agent.jar ... itapp.Main}. */
class AgentIT {
    private static final String CP = Jvm.classpath(itapp.Main.class, Safepoint.class);

    private static Jvm.Result main(String agentArg, String... jvmArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of(jvmArgs));
        if (agentArg != null) {
            args.add("-javaagent:" + Jvm.agentJar() + (agentArg.isEmpty() ? "" : "=" + agentArg));
        }
        args.addAll(List.of("-cp", CP, "itapp.Main"));
        return Jvm.run(args);
    }

    /** The stderr lines other than the exit summary's two. */
    static List<String> withoutSummary(List<String> errLines) {
        return errLines.stream().filter(l -> !(l.startsWith("timeslice: ")
                && (l.contains(" classes rewritten, ") || l.startsWith("timeslice: procs=")))).toList();
    }

    private static String line(Jvm.Result r, String prefix) {
        return r.outLines().stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line " + prefix + "\n" + r));
    }

    @Test
    void programComputesTheSameAndReachesPolls() throws Exception {
        Jvm.Result plain = main(null);
        Jvm.Result agent = main("");
        assertEquals(0, plain.exit(), plain.toString());
        assertEquals(0, agent.exit(), agent.toString());
        assertEquals(line(plain, "sum="), line(agent, "sum="));
        assertEquals(line(plain, "words="), line(agent, "words="));
        assertTrue(line(plain, "sum100k=").endsWith("polls return=0 loop=0 callLoop=0"), plain.toString());
        assertTrue(line(agent, "sum100k=").endsWith("polls return=1 loop=12 callLoop=0"), agent.toString());
        assertEquals(line(plain, "sum100k=").split(" ")[0], line(agent, "sum100k=").split(" ")[0]);
        // through a loader that does not delegate to the application loader
        assertTrue(line(plain, "isolated=").endsWith("polls return=0 loop=0"), plain.toString());
        assertTrue(line(agent, "isolated=").endsWith("polls return=1 loop=6"), agent.toString());
        assertEquals(line(plain, "isolated=").split(" ")[0], line(agent, "isolated=").split(" ")[0]);
        assertEquals(List.of(), withoutSummary(agent.errLines()), "nothing to report at the default level but the summary");
        assertEquals(2, agent.errLines().size() - withoutSummary(agent.errLines()).size(), agent.toString());
    }

    @Test
    void verboseListsRewrittenClassesOnStderrOnly() throws Exception {
        Jvm.Result quiet = main("log=off");
        for (String arg : new String[] {"log=debug", "verbose"}) {
            Jvm.Result loud = main(arg);
            assertEquals(0, loud.exit(), loud.toString());
            assertEquals(quiet.out(), loud.out(), "the agent never writes to stdout");
            assertTrue(loud.errLines().stream().anyMatch(l -> l.startsWith("timeslice: info: agent started")), loud.err());
            for (String cls : new String[] {"itapp.Main", "itapp.Work", "itapp.Isolated"}) {
                assertTrue(loud.errLines().stream().anyMatch(l -> l.startsWith("timeslice: info: " + cls + ": rewritten: ")),
                        cls + "\n" + loud.err());
            }
            assertTrue(loud.errLines().stream().allMatch(l -> l.startsWith("timeslice: ")), loud.err());
        }
    }

    @Test
    void optionsFromSystemProperties() throws Exception {
        Jvm.Result r = main("", "-Dtimeslice.loopPoll=64");
        assertEquals(0, r.exit(), r.toString());
        // 100 000 iterations in chunks of 64: a poll before every chunk but the first
        assertTrue(line(r, "sum100k=").endsWith("polls return=1 loop=1562 callLoop=0"), r.toString());
        Jvm.Result argWins = main("loopPoll=8192", "-Dtimeslice.loopPoll=64");
        assertTrue(line(argWins, "sum100k=").endsWith("loop=12 callLoop=0"), argWins.toString());
        Jvm.Result excluded = main("exclude=itapp.Work");
        assertTrue(line(excluded, "sum100k=").endsWith("polls return=0 loop=0 callLoop=0"), excluded.toString());
    }

    @Test
    void badOptionsStopTheJvmWithOneClearLine() throws Exception {
        Jvm.Result bad = main("loopPoll=1");
        assertEquals(1, bad.exit(), bad.toString());
        assertEquals(List.of(), bad.outLines(), "main never ran");
        assertEquals(List.of("timeslice: bad value '1' for option loopPoll: expected an integer 2..2147483647"), bad.errLines());

        Jvm.Result unknown = main("loopPol=100");
        assertEquals(1, unknown.exit(), unknown.toString());
        assertEquals(1, unknown.errLines().size(), unknown.toString());
        assertTrue(unknown.errLines().get(0).contains("unknown option 'loopPol'"), unknown.toString());

        Jvm.Result prop = main("", "-Dtimeslice.log=loud");
        assertEquals(1, prop.exit(), prop.toString());
        assertEquals(List.of("timeslice: bad value 'loud' for option log: expected off, warn, info or debug"), prop.errLines());
    }

    @Test
    void aRenamedAgentJarStillFindsItself(@TempDir Path dir) throws Exception {
        Path renamed = Files.copy(Jvm.agentJar(), dir.resolve("some other name.jar"), StandardCopyOption.REPLACE_EXISTING);
        Jvm.Result r = Jvm.run(List.of("-javaagent:" + renamed, "-cp", CP, "itapp.Main"));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(line(r, "sum100k=").endsWith("polls return=1 loop=12 callLoop=0"), r.toString());
        assertTrue(line(r, "isolated=").endsWith("polls return=1 loop=6"), r.toString());
        // appended at run time: the JVM says class data sharing is now limited to boot classes
        assertTrue(withoutSummary(r.errLines()).stream().allMatch(l -> l.contains("Sharing is only supported for boot loader classes")),
                r.toString());
        Jvm.Result bad = Jvm.run(List.of("-javaagent:" + renamed + "=log=x", "-cp", CP, "itapp.Main"));
        assertEquals(List.of("timeslice: bad value 'x' for option log: expected off, warn, info or debug"), bad.errLines(),
                "options are checked before the jar is appended");
    }
}
