package dev.timeslice.agent;

import dev.timeslice.agent.rewrite.ClassRewriter;
import dev.timeslice.agent.rewrite.RewriteConfig;
import dev.timeslice.runtime.CompilerDirectives;
import dev.timeslice.runtime.DeadlockMode;
import dev.timeslice.runtime.observe.Observability;
import dev.timeslice.runtime.Safepoint;
import dev.timeslice.runtime.PollerExit;
import dev.timeslice.runtime.Scheduler;
import dev.timeslice.runtime.Timeslice;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The real agent, run from the bootstrap loader by {@link AgentLauncher} on the JVM's main
 * thread before {@code main}: parses the options (an {@link IllegalArgumentException} for a bad
 * one propagates to the caller), opens the two JDK packages the runtime needs, starts the
 * JVM-wide scheduler (sysmon, GC-scan) and the observability the options ask for, warms the
 * rewriter up so that its own classes are loaded before the first application class is
 * transformed, installs the {@link TimesliceTransformer}, and registers the exit report.
 */
public final class Agent {
    private Agent() {
    }

    public static void start(String agentArgs, Instrumentation inst) {
        AgentOptions options = AgentOptions.parse(agentArgs);
        TransformLog log = new TransformLog(options.logLevel());
        // Load and link the rewriter beside the rest of start-up (the scheduler, the JVM's own
        // boot), so that it is ready when the main class is transformed.
        ClassRewriter rewriter = new ClassRewriter(RewriteConfig.of(options), true, options.routeThreads());
        // The JDK's I/O pollers start when the program first loads a socket or channel class
        // (IoPollerTrigger); classes loaded before this transformer are checked off the main thread.
        IoPollerTrigger pollers = new IoPollerTrigger();
        inst.addTransformer(pollers, false);
        // the -javaagent jars of the command line: other agents' (never rewritten) and our own (the cache's key)
        ForeignAgents agents = ForeignAgents.ofThisJvm();
        RewriteCache cache = RewriteCache.open(options.get(AgentOptions.CACHE), options.isSet(AgentOptions.CACHE),
                cacheFingerprint(options, agents), log);
        Thread warm = new Thread(new WarmUp(rewriter, pollers, inst, cache), "timeslice-warmup");
        warm.setDaemon(true);
        warm.start();
        Module runtime = Safepoint.class.getModule();
        openJdkInternals(inst, runtime);

        platformIoPollers();
        Scheduler sched = scheduler(options).lazyIoPollers(true).build();
        Timeslice.install(sched, Thread.currentThread());
        PollerExit.install(sched);
        Observability obs = Observability.install(sched, observability(options));

        TimesliceTransformer.ModuleReads reads = moduleReads(inst, runtime);
        // retransformation-capable: such transformers run after every other agent's ordinary ones, so a
        // coverage agent (JaCoCo) sees the original class file whichever -javaagent comes first
        TimesliceTransformer transformer = new TimesliceTransformer(ClassFilter.of(options), rewriter, log, reads, agents, cache);
        // once the program has loaded some classes, before the rewriter's methods get hot: C1 only for them
        Thread jit = new Thread(new KeepC2Off(inst), "timeslice-jit");
        jit.setDaemon(true);
        transformer.whenBusy(C1_ONLY_AFTER_CLASSES, jit);
        inst.addTransformer(transformer, true);

        // the cache's line in the summary: when the user named the cache, or asked for more than warnings
        boolean reportCache = options.isSet(AgentOptions.CACHE) || log.enabled(LogLevel.INFO);
        ExitReport report = new ExitReport(sched, obs, log, options.get(AgentOptions.DUMP),
                options.get(AgentOptions.SUMMARY) && log.enabled(LogLevel.WARN), cache, reportCache);
        Runtime.getRuntime().addShutdownHook(new Thread(report, "timeslice-exit"));
        if (log.enabled(LogLevel.INFO)) {
            log.info(null, "agent started (" + options + ")");
        }
    }

