package dev.timeslice.runtime;

import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs the program's {@code main} as G 1.
 *
 * <p>The agent prefixes every {@code main} method of rewritten classes (all four launcher forms:
 * static or instance, with or without {@code String[]}) with
 * {@code if (Launcher.enterMain(<handle to this main>, ...)) return;}. The first such call on
 * the JVM's main thread starts G 1 (named "main", non-daemon), which calls the same
 * {@code main} again — there the prologue returns false and the body runs — and waits for it.
 * Any other call (inside G 1, on other threads, later calls, no agent) returns false at once.
 *
 * <p>Java's exit rules then hold: when G 1 ends the JVM's main thread returns (or rethrows what
 * main threw, so the launcher prints the usual "Exception in thread "main"" trace and the exit
 * status is 1); live non-daemon G's keep the JVM up through the scheduler's keep-alive thread;
 * {@code System.exit} from any G exits; shutdown hooks run.
 *
 * <p>Rewritten application code names this class ({@code MainPrologueStage.LAUNCHER} in the agent's
 * {@code rewrite.MainPrologueStage}): its package, name and the methods it calls are fixed.
 */
public final class Launcher {
    private static final AtomicBoolean ROUTED = new AtomicBoolean();

    private Launcher() {
    }

    /** Prologue of {@code static void main(String[])}. */
    public static boolean enterMain(MethodHandle main, String[] args) {
        return enter(main, new Object[] {args});
    }

    /** Prologue of {@code static void main()} (JEP 512). */
    public static boolean enterMain(MethodHandle main) {
        return enter(main, new Object[0]);
    }

    /** Prologue of an instance {@code void main(String[])} (JEP 512). */
    public static boolean enterMainInstance(MethodHandle main, Object self, String[] args) {
        return enter(main.bindTo(self), new Object[] {args});
    }

    /** Prologue of an instance {@code void main()} (JEP 512). */
    public static boolean enterMainInstance(MethodHandle main, Object self) {
        return enter(main.bindTo(self), new Object[0]);
    }

    /**
     * Prologue of {@code static void main(String[])} in class files older than version 51, which
     * cannot load a method handle constant: the caller's class is found on the stack. Checks the
     * cheap conditions first, so only the one call that starts G 1 walks the stack.
     */
    public static boolean enterMainLegacy(String[] args) {
        if (Timeslice.scheduler() == null || Thread.currentThread() != Timeslice.mainThread() || ROUTED.get()) {
            return false;
        }
        MethodHandle main;
        try {
            Class<?> caller = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).getCallerClass();
            java.lang.reflect.Method m = caller.getDeclaredMethod("main", String[].class);
            m.setAccessible(true);
            main = java.lang.invoke.MethodHandles.lookup().unreflect(m);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false; // main runs where it is, on the JVM's main thread
        }
        return enter(main, new Object[] {args});
    }

    private static boolean enter(MethodHandle main, Object[] args) {
        Scheduler s = Timeslice.scheduler();
        if (s == null || Thread.currentThread() != Timeslice.mainThread() || !ROUTED.compareAndSet(false, true)) {
            return false;
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread g1 = s.newThread().name("main").daemon(false).unstarted(new Runnable() { // no lambda: before main
            @Override
            public void run() {
                try {
                    // invokeExact with the handle's own type: no argument spreading or adaptation,
                    // so nothing to generate at start-up (invokeWithArguments costs ~30 ms here)
                    if (args.length == 0) {
                        main.invokeExact();
                    } else {
                        main.invokeExact((String[]) args[0]);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }
        });
        g1.start();
        boolean interrupted = false;
        for (;;) {
            try {
                g1.join();
                break;
            } catch (InterruptedException e) {
                // someone interrupted the JVM's main thread: that is main's thread, now G 1
                interrupted = true;
                g1.interrupt();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable t = failure.get();
        if (t != null) {
            Thread.UncaughtExceptionHandler h = g1.getUncaughtExceptionHandler();
            if (h != g1.getThreadGroup()) {
                Thread.currentThread().setUncaughtExceptionHandler(h); // main set its own handler
            }
            t.setStackTrace(withoutLauncherFrames(t.getStackTrace()));
            throw Launcher.<RuntimeException>sneaky(t);
        }
        return true;
    }

    /** Drops the frames below main that only exist because main ran as G 1. */
    static StackTraceElement[] withoutLauncherFrames(StackTraceElement[] frames) {
        List<StackTraceElement> out = new ArrayList<>(Arrays.asList(frames));
        while (!out.isEmpty()) {
            String c = out.get(out.size() - 1).getClassName();
            if (c.startsWith("java.lang.invoke.") || c.startsWith(Launcher.class.getPackageName() + ".")
                    || c.equals("java.lang.VirtualThread") || c.startsWith("java.lang.VirtualThread$")
                    || c.startsWith("jdk.internal.vm.")) {
                out.remove(out.size() - 1);
            } else {
                break;
            }
        }
        return out.toArray(new StackTraceElement[0]);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
