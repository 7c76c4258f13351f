package dev.timeslice.runtime.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timeslice.runtime.GInfo;
import dev.timeslice.runtime.MInfo;
import dev.timeslice.runtime.PInfo;
import dev.timeslice.runtime.Scheduler;
import dev.timeslice.runtime.SchedulerStats;
import dev.timeslice.runtime.SchedulerTestBase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** schedtrace and scheddetail lines against Go's format. No timing assertions. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SchedTraceTest extends SchedulerTestBase {
    /** Go 1.23+'s schedtrace line, then Timeslice's fields. */
    static final Pattern SCHED = Pattern.compile("SCHED (\\d+)ms: gomaxprocs=(\\d+) idleprocs=(\\d+) threads=(\\d+)"
            + " spinningthreads=(\\d+) needspinning=([01]) idlethreads=(\\d+) runqueue=(\\d+) \\[ ((?:\\d+ )*)\\]"
            + " schedticks=\\[ ((?:\\d+ )*)\\]"
            + " gs=\\d+ preempt=\\d+/\\d+ preemptfail=\\d+ wakeuppreempt=\\d+ handoff=\\d+ scans=\\d+ lat_p99=\\d+us");
    static final Pattern P_LINE = Pattern.compile("  P\\d+: status=[012]\\((idle|sched|running|locked|handoff)\\)"
            + " schedtick=\\d+ handoffs=\\d+ m=(\\d+|nil) runqsize=\\d+ curg=(\\d+|nil)");
    static final Pattern M_LINE = Pattern.compile("  M\\d+: p=(\\d+|nil) curg=(\\d+|nil) spinning=(true|false)"
            + " blocked=(true|false) thread=\\S+");
    static final Pattern G_LINE = Pattern.compile("  G\\d+: status=[0-9]\\([^)]*\\) m=(\\d+|nil) name=\"(?:[^\"\\\\]|\\\\.)*\"");


    private static SchedulerStats stats() {
        return new SchedulerStats(2, 0, 5, 1, 0, 0, 3, 1, List.of(1, 0), List.of(208L, 197L),
                List.of("running", "running"), Map.of("running", 2, "runnable", 4, "waiting", 5),
                40, 29, 7, 3, 53, 52, 1, 4, 0, 20_000, 91_500, 200_000, 1, 30_000, 40_000, "");
    }

    @Test
    void lineIsGosFormatWithTimeslicesFieldsAtTheEnd() {
        String line = SchedTrace.line(1004, stats());
        assertEquals("SCHED 1004ms: gomaxprocs=2 idleprocs=0 threads=5 spinningthreads=0 needspinning=0"
                + " idlethreads=1 runqueue=3 [ 1 0 ] schedticks=[ 208 197 ]"
                + " gs=11 preempt=52/53 preemptfail=1 wakeuppreempt=4 handoff=0 scans=1 lat_p99=91us", line);
        Matcher m = SCHED.matcher(line);
        assertTrue(m.matches(), line);
        assertEquals(2, m.group(9).trim().split(" ").length);
        assertEquals(2, m.group(10).trim().split(" ").length);
    }

    @Test
    void detailLinesAreInGosSpirit() {
        List<PInfo> ps = List.of(new PInfo(0, "running", 208, 1, 3, 1, 17), new PInfo(1, "idle", 197, 0, -1, 0, -1),
                new PInfo(2, "handoff", 5, 2, -1, 0, 9));
        List<MInfo> ms = List.of(new MInfo(3, "timeslice-M3", 0, 17, false, false),
                new MInfo(4, "timeslice-M4", -1, -1, true, true));
        List<GInfo> gs = List.of(
                new GInfo(17, "worker-3", "running", "", 0, 0, 1, 0, false, "", -1, List.of()),
                new GInfo(18, "", "waiting", "sleep", 0, 0, 1, 0, false, "", -1, List.of()),
                new GInfo(19, "say \"hi\"", "preempted", "", 0, 0, 1, 1, false, "", -1, List.of()),
                new GInfo(20, "new", "idle", "", 0, 0, 0, 0, false, "", -1, List.of()));
        String text = SchedTrace.detailLines(ps, ms, gs);
        assertEquals("""
                  P0: status=1(running) schedtick=208 handoffs=1 m=3 runqsize=1 curg=17
                  P1: status=0(idle) schedtick=197 handoffs=0 m=nil runqsize=0 curg=nil
                  P2: status=2(handoff) schedtick=5 handoffs=2 m=nil runqsize=0 curg=9
                  M3: p=0 curg=17 spinning=false blocked=false thread=timeslice-M3
                  M4: p=nil curg=nil spinning=true blocked=true thread=timeslice-M4
                  G17: status=2() m=3 name="worker-3"
                  G18: status=4(sleep) m=nil name=""
                  G19: status=1(preempted) m=nil name="say \\"hi\\""
                  G20: status=0() m=nil name="new"
                """, text);
        for (String l : text.split("\n")) {
            assertTrue(P_LINE.matcher(l).matches() || M_LINE.matcher(l).matches() || G_LINE.matcher(l).matches(), l);
        }
    }

    @Test
    void theThreadPrintsGoLinesEveryIntervalAndStopsAtClose() throws Exception {
        sched = Scheduler.builder().name("schedtrace-test").procs(2).build();
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < 3; i++) {
            sched.newThread().name("waiter-" + i).start(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        obs = Observability.install(sched, Observability.Settings.none().withSchedtrace(10).withScheddetail(true)
                .withSchedtraceOut(out));
        while (count(buf.toString(StandardCharsets.UTF_8), "SCHED ") < 3) {
            Thread.sleep(5);
        }
        release.countDown();
        obs.close();
        String text = buf.toString(StandardCharsets.UTF_8);
        int lines = count(text, "SCHED ");
        Thread.sleep(30);
        assertEquals(lines, count(buf.toString(StandardCharsets.UTF_8), "SCHED "), "nothing printed after close");
        assertTrue(text.startsWith("SCHED 0ms: gomaxprocs=2 "), text);
        boolean sawWaiter = false;
        for (String l : text.split("\n")) {
            if (l.startsWith("SCHED")) {
                assertTrue(SCHED.matcher(l).matches(), l);
            } else {
                assertTrue(P_LINE.matcher(l).matches() || M_LINE.matcher(l).matches() || G_LINE.matcher(l).matches(), l);
                sawWaiter |= l.matches("  G\\d+: status=4\\([^)]+\\) m=nil name=\"waiter-\\d\"");
            }
        }
        assertTrue(sawWaiter, text);
        assertTrue(text.contains("  P1: "), text);
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
