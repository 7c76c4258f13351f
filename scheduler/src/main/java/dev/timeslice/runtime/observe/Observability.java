package dev.timeslice.runtime.observe;

import dev.timeslice.runtime.SchedEvents;
import dev.timeslice.runtime.Scheduler;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.InstanceAlreadyExistsException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;

/**
 * Observability of one scheduler: Go's schedtrace/scheddetail on stderr, a JMX MXBean, JFR
 * events and a Chrome/Perfetto trace. The agent calls {@link #install} once per scheduler and
 * {@link #close()} from a shutdown hook; everything here is off the scheduler's hot paths
 * except the trace recorder's two per-run hooks, and nothing is installed for a feature that is
 * off.
 *
 * <h2>Settings (agent options)</h2>
 * <ul>
 *   <li>{@code schedtrace=<ms>}: every {@code ms} one line on stderr in Go's
 *       {@code GODEBUG=schedtrace} format plus Timeslice's counters ({@link SchedTrace}); 0 = off.</li>
 *   <li>{@code scheddetail} (or {@code scheddetail=1}): with schedtrace, one more line per P, M
 *       and G.</li>
 *   <li>{@code trace=<file.json>}: record G runs, preemptions, handoffs and scans into a ring
 *       buffer ({@link TraceRecorder}) and write Chrome trace-event JSON to the file at
 *       {@link #close()} (the agent's shutdown hook), on {@link #writeTrace()} and through the
 *       MXBean's {@code writeTrace} operation. Open it in https://ui.perfetto.dev or
 *       chrome://tracing.</li>
 *   <li>{@code tracebuf=<events>}: ring size, default {@value TraceRecorder#DEFAULT_CAPACITY}
 *       (32 bytes each); the oldest events are overwritten and counted as dropped.</li>
 *   <li>{@code jmx=true|false} (default true): register {@link SchedulerMXBean} as
 *       {@code timeslice:type=Scheduler} in the platform MBeanServer, at the moment that server
 *       is created ({@link PlatformMBeanHook}): visible to every JMX client from the start,
 *       while a program nobody monitors never pays the ~0.4 s of CPU that creating the server
 *       costs. The first scheduler registered gets exactly that name;
 *       when it is taken (several schedulers in one JVM), the next ones get
 *       {@code timeslice:type=Scheduler,name=<scheduler name>}. Unregistered at close.</li>
 *   <li>{@code jfr=true|false} (default true): make Timeslice's JFR events available
 *       ({@link JfrEvents}). They are disabled unless a recording enables them, and the JFR
 *       listener is attached to the scheduler only while a running recording does, so JFR costs
 *       nothing otherwise. JFR itself is never started by Timeslice.</li>
 * </ul>
 *
 * <p>A feature that cannot start (no {@code java.management} or {@code jdk.jfr} module in a
 * trimmed runtime, a security manager, ...) is reported with one line on stderr and skipped;
 * the program runs on. Nothing is ever printed to stdout.
 *
 * <p>Other listeners: a {@link SchedEvents} listener that was installed on the scheduler before
 * {@code install} keeps receiving events (everything is combined with {@link SchedEventsFanout})
 * and is put back at {@link #close()}.
 */
public final class Observability implements AutoCloseable {
    /** The MXBean's base name. */
    public static final String MBEAN_NAME = "timeslice:type=Scheduler";

