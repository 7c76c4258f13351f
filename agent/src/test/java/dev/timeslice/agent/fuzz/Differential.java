package dev.timeslice.agent.fuzz;

import dev.timeslice.agent.ClassFilter;
import dev.timeslice.agent.rewrite.ClassRewriter;
import dev.timeslice.agent.rewrite.MethodReport;
import dev.timeslice.agent.rewrite.MethodRewriter;
import dev.timeslice.agent.rewrite.RewriteConfig;
import dev.timeslice.runtime.Scheduler;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a unit of generated classes as compiled and as rewritten, and compares.
 *
 * <p>Variants, each in a loader of its own (HotSpot verifies a class when it is linked): the
 * original; rewritten with loopPoll 2 (chunks of two iterations: every chunk boundary is hit);
 * rewritten with the default loopPoll (8192); rewritten with loopPoll 2 and a cheaper form
 * (STRIP/COUNTERS/MINIMAL, rotating: the rewriter falls back to them for big methods); and the
 * loopPoll-2 version run as two G's on a real {@link Scheduler} with one P and a tiny time slice,
 * so that sysmon preempts them in the middle of loops, repeating the calls for a few
 * milliseconds. Every variant must produce, call by call, the same return value or the same
 * exception class and message. A rewriter failure, a method whose rewritten form the rewriter's own
 * self-check rejected (it falls back to a simpler form: the JVM is safe, but it is a bug), a class that no longer links
 * ({@code VerifyError}, other {@code LinkageError}s), a mismatch or a variant that times out
 * where the original did not is a {@link Failure}.
 */
final class Differential implements AutoCloseable {
    /** One static call of the unit: method name, arguments (arrays are copied for every run). */
    record Call(String method, Object[] args) {
        @Override
        public String toString() {
            return method + deepToString(args);
        }
    }

    /** Classes (dotted name to bytes), the class whose static methods are called, the calls. */
    record Unit(String label, Map<String, byte[]> classes, String entryClass, List<Call> calls) {
    }

    /** What went wrong: kind (for the reducer: the same kind must persist) and the details. */
    record Failure(String kind, String detail) {
        @Override
        public String toString() {
            return kind + ": " + detail;
        }
    }

    /** Counters for the report. */
    static final class Stats {
        long units;
        long methods;
        long calls;
        long originalTimeouts;
        long keptOriginal;
        long preemptions;
        long schedulerRuns;
    }

    private static final MethodRewriter.Form[] CHEAP_FORMS = {
        MethodRewriter.Form.STRIP, MethodRewriter.Form.COUNTERS, MethodRewriter.Form.MINIMAL};

    final Stats stats = new Stats();
    private final long timeoutMillis;
    private final boolean onScheduler;
    private ExecutorService worker = newWorker();
    private Scheduler sched;
    private long preemptBase;

