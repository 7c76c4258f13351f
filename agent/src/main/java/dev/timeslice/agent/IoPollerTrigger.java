package dev.timeslice.agent;

import dev.timeslice.runtime.Scheduler;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.Set;

/**
 * Starts the JDK's I/O pollers when the program first needs them, not at JVM start.
 *
 * <p>The pollers ({@code sun.nio.ch.Poller}) must be started from a platform thread: started
 * from a G, their sub-poller virtual threads would inherit Timeslice as their scheduler and
 * become never-ending G's. Started eagerly, their master thread sits in {@code epoll_wait}, and
 * the JVM waits 300 ms at exit for every thread that is in native code: hello world paid that.
 * So the pollers start when the JDK loads one of its socket or selector-provider classes (the
 * only users of the pollers): this transformer sees those loads (bootstrap loader, never
 * changes a byte) and calls {@link Scheduler#ioPollersNeeded}, which starts them on their own
 * platform thread; on a G it waits for them (bounded), so the G's first blocking I/O finds them
 * running. Classes loaded before the agent are checked once at start ({@link #checkLoaded}).
 *
 * <p>Invariants: never throws, never loads a class, returns null for every class; after the
 * first trigger each call is one volatile read.
 */
final class IoPollerTrigger implements ClassFileTransformer {
    /**
     * Internal names of the JDK classes whose loading means socket or channel I/O is coming:
     * {@code Socket}/{@code ServerSocket}'s implementation, and the selector provider that
     * opens every socket, datagram and pipe channel and every selector. (Not the channel classes
     * themselves: {@code Files.newInputStream} loads {@code SocketChannelImpl} for an
     * {@code instanceof}.)
     */
    static final Set<String> TRIGGERS = Set.of("sun/nio/ch/NioSocketImpl", "sun/nio/ch/SelectorProviderImpl");
    /** Loading the pollers' class itself: start them, but never wait (the loader holds it). */
    static final String POLLER = "sun/nio/ch/Poller";
    /** How long a G that triggers waits for the pollers (they start in a few ms). */
    static final long WAIT_MILLIS = 500;

    private volatile boolean done;

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (done || loader != null || className == null || !className.startsWith("sun/nio/ch/")) {
            return null;
        }
        try {
            if (TRIGGERS.contains(className)) {
                trigger(WAIT_MILLIS);
            } else if (className.equals(POLLER)) {
                trigger(0);
            }
        } catch (Throwable t) {
            // the pollers then start where the JDK starts them; nothing to report
        }
        return null;
    }

    void trigger(long waitMillis) {
        done = true;
        Scheduler.ioPollersNeeded(waitMillis);
    }

    boolean triggered() {
        return done;
    }

    /** Starts the pollers if a trigger class was loaded before this transformer was installed. */
    void checkLoaded(Instrumentation inst) {
        if (done) {
            return;
        }
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (c.getClassLoader() == null && c.getName().startsWith("sun.nio.ch.")
                    && TRIGGERS.contains(c.getName().replace('.', '/'))) {
                trigger(0);
                return;
            }
        }
    }
}
