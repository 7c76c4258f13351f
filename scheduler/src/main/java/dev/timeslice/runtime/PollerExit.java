package dev.timeslice.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps the JDK's I/O poller threads from holding the JVM's exit up by 300 ms.
 *
 * <p>Why: when the JVM exits, HotSpot waits up to 300 ms for every thread that is in native code
 * to come back ({@code VM_Exit::wait_for_threads_in_native_to_block}). The JDK's poller threads
 * ({@code jdk.pollerMode=1}: "Read-Poller" and "Write-Poller", platform threads looping on
 * {@code epoll_wait} with no timeout) are in native code for good once any G has waited for a
 * socket, so every such program paid 300 ms at exit (Jetty: SIGTERM to exit ~370 ms, against
 * ~50 ms plain, whose selectors are platform threads that never start the pollers). The JDK has no
 * way to stop its pollers.
 *
 * <p>What: a hook in the JDK's last system shutdown slot, which runs after every application
 * shutdown hook has finished (so the program's own hooks can still do I/O), right before the
 * halt. It raises {@link #parking}, then wakes each poller thread with one event of its own: a
 * G blocked on a pipe whose descriptor that poller watches (a read for a read poller, a write to
 * a full pipe for a write poller), made ready by the hook. The poller wakes the G through
 * {@link Scheduler#ready}, which, while {@link #parking} is up, parks a JDK poller thread for good
 * ({@link #parkIfPoller}): parked in Java, it is not in native code, and the JVM exits at once.
 *
 * <p>Invariants: before the JVM is shutting down nothing here runs but the registration; every
 * step is bounded (the hook gives up after {@link #WAIT_NANOS} and never throws); if a step
 * fails (another JDK's design, a poller count or descriptor it cannot tell), the JVM exits as
 * it did before, 300 ms later. Only {@code jdk.pollerMode=1}: with the JDK's virtual-thread
 * pollers (mode 2), the "MasterPoller" wakes a sub-poller on the JDK's own scheduler, never a G,
 * so there is nothing to park it in.
 *
 * <p>When: the hook is registered only once the JDK's pollers have started ({@link
 * #pollersStarted}, on a thread of its own): a program that never waits for a socket has no
 * poller to park and does not pay for the registration (~20 ms of CPU at start: core reflection
 * builds a method-handle accessor per method it calls, and the JDK spins its classes).
 *
 * <p>Who may touch what: the agent arms it ({@link #install}); the thread that initializes the
 * pollers' class reports it ({@link #pollersStarted}); {@link Scheduler#ready} reads {@link
 * #parking} on its path for wakeups from outside the scheduler (one volatile read).
 */
public final class PollerExit implements Runnable {
    /** Raised by the hook; from then on a JDK poller thread that wakes a G parks for good. */
    static volatile boolean parking;

    /** How long the hook waits for its G's to block on the pollers. */
    static final long WAIT_NANOS = 50_000_000L;

    /** The scheduler whose G's the hook uses; set by {@link #install}, null while not armed. */
    private static volatile Scheduler armed;
    /** The hook is registered (or being registered) at most once per JVM. */
    private static final AtomicBoolean registered = new AtomicBoolean();

    private final Scheduler sched;

    PollerExit(Scheduler sched) { // package-private: PollerExitTest runs the hook directly
        this.sched = sched;
    }

    /**
     * Arms the hook for {@code sched}'s G's (the JVM-wide scheduler): it is registered when the
     * JDK's pollers start, or now if they already have. False if the pollers are not platform
     * threads ({@code jdk.pollerMode} is not 1).
     *
     * <p>Ordering: {@link #armed} and the pollers' started flag are both volatile; this writes
     * the first and reads the second, {@link #pollersStarted} runs after the second is written
     * and reads the first, so at least one of the two sees the other and registers; {@link
     * #registered} keeps it to one.
     */
    public static boolean install(Scheduler sched) {
        if (!"1".equals(System.getProperty("jdk.pollerMode"))) {
            return false;
        }
        armed = sched;
        if (JdkAccess.ioPollersStarted()) {
            register(sched);
        }
        return true;
    }

    /**
     * The JDK's pollers' class is initialized (called on the thread that did it): registers the
     * hook if armed, on a daemon thread of its own so that a G waiting for the pollers to start
     * does not also wait for the registration.
     */
    static void pollersStarted() {
        Scheduler sched = armed;
        if (sched != null && !registered.get()) {
            Thread t = new Thread(new Registration(sched), "timeslice-pollerexit");
            t.setDaemon(true);
            t.start();
        }
    }

    /**
     * Registers the hook once. If the slot is out of reach (another JDK's design, or the JVM
     * already shutting down), the JVM exits as before, after HotSpot's wait; no second attempt.
     */
    private static void register(Scheduler sched) {
        if (registered.compareAndSet(false, true)) {
            JdkAccess.registerLastShutdownHook(new PollerExit(sched));
        }
    }

    /** {@link #register} on its own thread; a class, not a lambda. */
    private static final class Registration implements Runnable {
        private final Scheduler sched;

        Registration(Scheduler sched) {
            this.sched = sched;
        }

        @Override
        public void run() {
            register(sched);
        }
    }

    /** Whether a JDK poller thread exists (they are platform threads: enumerated from the root group). */
    static boolean pollerThreadsAlive() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 16];
        int n = root.enumerate(threads, true);
        for (int i = 0; i < n; i++) {
            if (isPoller(threads[i])) {
                return true;
            }
        }
        return false;
    }

    private static boolean isPoller(Thread t) {
        String name = t.getName();
        return !t.isVirtual() && (name.startsWith("Read-Poller") || name.startsWith("Write-Poller"));
    }

    /** On the scheduler's external-wakeup path while {@link #parking}: a JDK poller thread stays here. */
    static void parkIfPoller() {
        if (!isPoller(Thread.currentThread())) {
            return;
        }
        for (;;) {
            LockSupport.park(PollerExit.class);
        }
    }

    @Override
    public void run() {
        if (sched.isShutdown() || !pollerThreadsAlive()) {
            return; // no poller thread: nothing sits in epoll_wait (and none is started now)
        }
        // The pipes are never closed: closing one would wake its G from this thread instead of
        // the poller's (and deregister the descriptor), leaving the poller in epoll_wait.
        try {
            parking = true;
            wake();
        } catch (Throwable t) {
            // the JVM exits as before, after HotSpot's wait
        }
    }

    private void wake() throws IOException {
        int readPollers = pollerCount("jdk.readPollers");
        int writePollers = pollerCount("jdk.writePollers");
        Pipe[] forRead = new Pipe[readPollers];
        Pipe[] forWrite = new Pipe[writePollers];
        int missing = readPollers + writePollers;
        // a pipe per poller, told apart by descriptor as the JDK does (fd & (count - 1))
        for (int tries = 0; missing > 0 && tries < 4 * (readPollers + writePollers) + 4; tries++) {
            Pipe p = Pipe.open();
            int src = JdkAccess.fdVal(p.source());
            int sink = JdkAccess.fdVal(p.sink());
            if (src < 0 || sink < 0) {
                return;
            }
            if (forRead[src & (readPollers - 1)] == null) {
                forRead[src & (readPollers - 1)] = p;
                missing--;
            } else if (forWrite[sink & (writePollers - 1)] == null) {
                forWrite[sink & (writePollers - 1)] = p;
                missing--;
            } else {
                // Descriptors come in pairs (n, n + 1) from the lowest free one: every next pipe
                // would have the same residues. One descriptor more shifts them.
                Pipe.open().sink().close();
            }
        }
        List<Thread> blocked = new ArrayList<>();
        for (Pipe p : forRead) {
            if (p != null) {
                blocked.add(sched.newThread().daemon(true).name("timeslice-pollerexit").start(new Blocked(p, true)));
            }
        }
        for (Pipe p : forWrite) {
            if (p != null) {
                fill(p.sink());
                blocked.add(sched.newThread().daemon(true).name("timeslice-pollerexit").start(new Blocked(p, false)));
            }
        }
        long deadline = System.nanoTime() + WAIT_NANOS;
        for (Thread t : blocked) {
            while (t.getState() != Thread.State.WAITING && t.isAlive() && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(100_000);
            }
        }
        // each blocked G is now registered with its poller: make its pipe ready
        for (Pipe p : forRead) {
            if (p != null) {
                p.sink().write(ByteBuffer.wrap(new byte[1]));
            }
        }
        for (Pipe p : forWrite) {
            if (p != null) {
                drain(p.source());
            }
        }
    }

    /** Fills a pipe until not one more byte fits, so that a blocking write of one byte blocks. */
    private static void fill(Pipe.SinkChannel sink) throws IOException {
        sink.configureBlocking(false);
        for (int size = 1 << 16; size >= 1; size >>= 1) {
            ByteBuffer b = ByteBuffer.allocate(size);
            while (sink.write(b) > 0) {
                b.clear();
            }
        }
        sink.configureBlocking(true);
    }

    private static void drain(Pipe.SourceChannel source) throws IOException {
        source.configureBlocking(false);
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        while (source.read(b) > 0) {
            b.clear();
        }
    }

    /** The JDK's count of platform pollers of one kind ({@code DefaultPollerProvider}, mode 1). */
    static int pollerCount(String property) {
        String s = System.getProperty(property);
        if (s != null) {
            try {
                int n = Integer.parseInt(s.trim());
                return n > 0 && Integer.bitCount(n) == 1 ? n : 1;
            } catch (NumberFormatException e) {
                return 1;
            }
        }
        return Math.max(Integer.highestOneBit(Runtime.getRuntime().availableProcessors() / 4), 1);
    }

    /** A G blocked reading an empty pipe (a read poller watches it) or writing a full one (a write poller). */
    private static final class Blocked implements Runnable {
        private final Pipe pipe;
        private final boolean read;

        Blocked(Pipe pipe, boolean read) {
            this.pipe = pipe;
            this.read = read;
        }

        @Override
        public void run() {
            try {
                if (read) {
                    pipe.source().read(ByteBuffer.allocate(1));
                } else {
                    pipe.sink().write(ByteBuffer.wrap(new byte[1]));
                }
            } catch (IOException | RuntimeException e) {
                // closed at exit
            }
        }
    }
}