    Differential(long timeoutMillis, boolean onScheduler) {
        this.timeoutMillis = timeoutMillis;
        this.onScheduler = onScheduler;
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-worker");
            t.setDaemon(true);
            return t;
        });
    }

    private record Config(String name, ClassRewriter rewriter) {
    }

    private static Config config(String name, int loopPoll, MethodRewriter.Form form) {
        return new Config(name, new ClassRewriter(new RewriteConfig(loopPoll, ClassFilter.all(), form)));
    }

    private static final Config LOOP_POLL_2 = config("loopPoll=2", 2, MethodRewriter.Form.FULL);
    private static final Config DEFAULT = config("default loopPoll", RewriteConfig.defaults().loopPoll(), MethodRewriter.Form.FULL);
    private static final Config[] CHEAP = {
        config("loopPoll=2 form=STRIP", 2, CHEAP_FORMS[0]),
        config("loopPoll=2 form=COUNTERS", 2, CHEAP_FORMS[1]),
        config("loopPoll=2 form=MINIMAL", 2, CHEAP_FORMS[2])};

    /** Null when every variant agrees with the original. */
    Failure check(Unit u) {
        stats.units++;
        stats.calls += u.calls.size();
        List<String> expected = runIsolated(u.classes, u);
        if (expected == null) {
            stats.originalTimeouts++;
            return null;
        }
        if (!expected.isEmpty() && expected.get(0).startsWith("load ")) {
            // the original itself does not load: a generator problem, not the rewriter's
            throw new OriginalBroken(u.label + ": original does not load: " + expected.get(0));
        }
        Config cheap = CHEAP[(int) Math.floorMod(stats.units, (long) CHEAP.length)];
        Map<String, byte[]> lp2 = null;
        for (Config c : new Config[] {LOOP_POLL_2, DEFAULT, cheap}) {
            Map<String, byte[]> rewritten = new HashMap<>();
            for (var e : u.classes.entrySet()) {
                ClassRewriter.Result r = c.rewriter.rewrite(e.getValue());
                switch (r.status()) {
                    case REWRITTEN -> rewritten.put(e.getKey(), r.bytes());
                    case UNCHANGED -> rewritten.put(e.getKey(), e.getValue());
                    default -> {
                        Failure f = keptOriginal(c, e.getKey(), r);
                        if (f != null) {
                            return f;
                        }
                        rewritten.put(e.getKey(), e.getValue());
                    }
                }
                for (MethodReport m : r.selfCheckRejections()) {
                    // the rewriter caught its own invalid output and fell back to a simpler form: still a rewriter bug
                    return new Failure("self-check", c.name + ": " + e.getKey() + "." + m);
                }
                for (MethodReport m : r.methods()) {
                    if (m.status() == MethodRewriter.Status.KEPT_ORIGINAL || m.status() == MethodRewriter.Status.SKIPPED) {
                        if (!sizeLimit(m.note())) {
                            return new Failure("rewriter-kept-original", c.name + ": " + e.getKey() + "." + m);
                        }
                        stats.keptOriginal++;
                    }
                }
            }
            if (c == LOOP_POLL_2) {
                lp2 = rewritten;
            }
            List<String> got = runIsolated(rewritten, u);
            Failure f = compare(c.name, u, expected, got);
            if (f != null) {
                return f;
            }
        }
        if (onScheduler) {
            return onScheduler(u, lp2, expected);
        }
        return null;
    }

    private static boolean sizeLimit(String note) {
        return note != null && (note.contains("HugeMethodLimit") || note.contains("64 KB"));
    }

    private static Failure keptOriginal(Config c, String cls, ClassRewriter.Result r) {
        if (r.status() == ClassRewriter.Result.Status.FAILED) {
            return new Failure("rewriter-failed", c.name + ": " + cls + ": " + r.reason());
        }
        return null; // SKIPPED: the per-method reports say why
    }

    private static Failure compare(String variant, Unit u, List<String> expected, List<String> got) {
        if (got == null) {
            return new Failure("timeout", variant + ": rewritten code did not finish in time; the original did");
        }
        if (!got.isEmpty() && got.get(0).startsWith("load ")) {
            return new Failure("verify", variant + ": " + got.get(0));
        }
        for (int i = 0; i < expected.size(); i++) {
            String g = i < got.size() ? got.get(i) : "<missing>";
            if (!same(expected.get(i), g)) {
                return new Failure("mismatch", variant + ": " + u.calls.get(i) + ": original " + expected.get(i) + ", rewritten " + g);
            }
        }
        return null;
    }

    private static final Pattern IMPLICIT = Pattern.compile(
            "threw (java\\.lang\\.(?:ArithmeticException|ArrayIndexOutOfBoundsException|NullPointerException"
                    + "|ClassCastException|ArrayStoreException|NegativeArraySizeException)): (.*) args after (.*)", Pattern.DOTALL);

    /**
     * Equal outcomes, or the same implicit exception where one side has no message: once C2 has
     * compiled a method that keeps throwing the same implicit exception, HotSpot throws a
     * preallocated one without message (OmitStackTraceInFastThrow). The G runs repeat the calls
     * and get there; that is the JVM, not the rewriter.
     */
    static boolean same(String expected, String got) {
        if (expected.equals(got)) {
            return true;
        }
        Matcher e = IMPLICIT.matcher(expected);
        Matcher g = IMPLICIT.matcher(got);
        return e.matches() && g.matches() && e.group(1).equals(g.group(1)) && e.group(3).equals(g.group(3))
                && (e.group(2).equals("null") || g.group(2).equals("null"));
    }

    /** Outcomes of the calls in a fresh loader, on the worker thread; null on timeout. */
    private List<String> runIsolated(Map<String, byte[]> classes, Unit u) {
        Future<List<String>> f = worker.submit(() -> run(classes, u, 1));
        try {
            return f.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            worker.shutdownNow();
            worker = newWorker(); // the stuck thread is a daemon and is abandoned
            return null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Loads every class of the unit in a new loader and makes the calls, {@code reps} times. */
    static List<String> run(Map<String, byte[]> classes, Unit u, int reps) {
        ClassLoader l = dev.timeslice.agent.TestClasses.Loader.of(classes);
        List<String> out = new ArrayList<>();
        Class<?> entry;
        try {
            for (String n : classes.keySet()) {
                Class.forName(n, true, l);
            }
            entry = Class.forName(u.entryClass, true, l);
        } catch (LinkageError | ClassNotFoundException e) {
            out.add("load " + e);
            return out;
        }
        Map<String, Method> methods = new HashMap<>();
        for (Method m : entry.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                m.setAccessible(true);
                methods.put(m.getName(), m);
            }
        }
        Field calls = null;
        try {
            calls = entry.getDeclaredField("calls");
            calls.setAccessible(true);
        } catch (NoSuchFieldException e) {
            // ASM-generated units have no call budget
        }
        for (int rep = 0; rep < reps; rep++) {
            for (Call c : u.calls) {
                Method m = methods.get(c.method);
                Object[] args = copy(c.args);
                String outcome;
                try {
                    if (calls != null) {
                        calls.setInt(null, 0);
                    }
                    outcome = "returned " + show(m.invoke(null, args));
                } catch (InvocationTargetException e) {
                    Throwable t = e.getCause();
                    outcome = "threw " + t.getClass().getName() + ": " + t.getMessage();
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
                out.add(outcome + " args after " + deepToString(args));
            }
        }
        return out;
    }

    private static Object[] copy(Object[] args) {
        Object[] a = args.clone();
        for (int i = 0; i < a.length; i++) {
            if (a[i] instanceof int[] ia) {
                a[i] = ia.clone();
            } else if (a[i] instanceof long[] la) {
                a[i] = la.clone();
            }
        }
        return a;
    }

    private static String show(Object v) {
        if (v instanceof int[] a) {
            return Arrays.toString(a);
        }
        if (v instanceof long[] a) {
            return Arrays.toString(a);
        }
        return String.valueOf(v);
    }

    static String deepToString(Object[] args) {
        return Arrays.deepToString(args);
    }

    // ------------------------------------------------------------------ on a real scheduler

    private Failure onScheduler(Unit u, Map<String, byte[]> rewritten, List<String> expected) {
        if (sched == null) {
            sched = Scheduler.builder().procs(1).slice(Duration.ofNanos(200_000)).name("fuzz").build();
            preemptBase = sched.stats().preemptServed();
        }
        stats.schedulerRuns++;
        int reps = 3;
        AtomicReference<Failure> failure = new AtomicReference<>();
        Thread[] gs = new Thread[2];
        for (int g = 0; g < gs.length; g++) {
            gs[g] = sched.go(() -> {
                List<String> got = run(rewritten, u, reps);
                for (int i = 0; i < got.size(); i++) {
                    String exp = expected.get(i % expected.size());
                    if (!same(exp, got.get(i))) {
                        failure.compareAndSet(null, new Failure("scheduler-mismatch", "loopPoll=2 on a G (preempted): "
                                + u.calls.get(i % expected.size()) + ": original " + exp + ", rewritten " + got.get(i)));
                        return;
                    }
                }
                if (got.size() != expected.size() * reps) {
                    failure.compareAndSet(null, new Failure("scheduler-mismatch", "on a G: " + got.size() + " outcomes, expected "
                            + expected.size() * reps));
                }
            });
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis * reps);
        try {
            for (Thread g : gs) {
                g.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                if (g.isAlive()) {
                    sched = null; // abandoned with its stuck G's
                    return new Failure("timeout", "loopPoll=2 on a G did not finish in time; the original did");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        stats.preemptions = sched.stats().preemptServed() - preemptBase;
        return failure.get();
    }

    @Override
    public void close() {
        worker.shutdownNow();
        if (sched != null) {
            sched.close();
        }
    }

    /** The original code of a unit is itself broken: a generator bug, not the rewriter's. */
    static final class OriginalBroken extends RuntimeException {
        OriginalBroken(String msg) {
            super(msg);
        }
    }
}
