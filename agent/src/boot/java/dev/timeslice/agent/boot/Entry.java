package dev.timeslice.agent.boot;

import java.io.File;
import java.lang.instrument.Instrumentation;

/**
 * The class the agent jar's manifest names (Premain-Class, Agent-Class, Main-Class). It is
 * compiled for Java 8 (a separate compiler execution, {@code src/boot/java}) so that it loads on
 * any JDK; everything else in the jar needs 21. It checks the running JDK first: on an older one
 * it prints one line, {@code timeslice: Timeslice needs JDK 21 or newer; this is 17.0.15
 * (/usr/lib/jvm/.../bin/java)}, and stops (exit status 1; for dynamic attach it only prints, the
 * running program is left alone). On 21 or newer it calls the real entry,
 * {@code dev.timeslice.agent.AgentLauncher}, directly: the JVM resolves a call when it first runs
 * it, so nothing compiled for 21 is loaded before the check (and verifying this class loads
 * nothing: the calls pass only JDK types). Not through reflection: a first {@code Method.invoke}
 * in a cold JVM spins method handles, ~10 ms of start-up.
 *
 * <p>Invariants: references only classes of Java 8's {@code java.base} and, after the version
 * check, {@code AgentLauncher}; never loads a Timeslice class before the check.
 */
public final class Entry {
    static final int MIN_FEATURE = 21;

    private Entry() {
    }

    public static void premain(String agentArgs, Instrumentation inst) throws Exception {
        if (!supported()) {
            // An exception thrown from premain aborts the JVM with a fatal error and a stack;
            // a clean exit with the promised line is the documented rule for bad input.
            System.err.println(tooOld());
            System.exit(1);
        }
        dev.timeslice.agent.AgentLauncher.premain(agentArgs, inst);
    }

    public static void agentmain(String agentArgs, Instrumentation inst) throws Exception {
        if (!supported()) {
            System.err.println(tooOld()); // the running program is not stopped
            return;
        }
        dev.timeslice.agent.AgentLauncher.agentmain(agentArgs, inst);
    }

    public static void main(String[] args) throws Exception {
        if (!supported()) {
            System.err.println(tooOld());
            System.exit(1);
        }
        dev.timeslice.agent.AgentLauncher.main(args);
    }

    /** Whether this JDK's feature version is at least {@value #MIN_FEATURE}. */
    static boolean supported() {
        return feature(System.getProperty("java.specification.version", "")) >= MIN_FEATURE;
    }

    /** {@code "1.8"} is 8, {@code "17"} is 17, {@code "25"} is 25; unreadable is 0. */
    static int feature(String specVersion) {
        String v = specVersion.startsWith("1.") ? specVersion.substring(2) : specVersion;
        int dot = v.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? v : v.substring(0, dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static String tooOld() {
        return "timeslice: Timeslice needs JDK " + MIN_FEATURE + " or newer; this is "
                + System.getProperty("java.version") + " (" + System.getProperty("java.home")
                + File.separator + "bin" + File.separator + "java)";
    }
}
