package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Everywhere a user can go wrong with the agent (issue 16), in real JVMs: each bad input gets one
 * line on stderr naming what was wrong and what is accepted, and exit status 1 before main.
 */
class OptionsIT {
    private static final String CP = Jvm.classpath(itapp.OptionsApp.class);

    private static Jvm.Result app(String agentArgs, List<String> jvmArgs, String... appArgs) throws Exception {
        List<String> args = new ArrayList<>(jvmArgs);
        args.add("-javaagent:" + Jvm.agentJar() + (agentArgs.isEmpty() ? "" : "=" + agentArgs));
        args.addAll(List.of("-cp", CP, "itapp.OptionsApp"));
        args.addAll(List.of(appArgs));
        return Jvm.run(args);
    }

    /** Exit status 1, nothing from main, and exactly {@code line} (or a line containing all fragments) on stderr. */
    private static void assertRefused(Jvm.Result r, String... fragments) {
        assertEquals(1, r.exit(), r.toString());
        assertEquals(List.of(), r.outLines(), "main never ran: " + r);
        assertEquals(1, r.errLines().size(), "one line: " + r);
        String line = r.errLines().get(0);
        assertTrue(line.startsWith("timeslice: "), line);
        for (String f : fragments) {
            assertTrue(line.contains(f), "'" + line + "' should contain '" + f + "'");
        }
        assertFalse(line.contains("failed to start"), line);
    }

    @Test
    void hugeDurationsAreRefusedForEveryDurationOptionAndUnit() throws Exception {
        String[] options = {"slice", "wakeupGrace", "gcscanInterval", "scanTimeout", "schedtrace"};
        String[] values = {"9223372036854775807", "9223372036854775807ns", "9223372036854775us", "9223372036854s"};
        for (int i = 0; i < options.length; i++) {
            String v = values[i % values.length];
            assertRefused(app(options[i] + "=" + v, List.of()), "bad value '" + v + "' for option " + options[i], "1h (3600s)");
            assertRefused(app("", List.of("-Dtimeslice." + options[i] + "=" + v)), "option " + options[i], "1h (3600s)");
        }
        assertRefused(app("slice=-5ms", List.of()), "option slice", "a duration from 1ns");
        assertRefused(app("slice=", List.of()), "option slice needs a value");
        assertRefused(app("maxThreads=99999999999", List.of()), "option maxThreads", "1..1000000");
    }

    @Test
    void unknownSystemPropertiesAreRefusedLikeUnknownOptionsWithDidYouMean() throws Exception {
        assertRefused(app("", List.of("-Dtimeslice.prcos=1")), "unknown option 'prcos' in system property -Dtimeslice.prcos",
                "did you mean -Dtimeslice.procs?", "known options: procs, slice");
        assertRefused(app("prcos=1", List.of()), "unknown option 'prcos' (did you mean procs?)", "known options: procs, slice");
        Jvm.Result far = app("", List.of("-Dtimeslice.colour=red"));
        assertRefused(far, "unknown option 'colour'");
        assertFalse(far.err().contains("did you mean"), far.toString());
    }

