package dev.timeslice.runtime.observe;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.management.MBeanServer;
import javax.management.MBeanServerBuilder;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerFactory;

/**
 * Registers Timeslice's MXBeans in the platform MBeanServer at the moment that server is
 * created, so that they are there for anyone who looks — a JMX console attaching, a
 * {@code -Dcom.sun.management.jmxremote} agent, the program itself — without Timeslice creating
 * the server. Creating it costs about 0.4 s of CPU (every platform MXBean, JFR's MXBean with its
 * settings parsing); a program that nobody monitors never pays it.
 *
 * <p>How: the JDK creates every MBeanServer through the builder named by the system property
 * {@value #PROPERTY}; before the platform server exists, {@link #whenPlatformServerExists} sets
 * it to this class (which builds exactly what the JDK's default builder builds) and queues the
 * registration; when {@code ManagementFactory.getPlatformMBeanServer()} creates the server,
 * {@link #newMBeanServer} runs the queued registrations on it, on the creating thread, before the
 * server is handed out. Otherwise (the server exists already, or the program named its own
 * builder) the registration happens at once, or on a background thread if that would create the
 * server.
 *
 * <p>The property is cleared again once the platform server exists. Until then it is visible to
 * the program, and {@code MBeanServerFactory} loads the builder through the creating thread's
 * context class loader: a loader that cannot see classes of the bootstrap class path (an OSGi
 * bundle loader without boot delegation) would make the JDK fail to create the server there.
 * Such a program runs with {@code jmx=false}.
 *
 * <p>Invariants: never throws into the JDK (a failed registration is one line on stderr); a
 * registration runs at most once; only the platform server is touched (servers a program creates
 * itself through {@code MBeanServerFactory} are built and returned unchanged).
 */
public final class PlatformMBeanHook extends MBeanServerBuilder {
    /** The JDK's system property naming the MBeanServer builder. */
    public static final String PROPERTY = "javax.management.builder.initial";

    /** Registrations waiting for the platform server. */
    private static final List<Consumer<MBeanServer>> PENDING = new CopyOnWriteArrayList<>();
    /** The platform server once this builder has built it; guarded by the class. */
    private static MBeanServer platform;

    /** Called by {@code MBeanServerFactory} (public, no arguments). */
    public PlatformMBeanHook() {
    }

    @Override
    public MBeanServer newMBeanServer(String defaultDomain, MBeanServer outer, MBeanServerDelegate delegate) {
        MBeanServer server = super.newMBeanServer(defaultDomain, outer, delegate);
        if (creatingPlatformServer()) {
            MBeanServer target = outer != null ? outer : server;
            List<Consumer<MBeanServer>> ready;
            synchronized (PlatformMBeanHook.class) {
                if (platform != null) {
                    return server;
                }
                platform = target;
                ready = List.copyOf(PENDING);
                PENDING.clear();
                // done: servers the program builds later get the JDK's builder, not this one
                if (PlatformMBeanHook.class.getName().equals(System.getProperty(PROPERTY))) {
                    System.clearProperty(PROPERTY);
                }
            }
            for (Consumer<MBeanServer> r : ready) {
                run(r, target);
            }
        }
        return server;
    }

    /** How a registration was arranged (for tests and the start-up line at log=debug). */
    public enum Mode {
        /** The platform server existed: registered now. */
        NOW,
        /** Queued: registered when the platform server is created. */
        ON_CREATION,
        /** Another builder is configured: the platform server is created on a background thread. */
        BACKGROUND
    }

    /**
     * Runs {@code register} with the platform MBeanServer: now if it exists, else when it is
     * created (see the class comment). Never throws.
     */
    public static Mode whenPlatformServerExists(Consumer<MBeanServer> register, String threadName) {
        MBeanServer now;
        synchronized (PlatformMBeanHook.class) {
            now = platform;
            if (now == null) {
                String builder = System.getProperty(PROPERTY);
                boolean ours = PlatformMBeanHook.class.getName().equals(builder);
                if (ours || (builder == null && MBeanServerFactory.findMBeanServer(null).isEmpty())) {
                    if (!ours) {
                        System.setProperty(PROPERTY, PlatformMBeanHook.class.getName());
                    }
                    PENDING.add(register);
                    return Mode.ON_CREATION;
                }
            }
        }
        if (now != null || System.getProperty(PROPERTY) == null) {
            // the server exists (created before the hook, or by the hook): registering is cheap
            run(register, now != null ? now : ManagementFactory.getPlatformMBeanServer());
            return Mode.NOW;
        }
        Thread t = new Thread(() -> run(register, ManagementFactory.getPlatformMBeanServer()), threadName);
        t.setDaemon(true);
        t.start();
        return Mode.BACKGROUND;
    }

    /** Drops a registration that has not run yet; true if it was still waiting. */
    public static boolean cancel(Consumer<MBeanServer> register) {
        synchronized (PlatformMBeanHook.class) {
            return PENDING.remove(register);
        }
    }

    /** Whether {@code register} is still waiting for the platform server. */
    public static boolean waiting(Consumer<MBeanServer> register) {
        return PENDING.contains(register);
    }

    private static boolean creatingPlatformServer() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(f ->
                f.getMethodName().equals("getPlatformMBeanServer")
                        && f.getClassName().equals("java.lang.management.ManagementFactory")));
    }

    private static void run(Consumer<MBeanServer> register, MBeanServer server) {
        try {
            register.accept(server);
        } catch (Throwable t) {
            System.err.println("timeslice: JMX disabled: " + t);
        }
    }
}
