package dev.timeslice.agent;

import dev.timeslice.runtime.Deadlock;
import dev.timeslice.runtime.observe.Observability;
import dev.timeslice.runtime.RouteStats;
import dev.timeslice.runtime.Scheduler;
import dev.timeslice.runtime.SchedulerStats;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs in a shutdown hook: writes the trace and the goroutine dump if asked, then prints a short
 * summary of what happened on stderr (option {@code summary}): classes rewritten, thread
 * creations routed and left alone by kind (with {@code log=info}, naming the classes that were
 * left alone: the {@code Thread} subclass, or the class that created the pool), G's run,
 * preemptions, handoffs, scans, and one more line when deadlocks among G's were found. Never throws.
 *
 * <p>Plain string building only: at exit the JVM is cold, and {@code String.format} and streams
 * cost 100–300 ms of class loading and lambda spinning there (measured on hello world), which
 * every program paid between {@code main} returning and the process exiting.
 */
final class ExitReport implements Runnable {
    private final Scheduler sched;
    private final Observability obs;
    private final TransformLog log;
    private final String dump;
    private final boolean summary;
    private final PrintStream err = System.err;
    private final RewriteCache cache;
    private final boolean reportCache;

    /**
     * @param dump    file for a goroutine dump at exit, or "" for none
     * @param summary print the summary (option {@code summary}, silenced by {@code log=off})
     */
    ExitReport(Scheduler sched, Observability obs, TransformLog log, String dump, boolean summary) {
        this(sched, obs, log, dump, summary, null, false);
    }

    /**
     * @param cache       the rewrite cache, whose due pack ({@link RewriteCache#packIfDue}) is written at exit, or null
     * @param reportCache whether the summary reports the cache's hits and writes
     */
    ExitReport(Scheduler sched, Observability obs, TransformLog log, String dump, boolean summary, RewriteCache cache,
               boolean reportCache) {
        this.cache = cache;
        this.reportCache = reportCache;
        this.sched = sched;
        this.obs = obs;
        this.log = log;
        this.dump = dump;
        this.summary = summary;
    }

    @Override
    public void run() {
        try {
            try {
                obs.close(); // writes the trace; reports its own failures
            } catch (Throwable t) {
                err.println("timeslice: could not close the observability (trace, JMX, JFR): " + t);
            }
            if (!dump.isEmpty()) {
                try {
                    sched.writeGoroutineDump(Path.of(dump));
                    err.println("timeslice: goroutine dump written to " + dump);
                } catch (IOException | RuntimeException e) {
                    err.println("timeslice: cannot write the goroutine dump to " + dump + ": " + e);
                }
            }
            if (cache != null) {
                cache.packIfDue(); // a start that loaded its classes within a second of exit
            }
            if (summary) {
                String line = summary(sched.stats(), log);
                if (cache != null && reportCache) {
                    line += "\ntimeslice: " + cacheLine(cache);
                }
                String deadlocks = deadlockLine(sched.deadlocks());
                if (deadlocks != null) {
                    line += "\n" + deadlocks;
                }
                err.println(line);
            }
        } catch (Throwable t) {
            err.println("timeslice: exit report failed: " + t);
        }
    }

    /** The cache's summary line: its hits (those from the application's pack), misses, writes, bad entries, pack. */
    static String cacheLine(RewriteCache cache) {
        long packed = cache.packWritten();
        return "rewrite cache " + cache.dir() + ": " + cache.hits.get() + " hits (" + cache.packHits()
                + " from the application's pack), " + cache.misses.get() + " misses, " + cache.writes.get() + " written, "
                + cache.corrupt.get() + " bad entries ignored" + (packed >= 0 ? "; pack of " + packed + " entries written" : "");
    }

    static String summary(SchedulerStats s, TransformLog log) {
        StringBuilder sb = new StringBuilder("timeslice: ");
        sb.append(log.rewritten.get()).append(" classes rewritten, ")
                .append(log.unchanged.get()).append(" unchanged, ")
                .append(log.failed.get()).append(" left alone after an error; ");
        sb.append("threads routed: ").append(kinds(RouteStats.routed()));
        sb.append("; left alone: ").append(log.enabled(LogLevel.INFO)
                ? kindsWithClasses(RouteStats.leftAloneCounts(), RouteStats.leftAloneClasses())
                : kinds(RouteStats.leftAloneCounts())).append('\n');
        sb.append("timeslice: procs=").append(s.procs()).append(", ").append(s.created()).append(" G's run, ")
                .append(s.threads()).append(" M's; preemptions ").append(s.preemptServed()).append(" served / ")
                .append(s.preemptRequested()).append(" requested (").append(s.preemptFailed()).append(" failed, pinned; ")
                .append(s.wakeupPreemptions()).append(" for wakeups), latency p50 ")
                .append(micros(s.preemptLatencyP50())).append(" p99 ").append(micros(s.preemptLatencyP99()))
                .append("; ").append(s.handoffs()).append(" P handoffs; ").append(s.scans()).append(" GC-scans");
        if (s.scans() > 0) {
            sb.append(" (time to safepoint p99 ").append(micros(s.scanTtspP99())).append(')');
        }
        return sb.toString();
    }

    /** One line when deadlocks among G's were found, else null. */
    static String deadlockLine(List<Deadlock> found) {
        if (found.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder("timeslice: ").append(found.size())
                .append(found.size() == 1 ? " deadlock" : " deadlocks").append(" among G's: ");
        for (int i = 0; i < found.size(); i++) {
            sb.append(i == 0 ? "" : "; ").append(found.get(i).summary());
        }
        return sb.toString();
    }

    private static String kinds(Map<String, Long> m) {
        if (m.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Long> e : m.entrySet()) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append(e.getKey()).append(' ').append(e.getValue());
        }
        return sb.toString();
    }

    /** At log=info: {@code Thread subclass 3 (com.acme.Worker 2, com.acme.Main$1 1)}, at most 10 names a kind. */
    static String kindsWithClasses(Map<String, Long> counts, Map<String, Map<String, Long>> classes) {
        if (counts.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue());
            Map<String, Long> names = classes.getOrDefault(e.getKey(), Map.of());
            if (!names.isEmpty()) {
                sb.append(" (");
                int shown = 0;
                for (Map.Entry<String, Long> n : names.entrySet()) {
                    if (shown == MAX_NAMES) {
                        sb.append(", ").append(names.size() - shown).append(" more classes");
                        break;
                    }
                    sb.append(shown++ == 0 ? "" : ", ").append(n.getKey()).append(' ').append(n.getValue());
                }
                sb.append(')');
            }
        }
        return sb.toString();
    }

    private static final int MAX_NAMES = 10;

    /** "3.4 us" below 10 us, else whole microseconds; no Formatter (see the class comment). */
    static String micros(long nanos) {
        if (nanos >= 10_000) {
            return nanos / 1000 + " us";
        }
        long tenths = (nanos + 50) / 100;
        return tenths / 10 + "." + tenths % 10 + " us";
    }
}
