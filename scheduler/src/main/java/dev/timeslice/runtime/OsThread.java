package dev.timeslice.runtime;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * What the OS says about an M's thread (Linux {@code /proc}; elsewhere nothing is known). sysmon
 * asks only when an M made no CPU progress while its G runs, to tell an M blocked in the kernel
 * (a read, a wait: state S or D — hand its P off, as Go does for a syscall) from one that is
 * runnable but waiting for a CPU on a busy machine (state R — the kernel will run it; another M
 * would not run sooner). Every method is safe to call from any thread and never throws.
 */
final class OsThread {
    /** The calling thread's OS thread id, or -1 when unknown (not Linux). */
    static int currentTid() {
        try {
            String stat = read("/proc/thread-self/stat");
            int sp = stat.indexOf(' ');
            return sp > 0 ? Integer.parseInt(stat.substring(0, sp)) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * True when the thread {@code tid} of this process is known to be runnable (running or
     * waiting for a CPU); false when it sleeps in the kernel, or nothing is known.
     */
    static boolean runnable(int tid) {
        if (tid <= 0) {
            return false;
        }
        try {
            String stat = read("/proc/self/task/" + tid + "/stat");
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'R';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * A whole /proc file, through {@code FileInputStream} (loaded by every JVM for
     * {@code System.in}), not {@code Files} (whose channel classes an M's first read would load
     * at start-up).
     */
    private static String read(String path) throws IOException {
        try (FileInputStream in = new FileInputStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private OsThread() {
    }
}
