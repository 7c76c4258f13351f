package dev.timeslice.agent.rewrite;

import java.util.Map;
import java.util.Set;

/**
 * The thread-creation call sites that {@link RoutingStage} rewrites, and what each becomes. One
 * table, so that what is routed (and what is deliberately left alone) is visible in one place and
 * documented in the README.
 *
 * <p>Every replacement calls {@code dev.timeslice.runtime.Routes}, which behaves like the
 * original call (and falls back to exactly it when no scheduler runs).
 */
final class ThreadCallSites {
    static final String ROUTES = "dev/timeslice/runtime/Routes";
    static final String ROUTE_STATS = "dev/timeslice/runtime/RouteStats";
    static final String THREAD = "java/lang/Thread";
    static final String SELECTOR = "java/nio/channels/Selector";
    static final String EXECUTORS = "java/util/concurrent/Executors";
    static final String TPE = "java/util/concurrent/ThreadPoolExecutor";
    static final String STPE = "java/util/concurrent/ScheduledThreadPoolExecutor";
    static final String FACTORY = "Ljava/util/concurrent/ThreadFactory;";
    static final String REH = "Ljava/util/concurrent/RejectedExecutionHandler;";

    private ThreadCallSites() {
    }

    /** {@code new Thread(<desc>)}: constructors routed to {@code Routes.newThread(<same args>)}. */
    static final Set<String> THREAD_CONSTRUCTORS = Set.of(
            "()V",
            "(Ljava/lang/Runnable;)V",
            "(Ljava/lang/String;)V",
            "(Ljava/lang/Runnable;Ljava/lang/String;)V",
            "(Ljava/lang/ThreadGroup;Ljava/lang/Runnable;)V",
            "(Ljava/lang/ThreadGroup;Ljava/lang/String;)V",
            "(Ljava/lang/ThreadGroup;Ljava/lang/Runnable;Ljava/lang/String;)V",
            "(Ljava/lang/ThreadGroup;Ljava/lang/Runnable;Ljava/lang/String;J)V",
            "(Ljava/lang/ThreadGroup;Ljava/lang/Runnable;Ljava/lang/String;JZ)V");

    /** A call replaced by a static call to {@code Routes} with the same stack effect (receiver first). */
    record Static(String name, String desc) {
    }

    /** owner.name+desc (static calls) -> Routes method. */
    static final Map<String, Static> STATIC_CALLS = Map.of(
            THREAD + ".startVirtualThread(Ljava/lang/Runnable;)Ljava/lang/Thread;",
            new Static("startVirtualThread", "(Ljava/lang/Runnable;)Ljava/lang/Thread;"),
            THREAD + ".ofVirtual()Ljava/lang/Thread$Builder$OfVirtual;",
            new Static("ofVirtual", "()Ljava/lang/Thread$Builder$OfVirtual;"),
            EXECUTORS + ".newVirtualThreadPerTaskExecutor()Ljava/util/concurrent/ExecutorService;",
            new Static("newVirtualThreadPerTaskExecutor", "()Ljava/util/concurrent/ExecutorService;"),
            EXECUTORS + ".defaultThreadFactory()Ljava/util/concurrent/ThreadFactory;",
            new Static("poolThreadFactory", "()Ljava/util/concurrent/ThreadFactory;"));

