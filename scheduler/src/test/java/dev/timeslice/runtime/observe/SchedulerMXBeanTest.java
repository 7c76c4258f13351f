package dev.timeslice.runtime.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timeslice.runtime.Scheduler;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.TabularData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The MXBean through the platform MBeanServer, as JConsole would use it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SchedulerMXBeanTest {
    @TempDir
    Path tmp;
    private Scheduler sched;
    private Scheduler sched2;
    private Observability obs;
    private Observability obs2;
    private final CountDownLatch release = new CountDownLatch(1);
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    @AfterEach
    void close() {
        release.countDown();
        for (Observability o : new Observability[] {obs, obs2}) {
            if (o != null) {
                o.close();
            }
        }
        for (Scheduler s : new Scheduler[] {sched, sched2}) {
            if (s != null) {
                s.close();
            }
        }
    }

    private ObjectName find(String schedulerName) throws Exception {
        for (ObjectName n : server.queryNames(new ObjectName("timeslice:type=Scheduler,*"), null)) {
            if (schedulerName.equals(server.getAttribute(n, "SchedulerName"))) {
                return n;
            }
        }
        throw new AssertionError("no MBean for " + schedulerName);
    }

    @Test
    void attributesAndOperationsWork() throws Exception {
        sched = Scheduler.builder().name("jmx-test").procs(2).build();
        obs = Observability.install(sched, Observability.Settings.none().withJmx(true));
        ObjectName registered = obs.mbeanName(); // registration runs on a background thread
        ObjectName name = find("jmx-test");
        assertEquals(registered, name);
        assertTrue(name.toString().startsWith("timeslice:type=Scheduler"), name.toString());
        for (int i = 0; i < 3; i++) {
            sched.newThread().name("waiter-" + i).start(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
        }
        while (!Integer.valueOf(3).equals(server.getAttribute(name, "WaitingGs"))) {
            Thread.sleep(5);
        }
        assertEquals(2, server.getAttribute(name, "Procs"));
        assertEquals(3, server.getAttribute(name, "LiveGs"));
        assertEquals(2, ((int[]) server.getAttribute(name, "LocalRunqueues")).length);
        assertTrue(server.getAttribute(name, "GsByState") instanceof TabularData);
        assertTrue((Long) server.getAttribute(name, "CreatedGs") >= 3);
        assertEquals(0L, server.getAttribute(name, "Scans"));
        assertEquals("", server.getAttribute(name, "LastScan"));
        assertEquals("", server.getAttribute(name, "TraceFile"));
        for (String a : new String[] {"IdleProcs", "Threads", "IdleThreads", "SpinningThreads", "RunningGs",
                "RunnableGs", "PreemptedGs", "GlobalRunqueue", "WakeupRunqueue", "LocalRunqueueTotal", "FinishedGs",
                "Steals", "ExternalWakeups", "PreemptionsRequested", "PreemptionsServed", "PreemptionsFailed",
                "WakeupPreemptions", "Handoffs", "PreemptLatencyP50Micros", "PreemptLatencyP99Micros",
                "PreemptLatencyMaxMicros", "ScanTtspP50Micros", "ScanTtspP99Micros", "RoutedThreads",
                "LeftAloneThreads"}) {
            server.getAttribute(name, a); // every attribute reads without error
        }

        String summary = (String) server.invoke(name, "scanNow", null, null);
        assertTrue(summary.startsWith("scan (api): 3 G's"), summary);
        assertEquals(1L, server.getAttribute(name, "Scans"));
        assertEquals(summary, server.getAttribute(name, "LastScan"));

        String dump = (String) server.invoke(name, "goroutineDump", null, null);
        assertTrue(dump.contains("goroutine ") && dump.contains("thread \"waiter-0\""), dump);

        Path file = tmp.resolve("dump.txt");
        String written = (String) server.invoke(name, "writeGoroutineDump", new Object[] {file.toString()},
                new String[] {String.class.getName()});
        assertEquals(file.toAbsolutePath().toString(), written);
        assertTrue(Files.readString(file).contains("thread \"waiter-2\""));

        assertTrue(((String) server.invoke(name, "writeTrace", null, null)).startsWith("tracing is off"));

        SchedulerMXBean proxy = JMX.newMXBeanProxy(server, name, SchedulerMXBean.class);
        assertEquals(2, proxy.getProcs());
        assertEquals(3, proxy.getGsByState().get("waiting"));

        obs.close();
        assertFalse(server.isRegistered(name), "unregistered at close");
    }

    @Test
    void aSecondSchedulerIsRegisteredUnderItsNameAndTheTraceCanBeWrittenOnDemand() throws Exception {
        Path trace = tmp.resolve("t.json");
        sched = Scheduler.builder().name("jmx-one").procs(1).build();
        sched2 = Scheduler.builder().name("jmx, two").procs(1).build();
        obs = Observability.install(sched, Observability.Settings.none().withJmx(true));
        assertEquals("timeslice:type=Scheduler", obs.mbeanName().toString());
        obs2 = Observability.install(sched2, Observability.Settings.none().withJmx(true).withTrace(trace));
        assertNotEquals(obs.mbeanName(), obs2.mbeanName());
        ObjectName two = find("jmx, two");
        assertEquals("\"jmx, two\"", two.getKeyProperty("name"));
        assertEquals(trace.toAbsolutePath().toString(), server.getAttribute(two, "TraceFile"));
        sched2.go(() -> { }).join();
        assertEquals(trace.toAbsolutePath().toString(), server.invoke(two, "writeTrace", null, null));
        assertTrue(Files.readString(trace).contains("\"traceEvents\""));
    }

    @Test
    void closingWhileTheMBeanIsBeingRegisteredLeavesNothingRegistered() throws Exception {
        sched = Scheduler.builder().name("jmx-quick").procs(1).build();
        obs = Observability.install(sched, Observability.Settings.none().withJmx(true));
        obs.close();
        assertEquals(null, obs.mbeanName());
        ObjectName plain = new ObjectName("timeslice:type=Scheduler");
        ObjectName named = new ObjectName("timeslice:type=Scheduler,name=\"jmx-quick\"");
        assertFalse(server.isRegistered(named));
        assertFalse(server.isRegistered(plain) && "jmx-quick".equals(server.getAttribute(plain, "SchedulerName")));
    }
}
