package dev.timeslice.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.junit.jupiter.api.Test;

/** What sysmon reads from /proc about an M's thread: its OS id and its CPU time. */
class OsThreadTest {
    @Test
    void cpuTimeOfAThreadFollowsTheJvmsOwnMeasure() {
        int tid = OsThread.currentTid();
        assumeTrue(tid > 0, "no /proc here");
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        long jvm0 = bean.getCurrentThreadCpuTime();
        long os0 = OsThread.cpuNanos(tid);
        assertTrue(os0 > 0, "CPU time of a running thread: " + os0);
        long x = 0;
        while (bean.getCurrentThreadCpuTime() - jvm0 < 100_000_000L) {
            for (int i = 0; i < 100_000; i++) {
                x += i ^ x;
            }
        }
        long jvm = bean.getCurrentThreadCpuTime() - jvm0;
        long os = OsThread.cpuNanos(tid) - os0;
        // the same clock seen two ways (the kernel's sum_exec_runtime), read a few µs apart
        assertTrue(os > jvm / 2 && os < jvm * 2, "OS " + os + " ns vs JVM " + jvm + " ns (" + x + ")");
    }

    @Test
    void unknownThreadsHaveNoCpuTime() {
        assertEquals(-1, OsThread.cpuNanos(-1));
        assertEquals(-1, OsThread.cpuNanos(0));
        assertEquals(-1, OsThread.cpuNanos(Integer.MAX_VALUE)); // no such task in this process
    }
}
