package dev.timeslice.runtime;

import java.util.List;
import java.util.Map;

/**
 * Go's {@code checkdead} for the JVM: is every G asleep with nothing left that could wake one?
 * Used by {@link DeadlockDetector}, which asks twice, some time apart, and reports only when
 * both answers are yes and no G ran in between ({@link State#sameAs}).
 *
 * <p>Yes only when all of this holds (cheapest tests first; the first failure answers no):
 * <ol>
 *   <li>non-daemon G's are alive (they are what keeps the JVM up) and the scheduler is not shut down;</li>
 *   <li>no G running or runnable: every P idle, every run queue empty, every live G
 *       {@link G#WAITING} with its thread {@code WAITING} or {@code BLOCKED} — a
 *       {@code TIMED_WAITING} thread (sleep, timed park, timed {@code wait}/{@code join}/{@code poll})
 *       will wake by itself;</li>
 *   <li>the application registered no shutdown hook: a signal (SIGTERM, SIGINT, SIGHUP) runs
 *       the hooks, and a hook may release a waiting G (Timeslice's own and JFR's hooks do not
 *       count). When the hooks cannot be read, or are already running (the JVM is shutting
 *       down), assume a hook may wake a G;</li>
 *   <li>no waiting G is inside a call that the outside world finishes: its stack holds no frame
 *       of socket, channel, file-system-watch or stream I/O, a child process
 *       ({@code Process.waitFor}), a reference queue (the GC enqueues), RMI or JMX;</li>
 *   <li>no platform thread outside Timeslice and the JVM's own can wake a G: none that is not a
 *       daemon (Java's keep-alive rule: the JVM is not waiting for G's alone), and no daemon one
 *       that is runnable, in a timed wait, or in I/O. Not counted: the JVM's threads (system
 *       thread group: reference handler, finalizer, signal dispatcher, attach listener...), the
 *       JDK's idle fork-join workers (which only wait for work that someone else submits), the
 *       I/O poller, the cleaner, JFR's threads, Timeslice's own threads (M's, sysmon,
 *       keep-alive...), the JVM's main thread while it waits for G 1, and {@code DestroyJavaVM}.
 *       A process reaper (a JDK system thread waiting for a child to exit) always counts: it
 *       completes {@code Process.onExit()}, which a G may wait for without a process frame of
 *       its own.</li>
 * </ol>
 * What it cannot see, and so assumes does not happen: a {@code sun.misc.Signal} handler, an
 * in-process JMX call through the local attach mechanism ({@code jcmd}; a remote JMX connector
 * has a runnable accept thread and so counts), a JVMTI agent or a debugger, a cleaner action or
 * finalizer that releases a G, and virtual threads of the JDK's default scheduler that sleep (a
 * busy one shows as a busy carrier and counts).
 */
final class AllAsleep {
    private AllAsleep() {
    }

    /** A "yes" answer: enough to tell whether anything ran between two answers. */
    record State(int gs, long runs, long created) {
        boolean sameAs(State earlier) {
            return earlier != null && gs == earlier.gs && runs == earlier.runs && created == earlier.created;
        }
    }

    /** Frames of calls that the outside world may finish (class-name prefixes). */
    private static final String[] EXTERNAL = {
        "sun.nio.ch.", "sun.nio.fs.", "java.nio.channels.", "java.net.", "sun.net.", "jdk.internal.net.",
        "java.io.", "java.lang.Process", "jdk.internal.misc.Blocker", "java.lang.ref.", "jdk.internal.ref.",
        "com.sun.net.httpserver.", "javax.net.", "sun.security.ssl.", "java.rmi.", "sun.rmi.",
        "javax.management.", "com.sun.jmx.", "jdk.internal.misc.Signal", "sun.misc.Signal",
        "dev.timeslice.runtime.SelectHandoff", // a select its M runs for it
    };