    /**
     * What to turn on.
     *
     * @param schedtraceMillis  schedtrace interval in ms, 0 = off
     * @param scheddetail       with schedtrace: per-P, M and G lines
     * @param traceFile         where to write the trace JSON, or null = no tracing
     * @param traceBufferEvents trace ring size in events
     * @param jmx               register the MXBean
     * @param jfr               offer the JFR events
     * @param schedtraceOut     where schedtrace prints (stderr by default)
     */
    public record Settings(long schedtraceMillis, boolean scheddetail, Path traceFile, int traceBufferEvents,
                           boolean jmx, boolean jfr, PrintStream schedtraceOut) {
        public Settings {
            if (schedtraceMillis < 0) {
                throw new IllegalArgumentException("schedtrace must be >= 0 ms, got " + schedtraceMillis);
            }
            if (traceBufferEvents < 1) {
                throw new IllegalArgumentException("tracebuf must be >= 1 event, got " + traceBufferEvents);
            }
        }

        /** Everything off but JMX and JFR (which cost nothing until used). */
        public static Settings defaults() {
            return new Settings(0, false, null, TraceRecorder.DEFAULT_CAPACITY, true, true, null);
        }

        /** Everything off, JMX and JFR included. */
        public static Settings none() {
            return new Settings(0, false, null, TraceRecorder.DEFAULT_CAPACITY, false, false, null);
        }

        public Settings withSchedtrace(long millis) {
            return new Settings(millis, scheddetail, traceFile, traceBufferEvents, jmx, jfr, schedtraceOut);
        }

        public Settings withScheddetail(boolean on) {
            return new Settings(schedtraceMillis, on, traceFile, traceBufferEvents, jmx, jfr, schedtraceOut);
        }

        public Settings withTrace(Path file) {
            return new Settings(schedtraceMillis, scheddetail, file, traceBufferEvents, jmx, jfr, schedtraceOut);
        }

        public Settings withTraceBufferEvents(int events) {
            return new Settings(schedtraceMillis, scheddetail, traceFile, events, jmx, jfr, schedtraceOut);
        }

        public Settings withJmx(boolean on) {
            return new Settings(schedtraceMillis, scheddetail, traceFile, traceBufferEvents, on, jfr, schedtraceOut);
        }

        public Settings withJfr(boolean on) {
            return new Settings(schedtraceMillis, scheddetail, traceFile, traceBufferEvents, jmx, on, schedtraceOut);
        }

        public Settings withSchedtraceOut(PrintStream out) {
            return new Settings(schedtraceMillis, scheddetail, traceFile, traceBufferEvents, jmx, jfr, out);
        }

        /**
         * Settings from agent options: {@code schedtrace=<ms>}, {@code scheddetail[=1|true]},
         * {@code trace=<file>}, {@code tracebuf=<events>}, {@code jmx=<bool>}, {@code jfr=<bool>};
         * other keys are ignored (they belong to the agent). A key given without a value maps to
         * "" (or "true"): both mean on for the boolean options.
         *
         * @throws IllegalArgumentException for a malformed value, naming the option
         */
        public static Settings fromOptions(Map<String, String> options) {
            Settings s = defaults();
            for (Map.Entry<String, String> e : options.entrySet()) {
                String v = e.getValue() == null ? "" : e.getValue().trim();
                switch (e.getKey().trim().toLowerCase(Locale.ROOT)) {
                    case "schedtrace" -> s = s.withSchedtrace(parseLong("schedtrace", v));
                    case "scheddetail" -> s = s.withScheddetail(parseBool("scheddetail", v));
                    case "trace" -> s = s.withTrace(v.isEmpty() ? null : Path.of(v));
                    case "tracebuf" -> s = s.withTraceBufferEvents((int) Math.min(Integer.MAX_VALUE, parseLong("tracebuf", v)));
                    case "jmx" -> s = s.withJmx(parseBool("jmx", v));
                    case "jfr" -> s = s.withJfr(parseBool("jfr", v));
                    default -> {
                    }
                }
            }
            return s;
        }

        private static long parseLong(String key, String v) {
            try {
                return Long.parseLong(v.endsWith("ms") ? v.substring(0, v.length() - 2) : v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + "=" + v + ": expected a whole number");
            }
        }

        private static boolean parseBool(String key, String v) {
            return switch (v.toLowerCase(Locale.ROOT)) {
                case "", "1", "true", "on", "yes" -> true;
                case "0", "false", "off", "no" -> false;
                default -> throw new IllegalArgumentException(key + "=" + v + ": expected true or false");
            };
        }
    }

