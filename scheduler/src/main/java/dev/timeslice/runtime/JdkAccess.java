package dev.timeslice.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
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
 *   <li>for deadlock detection ({@link DeadlockDetector}): {@code AbstractOwnableSynchronizer}'s
 *       owner (and a {@code ReentrantReadWriteLock}'s first reader), {@code jdk.internal.vm.ThreadSnapshot}
 *       (JDK 25+: the monitor a virtual thread is blocked on and the monitors it holds) and
 *       {@code ApplicationShutdownHooks.hooks}; each degrades to "unknown".</li>
 *   <li>{@code Thread.holder.stackSize} of an unstarted M — carriers get a stack at least as deep
 *       as the main thread's (see {@link #setStackSize});</li>
 *   <li>{@code Thread.genThreadName()} and the settings of {@code Thread.ofPlatform()} builders —
 *       so that a platform thread routed to a G gets the name, daemon flag and handler the
 *       program asked for.</li>
 *   <li>{@code com.sun.management.internal.DiagnosticCommandImpl.executeDiagnosticCommand} — the
 *       native behind {@code jcmd}, for one command ({@code Compiler.directives_add}, see
 *       {@link CompilerDirectives}) without creating the platform MBean server, and
 *       {@code jdk.internal.loader.BootLoader.loadLibrary} for its native library; module
 *       {@code jdk.management}, optional.</li>
 *   <li>{@code jdk.internal.access.JavaLangAccess.registerShutdownHook} (the last system hook slot)
 *       and {@code sun.nio.ch.SelChImpl.getFDVal} — so that the JDK's I/O poller threads are
 *       parked, not in {@code epoll_wait}, when the JVM exits (see {@link PollerExit}); both
 *       exported by the agent, both optional.</li>
 * </ul>
 * The agent opens {@code java.lang}, {@code java.util.concurrent}, {@code java.util.concurrent.locks},
 * {@code jdk.internal.vm}, {@code jdk.internal.loader} (and, off the main thread,
 * {@code jdk.management}'s {@code com.sun.management.internal}) to this class's module with
 * {@code Instrumentation.redefineModule}; tests pass {@code --add-opens}. The first two are
 * required ({@link #check()} reports what is missing); the rest degrade to no-ops.
 *
 * <p>Who may touch what: the core package only. The class stays package-private: the runtime
 * lives in the bootstrap loader's unnamed module, so a public member here would hand the opened
 * JDK internals to every class in the JVM.
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
        static final VarHandle BUILDER_GROUP;
        static final VarHandle BUILDER_STACK_SIZE;
        static final VarHandle BUILDER_PRIORITY;

        static {
            MethodHandle genName = null;
            Class<?> platformBuilder = null;
            MethodHandle nextName = null;
            MethodHandle characteristics = null;
            MethodHandle ueh = null;
            VarHandle daemon = null;
            VarHandle daemonChanged = null;
            VarHandle group = null;
            VarHandle stackSize = null;
            VarHandle priority = null;
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
                try {
                    group = pl.findVarHandle(platformBuilder, "group", ThreadGroup.class);
                    stackSize = pl.findVarHandle(platformBuilder, "stackSize", long.class);
                    priority = pl.findVarHandle(platformBuilder, "priority", int.class);
                } catch (Throwable t) {
                    group = stackSize = priority = null; // only refinements
                }
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
            BUILDER_GROUP = group;
            BUILDER_STACK_SIZE = stackSize;
            BUILDER_PRIORITY = priority;
        }
    }

    /**
     * Deadlock detection ({@link DeadlockDetector}): the owner of a {@code j.u.c} lock
     * ({@code AbstractOwnableSynchronizer.exclusiveOwnerThread}, and the first reader of a
     * {@code ReentrantReadWriteLock}), the monitor a thread is blocked on and the monitors it
     * owns ({@code jdk.internal.vm.ThreadSnapshot}, JDK 25+), the application's shutdown hooks.
     * Each piece is null when this JDK does not have it or the package is not opened.
     */
    private static final class Deadlocks {
        static final VarHandle AOS_OWNER;
        static final Class<?> RRWL_SYNC;
        static final VarHandle RRWL_FIRST_READER;
        static final MethodHandle SNAPSHOT_OF;
        static final MethodHandle SNAPSHOT_STATE;
        static final MethodHandle SNAPSHOT_BLOCKED_ON;
        static final VarHandle SNAPSHOT_LOCKS;
        static final MethodHandle LOCK_OBJECT;
        static final MethodHandle LOCK_DEPTH;
        static final MethodHandle SNAPSHOT_STACK;
        static final VarHandle SHUTDOWN_HOOKS;
        static final Class<?> SHUTDOWN_HOOKS_CLASS;

        static {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            VarHandle owner = null;
            Class<?> rrwl = null;
            VarHandle firstReader = null;
            try {
                Class<?> aos = java.util.concurrent.locks.AbstractOwnableSynchronizer.class;
                owner = MethodHandles.privateLookupIn(aos, lookup).findVarHandle(aos, "exclusiveOwnerThread", Thread.class);
                rrwl = Class.forName("java.util.concurrent.locks.ReentrantReadWriteLock$Sync");
                firstReader = MethodHandles.privateLookupIn(rrwl, lookup).findVarHandle(rrwl, "firstReader", Thread.class);
            } catch (Throwable t) {
                rrwl = null;
                firstReader = null;
            }
            MethodHandle of = null;
            MethodHandle state = null;
            MethodHandle blockedOn = null;
            VarHandle locks = null;
            MethodHandle lockObject = null;
            MethodHandle lockDepth = null;
            MethodHandle stack = null;
            try {
                Class<?> snap = Class.forName("jdk.internal.vm.ThreadSnapshot");
                Class<?> lock = Class.forName("jdk.internal.vm.ThreadSnapshot$ThreadLock");
                MethodHandles.Lookup sl = MethodHandles.privateLookupIn(snap, lookup);
                of = sl.findStatic(snap, "of", MethodType.methodType(snap, Thread.class))
                        .asType(MethodType.methodType(Object.class, Thread.class));
                state = sl.findVirtual(snap, "threadState", MethodType.methodType(Thread.State.class))
                        .asType(MethodType.methodType(Thread.State.class, Object.class));
                blockedOn = sl.findVirtual(snap, "blockedOn", MethodType.methodType(Object.class))
                        .asType(MethodType.methodType(Object.class, Object.class));
                locks = sl.findVarHandle(snap, "locks", lock.arrayType());
                MethodHandles.Lookup ll = MethodHandles.privateLookupIn(lock, lookup);
                lockObject = ll.findVirtual(lock, "lockObject", MethodType.methodType(Object.class))
                        .asType(MethodType.methodType(Object.class, Object.class));
                lockDepth = ll.findVirtual(lock, "depth", MethodType.methodType(int.class))
                        .asType(MethodType.methodType(int.class, Object.class));
                stack = sl.findVirtual(snap, "stackTrace", MethodType.methodType(StackTraceElement[].class))
                        .asType(MethodType.methodType(StackTraceElement[].class, Object.class));
            } catch (Throwable t) {
                of = null;
            }
            VarHandle hooks = null;
            Class<?> hooksClass = null;
            try {
                hooksClass = Class.forName("java.lang.ApplicationShutdownHooks");
                hooks = MethodHandles.privateLookupIn(hooksClass, lookup)
                        .findStaticVarHandle(hooksClass, "hooks", java.util.IdentityHashMap.class);
            } catch (Throwable t) {
                hooks = null;
            }
            AOS_OWNER = owner;
            RRWL_SYNC = rrwl;
            RRWL_FIRST_READER = firstReader;
            SNAPSHOT_OF = of;
            SNAPSHOT_STATE = state;
            SNAPSHOT_BLOCKED_ON = blockedOn;
            SNAPSHOT_LOCKS = locks;
            LOCK_OBJECT = lockObject;
            LOCK_DEPTH = lockDepth;
            SNAPSHOT_STACK = stack;
            SHUTDOWN_HOOKS = hooks;
            SHUTDOWN_HOOKS_CLASS = hooksClass;
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

    /**
     * Why a {@code Thread.ofPlatform()} builder's threads must stay platform threads (it set a
     * thread group or a stack size, which a G cannot give), or null.
     */
    static String platformBuilderNeeds(Thread.Builder b) {
        try {
            if (Builders.BUILDER_GROUP != null && Builders.BUILDER_GROUP.get(b) != null) {
                return Routes.EXPLICIT_GROUP;
            }
            if (Builders.BUILDER_STACK_SIZE != null && (long) Builders.BUILDER_STACK_SIZE.get(b) != 0) {
                return Routes.EXPLICIT_STACK;
            }
        } catch (RuntimeException e) {
            // not this JDK's builder: route as before
        }
        return null;
    }

    /** The priority a {@code Thread.ofPlatform()} builder sets, 0 when it sets none. */
    static int platformBuilderPriority(Thread.Builder b) {
        try {
            return Builders.BUILDER_PRIORITY != null ? (int) Builders.BUILDER_PRIORITY.get(b) : 0;
        } catch (RuntimeException e) {
            return 0;
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

    /** Whether the JDK's I/O pollers were started through {@link #startIoPollers} or {@link #initIoPollers}. */
    static boolean ioPollersStarted() {
        return ioPollersInitialized;
    }

    /**
     * Written once the pollers' class is initialized (or failed to be), before {@link
     * PollerExit#pollersStarted}; here, not in {@code IoPollers}, so that reading it does not
     * initialize that class (its thread and lambda) before the pollers are needed.
     */
    private static volatile boolean ioPollersInitialized;

    /**
     * Registers {@code hook} in the last of the JDK's system shutdown-hook slots: it runs after
     * every application hook has finished ({@code ApplicationShutdownHooks} is slot 1 and joins
     * them all), right before the JVM halts. False if the slot is taken or out of reach.
     */
    static boolean registerLastShutdownHook(Runnable hook) {
        try {
            Class<?> secrets = Class.forName("jdk.internal.access.SharedSecrets");
            Object jla = secrets.getMethod("getJavaLangAccess").invoke(null);
            Class<?> jlaClass = Class.forName("jdk.internal.access.JavaLangAccess");
            jlaClass.getMethod("registerShutdownHook", int.class, boolean.class, Runnable.class)
                    .invoke(jla, LAST_SYSTEM_HOOK_SLOT, false, hook);
            return true;
        } catch (Throwable t) {
            return false;
        }
    }

    /** {@code java.lang.Shutdown.MAX_SYSTEM_HOOKS - 1}; the JDK itself uses slots 0-2. */
    private static final int LAST_SYSTEM_HOOK_SLOT = 9;

    /** The file descriptor of an NIO channel ({@code sun.nio.ch.SelChImpl.getFDVal}), or -1. */
    static int fdVal(java.nio.channels.Channel ch) {
        MethodHandle h = Channels.FD_VAL;
        if (h == null) {
            return -1;
        }
        try {
            return (int) h.invoke((Object) ch);
        } catch (Throwable t) {
            return -1;
        }
    }

    private static final class Channels {
        static final MethodHandle FD_VAL = fdValHandle();

        private static MethodHandle fdValHandle() {
            try {
                Class<?> selCh = Class.forName("sun.nio.ch.SelChImpl");
                return MethodHandles.lookup().findVirtual(selCh, "getFDVal", MethodType.methodType(int.class))
                        .asType(MethodType.methodType(int.class, Object.class));
            } catch (Throwable t) {
                return null;
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
            ioPollersInitialized = true;
            PollerExit.pollersStarted();
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

    /** Whether the owner of {@code j.u.c} locks can be read ({@link #lockOwner}). */
    static boolean canReadLockOwners() {
        return Deadlocks.AOS_OWNER != null;
    }

    /**
     * The thread holding a {@code j.u.c} lock's synchronizer exclusively; for a
     * {@code ReentrantReadWriteLock} held only for reading, its first reader (the JDK tracks no
     * other reader by thread). Null when free, unknown or unreadable.
     */
    static Thread lockOwner(java.util.concurrent.locks.AbstractOwnableSynchronizer sync) {
        if (Deadlocks.AOS_OWNER == null) {
            return null;
        }
        try {
            Thread owner = (Thread) Deadlocks.AOS_OWNER.get(sync);
            if (owner == null && Deadlocks.RRWL_FIRST_READER != null && Deadlocks.RRWL_SYNC.isInstance(sync)) {
                owner = (Thread) Deadlocks.RRWL_FIRST_READER.get(sync);
            }
            return owner;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Whether monitor owners can be found ({@link #monitors}): JDK 25+ with jdk.internal.vm opened. */
    static boolean canReadMonitors() {
        return Deadlocks.SNAPSHOT_OF != null;
    }

    /**
     * The monitor a thread is blocked on entering (null if none), the monitors it holds, the
     * depth in {@code stack} of the frame that locked each, and the stack they refer to.
     */
    record Monitors(Object blockedOn, List<Object> owned, List<Integer> depths, StackTraceElement[] stack) {
    }

    /** A snapshot of {@code t}'s monitors, or null when it cannot be taken (JDK, terminated thread). */
    static Monitors monitors(Thread t) {
        if (Deadlocks.SNAPSHOT_OF == null) {
            return null;
        }
        try {
            Object snap = Deadlocks.SNAPSHOT_OF.invokeExact(t);
            if (snap == null) {
                return null;
            }
            Thread.State st = (Thread.State) Deadlocks.SNAPSHOT_STATE.invokeExact(snap);
            Object blockedOn = st == Thread.State.BLOCKED ? (Object) Deadlocks.SNAPSHOT_BLOCKED_ON.invokeExact(snap) : null;
            Object[] locks = (Object[]) Deadlocks.SNAPSHOT_LOCKS.get(snap);
            List<Object> owned = new java.util.ArrayList<>();
            List<Integer> depths = new java.util.ArrayList<>();
            if (locks != null) {
                for (Object l : locks) {
                    Object o = (Object) Deadlocks.LOCK_OBJECT.invokeExact(l);
                    if (o != null) {
                        owned.add(o);
                        depths.add((int) Deadlocks.LOCK_DEPTH.invokeExact(l));
                    }
                }
            }
            StackTraceElement[] stack = (StackTraceElement[]) Deadlocks.SNAPSHOT_STACK.invokeExact(snap);
            return new Monitors(blockedOn, owned, depths, stack == null ? new StackTraceElement[0] : stack);
        } catch (Throwable e) {
            return null;
        }
    }

    /**
     * The shutdown hooks the application registered ({@code Runtime.addShutdownHook}), or null
     * when they cannot be read or the JVM is shutting down (then a caller must assume that a
     * hook may still wake a thread).
     */
    static List<Thread> shutdownHooks() {
        if (Deadlocks.SHUTDOWN_HOOKS == null) {
            return null;
        }
        try {
            synchronized (Deadlocks.SHUTDOWN_HOOKS_CLASS) {
                java.util.IdentityHashMap<?, ?> hooks = (java.util.IdentityHashMap<?, ?>) Deadlocks.SHUTDOWN_HOOKS.get();
                if (hooks == null) {
                    return null; // the JVM is shutting down: the hooks are running
                }
                List<Thread> out = new java.util.ArrayList<>();
                for (Object h : hooks.keySet()) {
                    out.add((Thread) h);
                }
                return out;
            }
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Sets the stack size an unstarted thread will be created with ({@code Thread.holder.stackSize},
     * what {@code new Thread(group, task, name, stackSize)} sets). M's need it because
     * {@code ForkJoinWorkerThread} has no constructor taking a stack size, and a G's frames live on
     * its M's stack while it runs. False if the field cannot be written (the thread then gets the
     * JVM's default stack size).
     */
    static boolean setStackSize(Thread unstarted, long bytes) {
        if (StackSizes.SET == null) {
            return false;
        }
        try {
            StackSizes.SET.invokeExact(StackSizes.HOLDER.invokeExact(unstarted), bytes);
            return true;
        } catch (Throwable t) {
            return false;
        }
    }

    /**
     * {@code Thread.holder} and {@code FieldHolder.stackSize} as method handles typed on
     * {@code Object} (the holder's class is not accessible here). From {@code unreflectGetter/Setter}
     * on fields made accessible: a VarHandle never writes a final field, and core reflection's
     * {@code Field.setLong} builds its own method-handle accessor on first use, twice the CPU
     * (~19 vs ~9 ms at start-up, measured in a fresh JVM).
     */
    private static final class StackSizes {
        static final MethodHandle HOLDER;
        static final MethodHandle SET;

        static {
            MethodHandle holder = null;
            MethodHandle set = null;
            try {
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup());
                Field holderField = Thread.class.getDeclaredField("holder");
                holderField.setAccessible(true);
                Field size = holderField.getType().getDeclaredField("stackSize");
                size.setAccessible(true);
                holder = lookup.unreflectGetter(holderField).asType(MethodType.methodType(Object.class, Thread.class));
                set = lookup.unreflectSetter(size).asType(MethodType.methodType(void.class, Object.class, long.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                holder = set = null;
            }
            HOLDER = holder;
            SET = set;
        }
    }

    /**
     * Runs one diagnostic command as {@code jcmd <pid> <command>} would, and returns its output.
     * Loads {@code libmanagement_ext} into the bootstrap loader the way the JDK's own classes do
     * ({@code BootLoader.loadLibrary}; {@code System.loadLibrary} is a restricted method that
     * would print a warning) and calls the command's native on the JDK's own instance (not
     * registered anywhere: no MBean server is created).
     *
     * @throws ReflectiveOperationException if {@code jdk.management} is absent or not opened
     */
    static String diagnosticCommand(String command) throws Throwable {
        Class<?> impl = Class.forName("com.sun.management.internal.DiagnosticCommandImpl", false, null);
        MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(impl, MethodHandles.lookup());
        MethodHandle bean = lookup.findStatic(impl, "getDiagnosticCommandMBean",
                MethodType.methodType(Class.forName("com.sun.management.DiagnosticCommandMBean", false, null)))
                .asType(MethodType.methodType(Object.class));
        MethodHandle execute = lookup.findVirtual(impl, "executeDiagnosticCommand", MethodType.methodType(String.class, String.class))
                .asType(MethodType.methodType(String.class, Object.class, String.class));
        Class<?> bootLoader = Class.forName("jdk.internal.loader.BootLoader", false, null);
        MethodHandles.lookup().findStatic(bootLoader, "loadLibrary", MethodType.methodType(void.class, String.class))
                .invoke("management_ext");
        Object instance = bean.invoke();
        return (String) execute.invoke(instance, command);
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
