package dev.timeslice.agent.attach;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import dev.timeslice.agent.AgentLauncher;
import dev.timeslice.agent.AgentOptions;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Properties;

/**
 * {@code java -jar timeslice-agent.jar attach <pid> [options]}: loads this jar into a running JVM
 * through the JDK's Attach API ({@code VirtualMachine.attach(pid).loadAgent(jar, options)}), which
 * runs {@code AgentLauncher.agentmain} there, and prints the outcome on stdout: one line, exit
 * status 0; or one line on stderr naming what went wrong, exit status 1 (bad option, no such
 * process, attach refused, a target older than Java 21, Timeslice already running there, the agent
 * failed in the target).
 * Options are those of {@code -javaagent}, separated by commas (several arguments are joined with
 * commas) and checked here first; the target's {@code timeslice.*} system properties also apply.
 */
public final class AttachCli {
    static final String USAGE = "usage: java -jar timeslice-agent.jar attach <pid> [option=value[,option=value...]]";

    /** How agentmain's result starts when the attach succeeded (see {@code LateAgent}). */
    static final String ATTACHED = "timeslice: attached:";
    /** The oldest Java the agent's classes run on (README, Requirements). */
    static final int MIN_JAVA = 21;

    private AttachCli() {
    }

    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || !args[0].matches("[0-9]+")) {
            err.println(USAGE);
            return 2;
        }
        String pid = args[0];
        String options = String.join(",", java.util.Arrays.copyOfRange(args, 1, args.length));
        try {
            AgentOptions.parse(options, new Properties());
        } catch (IllegalArgumentException bad) {
            err.println(bad.getMessage());
            return 1;
        }
        if (ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
            err.println("timeslice: no process with pid " + pid);
            return 1;
        }
        String jar;
        try {
            jar = jar();
        } catch (Exception e) {
            err.println("timeslice: cannot find the agent jar: " + e.getMessage());
            return 1;
        }
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(pid);
        } catch (AttachNotSupportedException | IOException | RuntimeException e) {
            err.println("timeslice: cannot attach to " + pid + ": " + e.getMessage());
            return 1;
        }
        try {
            String version = javaVersion(vm);
            if (version != null && feature(version) < MIN_JAVA) {
                err.println("timeslice: " + pid + " runs Java " + version + "; Timeslice needs Java " + MIN_JAVA + " or newer");
                return 1;
            }
            try {
                vm.loadAgent(jar, options);
            } catch (AgentInitializationException | AgentLoadException e) {
                String why = result(vm);
                err.println(why != null ? why : "timeslice: the agent failed in " + pid + ": " + e.getMessage());
                return 1;
            }
            String result = result(vm);
            if (result == null || !result.startsWith(ATTACHED)) {
                err.println(result != null ? result : "timeslice: the agent did not report back from " + pid);
                return 1;
            }
            out.println("timeslice: attached to " + pid + ":" + result.substring(ATTACHED.length()));
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("timeslice: attach to " + pid + " failed: " + e);
            return 1;
        } finally {
            try {
                vm.detach();
            } catch (IOException ignored) {
                // the target may be gone
            }
        }
    }

    /** The target's {@code java.specification.version}, or null if it cannot be read. */
    private static String javaVersion(VirtualMachine vm) {
        try {
            return vm.getSystemProperties().getProperty("java.specification.version");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** 21 for "21", 8 for "1.8"; MAX_VALUE if unreadable (then the target itself will say). */
    static int feature(String specVersion) {
        try {
            String v = specVersion.startsWith("1.") ? specVersion.substring(2) : specVersion;
            int dot = v.indexOf('.');
            return Integer.parseInt(dot < 0 ? v : v.substring(0, dot));
        } catch (RuntimeException e) {
            return Integer.MAX_VALUE;
        }
    }

    /** What agentmain left in the target, or null. */
    private static String result(VirtualMachine vm) {
        try {
            return vm.getSystemProperties().getProperty(AgentLauncher.ATTACH_RESULT_PROPERTY);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String jar() throws Exception {
        File jar = new File(AttachCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!jar.isFile()) {
            throw new IllegalStateException(jar + " is not a jar");
        }
        return jar.getAbsolutePath();
    }
}
