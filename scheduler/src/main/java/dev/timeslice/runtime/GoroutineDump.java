package dev.timeslice.runtime;

import java.util.List;

/**
 * Formats a scan as a Go-style goroutine dump:
 *
 * <pre>
 * goroutine 17 [sleep, 3 minutes]:
 * demo.Poller.run(...)
 * 	Poller.java:42
 * thread "poller-1"
 * </pre>
 *
 * The header is exactly Go's ({@code goroutine N [state]:}, with the wait reason for waiting
 * G's and the time in state once it reaches a minute), so tools that read Go dumps can read
 * these; each frame is the method, then the tab-indented source position, as Go prints them;
 * the thread name and, for running G's, the M and time-to-safepoint follow the stack, where Go
 * prints "created by".
 */
public final class GoroutineDump {
    private GoroutineDump() {
    }

    public static String format(ScanResult scan) {
        StringBuilder sb = new StringBuilder();
        sb.append("# timeslice goroutine dump, ").append(scan.at()).append(", ").append(scan.gs().size())
                .append(" goroutines, ").append(scan.summary()).append("\n\n");
        for (GInfo g : scan.gs()) {
            appendG(sb, g);
            sb.append('\n');
        }
        return sb.toString();
    }

    static void appendG(StringBuilder sb, GInfo g) {
        sb.append("goroutine ").append(g.goid()).append(" [").append(status(g)).append("]:\n");
        List<StackTraceElement> stack = g.stack();
        for (StackTraceElement e : stack) {
            appendFrame(sb, e);
        }
        if (stack.isEmpty() && !g.state().equals("running")) {
            sb.append("\t(stack not recorded by this scan)\n");
        }
        appendThreadLine(sb, g);
    }

    /** One frame: the method, then the tab-indented source position. */
    static void appendFrame(StringBuilder sb, StackTraceElement e) {
        sb.append(e.getClassName()).append('.').append(e.getMethodName()).append("(...)\n\t");
        if (e.isNativeMethod()) {
            sb.append("native method");
        } else {
            sb.append(e.getFileName() != null ? e.getFileName() : "unknown source");
            if (e.getLineNumber() >= 0) {
                sb.append(':').append(e.getLineNumber());
            }
        }
        sb.append('\n');
    }

    /** The line after a G's stack: thread name, M, time to safepoint, run counters. */
    static void appendThreadLine(StringBuilder sb, GInfo g) {
        sb.append("thread \"").append(g.name()).append('"');
        if (!g.m().isEmpty()) {
            sb.append(" on ").append(g.m());
        }
        if (g.ttspNanos() >= 0) {
            sb.append(String.format(", stopped at a poll %.3f ms after the scan started", g.ttspNanos() / 1e6));
        }
        sb.append(String.format(", ran %.3f ms in %d runs, preempted %d times", g.runNanos() / 1e6, g.runs(), g.preemptions()));
        sb.append('\n');
    }

    static String status(GInfo g) {
        StringBuilder s = new StringBuilder();
        if (g.state().equals("waiting") && !g.waitReason().isEmpty()) {
            s.append(g.waitReason());
        } else {
            s.append(g.state());
        }
        if (g.state().equals("running") && !g.atSafepoint()) {
            s.append(", not at a safepoint");
        }
        long minutes = g.stateNanos() / 60_000_000_000L;
        if (minutes >= 1 && !g.state().equals("running")) {
            s.append(", ").append(minutes).append(minutes == 1 ? " minute" : " minutes");
        }
        return s.toString();
    }
}
