package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class AgentOptionsTest {
    private static AgentOptions parse(String args, String... props) {
        Properties p = new Properties();
        for (int i = 0; i < props.length; i += 2) {
            p.setProperty(props[i], props[i + 1]);
        }
        return AgentOptions.parse(args, p);
    }

    @Test
    void defaults() {
        AgentOptions o = parse(null);
        assertEquals(8192, o.loopPoll());
        assertEquals(64, o.callLoopPoll());
        assertEquals(List.of(), o.get(AgentOptions.INCLUDE));
        assertEquals(List.of(), o.get(AgentOptions.EXCLUDE));
        assertEquals(LogLevel.WARN, o.logLevel());
        assertFalse(o.get(AgentOptions.VERBOSE));
        assertEquals(o.toString(), parse("").toString());
    }

    @Test
    void agentArgumentsAndProperties() {
        AgentOptions o = parse("loopPoll=1000, include=com.acme.**;org.x.*Service:net.y.?,log=info");
        assertEquals(1000, o.loopPoll());
        assertEquals(List.of("com.acme.**", "org.x.*Service", "net.y.?"), o.get(AgentOptions.INCLUDE));
        assertEquals(LogLevel.INFO, o.logLevel());

        assertEquals(64, parse(null, "timeslice.loopPoll", "64").loopPoll());
        assertEquals(32, parse("loopPoll=32", "timeslice.loopPoll", "64").loopPoll(), "agent argument wins");
        assertEquals(LogLevel.DEBUG, parse("verbose").logLevel());
        assertEquals(LogLevel.DEBUG, parse("verbose=true,log=warn").logLevel());
        assertEquals(LogLevel.OFF, parse("log=off").logLevel());
    }

    @Test
    void badValuesNameTheOptionAndWhatItAccepts() {
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("loopPoll=1")), "loopPoll", ">= 2");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("loopPoll=lots")), "loopPoll", "integer");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("log=chatty")), "log", "off, warn, info or debug");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("callLoopPoll=0")), "callLoopPoll", ">= 1");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("verbose=yes")), "verbose", "true or false");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("include=com.acme.(x)")), "include", "globs");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse(null, "timeslice.loopPoll", "0")), "loopPoll", ">= 2");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("procs=0")), "procs", "auto or an integer 1..1024");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("slice=0")), "slice", "positive duration");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("threads=spawn")), "threads", "route or keep");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("gcscan=maybe")), "gcscan", "on or off");
    }

    @Test
    void durationsAndSchedulerOptionsParse() {
        AgentOptions o = parse("procs=3,slice=500us,wakeupGrace=0,schedtrace=1s,scheddetail,threads=keep,gcscan=off");
        assertEquals(3, o.get(AgentOptions.PROCS));
        assertEquals(java.time.Duration.ofNanos(500_000), o.get(AgentOptions.SLICE));
        assertEquals(java.time.Duration.ZERO, o.get(AgentOptions.WAKEUP_GRACE));
        assertEquals(java.time.Duration.ofSeconds(1), o.get(AgentOptions.SCHEDTRACE));
        assertTrue(o.get(AgentOptions.SCHEDDETAIL));
        assertFalse(o.routeThreads());
        assertFalse(o.get(AgentOptions.GCSCAN));
        assertEquals(java.time.Duration.ofMillis(10), parse("").get(AgentOptions.SLICE));
        assertEquals(Runtime.getRuntime().availableProcessors(), parse("procs=auto").get(AgentOptions.PROCS));
    }

    @Test
    void badKeysNameTheKeyAndTheKnownOptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("loopPol=5"));
        assertOneLine(e, "loopPol", "procs, slice", "loopPoll, callLoopPoll, include, exclude", "trace", "verbose, log");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("loopPoll")), "loopPoll", "needs a value");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("log=info,log=debug")), "log", "twice");
    }

    @Test
    void everyOptionIsDescribed() {
        List<String> lines = AgentOptions.describe();
        assertEquals(AgentOptions.ALL.size(), lines.size());
        for (AgentOptions.Option<?> o : AgentOptions.ALL) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(o.name() + "=")), o.name());
            // the default parses
            parse(o.name() + "=" + o.defaultValue());
        }
    }

    private static void assertOneLine(IllegalArgumentException e, String... fragments) {
        String m = e.getMessage();
        assertFalse(m.contains("\n"), m);
        assertTrue(m.startsWith("timeslice: "), m);
        for (String f : fragments) {
            assertTrue(m.contains(f), "'" + m + "' should mention " + f);
        }
    }
}
