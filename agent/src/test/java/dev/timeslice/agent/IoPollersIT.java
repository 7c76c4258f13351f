package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fixtures.programs.IoPollers;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The JDK's I/O pollers start when the program first does socket I/O, from a platform thread
 * (their sub-pollers are not G's), and not at all in a program without sockets: their thread
 * in native code made the JVM wait 300 ms at exit (issue 14). They are platform threads
 * ({@code jdk.pollerMode=1}, the agent's default), parked only after the application's shutdown
 * hooks ({@code PollerExit}; that they end parked is {@code PollerExitTest}'s).
 */
class IoPollersIT {
    private static Jvm.Result run(String mode) throws Exception {
        return Jvm.run(List.of("-javaagent:" + Jvm.agentJar() + "=procs=2", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-cp", Jvm.classpath(IoPollers.class), "fixtures.programs.IoPollers", mode));
    }

    @Test
    void aProgramWithoutSocketsDoesNotStartThePollers() throws Exception {
        Jvm.Result r = run("hello");
        assertEquals(0, r.exit(), r.toString());
        // nor registers the hook that parks them at exit (its reflection cost ~20 ms of CPU at start)
        assertEquals(List.of("poller thread not running", "last shutdown slot empty"), r.outLines(), r.toString());
    }

    @Test
    void socketIoOnGsStartsThePollersOutsideTheScheduler() throws Exception {
        Jvm.Result r = run("socket");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("read ping", "poller thread running", "last shutdown slot taken"), r.outLines(), r.toString());
        Matcher m = Pattern.compile("(\\d+) G's run").matcher(r.err());
        assertTrue(m.find(), r.toString());
        // main and the client; sub-pollers started inside a G would be G's too
        assertEquals(2, Integer.parseInt(m.group(1)), r.toString());
    }

    @Test
    void anApplicationShutdownHookStillDoesSocketIoBeforeThePollersArePutAway() throws Exception {
        Jvm.Result r = run("exit");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("main returns", "hook read pong"), r.outLines(), r.toString());
        assertTrue(!r.err().contains("Exception"), r.toString());
    }
}
