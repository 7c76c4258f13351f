package dev.timeslice.agent;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.security.CodeSource;
import java.util.jar.JarFile;

/**
 * Entry point named by the agent jar's manifest (Premain-Class, Agent-Class, Main-Class).
 *
 * <p>Invariants: this class references nothing outside the JDK, so loading it (by the system
 * loader, from the agent jar) loads nothing else of Timeslice. {@code premain} appends the agent
 * jar to the bootstrap class path and then runs the real agent, {@link Agent}, from the bootstrap
 * loader: the runtime ({@code dev.timeslice.runtime}) and the relocated ASM/ByteBuddy therefore
 * exist exactly once, in the bootstrap loader, and rewritten classes of any loader (including
 * loaders that do not delegate to the system loader) resolve the same poll class.
 */
public final class AgentLauncher {
    static final String AGENT_CLASS = "dev.timeslice.agent.Agent";
    static final String VERIFY_CLASS = "dev.timeslice.agent.verify.VerifyCli";
    static final String USAGE = "usage: java -jar timeslice-agent.jar verify [--classpath <jars>] [--loopPoll <n>] [--verbose] <jar>...";

    private AgentLauncher() {
    }

    public static void premain(String agentArgs, Instrumentation inst) {
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
                // a bad option: one clear line, and the JVM does not start the program
                System.err.println(cause.getMessage());
                System.exit(1);
            }
            System.err.println("timeslice: agent failed to start: " + cause);
        } catch (ReflectiveOperationException e) {
            System.err.println("timeslice: agent failed to start: " + e);
        }
    }

    /** Dynamic attach cannot rewrite classes that are already loaded, nor start main as a G. */
    public static void agentmain(String agentArgs, Instrumentation inst) {
        System.err.println("timeslice: dynamic attach is not supported; start the JVM with "
                + "-javaagent:" + ownJarName());
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !args[0].equals("verify")) {
            System.err.println(USAGE);
            System.exit(2);
        }
        String[] rest = new String[args.length - 1];
        System.arraycopy(args, 1, rest, 0, rest.length);
        Method run = Class.forName(VERIFY_CLASS).getMethod("run", String[].class);
        int status = (Integer) run.invoke(null, (Object) rest);
        System.exit(status);
    }

    /** The jar this class was loaded from, whatever it is called. */
    static File ownJar() throws URISyntaxException {
        CodeSource source = AgentLauncher.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalStateException("agent jar location unknown");
        }
        return new File(source.getLocation().toURI());
    }

    private static String ownJarName() {
        try {
            return ownJar().getPath();
        } catch (RuntimeException | URISyntaxException e) {
            return "timeslice-agent.jar";
        }
    }
}
