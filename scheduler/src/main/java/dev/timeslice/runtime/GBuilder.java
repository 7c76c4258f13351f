package dev.timeslice.runtime;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds G's: virtual threads scheduled by a {@link Scheduler}. Mirrors
 * {@code Thread.Builder.OfVirtual} (which is sealed), plus a daemon flag: virtual threads are
 * always daemon threads to the JVM, but a non-daemon G counts in
 * {@link Scheduler#liveNonDaemon()} so a launcher can keep the JVM alive the way Java does for
 * non-daemon threads. Not thread-safe, like the JDK's builders.
 */
public final class GBuilder {
    private final Scheduler sched;
    private String name;
    private AtomicLong counter;
    private boolean daemon;
    private boolean inheritLocals = true;
    private Thread.UncaughtExceptionHandler ueh;

    GBuilder(Scheduler sched) {
        this.sched = sched;
    }

    public GBuilder name(String name) {
        this.name = Objects.requireNonNull(name);
        this.counter = null;
        return this;
    }

    /** Names threads {@code prefix + start}, {@code prefix + (start+1)}, ... */
    public GBuilder name(String prefix, long start) {
        this.name = Objects.requireNonNull(prefix);
        this.counter = new AtomicLong(start);
        return this;
    }

    public GBuilder daemon(boolean daemon) {
        this.daemon = daemon;
        return this;
    }

    public GBuilder inheritInheritableThreadLocals(boolean inherit) {
        this.inheritLocals = inherit;
        return this;
    }

    public GBuilder uncaughtExceptionHandler(Thread.UncaughtExceptionHandler ueh) {
        this.ueh = Objects.requireNonNull(ueh);
        return this;
    }

    private String nextName() {
        return counter == null ? name : name + counter.getAndIncrement();
    }

    /** A new, unstarted G running {@code task}. */
    public Thread unstarted(Runnable task) {
        Objects.requireNonNull(task);
        return sched.newG(task, nextName(), daemon, inheritLocals, ueh);
    }

    /** Starts a new G running {@code task}. */
    public Thread start(Runnable task) {
        Thread t = unstarted(task);
        t.start();
        return t;
    }

    /** A thread-safe factory with this builder's settings. */
    public ThreadFactory factory() {
        String n = name;
        AtomicLong c = counter;
        boolean d = daemon;
        boolean inherit = inheritLocals;
        Thread.UncaughtExceptionHandler h = ueh;
        return task -> sched.newG(Objects.requireNonNull(task),
                c == null ? n : n + c.getAndIncrement(), d, inherit, h);
    }
}
