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
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("loopPoll=1")), "loopPoll", "2..2147483647");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("loopPoll=lots")), "loopPoll", "integer");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("log=chatty")), "log", "off, warn, info or debug");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("callLoopPoll=0")), "callLoopPoll", "1..2147483647");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("verbose=maybe")), "verbose", "true or false");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("include=com.acme.(x)")), "include", "globs");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse(null, "timeslice.loopPoll", "0")), "loopPoll", "2..");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("procs=0")), "procs", "auto or an integer 1..1024");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("slice=0")), "slice", "a duration from 1ns to 1h");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("threads=spawn")), "threads", "route or keep");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("gcscan=maybe")), "gcscan", "true or false (also on/off, yes/no, 1/0)");
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
    void hugeAndEdgeDurationsAreRejectedWithTheRange() {
        for (String name : new String[] {"slice", "wakeupGrace", "gcscanInterval", "scanTimeout", "schedtrace"}) {
            for (String v : new String[] {"9223372036854775807", "9223372036854775807ns", "9223372036854775807us",
                    "9223372036854775808ms", "9223372036854775s", "3601s", "-1ms", "10 parsecs", "1.5ms", "99999999999999999999"}) {
                assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse(name + "=" + v), name + "=" + v),
                        "option " + name, "1h (3600s)");
            }
            assertEquals(java.time.Duration.ofHours(1), parse(name + "=3600s").get(optionNamed(name)));
            assertEquals(java.time.Duration.ofHours(1), parse(name + "=3600000000000ns").get(optionNamed(name)));
        }
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("schedtrace=500us")), "schedtrace", "whole ms");
        assertEquals(java.time.Duration.ZERO, parse("wakeupGrace=0").get(AgentOptions.WAKEUP_GRACE));
        assertEquals(java.time.Duration.ofMillis(5), parse("slice= 5 ms ").get(AgentOptions.SLICE));
    }

    @Test
    void integerEdges() {
        for (String v : new String[] {"2147483648", "-1", "0", "1e3", "0x10", "99999999999999999999"}) {
            assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("maxThreads=" + v)), "maxThreads", "1..1000000");
        }
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("procs=1025")), "procs", "auto or an integer 1..1024");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("tracebuf=1023")), "tracebuf", "1024..268435456");
    }

    @Test
    void emptyValuesNeedAValueExceptBooleans() {
        for (AgentOptions.Option<?> o : AgentOptions.ALL) {
            if (o.isFlag()) {
                assertEquals(true, parse(o.name() + "=").get(o), o.name());
                assertEquals(true, parse(o.name() + "=  ").get(o), o.name());
                assertEquals(true, parse(o.name()).get(o), o.name());
                assertEquals(true, parse(null, "timeslice." + o.name(), "").get(o), o.name());
            } else {
                assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse(o.name() + "= ")), o.name(), "needs a value");
                assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse(null, "timeslice." + o.name(), "")),
                        o.name(), "needs a value");
            }
        }
    }

    @Test
    void everyBooleanTakesTheSameSpellingsAndNamedValuesAnyCase() {
        for (AgentOptions.Option<?> o : AgentOptions.ALL) {
            if (!o.isFlag()) {
                continue;
            }
            for (String t : new String[] {"true", "TRUE", "on", "On", "yes", "YES", "1"}) {
                assertEquals(true, parse(o.name() + "=" + t).get(o), o.name() + "=" + t);
            }
            for (String f : new String[] {"false", "False", "off", "OFF", "no", "No", "0"}) {
                assertEquals(false, parse(o.name() + "=" + f).get(o), o.name() + "=" + f);
            }
        }
        AgentOptions o = parse("threads=KEEP,log=Info,procs=AUTO,gcscan=OFF,jmx=no,summary=On");
        assertFalse(o.routeThreads());
        assertEquals(LogLevel.INFO, o.logLevel());
        assertEquals(Runtime.getRuntime().availableProcessors(), o.get(AgentOptions.PROCS));
        // echoed as accepted, normalized
        String echo = o.toString();
        for (String part : new String[] {"threads=keep", "log=info", "gcscan=false", "jmx=false", "summary=true",
                "procs=" + Runtime.getRuntime().availableProcessors(), "slice=10ms", "include=,"}) {
            assertTrue(echo.contains(part), echo + " should contain " + part);
        }
    }

    @Test
    void unknownPropertiesAreRejectedLikeUnknownArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(null, "timeslice.prcos", "1"));
        assertOneLine(e, "unknown option 'prcos'", "-Dtimeslice.prcos", "did you mean -Dtimeslice.procs?", "known options: procs");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("prcos=1")), "unknown option 'prcos'",
                "did you mean procs?");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("looppoll=1")), "did you mean loopPoll?");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse(null, "timeslice.gcScan", "on")),
                "did you mean -Dtimeslice.gcscan?");
        IllegalArgumentException far = assertThrows(IllegalArgumentException.class, () -> parse("colour=red"));
        assertFalse(far.getMessage().contains("did you mean"), far.getMessage());
        parse(null, "timeslicex.foo", "1", "other.prop", "2"); // not ours
    }

    @Test
    void outputFilesAreCheckedBeforeMain(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        for (String name : new String[] {"trace", "dump"}) {
            assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse(name + "=" + dir)), name, "is a directory");
            assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse(name + "=" + dir.resolve("no/x.json"))),
                    name, "does not exist (Timeslice does not create it)");
            assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse(name + "=/proc/self/x.json")),
                    name, "/proc/self is not writable");
            assertEquals(dir.resolve("x.json").toString(), parse(name + "=" + dir.resolve("x.json")).get(optionNamed(name)));
        }
        assertFalse(java.nio.file.Files.exists(dir.resolve("no")), "no directory is created");
    }

    @Test
    void traceRingMustFitTheHeapAndTraceAndDumpDiffer(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        long heapMiB = Runtime.getRuntime().maxMemory() >> 20;
        org.junit.jupiter.api.Assumptions.assumeTrue(heapMiB < 16 * 1024, "a heap under 16 GiB: " + heapMiB + " MiB");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("trace=" + dir.resolve("t.json") + ",tracebuf=268435456")),
                "option tracebuf", "8192 MiB, more than half the heap");
        parse("tracebuf=268435456"); // no trace: no ring
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> parse("trace=" + dir.resolve("x") + ",dump=" + dir.resolve("x"))),
                "trace and dump name the same file");
    }

    @Test
    void nearestOption() {
        assertEquals("procs", AgentOptions.nearest("prcos").name());
        assertEquals("slice", AgentOptions.nearest("Slice").name());
        assertEquals("scanTimeout", AgentOptions.nearest("scanTimout").name());
        assertEquals(null, AgentOptions.nearest("x"));
        assertEquals(1, AgentOptions.editDistance("prcos", "procs"));
        assertEquals(0, AgentOptions.editDistance("abc", "abc"));
        assertEquals(3, AgentOptions.editDistance("", "abc"));
    }

    private static AgentOptions.Option<?> optionNamed(String name) {
        return AgentOptions.ALL.stream().filter(o -> o.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void everyOptionIsDescribed() {
        List<String> lines = AgentOptions.describe();
        assertEquals(AgentOptions.ALL.size(), lines.size());
        for (AgentOptions.Option<?> o : AgentOptions.ALL) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(o.name() + "=")), o.name());
            // the default parses, given explicitly too (an empty default means none)
            if (!o.defaultValue().isEmpty()) {
                parse(o.name() + "=" + o.defaultValue());
            }
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
