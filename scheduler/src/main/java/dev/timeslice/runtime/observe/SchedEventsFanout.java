package dev.timeslice.runtime.observe;

import dev.timeslice.runtime.Deadlock;
import dev.timeslice.runtime.ScanResult;
import dev.timeslice.runtime.SchedEvents;
import dev.timeslice.runtime.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Lets several {@link SchedEvents} listeners share the scheduler's one listener slot
 * ({@link Scheduler#setEvents}): the trace recorder, the JFR listener, and whatever the agent
 * installed before.
 *
 * <p>Cheap on the hot path: {@link #runStart}/{@link #runEnd} (called for every G run) go only
 * to the listeners that override them (found once, by reflection, when the fan-out is built), so
 * a listener that only cares about preemptions adds nothing to a G run. Every call is isolated:
 * a listener that throws is reported once on stderr and never disturbs the scheduler or the
 * other listeners.
 *
 * <p>Use {@link #of}: it returns null for no listener and the listener itself for one, so the
 * common cases pay for no indirection at all.
 */
public final class SchedEventsFanout implements SchedEvents {
    private final SchedEvents[] all;
    private final SchedEvents[] runListeners;
    private volatile boolean reported;

    private SchedEventsFanout(SchedEvents[] all, SchedEvents[] runListeners) {
        this.all = all;
        this.runListeners = runListeners;
    }

    /** Null for no listener, the listener itself for one, a fan-out for several (nulls are skipped). */
    public static SchedEvents of(List<? extends SchedEvents> listeners) {
        List<SchedEvents> all = new ArrayList<>();
        for (SchedEvents l : listeners) {
            if (l instanceof SchedEventsFanout f) {
                all.addAll(List.of(f.all));
            } else if (l != null) {
                all.add(l);
            }
        }
        if (all.isEmpty()) {
            return null;
        }
        if (all.size() == 1) {
            return all.get(0);
        }
        List<SchedEvents> runs = new ArrayList<>();
        for (SchedEvents l : all) {
            if (wantsRuns(l)) {
                runs.add(l);
            }
        }
        return new SchedEventsFanout(all.toArray(SchedEvents[]::new), runs.toArray(SchedEvents[]::new));
    }

    /** The listeners this fan-out calls, in order. */
    public List<SchedEvents> listeners() {
        return List.of(all);
    }

    /** Whether {@code l} overrides {@link #runStart} or {@link #runEnd} (the per-run hooks). */
    static boolean wantsRuns(SchedEvents l) {
        Objects.requireNonNull(l);
        try {
            Class<?> c = l.getClass();
            return c.getMethod("runStart", int.class, int.class, long.class, String.class, long.class)
                    .getDeclaringClass() != SchedEvents.class
                    || c.getMethod("runEnd", int.class, int.class, long.class, long.class)
                    .getDeclaringClass() != SchedEvents.class;
        } catch (NoSuchMethodException | SecurityException e) {
            return true;
        }
    }

    private void failed(SchedEvents l, Throwable t) {
        if (!reported) {
            reported = true;
            System.err.println("timeslice: scheduler event listener " + l.getClass().getName()
                    + " threw " + t + " (reported once; the scheduler ignores it)");
        }
    }

    @Override
    public void runStart(int p, int m, long goid, String gName, long nanos) {
        for (SchedEvents l : runListeners) {
            try {
                l.runStart(p, m, goid, gName, nanos);
            } catch (Throwable t) {
                failed(l, t);
            }
        }
    }

    @Override
    public void runEnd(int p, int m, long goid, long nanos) {
        for (SchedEvents l : runListeners) {
            try {
                l.runEnd(p, m, goid, nanos);
            } catch (Throwable t) {
                failed(l, t);
            }
        }
    }

    @Override
    public void preempted(int p, long goid, String reason, long latencyNanos, boolean served, long nanos) {
        for (SchedEvents l : all) {
            try {
                l.preempted(p, goid, reason, latencyNanos, served, nanos);
            } catch (Throwable t) {
                failed(l, t);
            }
        }
    }

    @Override
    public void handoff(int p, int m, long goid, long nanos) {
        for (SchedEvents l : all) {
            try {
                l.handoff(p, m, goid, nanos);
            } catch (Throwable t) {
                failed(l, t);
            }
        }
    }

    @Override
    public void scanned(ScanResult scan, long startNanos, long endNanos) {
        for (SchedEvents l : all) {
            try {
                l.scanned(scan, startNanos, endNanos);
            } catch (Throwable t) {
                failed(l, t);
            }
        }
    }

    @Override
    public void routed(String kind, long goid, String threadName) {
        for (SchedEvents l : all) {
            try {
                l.routed(kind, goid, threadName);
            } catch (Throwable t) {
                failed(l, t);
            }
        }
    }

    @Override
    public void deadlock(Deadlock deadlock) {
        for (SchedEvents l : all) {
            try {
                l.deadlock(deadlock);
            } catch (Throwable t) {
                failed(l, t);
            }
        }
    }

    @Override
    public String toString() {
        return "SchedEventsFanout" + List.of(all);
    }
}
