package dev.timeslice.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An M:P:G scheduler modelled on Go's runtime ({@code runtime/proc.go}): G's are JDK virtual
 * threads, M's are carrier platform threads, P's are the {@code procs} logical processors an M
 * must hold to run G's.
 *
 * <p>Scheduling, in Go's order: an M with a P runs {@code runnext}, then its local queue, then
 * the global queue (first every 61st schedtick for fairness, and whenever the local queue is
 * empty), then steals half of another P's queue (random order, 4 rounds, runnext on the last),
 * then gives up its P and sleeps. At most half of the busy P's have a spinning (stealing) M.
 * Submitting work wakes an M when a P is idle and nobody spins ({@link #wakep()}).
 *
 * <p>Where a runnable G goes ({@link #ready}): resubmitted while its own M is running it (a
 * yield or a served preemption) → global queue; woken by a G running on a P → that P's
 * runnext; woken from outside (timer, platform thread, I/O) → the global queue's wakeup list,
 * served first, and an M is woken (and, when no P is idle, the longest-running G may be
 * preempted: see {@link Sysmon}).
 *
 * <p>Locking: {@link #lock} is Go's {@code sched.lock}; it guards the global queue, the idle-P
 * and idle-M lists and M creation. Local run queues are lock-free ({@link Runq}). The
 * "delicate dance" between an M going idle and a submitter is Go's: the submitter publishes the
 * G, then reads {@link #nmspinning}/{@link #npidle}; an M that stops spinning decrements
 * {@link #nmspinning} and then re-checks every queue. Both sides use volatile (sequentially
 * consistent) accesses, so at least one of them sees the other.
 */
public final class Scheduler implements AutoCloseable {
    /** Go's cap on threads ({@code sched.maxmcount}). */
    static final int DEFAULT_MAX_M = 10_000;
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final AtomicLong GOIDS = new AtomicLong();

    final String name;
    final int procs;
    final long sliceNanos;
    final long wakeupGraceNanos;
    final int maxM;
    final P[] allp;
    final ReentrantLock lock = new ReentrantLock();
    final GlobalRunq globrunq = new GlobalRunq(lock);
    final AtomicInteger nmspinning = new AtomicInteger();
    /** Set when work was submitted but no P was idle to start a spinning M (Go's needspinning). */
    volatile int needspinning;
    volatile int npidle;
    /**
     * A clock that is at most one run (or one sysmon round) old, for timestamps that only need
     * to be roughly right (time in a waiting state): written with plain stores by M's and
     * sysmon, read racily.
     */
    volatile long coarseNow = System.nanoTime();
    final Sysmon sysmon;
    final Stats stats = new Stats();
    final GcScan scan;
    private final GcScanTrigger gcScanTrigger;
    /** Deadlocks among G's ({@link DeadlockDetector}); sysmon and GC-scans ask it to look. */
    final DeadlockDetector deadlock;
    /** Watches handed-off selects for G's that could not unmount (its thread runs only while selects are handed off). */
    final PinWatch pinWatch = new PinWatch(this);

    // Guarded by lock.
    private P pidle;
    private M midle;
    private int nmidle;
    private final List<M> allm = new ArrayList<>();
    private boolean mcapReported;

    private final ForkJoinPool shadowPool;
    /** Event listener for tracing/JFR, or null (the common case: one volatile read per run). */
    private volatile SchedEvents events;
    private final AllGs allgs = new AllGs();
    /** Virtual threads that inherited a G as scheduler, by their runContinuation task. */
    private final ConcurrentHashMap<Runnable, G> foreign = new ConcurrentHashMap<>();
    private final AtomicInteger nonDaemon = new AtomicInteger();
    private final Condition nonDaemonZero = lock.newCondition();
    private final Condition allDead = lock.newCondition();
    private volatile boolean shutdown;
    private final boolean keepAlive;
    /** Guarded by lock. */
    private Thread keepAliveThread;

    private Scheduler(Builder b) {
        JdkAccess.check();
        if (!b.backgroundInit && !b.lazyIoPollers) {
            JdkAccess.initIoPollers();
        }
        this.name = b.name != null ? b.name : "timeslice" + (INSTANCES.getAndIncrement() == 0 ? "" : "-" + INSTANCES.get());
        this.procs = b.procs;
        this.sliceNanos = b.slice.toNanos();
        this.wakeupGraceNanos = b.wakeupGrace.toNanos();
        this.maxM = b.maxM;
        this.keepAlive = b.keepAlive;
        this.shadowPool = new ForkJoinPool(1);
        this.allp = new P[procs];
        for (int i = procs - 1; i >= 0; i--) {
            allp[i] = new P(i);
            pidleput(allp[i]);
        }
        this.scan = new GcScan(this, b.scanBound);
        this.deadlock = new DeadlockDetector(this, b.deadlock);
        Preempt.install();
        this.sysmon = b.sysmon ? new Sysmon(this) : null;
        if (sysmon != null) {
            sysmon.start();
        }
        this.gcScanTrigger = b.gcScan ? new GcScanTrigger(this, b.gcScanInterval.toNanos()) : null;
        if (gcScanTrigger != null) {
            gcScanTrigger.start();
        }
        if (!b.lazyIoPollers && b.backgroundInit) {
            // The JDK's I/O pollers cost tens of ms to set up: beside the program's start.
            // Initializing the pollers' class from here still happens before any G can use
            // them: a G doing I/O first waits for this initialization.
            Thread init = new Thread(JdkAccess::initIoPollers, name + "-init");
            init.setDaemon(true);
            init.start();
        }
    }

    /**
     * Starts the JDK's I/O pollers on a platform thread if nobody has yet (for a scheduler built
     * with {@link Builder#lazyIoPollers}), waiting up to {@code waitMillis} for them when called
     * on a virtual thread (0: never waits). Safe inside a class-file transformer: it creates no
     * class. Idempotent and cheap after the first call.
     */
    public static void ioPollersNeeded(long waitMillis) {
        JdkAccess.startIoPollers(Thread.currentThread().isVirtual() ? waitMillis : 0);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Configuration of a scheduler. */
    public static final class Builder {
        private int procs = Runtime.getRuntime().availableProcessors();
        private Duration slice = Duration.ofMillis(10);
        private Duration wakeupGrace = Duration.ofMillis(1);
        private String name;
        private int maxM = DEFAULT_MAX_M;
        private boolean sysmon = true;
        private Duration scanBound = Duration.ofMillis(50);
        private Duration gcScanInterval = Duration.ofMillis(100);
        private boolean gcScan = false;
        private boolean keepAlive = false;
        private boolean backgroundInit = false;
        private DeadlockMode deadlock = DeadlockMode.OFF;
        private boolean lazyIoPollers = false;

        private Builder() {
        }

        /**
         * What to do about deadlocks among G's (see {@link DeadlockDetector}): report them on
         * stderr, also end the JVM with status 2 when all G's are asleep, or only look when
         * asked ({@link #findDeadlocks()}). Off by default for an embedded scheduler; the agent
         * reports by default.
         */
        public Builder deadlock(DeadlockMode mode) {
            this.deadlock = Objects.requireNonNull(mode);
            return this;
        }

        /**
         * Whether every JVM garbage collection starts a GC-scan (off by default for an embedded
         * scheduler; the agent turns it on).
         */
        public Builder gcScan(boolean on) {
            this.gcScan = on;
            return this;
        }

        /**
         * Whether live non-daemon G's keep the JVM alive (a non-daemon platform thread waits for
         * them); the agent turns this on, embedded schedulers usually leave it off.
         */
        public Builder keepJvmAlive(boolean on) {
            this.keepAlive = on;
            return this;
        }

        /**
         * Set up the JDK's I/O pollers on a background thread, so the scheduler is ready
         * sooner; no effect with {@link #lazyIoPollers} (the GC-scan trigger needs no set-up).
         */
        public Builder backgroundInit(boolean on) {
            this.backgroundInit = on;
            return this;
        }

        /**
         * Do not start the JDK's I/O pollers with the scheduler: whoever builds it promises to
         * call {@link #ioPollersNeeded} before a G first does socket or channel I/O (the agent
         * does when the JDK loads its socket and channel classes). The pollers' platform thread
         * blocks in native code, and the JVM waits 300 ms at exit for such a thread: a program
         * that does no such I/O should not pay that.
         */
        public Builder lazyIoPollers(boolean on) {
            this.lazyIoPollers = on;
            return this;
        }

        /** Minimum time between two GC-triggered scans (a GC storm is coalesced); default 100 ms. */
        public Builder gcScanInterval(Duration interval) {
            if (interval.isNegative()) {
                throw new IllegalArgumentException("gcScanInterval must not be negative, got " + interval);
            }
            this.gcScanInterval = interval;
            return this;
        }

        /**
         * How long a GC-scan waits for a running G to reach a poll before recording it as
         * "running, not at a safepoint"; default 50 ms.
         */
        public Builder scanBound(Duration bound) {
            if (bound.isNegative() || bound.isZero()) {
                throw new IllegalArgumentException("scanBound must be positive, got " + bound);
            }
            this.scanBound = bound;
            return this;
        }

        /** Number of P's (Go's GOMAXPROCS); default: available processors. */
        public Builder procs(int procs) {
            if (procs < 1 || procs > 1024) {
                throw new IllegalArgumentException("procs must be in 1..1024, got " + procs);
            }
            this.procs = procs;
            return this;
        }

        /** How long a G may run before sysmon preempts it; default 10 ms. */
        public Builder slice(Duration slice) {
            if (slice.isNegative() || slice.isZero()) {
                throw new IllegalArgumentException("slice must be positive, got " + slice);
            }
            this.slice = slice;
            return this;
        }

        /**
         * How long a G woken from outside may wait for a P before the longest-running G is
         * preempted for it (wakeup preemption); default 1 ms. Zero preempts at once.
         */
        public Builder wakeupGrace(Duration grace) {
            if (grace.isNegative()) {
                throw new IllegalArgumentException("wakeupGrace must not be negative, got " + grace);
            }
            this.wakeupGrace = grace;
            return this;
        }

        /** Thread-name prefix of the M's and sysmon. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name);
            return this;
        }

        /** Cap on carrier threads; default 10000 (Go's). */
        public Builder maxThreads(int maxM) {
            if (maxM < 1) {
                throw new IllegalArgumentException("maxThreads must be positive, got " + maxM);
            }
            this.maxM = maxM;
            return this;
        }

        /** Whether to run sysmon (time slices, P retake). Off only for tests of the bare scheduler. */
        public Builder sysmon(boolean on) {
            this.sysmon = on;
            return this;
        }

        public Scheduler build() {
            return new Scheduler(this);
        }
    }

    // ---------------------------------------------------------------- G creation (public API)

    /** A builder of G's (virtual threads scheduled by this scheduler). */
    public GBuilder newThread() {
        return new GBuilder(this);
    }

    /** Starts {@code task} as a new non-daemon G (Go's {@code go} statement); returns its thread. */
    public Thread go(Runnable task) {
        return newThread().start(task);
    }

    /** A factory of unstarted G's (daemon G's, like the JDK's virtual-thread factories). */
    public ThreadFactory threadFactory() {
        return newThread().daemon(true).factory();
    }

    /** An executor that starts one G per task, like {@code Executors.newVirtualThreadPerTaskExecutor()}. */
    public ExecutorService newGPerTaskExecutor() {
        return Executors.newThreadPerTaskExecutor(threadFactory());
    }

    /** Creates an unstarted G; called by {@link GBuilder}. */
    Thread newG(Runnable task, String threadName, boolean daemon, boolean inheritLocals,
                Thread.UncaughtExceptionHandler ueh) {
        if (shutdown) {
            throw new java.util.concurrent.RejectedExecutionException(name + " is shut down");
        }
        G g = new G(this, GOIDS.incrementAndGet(), daemon, false);
        Thread.Builder.OfVirtual b = JdkAccess.virtualThreadBuilder(g);
        if (threadName != null) {
            b.name(threadName);
        }
        b.inheritInheritableThreadLocals(inheritLocals);
        if (ueh != null) {
            b.uncaughtExceptionHandler(ueh);
        }
        Thread t = b.unstarted(task);
        g.thread = t;
        return t;
    }

    /** Registers a G when its thread is started (first execute). */
    private void register(G g) {
        allgs.add(g);
        if (!g.isDaemon() && nonDaemon.incrementAndGet() == 1 && keepAlive) {
            startKeepAlive();
        }
        stats.created.increment();
    }

    /**
     * Virtual threads are daemon threads to the JVM, so while non-daemon G's live a non-daemon
     * platform thread waits for them: the JVM then exits when Java's rules say so. Started
     * when the count goes from 0 to 1; it ends when the count is 0 again (checked under
     * {@link #lock}, so a G registered meanwhile either keeps it waiting or starts a new one).
     */
    private void startKeepAlive() {
        lock.lock();
        try {
            if (keepAliveThread != null) {
                return;
            }
            Thread t = new Thread(new Runnable() { // a class, not a lambda: this runs before main
                @Override
                public void run() {
                    lock.lock();
                    try {
                        while (nonDaemon.get() > 0) {
                            nonDaemonZero.awaitUninterruptibly();
                        }
                        keepAliveThread = null;
                    } finally {
                        lock.unlock();
                    }
                }
            }, name + "-keepalive");
            t.setDaemon(false);
            keepAliveThread = t;
            t.start();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- making G's runnable

    /** The JDK made {@code g}'s virtual thread runnable. See the class comment for where it goes. */
    void ready(G g) {
        M m = currentM();
        int prev = g.state();
        if (prev == G.IDLE) {
            register(g);
        }
        if (m != null && m.exitsyscallG == g && m.curg == null) {
            // its M finished the G's select and unparks it: the M resumes it (selectsOnM)
            g.setRunnable(G.RUNNABLE);
            m.directG = g;
            return;
        }
        if (m != null && m.curg == g) {
            // Yield (Thread.yield, served preemption) or unparked before its park completed:
            // Go's goschedImpl puts it on the global queue and this M schedules next. A plain
            // yield is parked on the M instead; schedule() moves it to the global queue unless
            // nothing else is runnable here, in which case Go would take it straight back from
            // the global queue anyway (it checks local and global before stealing).
            int reason = m.yieldingFor;
            m.yieldingFor = G.NO_REQUEST;
            if (reason != G.NO_REQUEST) {
                g.setRunnable(G.PREEMPTED);
                globrunq.put(g);
            } else {
                g.setRunnable(G.RUNNABLE);
                m.yielded = g;
            }
            return;
        }
        g.setRunnable(G.RUNNABLE);
        if (m != null && m.curg != null) {
            // Woken (or started) by a G running on one of our P's: runnext of that P.
            P p = m.p;
            long tick = m.runTick;
            if (p != null && p.lockFromG(tick)) {
                try {
                    p.runq.put(g, true, globrunq);
                } finally {
                    p.unlockFromG(tick);
                }
                wakep();
                noteQueuedWork(m, p);
                return;
            }
        }
        if (m != null && m.curg != null && m.p == null && !m.lostP) {
            // Started or woken by a G running without a P (an event loop after its select,
            // SelectHandoff): the global queue, as a G on a P would put it in its runnext —
            // dispatching work is not a wakeup that should preempt anyone.
            globrunq.put(g);
            wakep();
            return;
        }
        // From outside the scheduler (a timer, I/O, a platform thread — also one that starts a
        // G, like a server's accept loop handing a request to a new G — or an M that lost its
        // P): the wakeup list, served first, and a wakeup preemption if no P is idle.
        if (PollerExit.parking) {
            PollerExit.parkIfPoller(); // the JVM is halting: a JDK poller thread stays out of epoll_wait
        }
        globrunq.putWake(g);
        stats.externalWakeups.increment();
        wakep();
        if (sysmon != null && npidle == 0) {
            sysmon.wakeupPending();
        }
    }

    /**
     * The scheduler of virtual threads built by the JDK's own builder ({@code Thread.ofVirtual()}
     * routed by the agent): their submissions are adopted as G's like inherited ones.
     */
    java.util.concurrent.Executor foreignExecutor() {
        return foreignExecutor;
    }

    private final java.util.concurrent.Executor foreignExecutor = new java.util.concurrent.Executor() {
        @Override
        public void execute(Runnable runContinuation) {
            readyForeign(runContinuation);
        }
    };

    /** A virtual thread that inherited a G as its scheduler became runnable: adopt it as a G. */
    void readyForeign(Runnable runContinuation) {
        G g = foreign.get(runContinuation);
        if (g == null) {
            Thread t = JdkAccess.virtualThreadOf(runContinuation);
            if (t == null) {
                // Cannot identify it; still run it (as an anonymous G) rather than lose it.
                throw new java.util.concurrent.RejectedExecutionException(
                        "timeslice: cannot adopt a virtual thread created inside a G");
            }
            G ng = new G(this, GOIDS.incrementAndGet(), true, true);
            ng.thread = t;
            G prev = foreign.putIfAbsent(runContinuation, ng);
            g = prev != null ? prev : ng;
        }
        ready(g);
    }

    /** The M this thread is or runs on, if it belongs to this scheduler. */
    M currentM() {
        Thread c = JdkAccess.currentCarrierThread();
        return c instanceof M m && m.sched == this ? m : null;
    }

    // ---------------------------------------------------------------- M's and P's

    /**
     * Tells the JDK's spinning primitives ({@code SynchronousQueue}, {@code Exchanger}) whether
     * a G on {@code m} should park at once rather than spin: only when its P has G's queued
     * that no other M is about to take (no idle P, nobody spinning). This is Go's
     * {@code canSpin} rule ("local run queue empty, and other P's running"): a pair that
     * ping-pongs on one P never burns its spin budget, while a G whose peer was just queued
     * with an idle P around spins long enough for a woken M to steal the peer, and the pair
     * then exchanges on two M's without parking.
     */
    private void noteQueuedWork(M m, P p) {
        m.noteQueuedWork(!p.runq.isEmpty() && npidle == 0 && nmspinning.get() == 0);
    }

    /** Entry point of every M: take the P it was handed, then schedule forever (until shutdown). */
    void mstart(M m) {
        try {
            acquirep(m, m.nextp);
            m.nextp = null;
            for (;;) {
                G g = schedule(m);
                if (g == null) {
                    break;
                }
                execute(m, g, m.inheritTime);
            }
        } catch (Throwable t) {
            System.err.println("timeslice: fatal error in " + m.getName() + ": " + t);
            t.printStackTrace();
        }
    }

    private void acquirep(M m, P p) {
        p.acquire(m);
        m.p = p;
        m.lostP = false;
        m.noYieldUntil = 0;
    }

    /**
     * Runs {@code g} on {@code m} until it yields, parks or ends (Go's {@code execute}).
     *
     * <p>One clock read per switch: the start of this run ends the previous run on this M
     * ({@link M#chargeLastRun}); the scheduling work in between is charged to the previous G.
     */
    private void execute(M m, G g, boolean inheritTime) {
        int gen = startRun(m, g);
        long start = m.lastRunStart;
        P p = m.p;
        long tick = p.beginRun(g, gen, start, inheritTime);
        m.runTick = tick;
        noteQueuedWork(m, p);
        if (sysmon != null) {
            sysmon.noteRunning(p);
        }
        SchedEvents ev = events;
        if (ev != null) {
            ev.runStart(p.id, m.mid, g.goid, g.thread.getName(), start);
        }
        runContinuation(g);
        if (ev != null) {
            ev.runEnd(p.id, m.mid, g.goid, System.nanoTime());
        }
        m.curg = null;
        if (!p.endRun(tick)) {
            // sysmon handed our P to another M while this G was stuck: we are P-less now.
            m.p = null;
            m.lostP = false;
            m.noYieldUntil = 0;
        }
        // After endRun: a requester that still saw this run in progress retires nothing
        // itself, so its request must be retired here (see Preempt.requestForRun).
        if (p.preemptReq != 0) {
            Preempt.cancelStale(p, tick);
        }
        endOfRun(g, gen);
        if (m.syscall != null) {
            selectsOnM(m, g);
        }
    }

    /**
     * The G just run left a blocking select for this M ({@link SelectHandoff}): hand off the P
     * (Go's {@code entersyscallblock}), select as a platform thread, and resume the G here without
     * a P, for as long as it goes on handing selects over. Returns with this M P-less; the
     * caller's {@link #schedule} then reacquires a P or idles the M.
     */
    private void selectsOnM(M m, G g) {
        for (;;) {
            SelectHandoff op = m.syscall;
            m.syscall = null;
            if (op == null || op.g != g || !op.take()) {
                return;
            }
            P p = m.p;
            if (p != null) {
                handoffp(m, p);
            }
            op.run();
            m.exitsyscallG = g;
            java.util.concurrent.locks.LockSupport.unpark(g.thread); // ready(g) sets m.directG
            m.exitsyscallG = null;
            G d = m.directG;
            if (d == null) {
                return; // the G was already awake elsewhere: it sees DONE itself
            }
            m.directG = null;
            executeWithoutP(m, d);
        }
    }

    /** Runs {@code g} on a P-less M (after its select): no P, so no slice and nothing sysmon sees. */
    private void executeWithoutP(M m, G g) {
        int gen = startRun(m, g);
        runContinuation(g);
        m.curg = null;
        endOfRun(g, gen);
    }

    /**
     * Go's {@code handoffp}: this M is about to block without its P. Start an M on the P if it
     * has work (or nobody is looking for work), else put it on the idle list.
     */
    private void handoffp(M m, P p) {
        m.p = null;
        m.noteQueuedWork(false);
        p.m = null;
        if (!p.runq.isEmpty() || globrunq.size() > 0 || globrunq.wakeSize() > 0) {
            startm(p, false);
            return;
        }
        if (nmspinning.get() + npidle == 0 && nmspinning.compareAndSet(0, 1)) {
            startm(p, true); // no one else would notice work submitted from now on
            return;
        }
        boolean work;
        lock.lock();
        try {
            work = globrunq.size() > 0 || globrunq.wakeSize() > 0; // queued since the look above
            if (!work) {
                pidleput(p);
            }
        } finally {
            lock.unlock();
        }
        if (work) {
            startm(p, false);
        }
    }

    /**
     * The start of every run: waits out a GC-scan's stop, charges the previous run on this M, and
     * marks {@code g} running on {@code m} from now ({@code m.lastRunStart}). Returns g's generation.
     */
    private int startRun(M m, G g) {
        GcScan.Stop stop = scan.active;
        if (stop != null) {
            scan.awaitRelease(stop); // a GC-scan has the world stopped: start nothing
        }
        long start = System.nanoTime();
        m.chargeLastRun(start);
        coarseNow = start;
        int gen = g.setRunning(start);
        m.curg = g;
        m.lastRunG = g;
        m.lastRunStart = start;
        return gen;
    }

    /** Mounts and continues {@code g} on this M until it parks, yields or ends. */
    private static void runContinuation(G g) {
        try {
            JdkAccess.runContinuation(g.thread).run();
        } catch (Throwable t) {
            System.err.println("timeslice: continuation of " + g + " failed: " + t);
        }
    }

    /** After a run of {@code g} (generation {@code gen}): retire it if it ended, else mark it waiting. */
    private void endOfRun(G g, int gen) {
        long now = coarseNow;
        if (!g.thread.isAlive()) {
            gdead(g, now);
        } else {
            g.casWaiting(gen, now);
        }
    }

    private void gdead(G g, long now) {
        if (!g.casDead(now)) {
            return; // already retired by the M of a later run
        }
        stats.finished.increment();
        allgs.remove(g);
        if (g.isForeign()) {
            foreign.remove(g.runContinuation());
        }
        if (!g.isDaemon() && nonDaemon.decrementAndGet() == 0) {
            signal(nonDaemonZero);
        }
        if (shutdown && allgs.isEmpty()) {
            signal(allDead);
            wakeAll();
        }
    }

    private void signal(Condition c) {
        lock.lock();
        try {
            c.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Finds a G to run (Go's {@code schedule}); returns null only at shutdown. Sets
     * {@code m.inheritTime} when the G came from runnext.
     */
    private G schedule(M m) {
        for (;;) {
            P p = m.p;
            if (p == null) {
                // Lost our P while the G ran (sysmon's retake): a G that yielded on the way out
                // must not stay parked on this M while it sleeps.
                G yielded = m.yielded;
                if (yielded != null) {
                    m.yielded = null;
                    globrunq.put(yielded);
                    wakep();
                }
                if (!reacquire(m)) {
                    return null;
                }
                continue;
            }
            G g = null;
            m.inheritTime = false;
            G yielded = m.yielded;
            if (yielded != null) {
                m.yielded = null;
                if (globrunq.size() == 0 && p.runq.isEmpty()) {
                    return yielded;
                }
                globrunq.put(yielded);
            }
            if (p.wakeupTarget) {
                // sysmon preempted our G to make room for a wakeup: serve the wakeup list first
                p.wakeupTarget = false;
                g = globrunq.getWake();
            }
            if (g == null && p.schedtick() % 61 == 0 && globrunq.size() > 0) {
                // Go's fairness check; main list first, so a stream of wakeups cannot starve it
                g = globrunq.getMainFirst();
            }
            if (g == null && !p.lastFromWake && globrunq.wakeSize() > 0) {
                // A timer or I/O wakeup goes before the local queue, as Go's timers make the
                // G they wake the P's runnext: with thousands of G's queued locally it would
                // otherwise wait for all of them. Every other pick at most, so a stream of
                // wakeups cannot starve the local queue either.
                g = globrunq.getWake();
                if (g != null) {
                    p.lastFromWake = true;
                    return resetSpinningAndReturn(m, g);
                }
            }
            p.lastFromWake = false;
            if (g == null) {
                g = p.runq.get();
                m.inheritTime = g != null && p.runq.inheritTime;
            }
            if (g == null) {
                g = findRunnable(m);
                if (g == null) {
                    if (shutdown && m.p == null) {
                        return null;
                    }
                    continue;
                }
            }
            if (m.spinning) {
                resetspinning(m);
            }
            return g;
        }
    }

    private G resetSpinningAndReturn(M m, G g) {
        if (m.spinning) {
            resetspinning(m);
        }
        return g;
    }

    /** An M without a P (it lost it to sysmon): take an idle P, or go idle. False at shutdown. */
    private boolean reacquire(M m) {
        lock.lock();
        P p;
        try {
            p = pidleget();
            if (p == null) {
                if (shutdown) {
                    return false;
                }
                mput(m);
            }
        } finally {
            lock.unlock();
        }
        if (p != null) {
            acquirep(m, p);
            return true;
        }
        m.sleep();
        if (m.nextp == null) {
            return false; // woken for shutdown
        }
        acquirep(m, m.nextp);
        m.nextp = null;
        return true;
    }

    /**
     * Go's {@code findRunnable}: local queue, global queue, stealing; otherwise releases the P
     * and sleeps until handed one. Returns a G, or null to make the caller re-evaluate (it was
     * given a new P, or shutdown).
     */
    private G findRunnable(M m) {
        P p = m.p;
        G g = p.runq.get();
        if (g != null) {
            m.inheritTime = p.runq.inheritTime;
            return g;
        }
        if (globrunq.size() > 0) {
            g = globrunq.get(p.runq, procs, 0);
            if (g != null) {
                return g;
            }
        }
        // Steal, limiting spinning M's to half the busy P's (Go: 2*nmspinning < procs-npidle).
        if (m.spinning || 2 * nmspinning.get() < procs - npidle) {
            if (!m.spinning) {
                becomeSpinning(m);
            }
            g = spinForWork(m, p);
            if (g != null) {
                return g;
            }
        }
        if (shutdown && allgs.isEmpty()) {
            dropP(m, p);
            return null;
        }
        // Nothing to do: give up the P.
        lock.lock();
        try {
            if (!m.spinning && needspinning == 1) {
                // A submitter found no idle P for a spinning M; become that M instead of idling.
                becomeSpinning(m);
                return null;
            }
            if (globrunq.size() > 0) {
                return globrunq.getLocked(p.runq, procs, 0);
            }
            releasep(m, p);
            pidleput(p);
        } finally {
            lock.unlock();
        }
        m.chargeLastRun(System.nanoTime());
        m.noteQueuedWork(false);
        // Delicate dance (Go): drop nmspinning first, then re-check every source of work, so a
        // submitter that published work before we decremented either sees us spinning (and
        // does not wake anyone) or is seen by our re-check.
        if (m.spinning) {
            m.spinning = false;
            nmspinning.decrementAndGet();
            if (globrunq.size() > 0) {
                lock.lock();
                try {
                    P pp = pidleget();
                    if (pp != null) {
                        G gg = globrunq.getLocked(pp.runq, procs, 0);
                        lock.unlock();
                        acquirep(m, pp);
                        becomeSpinning(m);
                        if (gg != null) {
                            return gg;
                        }
                        return null;
                    }
                } finally {
                    if (lock.isHeldByCurrentThread()) {
                        lock.unlock();
                    }
                }
            }
            P pp = checkRunqsNoP();
            if (pp != null) {
                acquirep(m, pp);
                becomeSpinning(m);
                return null;
            }
        }
        stopm(m);
        return null;
    }

    /** An M with no P left to run: P back to idle (shutdown path). */
    private void dropP(M m, P p) {
        lock.lock();
        try {
            releasep(m, p);
            pidleput(p);
        } finally {
            lock.unlock();
        }
    }

    /** After releasing its P: is there a P with queued work and an idle P to serve it? */
    private P checkRunqsNoP() {
        for (P p2 : allp) {
            if (p2.status() != P.IDLE && !p2.runq.isEmpty()) {
                lock.lock();
                try {
                    return pidleget();
                } finally {
                    lock.unlock();
                }
            }
        }
        return null;
    }

    /**
     * The longest a spinning M keeps looking for work before it gives up its P and sleeps. Go's M
     * spins for just its four steal rounds, because waking a parked M costs Go a futex call and
     * little else. Here a wakeup is a futex call on the waker's critical path plus tens of µs
     * before the woken M runs, so when G's are produced one by one (a G spawning or waking
     * others, a platform thread submitting), an M that parks after a few µs is woken again for
     * nearly every G. Spinning this long keeps {@link #nmspinning} non-zero across such bursts,
     * so submitters do not wake anyone; the cost is up to this much CPU per idle transition.
     */
    static final long SPIN_NANOS = 50_000;
    /** The shortest spin an M adapts down to: its steal rounds, twice, and a little more. */
    static final long SPIN_MIN_NANOS = 1_000;

    /**
     * Steal rounds until work turns up or the M's spin budget ({@link M#spinNanos}) has passed.
     * The budget adapts per M, like HotSpot's adaptive spinning for monitors: a spin that found
     * work after its first round (the spin bought a wakeup) doubles it, up to {@link #SPIN_NANOS};
     * a spin that ran out halves it, down to {@link #SPIN_MIN_NANOS}. Work found in the first
     * round says nothing about spinning and leaves it. Measured (BENCHMARKS §20): a Jetty server
     * under wrk spun 330-410 ms of CPU per 10 s with the fixed 50 µs (5 000-6 500 spins ran out,
     * 500-1 200 found work late), 36-46 ms adaptive; a program spawning and joining 100 000
     * virtual threads 20 times ran 2.25-2.83 s adaptive against 2.35-3.43 s fixed, its spins
     * still finding work late 18 000-37 000 times.
     */
    private G spinForWork(M m, P p) {
        long budget = m.spinNanos;
        long deadline = 0;
        for (;;) {
            G g = stealWork(m, p);
            if (g != null || shutdown) {
                if (g != null && deadline != 0) {
                    m.spinNanos = nextSpinBudget(budget, true);
                }
                return g;
            }
            long now = System.nanoTime();
            if (deadline == 0) {
                deadline = now + budget;
            } else if (now >= deadline) {
                m.spinNanos = nextSpinBudget(budget, false);
                return null;
            }
            g = p.runq.get();
            if (g != null) {
                m.spinNanos = nextSpinBudget(budget, true);
                m.inheritTime = p.runq.inheritTime;
                return g;
            }
            Thread.onSpinWait();
        }
    }

    /** An M's next spin budget after a spin that found work late ({@code foundWork}) or ran out. */
    static long nextSpinBudget(long budget, boolean foundWork) {
        return foundWork ? Math.min(SPIN_NANOS, budget * 2) : Math.max(SPIN_MIN_NANOS, budget / 2);
    }

    /** Go's {@code stealWork}: 4 rounds over the other P's in random order. */
    private G stealWork(M m, P p) {
        final int stealTries = 4;
        for (int i = 0; i < stealTries; i++) {
            boolean stealRunnext = i == stealTries - 1;
            int n = allp.length;
            int start = ThreadLocalRandom.current().nextInt(n);
            int stride = coprimeStride(n, ThreadLocalRandom.current().nextInt(n));
            for (int k = 0, idx = start; k < n; k++, idx = (idx + stride) % n) {
                P p2 = allp[idx];
                if (p2 == p || p2.status() == P.IDLE) {
                    continue;
                }
                G g = p.runq.stealFrom(p2.runq, stealRunnext);
                if (g != null) {
                    M victim = p2.m;
                    if (victim != null && p2.runq.isEmpty()) {
                        victim.noteQueuedWorkRemote(false);
                    }
                    stats.steals.increment();
                    return g;
                }
            }
            if (globrunq.size() > 0) {
                G g = globrunq.get(p.runq, procs, 0);
                if (g != null) {
                    return g;
                }
            }
        }
        return null;
    }

    /** A stride coprime with n, so that (start + k*stride) % n visits every index once. */
    static int coprimeStride(int n, int seed) {
        if (n <= 2) {
            return 1;
        }
        for (int s = 1 + seed % (n - 1); ; s = s % (n - 1) + 1) {
            if (gcd(s, n) == 1) {
                return s;
            }
        }
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    private void becomeSpinning(M m) {
        m.spinning = true;
        nmspinning.incrementAndGet();
        needspinning = 0;
    }

    /** A spinning M found work: stop spinning and, if it was the last spinner, wake another. */
    private void resetspinning(M m) {
        m.spinning = false;
        nmspinning.decrementAndGet();
        wakep();
    }

    /**
     * Go's {@code wakep}: if there is an idle P and no spinning M, start a spinning M on it.
     * Conservative: at most one M is woken per call.
     */
    void wakep() {
        if (npidle == 0) {
            if (nmspinning.get() == 0) {
                needspinning = 1;
            }
            if (sysmon != null) {
                sysmon.noteRunnable(); // a G past its slice may now starve the one just queued
            }
            return;
        }
        if (nmspinning.get() != 0 || !nmspinning.compareAndSet(0, 1)) {
            return;
        }
        P p;
        lock.lock();
        try {
            p = pidleget();
            if (p == null) {
                needspinning = 1;
                nmspinning.decrementAndGet();
                return;
            }
        } finally {
            lock.unlock();
        }
        startm(p, true);
    }

    /**
     * Go's {@code startm}: runs an idle (or new) M on {@code p}. The caller owns {@code p}
     * (took it from the idle list or from a stuck M). If {@code spinning}, the caller has
     * already counted the M in {@link #nmspinning}.
     */
    void startm(P p, boolean spinning) {
        M m;
        lock.lock();
        try {
            m = mget();
            if (m == null) {
                if (allm.size() >= maxM) {
                    if (!mcapReported) {
                        mcapReported = true;
                        System.err.println("timeslice: fatal: thread limit reached (" + maxM
                                + " M's); runnable G's wait until an M frees up. Raise maxThreads or"
                                + " look for G's stuck in blocking calls that pin their carrier.");
                    }
                    pidleput(p);
                    if (spinning) {
                        nmspinning.decrementAndGet();
                    }
                    return;
                }
                m = new M(this, allm.size(), shadowPool);
                allm.add(m);
                m.spinning = spinning;
                m.nextp = p;
            }
        } finally {
            lock.unlock();
        }
        if (m.getState() == Thread.State.NEW) {
            m.start();
        } else {
            m.spinning = spinning;
            m.nextp = p;
            m.wake();
        }
    }

    /** Go's {@code stopm}: put this P-less M on the idle list and sleep until handed a P. */
    private void stopm(M m) {
        lock.lock();
        try {
            if (shutdown && allgs.isEmpty()) {
                return;
            }
            mput(m);
        } finally {
            lock.unlock();
        }
        m.sleep();
        P p = m.nextp;
        if (p != null) {
            m.nextp = null;
            acquirep(m, p);
        }
    }

    private void releasep(M m, P p) {
        m.p = null;
        p.release();
    }

    // Idle lists; callers hold lock.
    private void pidleput(P p) {
        p.release();
        p.link = pidle;
        pidle = p;
        npidle++;
    }

    private P pidleget() {
        P p = pidle;
        if (p != null) {
            pidle = p.link;
            p.link = null;
            npidle--;
        }
        return p;
    }

    private void mput(M m) {
        m.idle = true;
        m.schedlink = midle;
        midle = m;
        nmidle++;
    }

    private M mget() {
        M m = midle;
        if (m != null) {
            midle = m.schedlink;
            m.schedlink = null;
            m.idle = false;
            nmidle--;
        }
        return m;
    }

    private void wakeAll() {
        List<M> idle = new ArrayList<>();
        lock.lock();
        try {
            for (M m; (m = mget()) != null; ) {
                idle.add(m);
            }
        } finally {
            lock.unlock();
        }
        for (M m : idle) {
            m.nextp = null;
            m.wake();
        }
    }

    // ---------------------------------------------------------------- lifecycle and queries

    /** Live G's that are not daemon (the JVM's keep-alive rule applies to these). */
    public int liveNonDaemon() {
        return nonDaemon.get();
    }

    /** Waits until no non-daemon G is alive. */
    public void awaitNonDaemon() throws InterruptedException {
        lock.lock();
        try {
            while (nonDaemon.get() > 0) {
                nonDaemonZero.await(100, TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Live G's (started, not dead). */
    public int liveGs() {
        return allgs.size();
    }

    /** Stops accepting new G's; G's already started run to completion, then the M's exit. */
    public void shutdown() {
        shutdown = true;
        if (allgs.isEmpty()) {
            wakeAll();
        }
    }

    public boolean isShutdown() {
        return shutdown;
    }

    /** Waits until every G has ended after {@link #shutdown()}; true if they all did in time. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!allgs.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                allDead.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
        wakeAll();
        if (sysmon != null) {
            sysmon.stop();
        }
        deadlock.stop();
        if (gcScanTrigger != null) {
            gcScanTrigger.stop();
        }
        shadowPool.shutdownNow();
        return true;
    }

    /** {@link #shutdown()} and wait (up to 10 s) for the G's to end. */
    @Override
    public void close() {
        shutdown();
        try {
            if (!awaitTermination(Duration.ofSeconds(10))) {
                System.err.println("timeslice: " + name + " closed with " + allgs.size() + " G's still alive");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A snapshot of the scheduler's state and counters. Counts G's per state: O(live G's). */
    public SchedulerStats stats() {
        java.util.List<Integer> local = new ArrayList<>(procs);
        java.util.List<Long> ticks = new ArrayList<>(procs);
        java.util.List<String> status = new ArrayList<>(procs);
        for (P p : allp) {
            local.add(p.runq.size());
            ticks.add(p.schedtick());
            status.add(p.statusName());
        }
        java.util.Map<String, Integer> byState = new java.util.TreeMap<>();
        for (G g : allgs.snapshot()) {
            byState.merge(G.stateName(g.state()), 1, Integer::sum);
        }
        int threads;
        int idle;
        lock.lock();
        try {
            threads = allm.size();
            idle = nmidle;
        } finally {
            lock.unlock();
        }
        ScanResult last = scan.last;
        LatencyHistogram lat = stats.preemptLatency;
        return new SchedulerStats(procs, npidle, threads, idle, nmspinning.get(), needspinning,
                globrunq.size(), globrunq.wakeSize(), local, ticks, status, byState,
                stats.created.sum(), stats.finished.sum(), stats.steals.sum(), stats.externalWakeups.sum(),
                stats.preemptRequested.sum(), stats.preemptServed.sum(), stats.preemptFailed.sum(),
                stats.wakeupPreemptions.sum(), stats.handoffs.sum(),
                lat.percentile(0.50), lat.percentile(0.99), lat.max(),
                scan.scans.sum(), scan.ttsp.percentile(0.50), scan.ttsp.percentile(0.99),
                last == null ? "" : last.summary());
    }

    /** Installs (or, with null, removes) the listener for scheduler events (tracing, JFR). */
    public void setEvents(SchedEvents listener) {
        this.events = listener;
    }

    /** The installed listener, or null; {@code Observability} chains a listener installed before it. */
    public SchedEvents events() {
        return events;
    }

    /** Reports a thread creation that rewritten code routed here. */
    void noteRouted(String kind, Thread t) {
        RouteStats.routed(kind);
        SchedEvents ev = events;
        if (ev != null) {
            G g = gOf(t);
            ev.routed(kind, g != null ? g.goid : -1, t.getName());
        }
    }

    /** One line per P (racy snapshot), for scheddetail. */
    public List<PInfo> pInfo() {
        List<PInfo> out = new ArrayList<>(procs);
        for (P p : allp) {
            M m = p.m;
            G g = p.curg;
            out.add(new PInfo(p.id, p.statusName(), p.schedtick(), p.handoffs, m != null ? m.mid : -1,
                    p.runq.size(), g != null ? g.goid : -1));
        }
        return out;
    }

    /** One line per M (racy snapshot), for scheddetail. */
    public List<MInfo> mInfo() {
        List<M> ms;
        lock.lock();
        try {
            ms = new ArrayList<>(allm);
        } finally {
            lock.unlock();
        }
        List<MInfo> out = new ArrayList<>(ms.size());
        for (M m : ms) {
            P p = m.p;
            G g = m.curg;
            out.add(new MInfo(m.mid, m.getName(), p != null ? p.id : -1, g != null ? g.goid : -1, m.spinning, m.idle));
        }
        return out;
    }

    /**
     * Every live G without stopping anything (racy; no stacks), for scheddetail. For a
     * consistent snapshot use {@link #scan()}.
     */
    public List<GInfo> gInfo() {
        long now = System.nanoTime();
        List<G> all = allgs.snapshot();
        all.sort(java.util.Comparator.comparingLong(g -> g.goid));
        List<GInfo> out = new ArrayList<>(all.size());
        for (G g : all) {
            int st = g.state();
            if (st == G.DEAD) {
                continue;
            }
            String reason = st == G.WAITING ? WaitReason.of(g.thread, null) : "";
            long inState = st == G.WAITING || st == G.IDLE ? g.nanosInState(now) : 0;
            out.add(new GInfo(g.goid, g.thread.getName(), G.stateName(st), reason, inState, g.runNanos(), g.runs,
                    g.preemptServed(), false, "", -1, List.of()));
        }
        return out;
    }

    /** The request→yield latency histogram (nanoseconds). */
    public LatencyHistogram preemptLatency() {
        return stats.preemptLatency;
    }

    public String name() {
        return name;
    }

    public int procs() {
        return procs;
    }

    /** The cap on M's ({@link Builder#maxThreads}). */
    public int maxThreads() {
        return maxM;
    }

    public Duration slice() {
        return Duration.ofNanos(sliceNanos);
    }

    /**
     * GC-scan on demand: stops every running G at its next poll, records every live G
     * (state, wait reason, times, counters; stacks of the G's that were running), resumes.
     */
    public ScanResult scan() {
        return scan.scan("api", false);
    }

    /** Like {@link #scan()} with the stacks of all G's, as a Go-style goroutine dump. */
    public String goroutineDump() {
        return GoroutineDump.format(scan.scan("dump", true)) + deadlock.dumpSection();
    }

    /** Deadlocks among G's found so far (reported on stderr unless the mode is off), oldest first. */
    public List<Deadlock> deadlocks() {
        return deadlock.found();
    }

    /**
     * Looks for lock cycles among G's now (about 50 ms: a cycle is confirmed by a second look),
     * reporting new ones like the automatic checks; returns every deadlock present, jstack-style.
     */
    public String findDeadlocks() {
        return deadlock.findNow();
    }

    /** Writes {@link #goroutineDump()} to {@code file}. */
    public void writeGoroutineDump(java.nio.file.Path file) throws java.io.IOException {
        java.nio.file.Files.writeString(file, goroutineDump());
    }

    /**
     * The last scan (GC-triggered or on demand), or null: its summary and counts, without the
     * per-G records ({@link ScanResult#gs()} is empty), so nothing per G stays alive between scans.
     */
    public ScanResult lastScan() {
        scanRead = true;
        return scan.last;
    }

    /**
     * Set once something reads scan results ({@link #lastScan}: the MXBean, a test); with a
     * listener installed (trace, JFR events) GC-triggered scans run as well. Until then a JVM
     * collection stops no G: a GC-scan waits up to {@code scanTimeout} for G's running code
     * without polls (the JDK's, the transformer's) while the others stand at polls, which no one
     * would see the result of. Pay only for what is used (issue 15).
     */
    private volatile boolean scanRead;

    /**
     * After a JVM collection (see {@link GcScanTrigger}): a scan if anything reads scans, else
     * only the deadlock detector's cheap look. Returns the scan, or null.
     */
    ScanResult scanForGc(String trigger) {
        if (!scanRead && events() == null) {
            deadlock.afterGc();
            return null;
        }
        ScanResult r = scan.scan(trigger, false);
        deadlock.afterScan(r);
        return r;
    }

    /** The G of a thread scheduled by this scheduler, or null. O(1) for G's, O(live G's) for adopted ones. */
    G gOf(Thread t) {
        if (JdkAccess.schedulerOf(t) instanceof G g) {
            if (g.thread == t && g.sched == this) {
                return g;
            }
            if (g.sched == this) {
                for (G x : allgs.snapshot()) {
                    if (x.thread == t) {
                        return x;
                    }
                }
            }
        }
        return null;
    }

    /** Snapshot of all live G's, for dumps and scans. */
    List<G> allgs() {
        return allgs.snapshot();
    }

    int mcount() {
        lock.lock();
        try {
            return allm.size();
        } finally {
            lock.unlock();
        }
    }

    int idleMs() {
        lock.lock();
        try {
            return nmidle;
        } finally {
            lock.unlock();
        }
    }

    List<M> allm() {
        lock.lock();
        try {
            return new ArrayList<>(allm);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Scheduler[" + name + ", procs=" + procs + "]";
    }
}
