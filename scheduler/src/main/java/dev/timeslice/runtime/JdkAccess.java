package dev.timeslice.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * The only class in Timeslice that touches JDK internals. Everything else uses public API.
 *
 * <p>What it reaches, and why:
 * <ul>
 *   <li>{@code java.lang.ThreadBuilders$VirtualThreadBuilder(Executor)} — a virtual-thread
 *       builder whose scheduler is a G (the JDK then does mount/unmount, parking and stack
 *       walking; Timeslice decides where and when each G runs);</li>
 *   <li>{@code VirtualThread.runContinuation} — to recognise a G's own resubmission, and
 *       {@code VirtualThread.scheduler} — to find the G of a thread;</li>
 *   <li>the captured {@code VirtualThread} of a {@code runContinuation} task — to adopt virtual
 *       threads that inherited a G as scheduler from their parent (JDK behaviour);</li>
 *   <li>{@code Thread.currentCarrierThread()} — to find the M under a running G (Go's
 *       {@code getg().m});</li>
 *   <li>{@code ForkJoinPool$WorkQueue.top} of an M — {@code LinkedTransferQueue},
 *       {@code SynchronousQueue} and {@code Exchanger} spin unless
 *       {@code ForkJoinWorkerThread.hasKnownQueuedWork()} is true on the carrier; M's are
 *       (never registered) fork-join worker threads, and we mirror "this M's P has queued
 *       G's" into that field so that a G never spins while its peer waits on the same P.</li>
 *   <li>{@code sun.nio.ch.Poller}'s class initializer — it starts the JDK's I/O sub-pollers as
 *       virtual threads that inherit the scheduler of whoever first does socket I/O; run from a
 *       platform thread first, they stay on the JDK's own scheduler instead of becoming
 *       never-ending G's.</li>
 *   <li>{@code Thread.genThreadName()} and the settings of {@code Thread.ofPlatform()} builders —
 *       so that a platform thread routed to a G gets the name, daemon flag and handler the
 *       program asked for.</li>
 * </ul>
 * The agent opens {@code java.lang} and {@code java.util.concurrent} to this class's module with
 * {@code Instrumentation.redefineModule}; tests pass {@code --add-opens}. The first two are
 * required ({@link #check()} reports what is missing); the last two degrade to no-ops.
 */
final class JdkAccess {
    private static final MethodHandle NEW_VT_BUILDER;
    private static final VarHandle RUN_CONTINUATION;
    private static final VarHandle VT_SCHEDULER;
    private static final MethodHandle CURRENT_CARRIER;
    private static final Throwable FAILURE;
    private static final int NO_INHERIT_THREAD_LOCALS = 1 << 2;

    // What every scheduler needs at once; the rest is in lazy holders below, so that start-up
    // (the agent runs before main) pays only for this.
    static {
        MethodHandle newBuilder = null;
        VarHandle runCont = null;
        VarHandle vtScheduler = null;
        MethodHandle carrier = null;
        Throwable failure = null;
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        try {
            Class<?> builderClass = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
            MethodHandles.Lookup jl = MethodHandles.privateLookupIn(builderClass, lookup);
            newBuilder = jl.findConstructor(builderClass, MethodType.methodType(void.class, Executor.class))
                    .asType(MethodType.methodType(Thread.Builder.OfVirtual.class, Executor.class));
            Class<?> vtClass = Class.forName("java.lang.VirtualThread");
            MethodHandles.Lookup vtl = MethodHandles.privateLookupIn(vtClass, lookup);
            runCont = vtl.findVarHandle(vtClass, "runContinuation", Runnable.class);
            vtScheduler = vtl.findVarHandle(vtClass, "scheduler", Executor.class);
        } catch (Throwable t) {
            failure = t;
        }
        try {
            carrier = MethodHandles.privateLookupIn(Thread.class, lookup)
                    .findStatic(Thread.class, "currentCarrierThread", MethodType.methodType(Thread.class));
        } catch (Throwable t) {
            carrier = null;
        }
        NEW_VT_BUILDER = newBuilder;
        RUN_CONTINUATION = runCont;
        VT_SCHEDULER = vtScheduler;
        CURRENT_CARRIER = carrier;
        FAILURE = failure;
    }

    /** The fork-join work queue's fields (first M). */
    private static final class WorkQueues {
        static final VarHandle FJWT_WORK_QUEUE;
        /**
         * {@code WorkQueue.base} (plain get) and {@code WorkQueue.top} (opaque set) as method
         * handles typed on {@code Object}, so the M's per-switch update is an exact, inlinable
         * call: the VarHandles themselves can only be invoked with {@code Object} receivers
         * inexactly (the queue's class is not accessible here), which profiled at ~10 % of a
         * {@code Thread.yield} round trip.
         */
        static final MethodHandle WQ_BASE_GET;
        static final MethodHandle WQ_TOP_SET_OPAQUE;

        static {
            VarHandle workQueue = null;
            VarHandle top = null;
            VarHandle base = null;
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                Class<?> wq = Class.forName("java.util.concurrent.ForkJoinPool$WorkQueue");
                MethodHandles.Lookup juc = MethodHandles.privateLookupIn(ForkJoinWorkerThread.class, lookup);
                workQueue = juc.findVarHandle(ForkJoinWorkerThread.class, "workQueue", wq);
                MethodHandles.Lookup wql = MethodHandles.privateLookupIn(wq, lookup);
                top = wql.findVarHandle(wq, "top", int.class);
                base = wql.findVarHandle(wq, "base", int.class);
            } catch (Throwable t) {
                workQueue = top = base = null;
            }
            FJWT_WORK_QUEUE = workQueue;
            WQ_BASE_GET = base == null ? null : base.toMethodHandle(VarHandle.AccessMode.GET)
                    .asType(MethodType.methodType(int.class, Object.class));
            WQ_TOP_SET_OPAQUE = top == null ? null : top.toMethodHandle(VarHandle.AccessMode.SET_OPAQUE)
                    .asType(MethodType.methodType(void.class, Object.class, int.class));
        }
    }

    /** Thread naming and platform-thread builders (routing in rewritten code). */
    private static final class Builders {
        static final MethodHandle GEN_THREAD_NAME;
        static final Class<?> PLATFORM_BUILDER;
        static final MethodHandle BUILDER_NEXT_NAME;
        static final MethodHandle BUILDER_CHARACTERISTICS;
        static final MethodHandle BUILDER_UEH;
        static final VarHandle BUILDER_DAEMON;
        static final VarHandle BUILDER_DAEMON_CHANGED;

        static {
            MethodHandle genName = null;
            Class<?> platformBuilder = null;
            MethodHandle nextName = null;
            MethodHandle characteristics = null;
            MethodHandle ueh = null;
            VarHandle daemon = null;
            VarHandle daemonChanged = null;
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            try {
                genName = MethodHandles.privateLookupIn(Thread.class, lookup)
                        .findStatic(Thread.class, "genThreadName", MethodType.methodType(String.class));
                Class<?> baseBuilder = Class.forName("java.lang.ThreadBuilders$BaseThreadBuilder");
                platformBuilder = Class.forName("java.lang.ThreadBuilders$PlatformThreadBuilder");
                MethodHandles.Lookup bl = MethodHandles.privateLookupIn(baseBuilder, lookup);
                nextName = bl.findVirtual(baseBuilder, "nextThreadName", MethodType.methodType(String.class))
                        .asType(MethodType.methodType(String.class, Object.class));
                characteristics = bl.findVirtual(baseBuilder, "characteristics", MethodType.methodType(int.class))
                        .asType(MethodType.methodType(int.class, Object.class));
                ueh = bl.findVirtual(baseBuilder, "uncaughtExceptionHandler",
                                MethodType.methodType(Thread.UncaughtExceptionHandler.class))
                        .asType(MethodType.methodType(Thread.UncaughtExceptionHandler.class, Object.class));
                MethodHandles.Lookup pl = MethodHandles.privateLookupIn(platformBuilder, lookup);
                daemon = pl.findVarHandle(platformBuilder, "daemon", boolean.class);
                daemonChanged = pl.findVarHandle(platformBuilder, "daemonChanged", boolean.class);
            } catch (Throwable t) {
                platformBuilder = null;
            }
            GEN_THREAD_NAME = genName;
            PLATFORM_BUILDER = platformBuilder;
            BUILDER_NEXT_NAME = nextName;
            BUILDER_CHARACTERISTICS = characteristics;
            BUILDER_UEH = ueh;
            BUILDER_DAEMON = daemon;
            BUILDER_DAEMON_CHANGED = daemonChanged;
        }
    }

    private JdkAccess() {
    }

    /** Throws with a clear message when the JDK internals Timeslice needs are not reachable. */
    static void check() {
        if (FAILURE != null) {
            throw new IllegalStateException("timeslice: cannot create virtual threads with a custom scheduler ("
                    + FAILURE + "); java.lang must be opened to Timeslice (the agent does this;"
                    + " without it pass --add-opens java.base/java.lang=ALL-UNNAMED)", FAILURE);
        }
    }

    /** A virtual-thread builder whose threads are scheduled by {@code scheduler}. */
    static Thread.Builder.OfVirtual virtualThreadBuilder(Executor scheduler) {
        check();
        try {
            return (Thread.Builder.OfVirtual) NEW_VT_BUILDER.invokeExact(scheduler);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The task the JDK submits to a virtual thread's scheduler each time it becomes runnable. */
    static Runnable runContinuation(Thread vthread) {
        return (Runnable) RUN_CONTINUATION.get(vthread);
    }

    /** A fresh default thread name ("Thread-N") from the JVM's own numbering. */
    static String genThreadName() {
        try {
            return Builders.GEN_THREAD_NAME != null ? (String) Builders.GEN_THREAD_NAME.invokeExact() : "Thread-" + System.nanoTime();
        } catch (Throwable t) {
            return "Thread-" + System.nanoTime();
        }
    }

    /** What a {@code Thread.ofPlatform()} builder would give its next thread. */
    record PlatformBuilderConfig(String name, Boolean daemon, Thread.UncaughtExceptionHandler ueh, boolean inheritLocals) {
    }

    static boolean isPlatformBuilder(Thread.Builder b) {
        return Builders.PLATFORM_BUILDER != null && Builders.PLATFORM_BUILDER.isInstance(b);
    }

    /** Only whether a platform-thread builder sets the daemon flag (null: inherited); does not advance its name counter. */
    static PlatformBuilderConfig platformBuilderDaemonOnly(Thread.Builder b) {
        try {
            boolean changed = (boolean) Builders.BUILDER_DAEMON_CHANGED.get(b);
            return new PlatformBuilderConfig(null, changed ? (Boolean) (boolean) Builders.BUILDER_DAEMON.get(b) : null, null, true);
        } catch (RuntimeException e) {
            return new PlatformBuilderConfig(null, null, null, true);
        }
    }

    /** The settings of a JDK platform-thread builder (advancing its name counter), or null for other builders. */
    static PlatformBuilderConfig platformBuilderConfig(Thread.Builder b) {
        if (Builders.PLATFORM_BUILDER == null || !Builders.PLATFORM_BUILDER.isInstance(b)) {
            return null;
        }
        try {
            String name = (String) Builders.BUILDER_NEXT_NAME.invokeExact((Object) b);
            boolean changed = (boolean) Builders.BUILDER_DAEMON_CHANGED.get(b);
            Boolean daemon = changed ? (Boolean) (boolean) Builders.BUILDER_DAEMON.get(b) : null;
            Thread.UncaughtExceptionHandler ueh = (Thread.UncaughtExceptionHandler) Builders.BUILDER_UEH.invokeExact((Object) b);
            int ch = (int) Builders.BUILDER_CHARACTERISTICS.invokeExact((Object) b);
            return new PlatformBuilderConfig(name, daemon, ueh, (ch & NO_INHERIT_THREAD_LOCALS) == 0);
        } catch (Throwable t) {
            return null;
        }
    }

    /** Starts the JDK's I/O pollers from a platform thread (see the class comment). Idempotent. */
    static void initIoPollers() {
        if (Thread.currentThread().isVirtual()) {
            startIoPollers(Long.MAX_VALUE);
        } else {
            IoPollers.INIT.run();
        }
    }

    /**
     * Starts the JDK's I/O pollers on a platform thread of their own, once, and waits up to
     * {@code waitMillis} for them (0: does not wait). Creates no class and no lambda, so it may
     * run inside a class-file transformer: the JDK initializes the pollers' class on that thread.
     */
    static void startIoPollers(long waitMillis) {
        Thread t = IoPollers.THREAD;
        if (IoPollers.STARTED.compareAndSet(false, true)) {
            t.start();
        }
        if (waitMillis > 0 && t != Thread.currentThread() && t.isAlive()) {
            try {
                t.join(waitMillis == Long.MAX_VALUE ? 0 : waitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The pollers' initialization, made ready before anyone needs it (see startIoPollers). */
    private static final class IoPollers {
        static final java.util.concurrent.atomic.AtomicBoolean STARTED = new java.util.concurrent.atomic.AtomicBoolean();
        static final Runnable INIT = () -> {
            try {
                Class.forName("sun.nio.ch.Poller", true, null);
            } catch (Throwable t) {
                // not this JDK's design; nothing to do
            }
        };
        static final Thread THREAD = newThread();

        private static Thread newThread() {
            Thread t = new Thread(INIT, "timeslice-iopollers");
            t.setDaemon(true);
            return t;
        }
    }

    /** The scheduler (an {@link Executor}) of a virtual thread; null for platform threads. */
    static Executor schedulerOf(Thread t) {
        return t.isVirtual() && VT_SCHEDULER != null ? (Executor) VT_SCHEDULER.get(t) : null;
    }

    /**
     * The virtual thread behind a {@code runContinuation} task (a bound method reference whose
     * only captured value is the thread), or null if it cannot be found.
     */
    static Thread virtualThreadOf(Runnable runContinuation) {
        for (Field f : runContinuation.getClass().getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) && Thread.class.isAssignableFrom(f.getType())) {
                try {
                    f.setAccessible(true);
                    Thread t = (Thread) f.get(runContinuation);
                    if (t != null && t.isVirtual() && runContinuation(t) == runContinuation) {
                        return t;
                    }
                } catch (RuntimeException | IllegalAccessException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /** The platform thread carrying the current thread (itself for a platform thread). */
    static Thread currentCarrierThread() {
        if (CURRENT_CARRIER == null) {
            Thread t = Thread.currentThread();
            return t.isVirtual() ? null : t;
        }
        try {
            return (Thread) CURRENT_CARRIER.invokeExact();
        } catch (Throwable t) {
            return null;
        }
    }

    /** The work queue of a fork-join worker thread, or null when it cannot be reached. */
    static Object workQueueOf(ForkJoinWorkerThread worker) {
        return WorkQueues.FJWT_WORK_QUEUE == null ? null : WorkQueues.FJWT_WORK_QUEUE.get(worker);
    }

    /**
     * Makes {@code ForkJoinWorkerThread.hasKnownQueuedWork()} answer {@code queued} on the M
     * that owns {@code workQueue}. Only the owning M calls this; the queue is never used for
     * fork-join tasks (the M is never registered with its pool), so {@code top} is ours.
     */
    static void setKnownQueuedWork(Object workQueue, boolean queued) {
        if (workQueue != null && WorkQueues.WQ_BASE_GET != null && WorkQueues.WQ_TOP_SET_OPAQUE != null) {
            try {
                int base = (int) WorkQueues.WQ_BASE_GET.invokeExact(workQueue);
                WorkQueues.WQ_TOP_SET_OPAQUE.invokeExact(workQueue, queued ? base + 1 : base);
            } catch (Throwable t) {
                // only a hint for the JDK's spinning primitives
            }
        }
    }
}
