package dev.timeslice.runtime.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timeslice.runtime.ObsTestSupport;
import dev.timeslice.runtime.ScanResult;
import dev.timeslice.runtime.Scheduler;
import dev.timeslice.runtime.SchedulerTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The Chrome trace: parsed as JSON and checked against what ran. No timing assertions. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TraceRecorderTest extends SchedulerTestBase {
    private static final double EPS = 0.0015; // µs printed with 3 decimals

    @TempDir
    Path tmp;

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> events(Object root) {
        Map<String, Object> m = (Map<String, Object>) root;
        assertEquals("ns", m.get("displayTimeUnit"));
        assertTrue(m.get("otherData") instanceof Map);
        return (List<Map<String, Object>>) m.get("traceEvents");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> args(Map<String, Object> e) {
        return (Map<String, Object>) e.get("args");
    }

    static double num(Map<String, Object> e, String k) {
        return ((Double) e.get(k));
    }

    static int tid(Map<String, Object> e) {
        return (int) num(e, "tid");
    }

    /** Every event has the fields Perfetto needs for its phase. */
    static void checkStructure(List<Map<String, Object>> evs) {
        for (Map<String, Object> e : evs) {
            String ph = (String) e.get("ph");
            assertNotNull(ph, e.toString());
            assertTrue(e.get("name") instanceof String, e.toString());
            assertTrue(e.get("pid") instanceof Double && e.get("tid") instanceof Double, e.toString());
            switch (ph) {
                case "M" -> assertTrue(e.get("args") instanceof Map, e.toString());
                case "X" -> {
                    assertTrue(num(e, "ts") >= 0, e.toString());
                    assertTrue(num(e, "dur") >= 0, e.toString());
                }
                case "i" -> {
                    assertTrue(num(e, "ts") >= 0, e.toString());
                    assertTrue(Set.of("t", "p", "g").contains(e.get("s")), e.toString());
                }
                default -> throw new AssertionError("unexpected phase " + ph + " in " + e);
            }
        }
    }

    /** Slices of the same category on one track never overlap. */
    static void checkNoOverlap(List<Map<String, Object>> evs, String cat) {
        Map<Integer, List<Map<String, Object>>> byTid = evs.stream()
                .filter(e -> "X".equals(e.get("ph")) && cat.equals(e.get("cat")))
                .collect(Collectors.groupingBy(TraceRecorderTest::tid));
        for (List<Map<String, Object>> l : byTid.values()) {
            l.sort(Comparator.comparingDouble(e -> num(e, "ts")));
            for (int i = 1; i < l.size(); i++) {
                double prevEnd = num(l.get(i - 1), "ts") + num(l.get(i - 1), "dur");
                assertTrue(prevEnd <= num(l.get(i), "ts") + EPS, "overlap: " + l.get(i - 1) + " and " + l.get(i));
            }
        }
    }

    @Test
    void traceOfARealRunHasATrackPerPRunsPreemptionsAndTheScan() throws Exception {
        Path file = Files.createDirectories(tmp.resolve("out")).resolve("trace.json"); // the recorder creates no directory
        sched = Scheduler.builder().name("trace-test").procs(1).build();
        obs = Observability.install(sched, Observability.Settings.none().withTrace(file));
        ObsTestSupport.provokePreemption(sched);
        Thread sleeper = sched.newThread().name("sleeper \"quoted\"").start(() -> {
            for (int i = 0; i < 3; i++) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        });
        sleeper.join();
        ScanResult scan = sched.scan();
        obs.close();

        String json = Files.readString(file);
        List<Map<String, Object>> evs = events(Json.parse(json));
        checkStructure(evs);
        checkNoOverlap(evs, "run");
        assertEquals(List.of(file), Files.list(file.getParent()).toList(), "the trace and nothing else");

        // Track names.
        Map<Integer, String> tracks = new HashMap<>();
        for (Map<String, Object> e : evs) {
            if ("M".equals(e.get("ph")) && "thread_name".equals(e.get("name"))) {
                tracks.put(tid(e), (String) args(e).get("name"));
            }
        }
        assertEquals("P0", tracks.get(1));
        assertEquals("gc-scan", tracks.get(TraceRecorder.SCAN_TID));

        // Runs, named after their G's, all on P0.
        List<Map<String, Object>> runs = evs.stream().filter(e -> "run".equals(e.get("cat"))).toList();
        List<Map<String, Object>> hogRuns = runs.stream().filter(e -> ((String) e.get("name")).matches("G\\d+ hog")).toList();
        assertTrue(hogRuns.size() >= 2, "the hog ran, was preempted and ran again: " + hogRuns);
        assertTrue(runs.stream().anyMatch(e -> ((String) e.get("name")).matches("G\\d+ stopper")), runs.toString());
        assertTrue(runs.stream().anyMatch(e -> e.get("name").equals(
                "G" + (long) num(args(e), "goid") + " sleeper \"quoted\"")), runs.toString());
        // on a busy machine sysmon may hand P0 away from an M the kernel is not running (a
        // wakeup waited): the rest of that run is drawn on the M's own track
        boolean handedOff = sched.stats().handoffs() > 0;
        for (Map<String, Object> r : runs) {
            assertTrue(tid(r) == 1 || (handedOff && tid(r) >= TraceRecorder.M_TID_BASE), r.toString());
            assertTrue(((String) r.get("name")).startsWith("G" + (long) num(args(r), "goid")), r.toString());
        }
        long hogGoid = (long) num(args(hogRuns.get(0)), "goid");

        // The preemption: an instant on P0 at the end of one of the hog's runs.
        List<Map<String, Object>> preempts = evs.stream()
                .filter(e -> "i".equals(e.get("ph")) && "preempt".equals(e.get("cat"))).toList();
        Map<String, Object> p = preempts.stream().filter(e -> (long) num(args(e), "goid") == hogGoid).findFirst()
                .orElseThrow(() -> new AssertionError("no preemption of the hog in " + preempts));
        assertTrue(tid(p) == 1 || (handedOff && tid(p) >= TraceRecorder.M_TID_BASE), p.toString()); // as the runs above
        assertEquals("t", p.get("s"));
        assertTrue(Set.of("slice", "wakeup").contains(args(p).get("reason")), p.toString());
        assertEquals(Boolean.TRUE, args(p).get("served"));
        assertTrue(num(args(p), "latency_us") >= 0, p.toString());
        double at = num(p, "ts");
        assertTrue(hogRuns.stream().anyMatch(r -> Math.abs(num(r, "ts") + num(r, "dur") - at) <= EPS),
                "the preemption is drawn where a hog run ended: " + p + " " + hogRuns);

        // The scan: a slice on the scan track with its time-to-safepoint, and a global instant.
        Map<String, Object> s = evs.stream().filter(e -> "X".equals(e.get("ph")) && "scan".equals(e.get("cat"))
                && ((String) e.get("name")).startsWith("gc-scan")).findFirst().orElseThrow();
        assertEquals(TraceRecorder.SCAN_TID, tid(s));
        assertEquals("api", args(s).get("trigger"));
        assertEquals(scan.ttspNanos() / 1000.0, num(args(s), "ttsp_us"), EPS);
        assertEquals(scan.gs().size(), (int) num(args(s), "gs"));
        assertTrue(evs.stream().anyMatch(e -> "i".equals(e.get("ph")) && "g".equals(e.get("s"))
                && "gc-scan".equals(e.get("name"))));
        assertTrue(evs.stream().anyMatch(e -> "time to safepoint".equals(e.get("name")) && tid(e) == TraceRecorder.SCAN_TID));
    }

    @Test
    void writingTwiceAndOnDemandKeepsRecording() throws Exception {
        Path file = tmp.resolve("trace.json");
        sched = Scheduler.builder().name("trace-twice").procs(2).build();
        obs = Observability.install(sched, Observability.Settings.none().withTrace(file));
        sched.go(() -> { }).join();
        assertEquals(file, obs.writeTrace());
        int first = events(Json.parse(Files.readString(file))).size();
        sched.go(() -> { }).join();
        obs.close();
        obs.close(); // idempotent
        int second = events(Json.parse(Files.readString(file))).size();
        assertTrue(second > first, first + " then " + second);
        assertTrue(sched.events() == null, "listener removed at close");
    }

    @Test
    void ringOverwritesTheOldestCountsDropsAndClosesOpenRuns() {
        TraceRecorder r = new TraceRecorder("synthetic", 2, 16, 8);
        assertEquals(16, r.capacity());
        long t = System.nanoTime();
        for (int i = 0; i < 40; i++) {
            r.runStart(0, 0, 100 + i, "g" + i, t + i * 1000L);
            r.runEnd(0, 0, 100 + i, t + i * 1000L + 500);
        }
        assertEquals(40, r.recorded());
        assertEquals(24, r.dropped());
        // M1 runs G7 on P1; sysmon retakes P1; M2 runs G8 on P1; G7 ends on M1 later.
        long t2 = t + 100_000;
        r.runStart(1, 1, 7, "stuck", t2);
        r.handoff(1, 1, 7, t2 + 1000);
        r.runStart(1, 2, 8, "next", t2 + 2000);
        r.runEnd(1, 2, 8, t2 + 3000);
        r.runEnd(1, 1, 7, t2 + 4000);
        // A run still open when the trace is written.
        r.runStart(0, 3, 9, "open", t2 + 5000);

        List<Map<String, Object>> evs = events(Json.parse(r.toJson()));
        checkStructure(evs);
        checkNoOverlap(evs, "run");
        List<Map<String, Object>> runs = evs.stream().filter(e -> "run".equals(e.get("cat"))).toList();
        List<Map<String, Object>> loop = runs.stream().filter(e -> num(args(e), "goid") >= 100).toList();
        assertTrue(!loop.isEmpty() && loop.size() <= 16, loop.toString());
        assertTrue(loop.stream().allMatch(e -> num(args(e), "goid") >= 100 + 24), "oldest runs overwritten: " + loop);
        List<Map<String, Object>> stuck = runs.stream().filter(e -> e.get("name").equals("G7 stuck")).toList();
        assertEquals(2, stuck.size(), "split at the handoff: " + stuck);
        assertEquals(Set.of(2, TraceRecorder.M_TID_BASE + 1), stuck.stream().map(TraceRecorderTest::tid).collect(Collectors.toSet()));
        assertTrue(evs.stream().anyMatch(e -> "handoff".equals(e.get("name")) && tid(e) == 2));
        assertTrue(evs.stream().anyMatch(e -> "retake P1".equals(e.get("name")) && tid(e) == TraceRecorder.SYSMON_TID));
        assertTrue(evs.stream().anyMatch(e -> "thread_name".equals(e.get("name"))
                && "M1 (P retaken)".equals(args(e).get("name"))));
        Map<String, Object> open = runs.stream().filter(e -> e.get("name").equals("G9 open")).findFirst().orElseThrow();
        assertTrue(num(open, "dur") >= 0);
        @SuppressWarnings("unchecked")
        Map<String, Object> other = (Map<String, Object>) ((Map<String, Object>) Json.parse(r.toJson())).get("otherData");
        assertTrue(Long.parseLong((String) other.get("events_dropped")) >= 24, other.toString());
    }

    @Test
    void namesAreEscapedAndEvictedNamesFallBackToTheGoid() {
        TraceRecorder r = new TraceRecorder("esc\"aped", 1, 64, 4);
        long t = System.nanoTime();
        r.runStart(0, 0, 1, "tab\there \"q\" \\ \u0001 \ud83d\ude00", t);
        r.runEnd(0, 0, 1, t + 10);
        r.runStart(0, 0, 2, "", t + 20);
        r.runEnd(0, 0, 2, t + 30);
        List<Map<String, Object>> evs = events(Json.parse(r.toJson()));
        List<String> names = new ArrayList<>();
        for (Map<String, Object> e : evs) {
            if ("run".equals(e.get("cat"))) {
                names.add((String) e.get("name"));
            }
        }
        assertEquals(List.of("G1 tab\there \"q\" \\ \u0001 \ud83d\ude00", "G2"), names);
    }
}
