package dev.timeslice.runtime;

import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Targets of the call sites the agent rewrites in application classes: thread creation is
 * routed to the JVM-wide scheduler, so the program's tasks run as G's. Each method behaves
 * like the code it replaces (names, daemon status inherited from the creating thread,
 * uncaught-exception handler, context class loader and inheritable thread-locals, and the
 * priority the program sets, as {@code getPriority()} reads it — G's are not scheduled by
 * priority, like virtual threads). A thread created with its own stack size or its own thread
 * group stays a platform thread (see {@link #needsPlatformThread}), counted as left alone.
 * Without a scheduler (no agent) each falls back to exactly the original call.
 *
 * <p>Also {@code Selector.select()} and {@code select(long)}, so that a G's event loop blocks in
 * the select on its M outside the P's ({@link SelectHandoff}).
 *
 * <p>What is routed and what is left alone is listed in the README; {@link RouteStats} counts
 * both at run time.
 *
 * <p>Rewritten application code names this class ({@code ThreadCallSites.ROUTES} in the agent's
 * {@code rewrite.ThreadCallSites}): its package, name and the methods it calls are fixed.
 */
public final class Routes {
    private static final AtomicInteger POOL_NUMBER = new AtomicInteger(1);

    private Routes() {
    }

    // ------------------------------------------------------------------ new Thread(...)

    public static Thread newThread() {
        return route(null, null, null, true);
    }

    public static Thread newThread(Runnable task) {
        return route(null, task, null, true);
    }

    public static Thread newThread(String name) {
        return route(null, null, Objects.requireNonNull(name, "'name' is null"), true);
    }

    public static Thread newThread(Runnable task, String name) {
        return route(null, task, Objects.requireNonNull(name, "'name' is null"), true);
    }

    public static Thread newThread(ThreadGroup group, Runnable task) {
        return route(group, task, null, true);
    }

    public static Thread newThread(ThreadGroup group, String name) {
        return route(group, null, Objects.requireNonNull(name, "'name' is null"), true);
    }

    public static Thread newThread(ThreadGroup group, Runnable task, String name) {
        return route(group, task, Objects.requireNonNull(name, "'name' is null"), true);
    }

    public static Thread newThread(ThreadGroup group, Runnable task, String name, long stackSize) {
        return route(group, task, Objects.requireNonNull(name, "'name' is null"), stackSize, true);
    }

    public static Thread newThread(ThreadGroup group, Runnable task, String name, long stackSize,
                                   boolean inheritInheritableThreadLocals) {
        return route(group, task, Objects.requireNonNull(name, "'name' is null"), stackSize, inheritInheritableThreadLocals);
    }

    /** Left-alone kinds (exit summary): what a G cannot give, so the thread stays a platform thread. */
    static final String EXPLICIT_GROUP = "explicit ThreadGroup";
    static final String EXPLICIT_STACK = "explicit stack size";

    private static Thread route(ThreadGroup group, Runnable task, String name, boolean inheritLocals) {
        return route(group, task, name, 0, inheritLocals);
    }

    private static Thread route(ThreadGroup group, Runnable task, String name, long stackSize, boolean inheritLocals) {
        Scheduler s = Timeslice.scheduler();
        Runnable body = task != null ? task : () -> { };
        String why = s == null ? null : needsPlatformThread(group, stackSize);
        if (s == null || why != null) {
            Thread t = new Thread(group, body, name != null ? name : JdkAccess.genThreadName(), stackSize, inheritLocals);
            if (why != null) {
                RouteStats.leftAlone(why);
                inheritDaemon(t);
            }
            return t;
        }
        Thread t = s.newG(body, name != null ? name : JdkAccess.genThreadName(), currentIsDaemon(), inheritLocals, null);
        inheritPriority(s, t);
        s.noteRouted("new Thread", t);
        return t;
    }

    /**
     * What a G cannot give: its own stack size (a G's frames live on its M's stack), or a
     * thread group of the program's own (virtual threads all belong to one group, so
     * {@code activeCount}, {@code enumerate}, {@code interrupt} and an overridden
     * {@code uncaughtException} of that group would not see the thread). Such threads stay
     * platform threads. The creating thread's own group (what thread factories usually pass)
     * is no such request: that thread is routed. Returns the reason, or null to route.
     */
    static String needsPlatformThread(ThreadGroup group, long stackSize) {
        if (stackSize != 0) {
            return EXPLICIT_STACK;
        }
        if (group != null && group != Thread.currentThread().getThreadGroup() && group != VirtualGroup.GROUP) {
            return EXPLICIT_GROUP;
        }
        return null;
    }

    /** The group every virtual thread belongs to. */
    private static final class VirtualGroup {
        static final ThreadGroup GROUP = Thread.ofVirtual().unstarted(() -> { }).getThreadGroup();
    }

    /** Java's rule: a new thread starts with its creator's priority (as the program set it on a G). */
    private static void inheritPriority(Scheduler s, Thread t) {
        G parent = s.gOf(Thread.currentThread());
        int prio = parent != null ? parent.priority : Thread.currentThread().getPriority();
        if (prio != Thread.NORM_PRIORITY) {
            G g = s.gOf(t);
            if (g != null) {
                g.priority = prio;
            }
        }
    }

    /**
     * {@code Thread.setPriority} in rewritten code: a G remembers the priority (clamped to its
     * group's maximum, validated as Java does) so that {@link #getPriority} answers it; virtual
     * threads, and so G's, are not scheduled by priority.
     */
    public static void setPriority(Thread t, int priority) {
        Scheduler s = Timeslice.scheduler();
        G g = s != null ? s.gOf(t) : null;
        if (g == null) {
            t.setPriority(priority);
            return;
        }
        if (priority < Thread.MIN_PRIORITY || priority > Thread.MAX_PRIORITY) {
            throw new IllegalArgumentException();
        }
        ThreadGroup group = t.getThreadGroup();
        g.priority = group != null ? Math.min(priority, group.getMaxPriority()) : priority;
    }

    /** {@code Thread.getPriority} in rewritten code: what the program set on a G. */
    public static int getPriority(Thread t) {
        Scheduler s = Timeslice.scheduler();
        G g = s != null ? s.gOf(t) : null;
        return g != null ? g.priority : t.getPriority();
    }

    // ------------------------------------------------------------------ Selector.select

    /**
     * {@code selector.select()} in rewritten code: on a G, its M runs the blocking select as a
     * platform thread, outside the P's ({@link SelectHandoff}); elsewhere the call as it was.
     */
    public static int select(java.nio.channels.Selector selector) throws java.io.IOException {
        return SelectHandoff.select(selector, 0);
    }

    /** {@code selector.select(timeout)} in rewritten code; see {@link #select(java.nio.channels.Selector)}. */
    public static int select(java.nio.channels.Selector selector, long timeout) throws java.io.IOException {
        return SelectHandoff.select(selector, timeout); // a negative timeout: the JDK's exception
    }

    /** Java's rule: a new thread is a daemon thread iff the thread creating it is one. */
    static boolean currentIsDaemon() {
        Thread current = Thread.currentThread();
        Scheduler s = Timeslice.scheduler();
        G g = s != null ? s.gOf(current) : null;
        return g != null ? g.isDaemon() : current.isDaemon();
    }

    /** {@code Thread.setDaemon} for a routed thread changes the G's keep-alive flag (before start, as Java requires). */
    public static void setDaemon(Thread t, boolean on) {
        Scheduler s = Timeslice.scheduler();
        G g = s != null ? s.gOf(t) : null;
        if (g == null) {
            t.setDaemon(on);
            return;
        }
        if (g.state() != G.IDLE) {
            throw new IllegalThreadStateException();
        }
        g.setDaemon(on);
    }

    /** {@code Thread.isDaemon} for a routed thread answers what the program set. */
    public static boolean isDaemon(Thread t) {
        Scheduler s = Timeslice.scheduler();
        G g = s != null ? s.gOf(t) : null;
        return g != null ? g.isDaemon() : t.isDaemon();
    }

    /**
     * Java's daemon rule for a platform thread created by a G: the JDK makes every thread that a
     * virtual thread creates a daemon, but a non-daemon G (main is one) must create non-daemon
     * threads. Called right after the constructor (also a Thread subclass's super(...)), so an
     * explicit setDaemon later still wins.
     */
    public static void inheritDaemon(Thread t) {
        Scheduler s = Timeslice.scheduler();
        if (s == null || t.isVirtual() || t.getState() != Thread.State.NEW) {
            return;
        }
        G g = s.gOf(Thread.currentThread());
        if (g != null && !g.isDaemon() && t.isDaemon()) {
            t.setDaemon(false);
        }
    }

    /** threads=keep: {@code builder.start(task)} unchanged, with Java's daemon rule. */
    public static Thread keepBuilderStart(Thread.Builder b, Runnable task) {
        Thread t = keepBuilderUnstarted(b, task);
        t.start();
        return t;
    }

    public static Thread keepBuilderUnstarted(Thread.Builder b, Runnable task) {
        JdkAccess.PlatformBuilderConfig c = JdkAccess.isPlatformBuilder(b) ? JdkAccess.platformBuilderDaemonOnly(b) : null;
        Thread t = b.unstarted(task);
        if (c != null && c.daemon() == null) {
            inheritDaemon(t);
        }
        return t;
    }

    public static ThreadFactory keepBuilderFactory(Thread.Builder b) {
        ThreadFactory f = b.factory();
        if (!JdkAccess.isPlatformBuilder(b) || JdkAccess.platformBuilderDaemonOnly(b).daemon() != null) {
            return f;
        }
        return task -> {
            Thread t = f.newThread(task);
            inheritDaemon(t);
            return t;
        };
    }

    // ------------------------------------------------------------------ executors

    /**
     * What {@code Executors.defaultThreadFactory()} gives, as G's: threads named
     * "pool-N-thread-M", non-daemon. Also passed to the {@code Executors} factories and
     * {@code ThreadPoolExecutor} constructors that use the default factory.
     */
    public static ThreadFactory poolThreadFactory() {
        Scheduler s = Timeslice.scheduler();
        if (s == null) {
            return Executors.defaultThreadFactory();
        }
        String prefix = "pool-" + POOL_NUMBER.getAndIncrement() + "-thread-";
        AtomicInteger threadNumber = new AtomicInteger(1);
        return task -> {
            Thread t = s.newG(Objects.requireNonNull(task), prefix + threadNumber.getAndIncrement(), false, true, null);
            s.noteRouted("thread pool", t);
            return t;
        };
    }

    public static ExecutorService newVirtualThreadPerTaskExecutor() {
        Scheduler s = Timeslice.scheduler();
        if (s == null) {
            return Executors.newVirtualThreadPerTaskExecutor();
        }
        ThreadFactory f = s.threadFactory();
        return Executors.newThreadPerTaskExecutor(task -> {
            Thread t = f.newThread(task);
            s.noteRouted("virtual thread", t);
            return t;
        });
    }

    public static Thread startVirtualThread(Runnable task) {
        Scheduler s = Timeslice.scheduler();
        if (s == null) {
            return Thread.startVirtualThread(task);
        }
        Thread t = s.newG(Objects.requireNonNull(task), "", true, true, null);
        s.noteRouted("virtual thread", t);
        t.start();
        return t;
    }

    /** {@code Thread.ofVirtual()}: a JDK builder whose threads run on the scheduler. */
    public static Thread.Builder.OfVirtual ofVirtual() {
        Scheduler s = Timeslice.scheduler();
        if (s == null) {
            return Thread.ofVirtual();
        }
        RouteStats.routed("Thread.ofVirtual");
        return JdkAccess.virtualThreadBuilder(s.foreignExecutor());
    }

    // ------------------------------------------------------------------ Thread.Builder terminal operations

    /** {@code builder.start(task)}: a {@code Thread.ofPlatform()} builder's thread becomes a G. */
    public static Thread builderStart(Thread.Builder b, Runnable task) {
        Thread t = builderUnstarted(b, task);
        t.start();
        return t;
    }

    public static Thread builderUnstarted(Thread.Builder b, Runnable task) {
        Scheduler s = Timeslice.scheduler();
        String why = s != null && JdkAccess.isPlatformBuilder(b) ? JdkAccess.platformBuilderNeeds(b) : null;
        if (why != null) {
            RouteStats.leftAlone(why);
            return keepBuilderUnstarted(b, task);
        }
        JdkAccess.PlatformBuilderConfig c = s != null ? JdkAccess.platformBuilderConfig(b) : null;
        if (c == null) {
            return b.unstarted(task);
        }
        Thread t = s.newG(Objects.requireNonNull(task), c.name(), c.daemon() != null ? c.daemon() : currentIsDaemon(),
                c.inheritLocals(), c.ueh());
        int prio = JdkAccess.platformBuilderPriority(b);
        if (prio != 0) {
            setPriority(t, prio);
        } else {
            inheritPriority(s, t);
        }
        s.noteRouted("Thread.ofPlatform", t);
        return t;
    }

    public static ThreadFactory builderFactory(Thread.Builder b) {
        Scheduler s = Timeslice.scheduler();
        if (s == null || !JdkAccess.isPlatformBuilder(b)) {
            return b.factory();
        }
        return task -> {
            synchronized (b) {
                return builderUnstarted(b, task);
            }
        };
    }
}
