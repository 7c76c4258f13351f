package dev.timeslice.agent;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.security.CodeSource;
import java.util.jar.JarFile;

/**
 * The agent's entry points (premain, agentmain, the {@code verify} CLI's main), called by
 * {@code dev.timeslice.agent.boot.Entry} — the class the manifest names, compiled for old JDKs —
 * once it has checked that the JDK is 21 or newer.
 *
 * <p>Invariants: loading this class (by the system loader, from the agent jar) loads nothing
 * else of Timeslice; its one direct reference, to {@link Agent}, is linked only when the jar is
 * known to be on the bootstrap class path, so it always links the bootstrap copy. The agent jar is on the bootstrap
 * class path — through the manifest's {@code Boot-Class-Path}, which names the jar by its built
 * name, or, if the jar has been renamed, appended by {@code premain} (the JVM then warns that class
 * data sharing is limited to boot classes) — and {@code premain} runs the real agent,
 * {@link Agent}, from the bootstrap loader: the runtime ({@code dev.timeslice.runtime}) and the
 * relocated ASM therefore exist exactly once, in the bootstrap loader, and rewritten classes of
 * any loader (including loaders that do not delegate to the system loader) resolve the same poll
 * class. Options are checked first, so a bad one stops the JVM with one line only. The same holds
 * for {@code agentmain} (late attach, run by {@link LateAgent}), except that nothing there ever
 * stops the JVM. As {@code Main-Class} it dispatches the {@code verify}, {@code attach} and {@code rewrite} commands.
 */
public final class AgentLauncher {
    static final String AGENT_CLASS = "dev.timeslice.agent.Agent";
    /** The jar's own name, as the manifest's {@code Boot-Class-Path} gives it (agent/pom.xml). */
    static final String JAR_NAME = "timeslice-agent.jar";
    static final String OPTIONS_CLASS = "dev.timeslice.agent.AgentOptions";
    static final String VERIFY_CLASS = "dev.timeslice.agent.verify.VerifyCli";
    static final String LATE_AGENT_CLASS = "dev.timeslice.agent.LateAgent";
    static final String ATTACH_CLASS = "dev.timeslice.agent.attach.AttachCli";
    static final String REWRITE_CLASS = "dev.timeslice.agent.offline.RewriteCli";
    /** Set in the target JVM by {@link #agentmain}: the attach's one-line outcome, read back by the attach command. */
    public static final String ATTACH_RESULT_PROPERTY = "dev.timeslice.attach.result";
    static final String USAGE = "usage: java -jar timeslice-agent.jar verify [--classpath <jars>] [--loopPoll <n>] [--verbose] <jar>...\n"
            + "       java -jar timeslice-agent.jar attach <pid> [option=value[,option=value...]]\n"
            + "       java -jar timeslice-agent.jar rewrite --out <dir> [--loopPoll <n>] <jar>...";

    private AgentLauncher() {
    }

    public static void premain(String agentArgs, Instrumentation inst) {
        if (onBootClassPath()) {
            // The usual case: this class's loader delegates to the bootstrap loader first, so the
            // direct call links the bootstrap copy of Agent (and, through it, of everything
            // else). Not through reflection: a first Method.invoke in a cold JVM spins method
            // handles, ~10 ms of start-up.
            try {
                Agent.start(agentArgs, inst);
            } catch (IllegalArgumentException bad) {
                // a bad option: one clear line, and the JVM does not start the program
                System.err.println(bad.getMessage());
                System.exit(1);
            } catch (RuntimeException | LinkageError e) {
                System.err.println("timeslice: agent failed to start: " + e);
            }
            return;
        }
        // A renamed jar: the options are checked before appending it (which makes the JVM print
        // a warning), by a copy of AgentOptions in this loader; the agent then runs from the
        // bootstrap loader, reached by name.
        checkOptions(agentArgs, AgentLauncher.class.getClassLoader());
        Method start;
        try {
            inst.appendToBootstrapClassLoaderSearch(new JarFile(ownJar()));
            start = Class.forName(AGENT_CLASS, true, null)
                    .getMethod("start", String.class, Instrumentation.class);
        } catch (Exception | LinkageError e) {
            System.err.println("timeslice: cannot start the agent: " + e);
            return;
        }
        try {
            start.invoke(null, agentArgs, inst);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException) {
                System.err.println(cause.getMessage());
                System.exit(1);
            }
            System.err.println("timeslice: agent failed to start: " + cause);
        } catch (ReflectiveOperationException e) {
            System.err.println("timeslice: agent failed to start: " + e);
        }
    }

    /** A bad option: one clear line, and the JVM stops before the program's main. */
    private static void checkOptions(String agentArgs, ClassLoader loader) {
        try {
            Class.forName(OPTIONS_CLASS, true, loader).getMethod("parse", String.class).invoke(null, agentArgs);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException bad) {
                System.err.println(bad.getMessage());
                System.exit(1);
            }
        } catch (ReflectiveOperationException | LinkageError e) {
            // the agent itself reports it
        }
    }

    /**
     * Late attach ({@code attach <pid>}, {@code jcmd <pid> JVMTI.agent_load}): the JVM has put the
     * jar on the bootstrap class path from the manifest's {@code Boot-Class-Path} (appended here if
     * the jar was renamed); {@link LateAgent} runs from the bootstrap loader. The outcome goes to
     * the target's stderr (one line) and to the system property {@value #ATTACH_RESULT_PROPERTY},
     * which the {@code attach} command reads back. agentmain returns normally even on failure: an
     * exception out of it makes the JVM print a stack trace and three assertion lines. The target
     * JVM is never stopped, whatever went wrong.
     */
    public static void agentmain(String agentArgs, Instrumentation inst) {
        String failure;
        try {
            if (!onBootClassPath()) {
                inst.appendToBootstrapClassLoaderSearch(new JarFile(ownJar()));
            }
            Method attach = Class.forName(LATE_AGENT_CLASS, true, null).getMethod("attach", String.class, Instrumentation.class);
            System.setProperty(ATTACH_RESULT_PROPERTY, (String) attach.invoke(null, agentArgs, inst));
            return;
        } catch (InvocationTargetException e) {
            // ours (a bad option, already running, this JDK cannot) start with "timeslice: "
            Throwable cause = e.getCause();
            String message = cause.getMessage();
            failure = message != null && message.startsWith("timeslice: ") ? message : "timeslice: attach failed: " + cause;
        } catch (Exception | LinkageError e) {
            failure = "timeslice: attach failed: " + e;
        }
        System.err.println(failure);
        System.setProperty(ATTACH_RESULT_PROPERTY, failure);
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "" : args[0];
        String cli = command.equals("verify") ? VERIFY_CLASS : command.equals("attach") ? ATTACH_CLASS
                : command.equals("rewrite") ? REWRITE_CLASS : null;
        if (cli == null) {
            System.err.println(USAGE);
            System.exit(2);
        }
        String[] rest = new String[args.length - 1];
        System.arraycopy(args, 1, rest, 0, rest.length);
        Method run = Class.forName(cli).getMethod("run", String[].class);
        int status = (Integer) run.invoke(null, (Object) rest);
        System.exit(status);
    }

    /** Whether the manifest's Boot-Class-Path already put the agent on the bootstrap class path. */
    private static boolean onBootClassPath() {
        try {
            Class.forName(AGENT_CLASS, false, null);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The jar this class was loaded from, whatever it is called. */
    static File ownJar() throws URISyntaxException {
        CodeSource source = AgentLauncher.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalStateException("agent jar location unknown");
        }
        return new File(source.getLocation().toURI());
    }
}
