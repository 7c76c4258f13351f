package dev.timeslice.runtime;

import java.util.Objects;

/**
 * The JVM-wide scheduler that the agent starts and that rewritten code is routed to.
 * Rewritten classes keep working without it (e.g. loaded by a tool without the agent): every
 * routing entry point then falls back to what the original code did.
 *
 * <p>Both fields are written once, by {@link #install} (the agent's start-up), and read by anyone.
 */
public final class Timeslice {
    private static volatile Scheduler global;
    private static volatile Thread mainThread;

    private Timeslice() {
    }

    /** Installs the JVM-wide scheduler (once) and remembers the thread that will run main. */
    public static synchronized Scheduler install(Scheduler scheduler, Thread main) {
        if (global != null) {
            throw new IllegalStateException("timeslice: the JVM-wide scheduler is already installed");
        }
        global = Objects.requireNonNull(scheduler);
        mainThread = main;
        return scheduler;
    }

    /** The JVM-wide scheduler, or null when the agent is not running. */
    public static Scheduler scheduler() {
        return global;
    }

    /** The platform thread the JVM runs main on (the agent's premain thread). */
    static Thread mainThread() {
        return mainThread;
    }
}
