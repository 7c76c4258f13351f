package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The persistent rewrite cache: hits and misses, bad entries, concurrent writers, eviction, the option. */
class RewriteCacheTest {
    private static byte[] bytes(int seed, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed * 31 + i * 7);
        }
        return b;
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tsc")).toList();
        }
    }

    @Test
    void aMissThenAHitForTheSameBytesAndFingerprint(@TempDir Path dir) {
        RewriteCache c = new RewriteCache(dir.toFile(), "fp", RewriteCache.DEFAULT_MAX_BYTES);
        byte[] original = bytes(1, 500);
        byte[] rewritten = bytes(2, 700);
        assertNull(c.get(original));
        c.put(original, rewritten);
        RewriteCache.Hit hit = c.get(original);
        assertNotNull(hit);
        assertArrayEquals(rewritten, hit.rewritten());
        assertEquals(1, c.hits.get());
        assertEquals(1, c.misses.get());
        assertEquals(1, c.writes.get());
        // other bytes, or another agent build / other options: a miss
        assertNull(c.get(bytes(3, 500)));
        assertNull(new RewriteCache(dir.toFile(), "fp2", RewriteCache.DEFAULT_MAX_BYTES).get(original));
    }

    @Test
    void theFirstWriteOfABuildLeavesItsMarker(@TempDir Path dir) {
        RewriteCache c = new RewriteCache(dir.toFile(), "fp", RewriteCache.DEFAULT_MAX_BYTES);
        assertTrue(!c.filledBefore());
        c.put(bytes(1, 100), bytes(2, 100));
        assertTrue(c.filledBefore());
        assertTrue(new RewriteCache(dir.toFile(), "fp", RewriteCache.DEFAULT_MAX_BYTES).filledBefore(), "seen by the next JVM");
        assertTrue(!new RewriteCache(dir.toFile(), "fp2", RewriteCache.DEFAULT_MAX_BYTES).filledBefore(), "not by another build");
    }

    @Test
    void needsNoRewritingIsCachedToo(@TempDir Path dir) {
        RewriteCache c = new RewriteCache(dir.toFile(), "fp", RewriteCache.DEFAULT_MAX_BYTES);
        byte[] original = bytes(1, 100);
        c.put(original, null);
        RewriteCache.Hit hit = c.get(original);
        assertNotNull(hit);
        assertNull(hit.rewritten());
    }

    @Test
    void aTruncatedOrCorruptEntryIsIgnoredAndReplaced(@TempDir Path dir) throws IOException {
        RewriteCache c = new RewriteCache(dir.toFile(), "fp", RewriteCache.DEFAULT_MAX_BYTES);
        byte[] original = bytes(1, 300);
        byte[] rewritten = bytes(2, 400);
        c.put(original, rewritten);
        Path entry = entries(dir).get(0);
        byte[] good = Files.readAllBytes(entry);

        Files.write(entry, Arrays.copyOf(good, good.length - 10)); // truncated
        assertNull(c.get(original));
        byte[] flipped = good.clone();
        flipped[flipped.length - 1] ^= 1; // payload changed: hash mismatch
        Files.write(entry, flipped);
        assertNull(c.get(original));
        byte[] badMagic = good.clone();
        badMagic[0] = 'X';
        Files.write(entry, badMagic);
        assertNull(c.get(original));
        Files.write(entry, new byte[0]);
        assertNull(c.get(original));
        assertEquals(4, c.corrupt.get());

        c.put(original, rewritten); // the next write replaces the bad entry
        assertArrayEquals(rewritten, c.get(original).rewritten());
    }

    @Test
    void anEntryCopiedUnderAnotherKeyIsIgnored(@TempDir Path dir) throws IOException {
        RewriteCache c = new RewriteCache(dir.toFile(), "fp", RewriteCache.DEFAULT_MAX_BYTES);
        c.put(bytes(1, 300), bytes(2, 300));
        Path a = entries(dir).get(0);
        c.put(bytes(5, 300), bytes(6, 300));
        Path b = entries(dir).stream().filter(p -> !p.equals(a)).findFirst().orElseThrow();
        Files.copy(a, b, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertNull(c.get(bytes(5, 300)), "the header names another key");
    }

    @Test
    void concurrentWritersLeaveOnlyWholeEntries(@TempDir Path dir) throws Exception {
        int threads = 8;
        int keys = 40;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    // each thread is a JVM of its own: its own cache object on the same directory
                    RewriteCache c = new RewriteCache(dir.toFile(), "fp", RewriteCache.DEFAULT_MAX_BYTES);
                    start.await();
                    for (int k = 0; k < keys; k++) {
                        c.put(bytes(k, 2000 + k), bytes(k + 1000, 3000 + k));
                        RewriteCache.Hit h = c.get(bytes(k, 2000 + k));
                        assertNotNull(h, "a writer reads back a whole entry");
                        assertArrayEquals(bytes(k + 1000, 3000 + k), h.rewritten());
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(keys, entries(dir).stream().filter(p -> !p.getFileName().toString().startsWith(".tmp-")).count());
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")), "no temporary file left");
        }
        RewriteCache reader = new RewriteCache(dir.toFile(), "fp", RewriteCache.DEFAULT_MAX_BYTES);
        for (int k = 0; k < keys; k++) {
            assertArrayEquals(bytes(k + 1000, 3000 + k), reader.get(bytes(k, 2000 + k)).rewritten());
        }
        assertEquals(0, reader.corrupt.get());
    }

    @Test
    void evictionDeletesTheLeastRecentlyUsedDownToTheBound(@TempDir Path dir) throws IOException {
        RewriteCache c = new RewriteCache(dir.toFile(), "fp", 10_000);
        for (int k = 0; k < 10; k++) {
            c.put(bytes(k, 10), bytes(k, 1900)); // ~2 KB each: 20 KB in all
        }
        long t = System.currentTimeMillis() - 100_000;
        List<Path> all = entries(dir);
        for (Path p : all) {
            Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(t += 1000));
        }
        Path newest = all.get(all.size() - 1);
        c.evict();
        long total = 0;
        for (Path p : entries(dir)) {
            total += Files.size(p);
        }
        assertTrue(total <= 8_000, "down to 80 % of the bound: " + total);
        assertTrue(Files.exists(newest), "the most recently used entry stays");
    }

    @Test
    void anEntryForOtherOriginalBytesOrAnotherFingerprintUnderTheRightNameIsAMiss(@TempDir Path dir) throws IOException {
        // what a hash collision would look like: the name matches, the stored bytes do not
        RewriteCache c = new RewriteCache(dir.toFile(), "fp", RewriteCache.DEFAULT_MAX_BYTES);
        byte[] original = bytes(1, 300);
        c.put(original, bytes(2, 300));
        Path entry = entries(dir).get(0);
        byte[] other = bytes(9, 300);
        Files.write(entry, RewriteCache.encode("fp".getBytes(java.nio.charset.StandardCharsets.UTF_8), other, bytes(3, 300)));
        assertNull(c.get(original), "made for other original bytes");
        Files.write(entry, RewriteCache.encode("fq".getBytes(java.nio.charset.StandardCharsets.UTF_8), original, bytes(3, 300)));
        assertNull(c.get(original), "made for another agent build or other options");
        assertEquals(2, c.corrupt.get());
    }

    @Test
    void theDirectoryIsTrimmedAtMostOnceADay(@TempDir Path dir) throws IOException {
        RewriteCache c = new RewriteCache(dir.toFile(), "fp", 5_000);
        for (int k = 0; k < 5; k++) {
            c.put(bytes(k, 10), bytes(k, 1900));
        }
        c.evictIfDue();
        assertTrue(Files.exists(dir.resolve(RewriteCache.TRIM_FILE)), "the first trim leaves its stamp");
        long afterFirst = entries(dir).size();
        for (int k = 10; k < 15; k++) {
            c.put(bytes(k, 10), bytes(k, 1900));
        }
        c.evictIfDue();
        assertEquals(afterFirst + 5, entries(dir).size(), "no second trim within a day");
        Files.setLastModifiedTime(dir.resolve(RewriteCache.TRIM_FILE),
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 25 * 3_600_000L));
        c.evictIfDue();
        long total = 0;
        for (Path p : entries(dir)) {
            total += Files.size(p);
        }
        assertTrue(total <= 4_000, "trimmed again a day later: " + total);
    }

    private static RewriteCache packed(Path dir, String application) {
        return new RewriteCache(dir.toFile(), "fp", RewriteCache.DEFAULT_MAX_BYTES, application, 4);
    }

    /** The application's first JVM: entries {@code bytes(k, 300)} -> {@code bytes(k + 100, 400)}, k = 0..3, packed. */
    private static void firstJvmPacksFourEntries(Path dir) {
        RewriteCache first = packed(dir, "app");
        for (int k = 0; k < 4; k++) {
            first.put(bytes(k, 300), bytes(k + 100, 400));
        }
        assertTrue(first.packIfDue());
    }

    private static List<Path> packs(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(RewritePack.SUFFIX)).toList();
        }
    }

    @Test
    void aJvmThatUsedEnoughEntriesWritesItsApplicationsPackAndTheNextJvmReadsIt(@TempDir Path dir) throws IOException {
        RewriteCache first = packed(dir, "app");
        for (int k = 0; k < 3; k++) {
            first.put(bytes(k, 300 + k), k == 1 ? null : bytes(k + 100, 500 + k));
        }
        assertTrue(!first.packIfDue(), "3 entries: not yet due");
        first.put(bytes(3, 303), bytes(103, 503));
        assertTrue(first.packIfDue(), "4 entries: due");
        assertEquals(4, first.packWritten());
        assertTrue(!first.packIfDue(), "once per JVM");
        assertEquals(1, packs(dir).size());

        for (Path e : entries(dir)) {
            Files.delete(e); // the per-class entries gone: only the pack can answer
        }
        RewriteCache second = packed(dir, "app");
        for (int k = 0; k < 4; k++) {
            RewriteCache.Hit h = second.get(bytes(k, 300 + k));
            assertNotNull(h, "entry " + k);
            if (k == 1) {
                assertNull(h.rewritten(), "needs no rewriting, from the pack");
            } else {
                assertArrayEquals(bytes(k + 100, 500 + k), h.rewritten());
            }
        }
        assertEquals(4, second.packHits());
        assertNull(second.get(bytes(9, 300)), "not in the pack: a miss");
        assertTrue(!second.packDue(), "served from its pack: nothing to write");
        assertNull(packed(dir, "another app").get(bytes(0, 300)), "another application has a pack of its own");
        assertNull(new RewriteCache(dir.toFile(), "fp2", RewriteCache.DEFAULT_MAX_BYTES, "app", 4).get(bytes(0, 300)),
                "another agent build or options");
        assertEquals(0, second.corrupt.get());
    }

    @Test
    void aNewPackKeepsTheOldOnesEntriesAndAddsTheClassesReadFromTheirOwnEntries(@TempDir Path dir) {
        firstJvmPacksFourEntries(dir);
        RewriteCache second = packed(dir, "app");
        assertNotNull(second.get(bytes(0, 300)));
        for (int k = 10; k < 14; k++) {
            second.put(bytes(k, 300), bytes(k + 100, 400)); // classes the pack lacks (a new version, say)
        }
        assertTrue(!second.packDue(), "only written: maybe classes generated anew on every run");
        RewriteCache third = packed(dir, "app");
        for (int k = 10; k < 14; k++) {
            assertArrayEquals(bytes(k + 100, 400), third.get(bytes(k, 300)).rewritten()); // from their own entries
        }
        assertTrue(third.packIfDue(), "read back: they belong in the pack");
        assertEquals(8, third.packWritten());
        RewriteCache fourth = packed(dir, "app");
        for (int k : new int[] {0, 1, 2, 3, 10, 11, 12, 13}) {
            assertArrayEquals(bytes(k + 100, 400), fourth.get(bytes(k, 300)).rewritten());
        }
        assertEquals(8, fourth.packHits());
    }

    @Test
    void classesGeneratedAnewOnEveryRunDoNotRewriteThePack(@TempDir Path dir) throws IOException {
        firstJvmPacksFourEntries(dir);
        long packed = Files.getLastModifiedTime(packs(dir).get(0)).toMillis();
        for (int run = 1; run <= 3; run++) {
            RewriteCache c = packed(dir, "app");
            assertNotNull(c.get(bytes(0, 300)));
            for (int k = 0; k < 6; k++) {
                byte[] proxy = bytes(1000 * run + k, 200); // a class with a new name each run
                assertNull(c.get(proxy));
                c.put(proxy, bytes(k, 200));
            }
            assertTrue(!c.packIfDue(), "run " + run);
        }
        assertEquals(packed, Files.getLastModifiedTime(packs(dir).get(0)).toMillis());
    }

    @Test
    void concurrentLookupsInOnePackEachGetTheirOwnEntry(@TempDir Path dir) throws Exception {
        int keys = 64;
        RewriteCache first = packed(dir, "app");
        for (int k = 0; k < keys; k++) {
            first.put(bytes(k, 500 + 37 * k), bytes(k + 1000, 300 + 53 * k)); // sizes differ: reads of different lengths
        }
        assertTrue(first.packIfDue());
        for (Path e : entries(dir)) {
            Files.delete(e);
        }
        RewriteCache reader = packed(dir, "app"); // one pack, one file position, shared by every thread
        int threads = 8;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t;
                fs.add(pool.submit(() -> {
                    start.await();
                    for (int round = 0; round < 20; round++) {
                        for (int i = 0; i < keys; i++) {
                            int k = (i * 7 + offset * 13 + round) % keys;
                            RewriteCache.Hit h = reader.get(bytes(k, 500 + 37 * k));
                            assertNotNull(h, "entry " + k);
                            assertArrayEquals(bytes(k + 1000, 300 + 53 * k), h.rewritten(), "entry " + k);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(threads * 20L * keys, reader.packHits());
        assertEquals(0, reader.corrupt.get());
    }

    @Test
    void aDamagedPackIsNotUsedAndTheClassesComeFromTheirOwnEntries(@TempDir Path dir) throws IOException {
        firstJvmPacksFourEntries(dir);
        Path pack = packs(dir).get(0);
        byte[] good = Files.readAllBytes(pack);

        byte[] index = good.clone();
        index[40] ^= 1; // the index no longer matches its checksum
        Files.write(pack, index);
        RewriteCache a = packed(dir, "app");
        assertArrayEquals(bytes(100, 400), a.get(bytes(0, 300)).rewritten(), "from the per-class entry");
        assertEquals(0, a.packHits());
        assertEquals(1, a.corrupt.get(), "the pack counted once as bad");

        byte[] data = good.clone();
        data[data.length - 1] ^= 1; // the last entry's payload damaged
        Files.write(pack, data);
        RewriteCache b = packed(dir, "app");
        for (int k = 0; k < 4; k++) {
            assertArrayEquals(bytes(k + 100, 400), b.get(bytes(k, 300)).rewritten());
        }
        assertEquals(3, b.packHits(), "the damaged entry is read from its own file");

        Files.write(pack, Arrays.copyOf(good, good.length - 100)); // truncated
        RewriteCache c = packed(dir, "app");
        assertArrayEquals(bytes(100, 400), c.get(bytes(0, 300)).rewritten());
        assertEquals(0, c.packHits());
    }

    @Test
    void theWarmUpThreadWritesTheDuePackOnceClassLoadingIsQuiet(@TempDir Path dir) throws Exception {
        RewriteCache c = packed(dir, "app");
        for (int k = 0; k < 6; k++) {
            c.put(bytes(k, 300), bytes(k, 400));
        }
        Thread waiter = new Thread(c::packWhenQuiet);
        waiter.start();
        waiter.join();
        assertEquals(6, c.packWritten());
        assertEquals(1, packs(dir).size());
        assertTrue(!c.packIfDue(), "and not again at exit");
    }

    @Test
    void evictionCountsPacksAndDeletesTheirStaleTemporaryFiles(@TempDir Path dir) throws IOException {
        RewriteCache c = new RewriteCache(dir.toFile(), "fp", 10_000, "app", 4);
        for (int k = 0; k < 4; k++) {
            c.put(bytes(k, 10), bytes(k, 2500));
        }
        assertTrue(c.packIfDue());
        Path stale = Files.write(dir.resolve(".tmp-1-1-pack-x-y.tsp"), new byte[10]);
        Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 7_200_000L));
        c.evict(); // 4 entries of ~2.5 KB and a pack of ~10 KB: 20 KB against a bound of 10 KB
        long total = 0;
        for (Path p : entries(dir)) {
            total += Files.size(p);
        }
        for (Path p : packs(dir)) {
            total += Files.size(p);
        }
        assertTrue(total <= 8_000, "down to 80 % of the bound, packs included: " + total);
        assertTrue(!Files.exists(stale), "a pack's temporary file left by a dead JVM");
    }

    @Test
    void onByDefaultOffByOptionAndAnUnusableDirectoryTurnsTheCacheOff(@TempDir Path dir) throws IOException {
        AgentOptions defaults = AgentOptions.parse("", new java.util.Properties());
        assertEquals("auto", defaults.get(AgentOptions.CACHE), "on by default");
        assertTrue(!defaults.isSet(AgentOptions.CACHE));
        java.util.Properties props = new java.util.Properties();
        props.setProperty("timeslice.cache", dir.toString());
        AgentOptions byProperty = AgentOptions.parse("", props);
        assertEquals(dir.toString(), byProperty.get(AgentOptions.CACHE));
        assertTrue(byProperty.isSet(AgentOptions.CACHE));
        assertTrue(RewriteCache.directory("auto") == null || RewriteCache.directory("auto").getName().equals("timeslice"));

        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        TransformLog log = new TransformLog(LogLevel.WARN, new java.io.PrintStream(said, true));
        assertNull(RewriteCache.open("off", true, "fp", log));
        assertNull(RewriteCache.open("", true, "fp", log));
        assertEquals(dir.resolve("sub").toFile(), RewriteCache.open(dir.resolve("sub").toString(), true, "fp", log).dir());
        assertEquals("", said.toString());
        Path file = Files.writeString(dir.resolve("afile"), "x");
        assertNull(RewriteCache.open(file.resolve("sub").toString(), false, "fp", log), "a file where the directory should be");
        assertEquals("", said.toString(), "the default's directory unusable: no warning");
        assertNull(RewriteCache.open(file.resolve("sub").toString(), true, "fp", log));
        assertTrue(said.toString().contains("rewrite cache off: cannot use directory"), said.toString());
        assertEquals(1, said.toString().lines().count(), "one line");
    }
}
