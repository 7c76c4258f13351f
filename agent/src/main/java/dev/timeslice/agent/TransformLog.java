package dev.timeslice.agent;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's diagnostics: one line per event on stderr (never stdout), filtered by level, and
 * counters for a summary. Lines look like {@code timeslice: warn: com.acme.Foo: left unchanged: ...}.
 * Never throws. Thread-safe.
 */
public final class TransformLog {
    private final LogLevel level;
    private final PrintStream out;
    public final AtomicLong rewritten = new AtomicLong();
    public final AtomicLong unchanged = new AtomicLong();
    public final AtomicLong failed = new AtomicLong();

    public TransformLog(LogLevel level, PrintStream out) {
        this.level = level;
        this.out = out;
    }

    public TransformLog(LogLevel level) {
        this(level, System.err);
    }

    public boolean enabled(LogLevel l) {
        return level.includes(l);
    }

    public void warn(String className, String message) {
        log(LogLevel.WARN, className, message);
    }

    public void info(String className, String message) {
        log(LogLevel.INFO, className, message);
    }

    public void debug(String className, String message) {
        log(LogLevel.DEBUG, className, message);
    }

    public void log(LogLevel l, String className, String message) {
        if (!enabled(l)) {
            return;
        }
        try {
            String who = className == null ? "" : className.replace('/', '.') + ": ";
            out.println("timeslice: " + l.name().toLowerCase(java.util.Locale.ROOT) + ": " + who
                    + message.replace('\n', ' '));
        } catch (Throwable ignored) {
            // diagnostics must never break the host
        }
    }
}