    /**
     * The JDK's I/O pollers wake the G's whose sockets are ready. Since JDK 22 on Linux they are
     * by default virtual threads on the JDK's own fork-join scheduler, woken by a "MasterPoller"
     * platform thread: every readiness then costs two thread wake-ups before the G's M (master,
     * then a JDK carrier for the sub-poller, then Timeslice's M), and a JDK carrier pool runs
     * beside Timeslice's M's. With {@code jdk.pollerMode=1}, a mode the JDK supports, the pollers
     * are platform threads that wake the G directly: one JDK carrier pool and one hop fewer.
     * Throughput is the same within noise (Jetty's /ping, 3 interleaved rounds: 1.01, 1.17,
     * 0.99x of mode 2, BENCHMARKS.md §15); what it buys is an exit without HotSpot's 300 ms wait
     * for the pollers ({@link PollerExit}), which only works with platform pollers. Set before any
     * poller starts (they start lazily, {@link IoPollerTrigger}), and only if the user chose no mode.
     */
    static void platformIoPollers() {
        if (System.getProperty("jdk.pollerMode") == null) {
            System.setProperty("jdk.pollerMode", "1");
        }
    }

    /**
     * The runtime reaches the JDK's custom-scheduler constructor and the fork-join worker queue,
     * and, to find deadlocks among G's, lock owners and thread snapshots (see {@code JdkAccess});
     * to park the JDK's I/O pollers at exit, the last system shutdown-hook slot and a channel's
     * file descriptor (exported, not opened: public members only). Exactly those packages, to
     * the runtime only.
     */
    static void openJdkInternals(Instrumentation inst, Module runtime) {
        Module base = Object.class.getModule();
        inst.redefineModule(base, Set.of(),
                Map.of("jdk.internal.access", Set.of(runtime), "sun.nio.ch", Set.of(runtime)),
                Map.of("java.lang", Set.of(runtime), "java.util.concurrent", Set.of(runtime),
                        "java.util.concurrent.locks", Set.of(runtime), "jdk.internal.vm", Set.of(runtime),
                        "jdk.internal.loader", Set.of(runtime)), Set.of(), Map.of());
    }

    /**
     * Classes rewritten before the rewriter is kept off C2: enough that a small program (a hello
     * world rewrites one class) never pays for the directive (~40 ms of CPU: the JDK's
     * diagnostic-command classes and library), few enough that the rewriter's loops are not yet
     * OSR-compiled by C2 (which happened after some 50 classes).
     */
    static final int C1_ONLY_AFTER_CLASSES = 32;

    /** Runs {@link #keepC2OffTheRewriter} on its own thread; a class, not a lambda (built in premain). */
    private static final class KeepC2Off implements Runnable {
        private final Instrumentation inst;

        KeepC2Off(Instrumentation inst) {
            this.inst = inst;
        }

        @Override
        public void run() {
            keepC2OffTheRewriter(inst);
        }
    }

    /**
     * The rewriter and the relocated ASM are compiled by C1 only: C2 spent seconds of CPU on
     * their large methods while programs started (see {@code CompilerDirectives}). The runtime
     * (polls, scheduler) is not matched: it must be C2-compiled and inlined into the program.
     */
    static void keepC2OffTheRewriter(Instrumentation inst) {
        java.util.Optional<Module> management = ModuleLayer.boot().findModule("jdk.management");
        if (management.isEmpty()) {
            return;
        }
        try {
            inst.redefineModule(management.get(), Set.of(), Map.of(),
                    Map.of("com.sun.management.internal", Set.of(Safepoint.class.getModule())), Set.of(), Map.of());
        } catch (RuntimeException e) {
            return;
        }
        CompilerDirectives.c1Only("dev/timeslice/agent/*.*", "dev/timeslice/shaded/*.*");
    }

    /** The JVM-wide scheduler the options describe (premain and late attach alike). */
    static Scheduler.Builder scheduler(AgentOptions options) {
        return Scheduler.builder()
                .name("timeslice")
                .procs(options.get(AgentOptions.PROCS))
                .slice(options.get(AgentOptions.SLICE))
                .wakeupGrace(options.get(AgentOptions.WAKEUP_GRACE))
                .maxThreads(options.get(AgentOptions.MAX_THREADS))
                .gcScan(options.get(AgentOptions.GCSCAN))
                .gcScanInterval(options.get(AgentOptions.GCSCAN_INTERVAL))
                .scanBound(options.get(AgentOptions.SCAN_TIMEOUT))
                .deadlock(DeadlockMode.valueOf(options.get(AgentOptions.DEADLOCK).toUpperCase(java.util.Locale.ROOT)))
                .keepJvmAlive(true);
    }

