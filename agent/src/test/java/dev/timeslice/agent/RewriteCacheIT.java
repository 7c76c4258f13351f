package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fixtures.programs.CacheTarget;
import fixtures.programs.PackTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rewrite cache end to end: a second run takes every rewritten class from it; a damaged entry is rewritten. */
class RewriteCacheIT {
    private static Jvm.Result run(Path cache) throws Exception {
        return Jvm.run(List.of("-javaagent:" + Jvm.agentJar() + "=procs=2,cache=" + cache,
                "-cp", Jvm.classpath(CacheTarget.class), "fixtures.programs.CacheTarget"));
    }

    private static long count(String err, String what) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) " + what).matcher(err);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    @Test
    void theSecondRunHitsAndADamagedEntryIsRewritten(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("cache");
        Jvm.Result first = run(cache);
        assertEquals(0, first.exit(), first.toString());
        long rewritten = count(first.err(), "classes rewritten");
        assertTrue(rewritten >= 1, first.toString());
        assertEquals(0, count(first.err(), "hits"), first.toString());
        assertTrue(count(first.err(), "written") >= rewritten, first.toString());

        Jvm.Result second = run(cache);
        assertEquals(first.out(), second.out(), "same program output");
        assertEquals(rewritten, count(second.err(), "classes rewritten"), second.toString());
        assertTrue(count(second.err(), "hits") >= rewritten, second.toString());
        assertEquals(0, count(second.err(), "written"), second.toString());

        List<Path> entries;
        try (Stream<Path> s = Files.list(cache)) {
            entries = s.filter(p -> p.getFileName().toString().endsWith(".tsc")).toList();
        }
        for (Path e : entries) {
            byte[] b = Files.readAllBytes(e);
            Files.write(e, java.util.Arrays.copyOf(b, b.length / 2)); // truncated by a crash, say
        }
        Jvm.Result third = run(cache);
        assertEquals(first.out(), third.out(), "same program output");
        assertEquals(entries.size(), count(third.err(), "bad entries ignored"), third.toString());
        assertEquals(0, count(third.err(), "hits"), third.toString());
        assertTrue(count(third.err(), "written") >= rewritten, third.toString());
    }

    @Test
    void onByDefaultInXdgCacheHomeAndOffWithCacheOff(@TempDir Path dir) throws Exception {
        List<String> args = List.of("-javaagent:" + Jvm.agentJar() + "=procs=2,log=info",
                "-cp", Jvm.classpath(CacheTarget.class), "fixtures.programs.CacheTarget");
        java.util.Map<String, String> env = java.util.Map.of("XDG_CACHE_HOME", dir.toString());
        Jvm.Result first = Jvm.run(args, env);
        assertEquals(0, first.exit(), first.toString());
        assertTrue(first.err().contains("rewrite cache " + dir.resolve("timeslice") + ": 0 hits"), first.toString());
        Jvm.Result second = Jvm.run(args, env);
        assertTrue(count(second.err(), "hits") >= 1, second.toString());
        assertEquals(0, count(second.err(), "written"), second.toString());

        Jvm.Result off = Jvm.run(List.of("-javaagent:" + Jvm.agentJar() + "=procs=2,log=info,cache=off",
                "-cp", Jvm.classpath(CacheTarget.class), "fixtures.programs.CacheTarget"), env);
        assertEquals(first.out(), off.out());
        assertTrue(!off.err().contains("rewrite cache"), off.toString());
    }

    @Test
    void aLaterStartReadsItsClassesFromTheApplicationsPack(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("cache");
        List<String> args = List.of("-javaagent:" + Jvm.agentJar() + "=procs=2,cache=" + cache,
                "-cp", Jvm.classpath(PackTarget.class), "fixtures.programs.PackTarget");
        Jvm.Result first = Jvm.run(args);
        assertEquals(0, first.exit(), first.toString());
        long rewritten = count(first.err(), "classes rewritten");
        assertTrue(rewritten >= 20, first.toString());
        java.util.regex.Matcher packed = java.util.regex.Pattern.compile("pack of (\\d+) entries written").matcher(first.err());
        assertTrue(packed.find() && Long.parseLong(packed.group(1)) >= rewritten, "written at exit: " + first);

        try (Stream<Path> s = Files.list(cache)) {
            for (Path e : s.filter(p -> p.getFileName().toString().endsWith(".tsc")).toList()) {
                Files.delete(e); // only the pack can answer now
            }
        }
        Jvm.Result second = Jvm.run(args);
        assertEquals(first.out(), second.out(), "same program output");
        assertEquals(rewritten, count(second.err(), "classes rewritten"), second.toString());
        assertTrue(count(second.err(), "from the application's pack") >= rewritten, second.toString());
        assertEquals(0, count(second.err(), "written"), second.toString());
        assertTrue(!second.err().contains("pack of"), "nothing new to pack: " + second);

        Path pack;
        try (Stream<Path> s = Files.list(cache)) {
            pack = s.filter(p -> p.getFileName().toString().endsWith(".tsp")).findFirst().orElseThrow();
        }
        byte[] b = Files.readAllBytes(pack);
        Files.write(pack, java.util.Arrays.copyOf(b, b.length / 2)); // truncated by a full disk, say
        Jvm.Result third = Jvm.run(args);
        assertEquals(first.out(), third.out(), "same program output");
        assertEquals(rewritten, count(third.err(), "classes rewritten"), third.toString());
        assertEquals(0, count(third.err(), "from the application's pack"), third.toString());
        assertEquals(1, count(third.err(), "bad entries ignored"), third.toString());
    }
}
