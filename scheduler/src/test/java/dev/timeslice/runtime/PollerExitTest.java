package dev.timeslice.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link PollerExit}'s hook, run directly in a child JVM (it parks the JDK's pollers for good, so
 * not in the test JVM): with a G blocked in {@code accept} (the read poller in {@code epoll_wait}),
 * every JDK poller thread ends parked in {@link PollerExit#parkIfPoller}, in Java, and the G's
 * still blocked on its socket are left alone.
 */
class PollerExitTest {
    @Test
    void theHookParksEveryPlatformPollerInJava() throws Exception {
        // descriptors are told apart by fd & (count - 1): counts above 1 need pipes of every residue
        for (int[] counts : new int[][] {{1, 2}, {4, 4}}) {
            List<String> out = child(String.valueOf(counts[0]), String.valueOf(counts[1]));
            assertEquals("acceptor blocked", out.get(0), String.join("\n", out));
            List<String> parked = new ArrayList<>();
            parked.addAll(java.util.Collections.nCopies(counts[0], "Read-Poller parked"));
            parked.addAll(java.util.Collections.nCopies(counts[1], "Write-Poller parked"));
            assertEquals(parked, out.subList(1, out.size() - 1), String.join("\n", out));
            assertEquals("acceptor WAITING", out.get(out.size() - 1), String.join("\n", out));
        }
    }

    @Test
    void theDefaultPollerCountIsTheJdks() throws Exception {
        List<String> out = child(null, null);
        int n = PollerExit.pollerCount("no.such.property");
        List<String> parked = new ArrayList<>();
        parked.addAll(java.util.Collections.nCopies(n, "Read-Poller parked"));
        parked.addAll(java.util.Collections.nCopies(n, "Write-Poller parked"));
        assertEquals(parked, out.subList(1, out.size() - 1), String.join("\n", out));
    }

    @Test
    void pollerCountsFollowTheJdksRule() {
        System.setProperty("timeslice.test.pollers", "4");
        assertEquals(4, PollerExit.pollerCount("timeslice.test.pollers"));
        System.setProperty("timeslice.test.pollers", "3"); // the JDK refuses it; the hook tries one
        assertEquals(1, PollerExit.pollerCount("timeslice.test.pollers"));
        System.clearProperty("timeslice.test.pollers");
    }

    private static List<String> child(String readPollers, String writePollers) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String p : new String[] {"java.lang", "java.util.concurrent", "java.util.concurrent.locks", "jdk.internal.vm"}) {
            cmd.add("--add-opens");
            cmd.add("java.base/" + p + "=ALL-UNNAMED");
        }
        for (String p : new String[] {"jdk.internal.access", "sun.nio.ch"}) {
            cmd.add("--add-exports");
            cmd.add("java.base/" + p + "=ALL-UNNAMED");
        }
        cmd.add("-Djdk.pollerMode=1");
        if (readPollers != null) {
            cmd.add("-Djdk.readPollers=" + readPollers);
            cmd.add("-Djdk.writePollers=" + writePollers);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Child.class.getName());
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child did not exit:\n" + out);
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }

    /** The child: a scheduler, a G in accept, the hook, then the poller threads' frames. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Scheduler sched = Scheduler.builder().procs(2).build();
            ServerSocket server = new ServerSocket(0);
            Thread acceptor = sched.newThread().daemon(true).name("acceptor").start(() -> {
                try {
                    server.accept();
                } catch (IOException e) {
                    // closed at exit
                }
            });
            waitFor(() -> acceptor.getState() == Thread.State.WAITING);
            System.out.println("acceptor blocked");
            new PollerExit(sched).run();
            waitFor(() -> pollers().values().stream().allMatch(Child::parkedHere) && pollers().size() >= 2);
            for (Map.Entry<String, StackTraceElement[]> e : pollers().entrySet()) {
                System.out.println(e.getKey().replaceAll("#\\d+$", "").replaceAll("-\\d+$", "")
                        + (parkedHere(e.getValue()) ? " parked" : " running"));
            }
            System.out.println("acceptor " + acceptor.getState());
        }

        private static boolean parkedHere(StackTraceElement[] frames) {
            for (StackTraceElement f : frames) {
                if (f.getClassName().equals(PollerExit.class.getName()) && f.getMethodName().equals("parkIfPoller")) {
                    return true;
                }
            }
            return false;
        }

        /** The JDK's poller threads by name, with their frames. */
        private static Map<String, StackTraceElement[]> pollers() {
            Map<String, StackTraceElement[]> m = new TreeMap<>();
            for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
                String name = e.getKey().getName();
                if (name.startsWith("Read-Poller") || name.startsWith("Write-Poller")) {
                    m.put(name + "#" + e.getKey().threadId(), e.getValue());
                }
            }
            return m;
        }

        private static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!cond.getAsBoolean() && System.nanoTime() - deadline < 0) {
                Thread.sleep(5);
            }
        }
    }
}