    /** owner.name+desc (instance calls on Thread, Thread.Builder and Selector) -> Routes method taking the receiver first. */
    static final Map<String, Static> INSTANCE_CALLS = Map.ofEntries(
            Map.entry(THREAD + ".setDaemon(Z)V", new Static("setDaemon", "(Ljava/lang/Thread;Z)V")),
            Map.entry(THREAD + ".isDaemon()Z", new Static("isDaemon", "(Ljava/lang/Thread;)Z")),
            // a routed thread keeps the priority the program sets, as getPriority() reads it
            Map.entry(THREAD + ".setPriority(I)V", new Static("setPriority", "(Ljava/lang/Thread;I)V")),
            Map.entry(THREAD + ".getPriority()I", new Static("getPriority", "(Ljava/lang/Thread;)I")),
            // a G's event loop: its M blocks in the select outside the P's (SelectHandoff)
            Map.entry(SELECTOR + ".select()I", new Static("select", "(Ljava/nio/channels/Selector;)I")),
            Map.entry(SELECTOR + ".select(J)I", new Static("select", "(Ljava/nio/channels/Selector;J)I")),
            builder("java/lang/Thread$Builder", "start"),
            builder("java/lang/Thread$Builder$OfPlatform", "start"),
            builder("java/lang/Thread$Builder", "unstarted"),
            builder("java/lang/Thread$Builder$OfPlatform", "unstarted"),
            Map.entry("java/lang/Thread$Builder.factory()Ljava/util/concurrent/ThreadFactory;",
                    new Static("builderFactory", "(Ljava/lang/Thread$Builder;)Ljava/util/concurrent/ThreadFactory;")),
            Map.entry("java/lang/Thread$Builder$OfPlatform.factory()Ljava/util/concurrent/ThreadFactory;",
                    new Static("builderFactory", "(Ljava/lang/Thread$Builder;)Ljava/util/concurrent/ThreadFactory;")));

    private static Map.Entry<String, Static> builder(String owner, String op) {
        String routes = op.equals("start") ? "builderStart" : "builderUnstarted";
        return Map.entry(owner + "." + op + "(Ljava/lang/Runnable;)Ljava/lang/Thread;",
                new Static(routes, "(Ljava/lang/Thread$Builder;Ljava/lang/Runnable;)Ljava/lang/Thread;"));
    }

    /**
     * {@code Executors} factories that use the default thread factory -> the overload taking a
     * ThreadFactory (descriptor), fed {@code Routes.poolThreadFactory()}.
     */
    static final Map<String, String> EXECUTOR_FACTORIES = Map.of(
            "newFixedThreadPool(I)Ljava/util/concurrent/ExecutorService;",
            "(I" + FACTORY + ")Ljava/util/concurrent/ExecutorService;",
            "newCachedThreadPool()Ljava/util/concurrent/ExecutorService;",
            "(" + FACTORY + ")Ljava/util/concurrent/ExecutorService;",
            "newSingleThreadExecutor()Ljava/util/concurrent/ExecutorService;",
            "(" + FACTORY + ")Ljava/util/concurrent/ExecutorService;",
            "newScheduledThreadPool(I)Ljava/util/concurrent/ScheduledExecutorService;",
            "(I" + FACTORY + ")Ljava/util/concurrent/ScheduledExecutorService;",
            "newSingleThreadScheduledExecutor()Ljava/util/concurrent/ScheduledExecutorService;",
            "(" + FACTORY + ")Ljava/util/concurrent/ScheduledExecutorService;");

    /** Pool constructor that uses the default factory -> (overload with a factory, whether the factory goes before the last argument). */
    record PoolConstructor(String desc, boolean beforeLast) {
    }

    static final Map<String, PoolConstructor> POOL_CONSTRUCTORS = Map.of(
            TPE + "(IIJLjava/util/concurrent/TimeUnit;Ljava/util/concurrent/BlockingQueue;)V",
            new PoolConstructor("(IIJLjava/util/concurrent/TimeUnit;Ljava/util/concurrent/BlockingQueue;" + FACTORY + ")V", false),
            TPE + "(IIJLjava/util/concurrent/TimeUnit;Ljava/util/concurrent/BlockingQueue;" + REH + ")V",
            new PoolConstructor("(IIJLjava/util/concurrent/TimeUnit;Ljava/util/concurrent/BlockingQueue;" + FACTORY + REH + ")V", true),
            STPE + "(I)V", new PoolConstructor("(I" + FACTORY + ")V", false),
            STPE + "(I" + REH + ")V", new PoolConstructor("(I" + FACTORY + REH + ")V", true));

    /** Static calls left alone on purpose, counted at run time by kind. */
    static final Map<String, String> LEFT_ALONE_CALLS = Map.of(
            EXECUTORS + ".newWorkStealingPool()Ljava/util/concurrent/ExecutorService;", "ForkJoinPool",
            EXECUTORS + ".newWorkStealingPool(I)Ljava/util/concurrent/ExecutorService;", "ForkJoinPool");
}
