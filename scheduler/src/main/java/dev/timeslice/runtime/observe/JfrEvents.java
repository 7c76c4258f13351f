package dev.timeslice.runtime.observe;

import dev.timeslice.runtime.Deadlock;
import dev.timeslice.runtime.ScanResult;
import dev.timeslice.runtime.SchedEvents;
import dev.timeslice.runtime.Scheduler;
import dev.timeslice.runtime.SchedulerStats;
import java.util.List;
import java.util.Map;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * Turns scheduler events into JDK Flight Recorder events: {@value PreemptionEvent#NAME},
 * {@value HandoffEvent#NAME}, {@value GcScanEvent#NAME}, {@value ThreadRoutedEvent#NAME},
 * {@value DeadlockEvent#NAME}, and
 * the periodic {@value SchedulerStatsEvent#NAME}. All are disabled by default
 * ({@code @Enabled(false)}): they are recorded only when a recording enables them, e.g.
 *
 * <pre>
 * -XX:StartFlightRecording:settings=default,settings=/path/to/timeslice.jfc,filename=app.jfr
 * -XX:StartFlightRecording:+dev.timeslice.Preemption#enabled=true,+dev.timeslice.GcScan#enabled=true,...
 * jcmd &lt;pid&gt; JFR.start settings=default settings=/path/to/timeslice.jfc
 * </pre>
 *
 * <p>This class is the listener (it overrides none of the per-run hooks, so it adds nothing to
 * a G run even when installed). {@link Control} keeps it off the scheduler altogether unless a
 * running recording enables one of its events: it watches recordings start and stop
 * ({@link FlightRecorderListener}) and asks the owner to re-install the listeners. Settings
 * changed on a recording that is already running (without a start or stop) are noticed at the
 * next recording state change or the next {@value SchedulerStatsEvent#NAME} period.
 */
public final class JfrEvents implements SchedEvents {
    /** The names of the event types, for documentation and settings. */
    public static final List<String> EVENT_NAMES = List.of(PreemptionEvent.NAME, HandoffEvent.NAME,
            GcScanEvent.NAME, ThreadRoutedEvent.NAME, SchedulerStatsEvent.NAME, DeadlockEvent.NAME);

    @Override
    public void preempted(int p, long goid, String reason, long latencyNanos, boolean served, long nanos) {
        PreemptionEvent e = new PreemptionEvent();
        if (e.shouldCommit()) {
            e.goid = goid;
            e.p = p;
            e.reason = reason;
            e.latency = latencyNanos;
            e.served = served;
            e.commit();
        }
    }

    @Override
    public void handoff(int p, int m, long goid, long nanos) {
        HandoffEvent e = new HandoffEvent();
        if (e.shouldCommit()) {
            e.p = p;
            e.m = m;
            e.goid = goid;
            e.commit();
        }
    }

    @Override
    public void scanned(ScanResult scan, long startNanos, long endNanos) {
        GcScanEvent e = new GcScanEvent();
        if (e.shouldCommit()) {
            e.trigger = scan.trigger();
            e.ttsp = scan.ttspNanos();
            e.scanDuration = scan.scanNanos();
            e.gs = scan.gCount();
            Map<String, Integer> c = scan.countsByState();
            e.running = c.getOrDefault("running", 0);
            e.runnable = c.getOrDefault("runnable", 0) + c.getOrDefault("preempted", 0);
            e.waiting = c.getOrDefault("waiting", 0);
            e.stoppedAtPoll = scan.stoppedAtPoll();
            e.notAtSafepoint = scan.notAtSafepoint();
            e.commit();
        }
    }

    @Override
    public void routed(String kind, long goid, String threadName) {
        ThreadRoutedEvent e = new ThreadRoutedEvent();
        if (e.shouldCommit()) {
            e.kind = kind;
            e.goid = goid;
            e.threadName = threadName;
            e.commit();
        }
    }

    @Override
    public void deadlock(Deadlock d) {
        DeadlockEvent e = new DeadlockEvent();
        if (e.shouldCommit()) {
            e.kind = d.kind() == Deadlock.Kind.ALL_ASLEEP ? "all asleep" : "lock cycle";
            e.gs = d.goids().size();
            e.goids = d.goids().toString();
            e.report = d.report();
            e.commit();
        }
    }

    /** Emits one {@value SchedulerStatsEvent#NAME} for {@code sched}, if a recording wants it. */
    static void emitStats(Scheduler sched) {
        SchedulerStatsEvent e = new SchedulerStatsEvent();
        if (!e.shouldCommit()) {
            return;
        }
        SchedulerStats st = sched.stats();
        Map<String, Integer> c = st.gsByState();
        e.scheduler = sched.name();
        e.procs = st.procs();
        e.idleProcs = st.idleProcs();
        e.threads = st.threads();
        e.idleThreads = st.idleThreads();
        e.spinningThreads = st.spinningThreads();
        e.globalRunqueue = st.globalRunqueue();
        e.localRunqueues = st.localRunqueueTotal();
        e.liveGs = c.values().stream().mapToInt(Integer::intValue).sum();
        e.runningGs = c.getOrDefault("running", 0);
        e.runnableGs = c.getOrDefault("runnable", 0) + c.getOrDefault("preempted", 0);
        e.waitingGs = c.getOrDefault("waiting", 0);
        e.preemptRequested = st.preemptRequested();
        e.preemptServed = st.preemptServed();
        e.preemptFailed = st.preemptFailed();
        e.handoffs = st.handoffs();
        e.scans = st.scans();
        e.preemptLatencyP99 = st.preemptLatencyP99();
        e.commit();
    }

    /**
     * Whether a running recording enables one of the listener's events. Only asks JFR when it is
     * initialized (someone created a recording), so it never starts JFR itself.
     */
    static boolean anyEnabled() {
        if (!FlightRecorder.isInitialized()) {
            return false;
        }
        for (Class<? extends jdk.jfr.Event> c : List.of(PreemptionEvent.class, HandoffEvent.class,
                GcScanEvent.class, ThreadRoutedEvent.class, DeadlockEvent.class)) {
            EventType t = EventType.getEventType(c);
            if (t != null && t.isEnabled()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Keeps track of whether JFR wants Timeslice's events, calling {@code onChange} (with the new
     * answer) when that changes, and registers the periodic statistics event once JFR is
     * initialized. Touches nothing in JFR that would initialize it.
     */
    static final class Control implements FlightRecorderListener {
        private final Scheduler sched;
        private final java.util.function.Consumer<Boolean> onChange;
        private final Runnable statsHook;
        private final java.util.concurrent.atomic.AtomicBoolean periodicAdded = new java.util.concurrent.atomic.AtomicBoolean();
        private final java.util.concurrent.atomic.AtomicBoolean wanted = new java.util.concurrent.atomic.AtomicBoolean();
        private volatile boolean closed;

        Control(Scheduler sched, java.util.function.Consumer<Boolean> onChange) {
            this.sched = sched;
            this.onChange = onChange;
            this.statsHook = new Runnable() { // no lambda: built before main
                @Override
                public void run() {
                    emitStats(Control.this.sched);
                    recheck();
                }
            };
        }

        /**
         * Starts listening; returns whether a running recording already wants the events. No lock
         * of ours is held while calling into JFR (JFR calls listeners under its own locks).
         */
        boolean start() {
            FlightRecorder.addListener(this);
            if (FlightRecorder.isInitialized()) {
                addPeriodic();
            }
            boolean now = anyEnabled();
            wanted.set(now);
            return now;
        }

        void close() {
            closed = true;
            FlightRecorder.removeListener(this);
            if (periodicAdded.compareAndSet(true, false)) {
                FlightRecorder.removePeriodicEvent(statsHook);
            }
        }

        @Override
        public void recorderInitialized(FlightRecorder recorder) {
            // Called under JFR's PlatformRecorder lock: register nothing here (see recordingStateChanged).
        }

        @Override
        public void recordingStateChanged(Recording recording) {
            RecordingState s = recording.getState();
            if (s == RecordingState.RUNNING || s == RecordingState.STOPPED || s == RecordingState.CLOSED) {
                addPeriodic();
                recheck();
            }
        }

        private void addPeriodic() {
            if (!closed && periodicAdded.compareAndSet(false, true)) {
                FlightRecorder.addPeriodicEvent(SchedulerStatsEvent.class, statsHook);
            }
        }

        /** Re-reads whether JFR wants the events; tells the owner if that changed. */
        void recheck() {
            if (closed) {
                return;
            }
            boolean now = anyEnabled();
            if (wanted.compareAndSet(!now, now)) {
                onChange.accept(now);
            }
        }
    }
}
