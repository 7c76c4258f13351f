package dev.timeslice.runtime;

/**
 * The poll that rewritten application code reaches at loop back-edges and method returns.
 *
 * <p>Contract with the agent (the bytecode it emits may read only {@link #word} and call only
 * these methods; every poll site is {@code if (word != 0) pollX()}):
 * <ul>
 *   <li>{@link #poll()} — at every {@code xRETURN} of a method that has a loop or an invoke,
 *       and at every back-edge of a loop whose body calls code that may not poll itself;</li>
 *   <li>{@link #pollLoop()} — once per {@code loopPoll} iterations of call-free loops.</li>
 * </ul>
 * Both are tiny so that C1/C2 always inline them: the fast path is one read of the static
 * {@link #word} and a branch that is not taken. Everything else lives behind
 * {@link #slowPath(int)}, which is deliberately not inlined.
 *
 * <p>Memory ordering: {@code word} is volatile only so that the JIT cannot hoist its load out of
 * a loop (a plain static read in a loop would be loop-invariant to C2). On x86 a volatile read
 * is a plain load; in C2's graph, though, its acquire is a barrier on all memory, so a poll on a
 * path inside a loop keeps C2 from hoisting the loop's other loads past it (the agent's forms keep
 * it off the hot path for that reason). An opaque read ({@code VarHandle.getOpaque}) is no way
 * out: C2 brackets it with CPU-order barriers that have the same effect (measured: a loop over
 * {@code ArrayList.get} with the poll on a joined path, 3.3x slower with either read). Writers (sysmon, the GC-scan) publish per-G requests with volatile stores
 * <em>before</em> raising {@code word}, so a thread that sees the raised word and then reads
 * its G's request sees the request.
 *
 * <p>Who may touch what: only {@link Handler} installers (the scheduler, tests) call
 * {@link #setHandler}; only sysmon and the scan raise/lower the word through
 * {@link #raise()}/{@link #lower()}.
 *
 * <p>Rewritten application code names this class ({@code PollCode.SAFEPOINT} in the agent's
 * {@code rewrite.PollCode}): its package, name, {@code word} and the methods it calls are fixed.
 */
public final class Safepoint {
    /** Poll site kinds, passed to the slow path. */
    public static final int RETURN = 0;
    public static final int LOOP = 1;
    public static final int CALL_LOOP = 2;

    /** What runs when a poll finds the word raised. Must return at once for threads that are not G's. */
    @FunctionalInterface
    public interface Handler {
        void atPoll(int site);
    }

    /**
     * Non-zero while at least one request (preemption, scan) is pending somewhere. Public only
     * for rewritten code, which reads it in place at every poll site (a call to an accessor costs
     * a call per poll in the interpreter and C1); written only through {@link #raise()}/{@link
     * #lower()}.
     */
    public static volatile int word;

    private static volatile Handler handler = new Handler() { // no lambda: linked before main
        @Override
        public void atPoll(int site) {
        }
    };

    private Safepoint() {
    }

    /** Poll at a method return or a call-carrying loop's back-edge. */
    public static void poll() {
        if (word != 0) {
            slowPath(RETURN);
        }
    }

    /** Poll from a call-free loop, once per {@code loopPoll} iterations. */
    public static void pollLoop() {
        if (word != 0) {
            slowPath(LOOP);
        }
    }

    /** Poll at the back-edge of a loop that calls code which may never poll (the JDK). */
    public static void pollCallLoop() {
        if (word != 0) {
            slowPath(CALL_LOOP);
        }
    }

    private static void slowPath(int site) {
        handler.atPoll(site);
    }

    /** Raises the poll word: every thread in rewritten code takes the slow path at its next poll. */
    public static void raise() {
        word = 1;
    }

    /** Lowers the poll word once no request is pending. */
    public static void lower() {
        word = 0;
    }

    /**
     * The poll word as a boolean. Nothing in this build calls it: it stays for classes rewritten
     * offline by earlier builds, which called it at every poll site; rewritten code now reads
     * {@link #word} itself.
     */
    public static boolean raised() {
        return word != 0;
    }

    /** Installs the slow-path handler (the scheduler at start-up; tests with counting hooks). */
    public static void setHandler(Handler h) {
        handler = java.util.Objects.requireNonNull(h);
    }

    public static Handler handler() {
        return handler;
    }
}