    /** Gives a named module whose classes were rewritten read access to the runtime's module. */
    static TimesliceTransformer.ModuleReads moduleReads(Instrumentation inst, Module runtime) {
        return new TimesliceTransformer.ModuleReads() { // a class, not a lambda: built in premain
            @Override
            public void ensureReadsRuntime(Module module) {
                if (!module.canRead(runtime)) {
                    inst.redefineModule(module, Set.of(runtime), Map.of(), Map.of(), Set.of(), Map.of());
                }
            }
        };
    }

    static Observability.Settings observability(AgentOptions o) {
        String trace = o.get(AgentOptions.TRACE);
        return Observability.Settings.defaults()
                .withSchedtrace(o.get(AgentOptions.SCHEDTRACE).toMillis())
                .withScheddetail(o.get(AgentOptions.SCHEDDETAIL))
                .withTrace(trace.isEmpty() ? null : Path.of(trace))
                .withTraceBufferEvents(o.get(AgentOptions.TRACEBUF))
                .withJmx(o.get(AgentOptions.JMX))
                .withJfr(o.get(AgentOptions.JFR));
    }

    /**
     * What the rewrite cache's entries depend on besides the class bytes: this agent build (its
     * jar's path, size and modification time: a rebuilt jar never reuses entries) and the options
     * that change the rewriter's output. The jar is the {@code -javaagent:} of the command line
     * (already read, see {@code JvmCommandLine}) with the jar's own name; only a renamed jar is
     * looked up through a resource URL (which opens the jar: ~40 ms of CPU at start), and one
     * that cannot be found at all is keyed by the version.
     */
    static String cacheFingerprint(AgentOptions o, ForeignAgents agents) {
        String jar = ownJarIdentity(agents);
        return "timeslice jar=" + jar + " loopPoll=" + o.get(AgentOptions.LOOP_POLL)
                + " callLoopPoll=" + o.get(AgentOptions.CALL_LOOP_POLL) + " include=" + o.get(AgentOptions.INCLUDE)
                + " exclude=" + o.get(AgentOptions.EXCLUDE) + " threads=" + o.get(AgentOptions.THREADS);
    }

    private static String ownJarIdentity(ForeignAgents agents) {
        java.io.File own = agents.jarNamed(AgentLauncher.JAR_NAME);
        if (own != null) {
            return own.getAbsolutePath() + ":" + own.length() + ":" + own.lastModified();
        }
        try {
            java.net.URL self = Agent.class.getResource("Agent.class");
            String u = self != null ? self.toString() : "";
            if (u.startsWith("jar:file:") && u.contains("!/")) {
                java.io.File f = new java.io.File(java.net.URI.create(u.substring(4, u.indexOf("!/"))));
                return f.getAbsolutePath() + ":" + f.length() + ":" + f.lastModified();
            }
        } catch (RuntimeException e) {
            // keyed by the version below
        }
        Package pkg = Agent.class.getPackage();
        return "version " + (pkg != null && pkg.getImplementationVersion() != null ? pkg.getImplementationVersion() : "dev");
    }

    /**
     * Off the main thread: loads and links the rewriter by rewriting {@link WarmUpShape} once, in
     * memory (unless the rewrite cache has served this agent build and options before); checks
     * whether the JDK's socket classes were loaded before the poller trigger was installed; warms
     * the rewrite cache up and then writes the application's pack once it is due and class loading
     * has settled ({@link RewriteCache#packWhenQuiet}). A named class, not a lambda: a lambda's
     * call site is linked on first use, which spins a hidden class before main.
     */
    private static final class WarmUp implements Runnable {
        private final ClassRewriter rewriter;
        private final IoPollerTrigger pollers;
        private final Instrumentation inst;
        private final RewriteCache cache;

        WarmUp(ClassRewriter rewriter, IoPollerTrigger pollers, Instrumentation inst, RewriteCache cache) {
            this.rewriter = rewriter;
            this.pollers = pollers;
            this.inst = inst;
            this.cache = cache;
        }

        @Override
        public void run() {
            // a start the cache has seen before takes its classes from there: the rewriter's
            // classes would be loaded, and its code interpreted once, for nothing (~25 ms CPU)
            if (cache == null || !cache.filledBefore()) {
                WarmUpShape.warm(rewriter);
            }
            pollers.checkLoaded(inst);
            if (cache != null) {
                cache.warmUp();
                cache.evictIfDue();
                cache.packWhenQuiet();
            }
        }
    }
}
