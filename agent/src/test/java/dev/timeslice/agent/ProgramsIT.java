package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fixtures.programs.BundlesAsm;
import fixtures.programs.JavaSemantics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unmodified programs on Timeslice (issue 5): each test starts a JVM with the agent on a small
 * fixture program and checks what it prints and how it exits, as Java's rules say.
 */
class ProgramsIT {
    static final String ON_TIMESLICE = "@timeslice-M";

    static Jvm.Result run(String mainClass, String... agentOptions) throws Exception {
        return runWith(List.of(), mainClass, agentOptions);
    }

    static Jvm.Result runWith(List<String> jvmArgs, String mainClass, String... agentOptions) throws Exception {
        List<String> args = new ArrayList<>();
        String opts = agentOptions.length == 0 ? "" : "=" + String.join(",", agentOptions);
        args.add("-javaagent:" + Jvm.agentJar() + opts);
        args.addAll(jvmArgs);
        args.add("-cp");
        args.add(Jvm.classpath(JavaSemantics.class));
        args.add(mainClass);
        return Jvm.run(args);
    }

    @Test
    void javaThreadSemanticsHoldOnTimeslice() throws Exception {
        Jvm.Result r = run("fixtures.programs.JavaSemantics");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("ALL OK"), r.toString());
        for (String line : r.outLines()) {
            if (line.startsWith("carrier ")) {
                assertTrue(line.contains(ON_TIMESLICE), "ran on Timeslice: " + line);
            }
        }
        assertTrue(r.out().contains("carrier main VirtualThread[#"), "main runs as a G named main: " + r.out());
        assertTrue(r.err().contains("threads routed: "), r.err());
        assertTrue(r.err().contains("new Thread"), r.err());
        assertTrue(r.err().contains("thread pool"), r.err());
    }

    @Test
    void aNonDaemonTaskOutlivesMainAndItsSystemExitSetsTheStatus() throws Exception {
        Jvm.Result r = run("fixtures.programs.OutlivesMain");
        assertEquals(3, r.exit(), r.toString());
        assertTrue(r.out().contains("main returns"), r.toString());
        assertTrue(r.out().contains("exiting from VirtualThread"), r.toString());
        assertTrue(r.out().contains("hook ran"), "shutdown hooks run: " + r);
    }

    @Test
    void nonDaemonThreadsKeepTheJvmUpDaemonThreadsDoNot() throws Exception {
        long t0 = System.nanoTime();
        Jvm.Result r = run("fixtures.programs.KeepsAlive");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("non-daemon done"), "the JVM waited for the non-daemon G: " + r);
        // the daemon sleeps for 10 minutes; the JVM did not wait for it
        assertTrue(System.nanoTime() - t0 < 100_000_000_000L, "did not wait for the daemon");
    }

    @Test
    void anExceptionInMainPrintsTheUsualTraceAndExitsOne() throws Exception {
        Jvm.Result r = run("fixtures.programs.ThrowsInMain", "summary=false");
        assertEquals(1, r.exit(), r.toString());
        List<String> err = r.errLines();
        assertEquals("Exception in thread \"main\" java.lang.IllegalStateException: boom", err.get(0), r.toString());
        assertTrue(err.get(1).trim().startsWith("at fixtures.programs.ThrowsInMain.fail("), r.toString());
        assertTrue(err.get(2).trim().startsWith("at fixtures.programs.ThrowsInMain.main("), r.toString());
        assertEquals(3, err.size(), "no frames of Timeslice below main: " + r);
        assertTrue(r.out().contains(ON_TIMESLICE), r.toString());
    }

    @Test
    void aBadOptionStopsTheJvmBeforeMainWithOneClearLine() throws Exception {
        Jvm.Result r = run("fixtures.programs.JavaSemantics", "slice=fast");
        assertTrue(r.exit() != 0, r.toString());
        assertFalse(r.out().contains("carrier"), "main did not run: " + r);
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().contains("slice") && r.err().contains("duration"), r.toString());
    }

    @Test
    void instanceMainOfJep512RunsAsG1() throws Exception {
        Jvm.Result r = run("fixtures.programs.InstanceMain");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("instance main on VirtualThread[#") && r.out().contains(ON_TIMESLICE), r.toString());
    }

    @Test
    void aLoaderThatDoesNotDelegateToTheSystemLoaderStillReachesTheRuntime() throws Exception {
        Jvm.Result r = run("fixtures.programs.IsolatedLoader");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("loader isolated"), r.toString());
        assertTrue(r.out().contains("isolated task on VirtualThread") && r.out().contains(ON_TIMESLICE), r.toString());
    }

    @Test
    void anAppBundlingItsOwnAsmUsesItsOwn() throws Exception {
        String cp = Jvm.classpath(BundlesAsm.class, org.objectweb.asm.ClassWriter.class);
        List<String> args = List.of("-javaagent:" + Jvm.agentJar(), "-cp", cp, "fixtures.programs.BundlesAsm");
        Jvm.Result r = Jvm.run(args);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("app asm asm-") && r.out().contains(ON_TIMESLICE), r.toString());
    }

    @Test
    void dashJarAndSourceFileModesRunMainAsAG(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("app.jar");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "fixtures.programs.InstanceMain");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
            copyClass(out, "fixtures/programs/InstanceMain.class");
        }
        Jvm.Result r = Jvm.run(List.of("-javaagent:" + Jvm.agentJar(), "-jar", jar.toString()));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains(ON_TIMESLICE), r.toString());

        Path src = dir.resolve("Hello.java");
        Files.writeString(src, """
                public class Hello {
                    public static void main(String[] args) throws Exception {
                        Thread t = new Thread(() -> System.out.println("source child on " + Thread.currentThread()));
                        t.start();
                        t.join();
                        System.out.println("source main on " + Thread.currentThread());
                    }
                }
                """);
        Jvm.Result s = Jvm.run(List.of("-javaagent:" + Jvm.agentJar(), src.toString()));
        assertEquals(0, s.exit(), s.toString());
        assertTrue(s.out().contains("source main on VirtualThread[#") && s.out().contains(ON_TIMESLICE), s.toString());
        assertTrue(s.out().contains("source child on VirtualThread"), s.toString());
    }

    private static void copyClass(JarOutputStream out, String name) throws IOException {
        out.putNextEntry(new JarEntry(name));
        try (var in = ProgramsIT.class.getClassLoader().getResourceAsStream(name)) {
            in.transferTo(out);
        }
        out.closeEntry();
    }

    @Test
    void threadsKeepLeavesThreadCreationAlone() throws Exception {
        Jvm.Result r = run("fixtures.programs.JavaSemantics", "threads=keep");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("ALL OK"), r.toString());
        assertTrue(r.out().contains("carrier main VirtualThread") && r.out().contains(ON_TIMESLICE), "main is still G 1: " + r);
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("carrier pool Thread[")), "the pool is left alone: " + r);
    }

}