    /**
     * Shutdown hooks that cannot wake a G: Timeslice's exit report, JFR's recording dump, and the
     * JDK's own hook classes ({@code java.util.logging}'s handler reset); an application's hook
     * is a plain {@code Thread} or a subclass of its own.
     */
    private static boolean harmlessHook(Thread hook) {
        String n = hook.getName();
        String c = hook.getClass().getName();
        if (hook.isVirtual()) {
            return false; // a hook created by rewritten code is a G (class VirtualThread)
        }
        return n.startsWith("timeslice") || n.equals("JFR Shutdown Hook")
                || hook.getClass() != Thread.class && (c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun."));
    }

    /** The answer now: null for no, else what to compare a later answer with. */
    static State check(Scheduler sched) {
        return check(sched, new boolean[1]);
    }

    /**
     * As {@link #check(Scheduler)}; {@code transient_[0]} is set when only something that may
     * change without any G running stood in the way: a G's thread still on its way into a park
     * (its state not yet WAITING), or a platform thread that may still wake a G. The caller then
     * looks again later: nothing else would make it look (sysmon stays parked).
     */
    static State check(Scheduler sched, boolean[] transient_) {
        transient_[0] = false;
        if (sched.isShutdown() || sched.liveNonDaemon() == 0) {
            return null;
        }
        for (P p : sched.allp) {
            if (p.status() != P.IDLE || !p.runq.isEmpty()) {
                return null;
            }
        }
        if (sched.globrunq.size() > 0 || sched.globrunq.wakeSize() > 0) {
            return null;
        }
        List<G> gs = sched.allgs();
        if (gs.isEmpty()) {
            return null;
        }
        long runs = 0;
        for (G g : gs) {
            if (g.state() != G.WAITING) {
                return null;
            }
            Thread.State st = g.thread.getState();
            if (st != Thread.State.WAITING && st != Thread.State.BLOCKED) {
                transient_[0] = st == Thread.State.RUNNABLE; // the G is parking
                return null;
            }
            runs += g.runs;
        }
        List<Thread> hooks = JdkAccess.shutdownHooks();
        if (hooks == null) {
            return null;
        }
        for (Thread h : hooks) {
            if (!harmlessHook(h)) {
                return null;
            }
        }
        for (G g : gs) {
            if (g.thread.getState() == Thread.State.WAITING && external(g.thread.getStackTrace())) {
                return null;
            }
        }
        if (platformWaker(sched) != null) {
            transient_[0] = true;
            return null;
        }
        return new State(gs.size(), runs, sched.stats.created.sum());
    }

    static boolean external(StackTraceElement[] stack) {
        for (StackTraceElement e : stack) {
            String c = e.getClassName();
            for (String prefix : EXTERNAL) {
                if (c.startsWith(prefix)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A platform thread that may wake a G (see the class comment), or null. */
    static Thread platformWaker(Scheduler sched) {
        Thread self = Thread.currentThread();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            Thread t = e.getKey();
            StackTraceElement[] stack = e.getValue();
            if (t == self || t.isVirtual() || !t.isAlive()) {
                continue;
            }
            if (waitsForAChild(stack)) {
                return t; // the JDK's process reaper (a system thread) completes Process.onExit()
            }
            if (ignored(t, stack)) {
                continue;
            }
            if (!t.isDaemon()) {
                return t;
            }
            Thread.State st = t.getState();
            if (st != Thread.State.WAITING && st != Thread.State.BLOCKED || external(stack)) {
                return t;
            }
        }
        return null;
    }

    private static boolean waitsForAChild(StackTraceElement[] stack) {
        for (StackTraceElement e : stack) {
            if (e.getClassName().startsWith("java.lang.Process")) {
                return true;
            }
        }
        return false;
    }

    /** The class of the thread's body: the outermost frame that is not {@code Thread.run} and the like. */
    private static String entryClass(StackTraceElement[] stack) {
        for (int i = stack.length - 1; i >= 0; i--) {
            String c = stack[i].getClassName();
            if (!c.equals("java.lang.Thread") && !c.equals("jdk.internal.misc.InnocuousThread")
                    && !c.equals("java.util.concurrent.ForkJoinWorkerThread")) {
                return c;
            }
        }
        return "";
    }

    /** The JVM's, the JDK's idle infrastructure and Timeslice's own threads. */
    private static boolean ignored(Thread t, StackTraceElement[] stack) {
        if (t instanceof M) {
            return true;
        }
        ThreadGroup group = t.getThreadGroup();
        if (group == null) {
            return true; // terminated meanwhile
        }
        if (group.getParent() == null || group.getParent().getParent() == null && group.getName().equals("InnocuousThreadGroup")) {
            return true; // the system thread group and the JDK's innocuous threads (VirtualThread-unblocker...)
        }
        if (stack.length == 0) {
            return t.getName().equals("DestroyJavaVM"); // main returned; the JVM waits for non-daemon threads
        }
        String entry = entryClass(stack);
        if (entry.startsWith("dev.timeslice.") || entry.startsWith("jdk.internal.ref.") || entry.startsWith("sun.nio.ch.Poller")) {
            return true;
        }
        boolean jfr = entry.startsWith("jdk.jfr.internal.");
        for (StackTraceElement f : stack) {
            String c = f.getClassName();
            if (c.startsWith("jdk.jfr.internal.consumer.")) {
                return false; // a RecordingStream runs the program's callbacks
            }
            if (c.equals("java.util.concurrent.ForkJoinPool") && f.getMethodName().equals("awaitWork")) {
                return true; // an idle fork-join worker: woken only by a submission
            }
            if (t == Timeslice.mainThread() && c.equals(Launcher.class.getName())) {
                return true; // the JVM's main thread waiting for G 1
            }
            if (c.startsWith("sun.nio.ch.Poller")) {
                return true;
            }
        }
        return jfr; // JFR's recorder and periodic-task threads
    }
}