    @Test
    void valuesAreSpelledAlikeEverywhereAndEchoedAsAccepted() throws Exception {
        Jvm.Result r = app("gcscan=ON,threads=KEEP,log=Info,jmx=No,summary=off,procs=AUTO,slice=1000us", List.of("-Dtimeslice.jfr=0"));
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("main ran"), r.outLines());
        String echo = r.errLines().stream().filter(l -> l.startsWith("timeslice: info: agent started (")).findFirst()
                .orElseThrow(() -> new AssertionError(r.toString()));
        for (String part : new String[] {"gcscan=true", "threads=keep", "log=info", "jmx=false", "jfr=false",
                "summary=false", "slice=1ms"}) {
            assertTrue(echo.contains(part), echo + " should contain " + part);
        }
        assertRefused(app("jmx=maybe", List.of()), "bad value 'maybe' for option jmx", "true or false (also on/off, yes/no, 1/0)");
    }

    @Test
    void traceAndDumpPathsAreCheckedBeforeMain(@TempDir Path dir) throws Exception {
        for (String option : new String[] {"trace", "dump"}) {
            assertRefused(app(option + "=" + dir, List.of()), "option " + option, dir + " is a directory");
            Path missing = dir.resolve("missing").resolve("out.txt");
            assertRefused(app(option + "=" + missing, List.of()), "option " + option,
                    "directory " + missing.getParent() + " does not exist (Timeslice does not create it)");
            assertFalse(Files.exists(missing.getParent()), "no directory is created");
            assertRefused(app(option + "=/proc/self/out.txt", List.of()), "option " + option, "/proc/self is not writable");
        }
    }

    @Test
    void traceAndDumpAreWrittenWithTheProgramsOwnFilePermissions(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("t.json");
        Path dump = dir.resolve("d.txt");
        Path own = dir.resolve("own.txt");
        // a umask that differs from the 0600 of a temporary file, so that a temp-file-and-rename shows
        String cmd = "umask 027; exec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' -javaagent:'"
                + Jvm.agentJar() + "=trace=" + trace + ",dump=" + dump + ",summary=false' -cp '" + CP
                + "' itapp.OptionsApp write '" + own + "'";
        Jvm.Result r = Jvm.exec(List.of("sh", "-c", cmd));
        assertEquals(0, r.exit(), r.toString());
        String expected = PosixFilePermissions.toString(Files.getPosixFilePermissions(own));
        assertEquals("rw-r-----", expected, "the umask applies to the program's file");
        assertEquals(expected, PosixFilePermissions.toString(Files.getPosixFilePermissions(trace)), "trace");
        assertEquals(expected, PosixFilePermissions.toString(Files.getPosixFilePermissions(dump)), "dump");
    }

    @Test
    void theMBeanIsThereOnTheFirstLineOfMain() throws Exception {
        Jvm.Result r = app("summary=false", List.of(), "mbean");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("registered=true procs=" + Runtime.getRuntime().availableProcessors(), "main ran"), r.outLines(),
                r.toString());
        Jvm.Result off = app("summary=false,jmx=false", List.of(), "mbean");
        assertEquals(List.of("registered=false", "main ran"), off.outLines(), off.toString());
        // a JMX agent started with the JVM finds it too
        Jvm.Result remote = app("summary=false", List.of("-Dcom.sun.management.jmxremote.port=0",
                "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false"), "mbean");
        assertEquals("registered=true procs=" + Runtime.getRuntime().availableProcessors(), remote.outLines().get(0), remote.toString());
    }

    @Test
    void aJmxConsoleAttachingLaterFindsTheMBean(@TempDir Path dir) throws Exception {
        Path go = dir.resolve("go");
        Path out = dir.resolve("out.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:" + Jvm.agentJar() + "=summary=false", "-cp", CP, "itapp.OptionsApp", "attached", go.toString())
                .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            for (int i = 0; i < 600 && !Files.readString(out).contains("servers="); i++) {
                Thread.sleep(100);
            }
            assertTrue(Files.readString(out).contains("servers=0"), "nobody created an MBeanServer: " + Files.readString(out));
            // what a JMX console does when it attaches: start the local management agent
            Jvm.Result jcmd = Jvm.exec(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(p.pid()), "ManagementAgent.start_local"));
            assertEquals(0, jcmd.exit(), jcmd.toString());
            Files.writeString(go, "");
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the program ends");
        } finally {
            p.destroyForcibly();
        }
        assertEquals(List.of("servers=0", "after attach registered=true", "main ran"),
                Files.readString(out).lines().toList());
    }

    @Test
    void threadSubclassesLeftAloneAreNamedAtLogInfo() throws Exception {
        Jvm.Result info = app("log=info", List.of(), "subclasses");
        assertEquals(0, info.exit(), info.toString());
        assertTrue(info.err().contains("left alone: Thread subclass 3 (itapp.OptionsApp$1 1, itapp.OptionsApp$Worker 2)"),
                info.toString());
        Jvm.Result warn = app("", List.of(), "subclasses");
        assertTrue(warn.err().contains("left alone: Thread subclass 3\n"), warn.toString());
    }

    // ---------------------------------------------------------------- an old JDK

    /**
     * A JDK older than 21 under /usr/lib/jvm, found the way scripts/lib.sh finds JDK 21+ (the
     * release file's JAVA_VERSION), preferring the newest.
     */
    static Optional<Path> oldJdk() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        Path best = null;
        int bestFeature = 0;
        Pattern version = Pattern.compile("^JAVA_VERSION=\"(?:1\\.)?(\\d+)", Pattern.MULTILINE);
        try (var dirs = Files.list(jvms)) {
            for (Path d : dirs.filter(p -> !Files.isSymbolicLink(p)).sorted().toList()) {
                Path release = d.resolve("release");
                if (!Files.isRegularFile(release) || !Files.isExecutable(d.resolve("bin/java"))) {
                    continue;
                }
                Matcher m = version.matcher(Files.readString(release));
                if (m.find()) {
                    int feature = Integer.parseInt(m.group(1));
                    if (feature >= 8 && feature < 21 && feature > bestFeature) {
                        best = d;
                        bestFeature = feature;
                    }
                }
            }
        }
        return Optional.ofNullable(best);
    }

    @Test
    void anOldJdkGetsOneLineFromBothEntryPoints() throws Exception {
        Optional<Path> jdk = oldJdk();
        Assumptions.assumeTrue(jdk.isPresent(), "no JDK older than 21 under /usr/lib/jvm: the old-JDK test is skipped");
        Path java = jdk.get().resolve("bin/java");
        Jvm.Result version = Jvm.exec(List.of(java.toString(), "-XshowSettings:properties", "-version"));
        String javaVersion = version.err().lines().map(String::trim).filter(l -> l.startsWith("java.version = "))
                .findFirst().orElseThrow().substring("java.version = ".length());
        Jvm.Result home = Jvm.exec(List.of(java.toString(), "-XshowSettings:properties", "-version"));
        String javaHome = home.err().lines().map(String::trim).filter(l -> l.startsWith("java.home = "))
                .findFirst().orElseThrow().substring("java.home = ".length());
        String expected = "timeslice: Timeslice needs JDK 21 or newer; this is " + javaVersion + " (" + javaHome + "/bin/java)";

        Jvm.Result premain = Jvm.exec(List.of(java.toString(), "-javaagent:" + Jvm.agentJar(), "-cp", CP, "itapp.OptionsApp"));
        assertEquals(1, premain.exit(), premain.toString());
        assertEquals(List.of(), premain.outLines(), premain.toString());
        assertEquals(List.of(expected), premain.errLines(), premain.toString());

        Jvm.Result cli = Jvm.exec(List.of(java.toString(), "-jar", Jvm.agentJar().toString(), "verify", Jvm.agentJar().toString()));
        assertEquals(1, cli.exit(), cli.toString());
        assertEquals(List.of(expected), cli.errLines(), cli.toString());
    }
}
