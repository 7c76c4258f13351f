package dev.timeslice.runtime.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timeslice.runtime.ObsTestSupport;
import dev.timeslice.runtime.ScanResult;
import dev.timeslice.runtime.Scheduler;
import dev.timeslice.runtime.SchedulerTestBase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** JFR events, read back with RecordingFile. No timing assertions. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JfrEventsTest extends SchedulerTestBase {
    @TempDir
    Path tmp;

    private static List<RecordedEvent> named(List<RecordedEvent> evs, String name) {
        return evs.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }

    @Test
    void aRecordingThatEnablesTheEventsGetsPreemptionsAndScans() throws Exception {
        sched = Scheduler.builder().name("jfr-test").procs(1).build();
        obs = Observability.install(sched, Observability.Settings.none().withJfr(true));
        assertFalse(obs.jfrActive(), "no recording enables the events yet");
        assertNull(sched.events(), "so nothing is attached to the scheduler");

        Path file = tmp.resolve("rec.jfr");
        try (Recording r = new Recording()) {
            for (String n : JfrEvents.EVENT_NAMES) {
                r.enable(n);
            }
            r.enable(SchedulerStatsEvent.NAME).withPeriod(Duration.ofSeconds(1));
            r.start();
            assertTrue(obs.jfrActive(), "the listener follows the recording");
            assertTrue(sched.events() instanceof JfrEvents, String.valueOf(sched.events()));

            ObsTestSupport.provokePreemption(sched);
            ScanResult scan = sched.scan();
            JfrEvents.emitStats(sched);
            r.stop();
            assertFalse(obs.jfrActive(), "and goes away when it stops");
            assertNull(sched.events());
            r.dump(file);

            List<RecordedEvent> evs = RecordingFile.readAllEvents(file);
            List<RecordedEvent> pre = named(evs, "dev.timeslice.Preemption");
            assertFalse(pre.isEmpty(), "no Preemption event");
            RecordedEvent p = pre.get(0);
            assertTrue(p.getLong("goid") > 0);
            assertEquals(0, p.getInt("p"));
            assertTrue(Set.of("slice", "wakeup").contains(p.getString("reason")), p.toString());
            assertTrue(p.getBoolean("served"));
            assertFalse(p.getDuration("latency").isNegative(), p.toString());
            assertEquals(List.of("Timeslice"), p.getEventType().getCategoryNames());
            assertTrue(p.getThread() != null && p.getThread().isVirtual(), "committed on the preempted G");

            List<RecordedEvent> scans = named(evs, "dev.timeslice.GcScan");
            assertEquals(1, scans.size(), scans.toString());
            RecordedEvent s = scans.get(0);
            assertEquals("api", s.getString("trigger"));
            assertEquals(scan.ttspNanos(), s.getDuration("ttsp").toNanos());
            assertEquals(scan.scanNanos(), s.getDuration("scanDuration").toNanos());
            assertEquals(scan.gs().size(), s.getInt("gs"));
            assertEquals(scan.stoppedAtPoll(), s.getInt("stoppedAtPoll"));
            assertEquals(scan.notAtSafepoint(), s.getInt("notAtSafepoint"));

            List<RecordedEvent> stats = named(evs, "dev.timeslice.SchedulerStats");
            assertTrue(stats.stream().anyMatch(e -> "jfr-test".equals(e.getString("scheduler"))
                    && e.getInt("procs") == 1 && e.getLong("preemptServed") >= 1), stats.toString());
        }
    }

    @Test
    void aRecordingStartedBeforeInstallIsNoticedAndEventsRecordedDirectly() throws Exception {
        try (Recording r = new Recording()) {
            r.enable(HandoffEvent.NAME);
            r.enable(ThreadRoutedEvent.NAME);
            r.start();
            sched = Scheduler.builder().name("jfr-early").procs(1).build();
            obs = Observability.install(sched, Observability.Settings.none().withJfr(true));
            assertTrue(obs.jfrActive());
            // Hooks the scheduler calls from sysmon and from routed creations:
            JfrEvents l = new JfrEvents();
            l.handoff(0, 3, 17, System.nanoTime());
            l.routed("new Thread", 18, "worker-1");
            r.stop();
            Path file = tmp.resolve("early.jfr");
            r.dump(file);
            List<RecordedEvent> evs = RecordingFile.readAllEvents(file);
            RecordedEvent h = named(evs, "dev.timeslice.Handoff").get(0);
            assertEquals(3, h.getInt("m"));
            assertEquals(17, h.getLong("goid"));
            RecordedEvent t = named(evs, "dev.timeslice.ThreadRouted").get(0);
            assertEquals("new Thread", t.getString("kind"));
            assertEquals("worker-1", t.getString("threadName"));
        }
    }

    @Test
    void jfrOffInstallsNothing() {
        sched = Scheduler.builder().name("jfr-off").procs(1).build();
        obs = Observability.install(sched, Observability.Settings.none());
        assertFalse(obs.jfrActive());
        assertNull(sched.events());
    }
}