    private final Scheduler sched;
    private final Settings settings;
    private final SchedEvents previous;
    private final AtomicBoolean closed = new AtomicBoolean();
    private SchedTrace schedtrace;
    private TraceRecorder trace;
    private JfrEvents jfrListener;
    private JfrEvents.Control jfrControl;
    private volatile boolean jfrWanted;
    /** Guarded by this; set by the registering thread. */
    private ObjectName mbeanName;
    /** Guarded by this: where {@link #mbeanName} is registered. */
    private MBeanServer mbeanServer;
    private final java.util.concurrent.CountDownLatch jfrDone = new java.util.concurrent.CountDownLatch(1);
    /** Registers the MXBean in the platform server when it exists (see {@link PlatformMBeanHook}). */
    private final java.util.function.Consumer<MBeanServer> registration = new java.util.function.Consumer<MBeanServer>() {
        @Override
        public void accept(MBeanServer server) { // a class, not a lambda: created before main
            try {
                registerMBean(server);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    };
    private volatile PlatformMBeanHook.Mode jmxMode;
    /** What this instance last installed on the scheduler. */
    private SchedEvents installed;

    private Observability(Scheduler sched, Settings settings) {
        this.sched = sched;
        this.settings = settings;
        this.previous = sched.events();
    }

    /** Turns on what {@code settings} asks for on {@code sched}; close the result to turn it off. */
    public static Observability install(Scheduler sched, Settings settings) {
        Objects.requireNonNull(sched, "sched");
        Objects.requireNonNull(settings, "settings");
        Observability o = new Observability(sched, settings);
        o.start();
        return o;
    }

    private void startJfr() {
        try {
            JfrEvents listener = new JfrEvents();
            JfrEvents.Control control = new JfrEvents.Control(sched, new java.util.function.Consumer<Boolean>() {
                @Override
                public void accept(Boolean wanted) {
                    jfrWanted = wanted;
                    refreshListeners();
                }
            });
            synchronized (this) {
                if (closed.get()) {
                    return;
                }
                jfrListener = listener;
                jfrControl = control;
            }
            jfrWanted = control.start();
            refreshListeners();
        } catch (Throwable t) {
            synchronized (this) {
                jfrListener = null;
                jfrControl = null;
            }
            warn("JFR events disabled", t);
        }
    }

    private void start() {
        if (settings.traceFile() != null) {
            try {
                trace = new TraceRecorder(sched, settings.traceBufferEvents());
            } catch (Throwable t) {
                warn("trace disabled", t);
            }
        }
        refreshListeners();
        if (settings.jmx()) {
            // Visible from the start without paying for the platform MBeanServer (~0.4 s of CPU):
            // registered when that server is created, by whoever creates it first.
            try {
                jmxMode = PlatformMBeanHook.whenPlatformServerExists(registration, sched.name() + "-jmx-init");
            } catch (Throwable t) {
                warn("JMX disabled", t);
            }
        }
        if (settings.jfr()) {
            // JFR's control plane takes some ms to load: beside the program's start, not in front
            // of it. JFR events from the first moments of a recording started with the JVM may be missed.
            Thread t = new Thread(new Runnable() {
                @Override
                public void run() {
                    startJfr();
                    jfrDone.countDown();
                }
            }, sched.name() + "-jfr-init");
            t.setDaemon(true);
            t.start();
        } else {
            jfrDone.countDown();
        }
        if (settings.schedtraceMillis() > 0) {
            PrintStream out = settings.schedtraceOut() != null ? settings.schedtraceOut() : System.err;
            schedtrace = new SchedTrace(sched, settings.schedtraceMillis(), settings.scheddetail(), out).start();
        }
    }

    private static void warn(String what, Throwable t) {
        System.err.println("timeslice: " + what + ": " + t);
    }

    /** (Re)installs the listeners that are wanted now on the scheduler's one listener slot. */
    private synchronized void refreshListeners() {
        List<SchedEvents> ls = new ArrayList<>(3);
        ls.add(previous);
        if (!closed.get()) {
            ls.add(trace);
            if (jfrWanted) {
                ls.add(jfrListener);
            }
        }
        SchedEvents next = SchedEventsFanout.of(ls);
        SchedEvents current = sched.events();
        if (current == installed || current == previous) {
            sched.setEvents(next);
            installed = next;
        }
    }

    private void registerMBean(MBeanServer server) throws Exception {
        if (closed.get()) {
            return;
        }
        StandardMBean mbean = new StandardMBean(new SchedulerJmx(sched, settings::traceFile, this::writeTrace),
                SchedulerMXBean.class, true);
        ObjectName name = new ObjectName(MBEAN_NAME);
        try {
            server.registerMBean(mbean, name);
        } catch (InstanceAlreadyExistsException e) {
            // another scheduler has the plain name
            name = new ObjectName(MBEAN_NAME + ",name=" + ObjectName.quote(sched.name()));
            server.registerMBean(mbean, name);
        }
        synchronized (this) {
            if (!closed.get()) {
                mbeanName = name;
                mbeanServer = server;
                return;
            }
        }
        server.unregisterMBean(name); // closed while registering
    }

    /** The scheduler this instance observes. */
    public Scheduler scheduler() {
        return sched;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * The MXBean's name, or null when JMX is off or failed. The MXBean is registered when the
     * platform MBeanServer is created; if nobody has created it yet, this does (and so registers
     * the MXBean). With a builder of the program's own, registration runs on a background thread;
     * this waits for it, up to 30 s.
     */
    public ObjectName mbeanName() {
        if (jmxMode == PlatformMBeanHook.Mode.ON_CREATION && PlatformMBeanHook.waiting(registration)) {
            ManagementFactory.getPlatformMBeanServer();
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (jmxMode == PlatformMBeanHook.Mode.BACKGROUND && System.nanoTime() < deadline) {
            synchronized (this) {
                if (mbeanName != null || closed.get()) {
                    break;
                }
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        synchronized (this) {
            return mbeanName;
        }
    }

    /** How the MXBean's registration was arranged, or null when JMX is off or failed. */
    public PlatformMBeanHook.Mode jmxMode() {
        return jmxMode;
    }

    /** The trace recorder, or null when tracing is off. */
    public TraceRecorder traceRecorder() {
        return trace;
    }

    /**
     * Whether the JFR listener is currently attached (a running recording enables its events).
     * JFR support starts on a background thread; this waits for it, up to 30 s.
     */
    public boolean jfrActive() {
        awaitInit();
        return jfrWanted && jfrListener != null && !closed.get();
    }

    /** Waits (up to 30 s) for the background start of JFR support. */
    private void awaitInit() {
        try {
            jfrDone.await(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Writes the trace to the configured file now (recording goes on). Returns the file, or null
     * when tracing is off.
     */
    public Path writeTrace() throws IOException {
        if (trace == null) {
            return null;
        }
        trace.write(settings.traceFile());
        return settings.traceFile();
    }

    /** Writes the trace to {@code file}; false when tracing is off. */
    public boolean writeTrace(Path file) throws IOException {
        if (trace == null) {
            return false;
        }
        trace.write(file);
        return true;
    }

    /**
     * Turns everything off and writes the trace (if on): stops the schedtrace thread, puts back
     * the listener that was installed before, unregisters the MXBean, stops listening to JFR.
     * Idempotent; safe to call from a shutdown hook (it waits at most a second for the
     * schedtrace thread and never throws; failures are reported on stderr).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (schedtrace != null) {
            schedtrace.stop();
        }
        try {
            refreshListeners();
        } catch (Throwable t) {
            warn("could not remove the event listeners", t);
        }
        JfrEvents.Control control;
        synchronized (this) {
            control = jfrControl;
            jfrControl = null; // a late init (see startJfr) sees this and closes its own
        }
        if (control != null) {
            try {
                control.close();
            } catch (Throwable t) {
                warn("could not stop listening to JFR", t);
            }
        }
        PlatformMBeanHook.cancel(registration); // still waiting for the platform server: never registered
        ObjectName registered;
        MBeanServer registeredIn;
        synchronized (this) {
            registered = mbeanName; // null: not registered (yet): the registering thread unregisters
            registeredIn = mbeanServer;
            mbeanName = null;
        }
        if (registered != null) {
            try {
                registeredIn.unregisterMBean(registered);
            } catch (Throwable t) {
                warn("could not unregister " + registered, t);
            }
        }
        if (trace != null) {
            try {
                trace.write(settings.traceFile());
                long dropped = trace.dropped();
                System.err.println("timeslice: trace written to " + settings.traceFile().toAbsolutePath()
                        + " (" + trace.recorded() + " events" + (dropped > 0 ? ", oldest " + dropped
                        + " dropped: raise tracebuf=" : "") + "); open it in https://ui.perfetto.dev");
            } catch (Throwable t) {
                warn("could not write the trace to " + settings.traceFile(), t);
            }
        }
    }

    @Override
    public String toString() {
        return "Observability[" + sched.name() + ", " + settings + "]";
    }
}
