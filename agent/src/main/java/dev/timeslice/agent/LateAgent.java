package dev.timeslice.agent;

import dev.timeslice.agent.attach.Retransformer;
import dev.timeslice.agent.rewrite.ClassRewriter;
import dev.timeslice.agent.rewrite.RewriteConfig;
import dev.timeslice.runtime.observe.Observability;
import dev.timeslice.runtime.Safepoint;
import dev.timeslice.runtime.Scheduler;
import dev.timeslice.runtime.Timeslice;
import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/**
 * The agent loaded into a running JVM ({@code agentmain}: {@code timeslice-agent.jar attach <pid>}
 * or {@code jcmd <pid> JVMTI.agent_load}), run from the bootstrap loader by {@link AgentLauncher}
 * on the JVM's attach-listener thread: parses the options, starts the JVM-wide scheduler and the
 * observability the options ask for as {@link Agent} does, then has the {@link Retransformer}
 * rewrite the application classes already loaded and every class loaded later.
 *
 * <p>What differs from {@code -javaagent}: {@code main} is already running, so it does not become
 * G 1 (the rewriter makes no main prologue: retransformation may change method bodies only);
 * threads and virtual threads that exist stay where they are; new ones created by rewritten code
 * run on Timeslice. Loaded once per JVM: a second attach, or an attach to a JVM started with
 * {@code -javaagent}, is refused with an {@link IllegalStateException} and changes nothing.
 */
public final class LateAgent {
    private static boolean attached;

    private LateAgent() {
    }

    /** Returns the one-line summary it also prints on stderr (unless {@code log=off}). */
    public static synchronized String attach(String agentArgs, Instrumentation inst) {
        if (attached || Timeslice.scheduler() != null) {
            throw new IllegalStateException("timeslice: already running in this JVM (started with -javaagent, or attached before)");
        }
        if (!inst.isRetransformClassesSupported()) {
            throw new IllegalStateException("timeslice: this JVM cannot retransform classes");
        }
        AgentOptions options = AgentOptions.parse(agentArgs);
        TransformLog log = new TransformLog(options.logLevel());
        ClassRewriter rewriter = new ClassRewriter(RewriteConfig.of(options), false, options.routeThreads());
        WarmUpShape.warm(rewriter);
        Module runtime = Safepoint.class.getModule();
        Agent.openJdkInternals(inst, runtime);

        String pollerNote = ioPollers();
        // the same scheduler as Agent.start's, except that no thread is G 1's
        Scheduler sched = Agent.scheduler(options).build();
        Timeslice.install(sched, null);
        attached = true;
        Observability obs = Observability.install(sched, Agent.observability(options));

        TimesliceTransformer.ModuleReads reads = Agent.moduleReads(inst, runtime);
        ClassFilter filter = ClassFilter.of(options);
        Retransformer retransformer = new Retransformer(inst, new TimesliceTransformer(filter, rewriter, log, reads, ForeignAgents.ofThisJvm(), null), filter, log);
        inst.addTransformer(retransformer.transformer(), true);
        Retransformer.Summary done = retransformer.retransformLoaded();

        ExitReport report = new ExitReport(sched, obs, log, options.get(AgentOptions.DUMP),
                options.get(AgentOptions.SUMMARY) && log.enabled(LogLevel.WARN));
        Runtime.getRuntime().addShutdownHook(new Thread(report, "timeslice-exit"));
        String line = "timeslice: attached: " + done + "; threads that already exist stay where they are" + pollerNote;
        if (log.enabled(LogLevel.WARN)) {
            System.err.println(line);
        }
        return line;
    }

    /**
     * The JDK's I/O pollers wake a virtual thread whose socket is ready. Since JDK 22 on Linux
     * they are virtual threads themselves, on the JDK's own scheduler ({@code jdk.pollerMode=2}),
     * the very scheduler that is starving when one attaches: a G waiting for I/O would then wait
     * until a JDK carrier is free. If the pollers have not started yet (no virtual thread has
     * waited for I/O), {@code jdk.pollerMode=1} (platform-thread pollers, a mode the JDK
     * supports) is set before the scheduler starts them, unless the user chose a mode. If they
     * run as virtual threads already, nothing can move them: the summary says so.
     */
    static String ioPollers() {
        boolean virtualPollers = false;
        boolean platformPollers = false;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            virtualPollers |= t.getName().equals("MasterPoller");
            platformPollers |= t.getName().startsWith("Read-Poller");
        }
        if (virtualPollers) {
            return "; note: the JDK's I/O pollers run on the JDK's busy scheduler (jdk.pollerMode=2), so a G waiting for"
                    + " I/O may wait for it (start the JVM with -Djdk.pollerMode=1 to attach without this)";
        }
        if (!platformPollers && System.getProperty("jdk.pollerMode") == null) {
            System.setProperty("jdk.pollerMode", "1");
        }
        return "";
    }
}
