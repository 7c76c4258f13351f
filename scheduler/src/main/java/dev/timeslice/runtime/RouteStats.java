package dev.timeslice.runtime;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many thread creations in rewritten code were routed to the scheduler, and how many were
 * left alone, by kind ("new Thread", "Executors pool", "Thread subclass", ...). Any thread
 * counts; the exit summary reads them.
 *
 * <p>Rewritten application code names this class ({@code ThreadCallSites.ROUTE_STATS} in the agent's
 * {@code rewrite.ThreadCallSites}): its package, name and the {@code leftAlone} methods it calls are fixed.
 */
public final class RouteStats {
    private static final Map<String, LongAdder> ROUTED = new ConcurrentHashMap<>();
    private static final Map<String, LongAdder> LEFT_ALONE = new ConcurrentHashMap<>();
    /** Kind -> class that created (or, for a Thread subclass, is) the thread -> count. */
    private static final Map<String, Map<String, LongAdder>> LEFT_ALONE_BY_CLASS = new ConcurrentHashMap<>();

    /** Named classes, not lambdas: the first routing happens before main, where linking a lambda costs. */
    private static final java.util.function.Function<String, LongAdder> NEW_ADDER = new java.util.function.Function<>() {
        @Override
        public LongAdder apply(String k) {
            return new LongAdder();
        }
    };
    private static final java.util.function.Function<String, Map<String, LongAdder>> NEW_MAP = new java.util.function.Function<>() {
        @Override
        public Map<String, LongAdder> apply(String k) {
            return new ConcurrentHashMap<>();
        }
    };

    private RouteStats() {
    }

    static void routed(String kind) {
        ROUTED.computeIfAbsent(kind, NEW_ADDER).increment();
    }

    /** Called from rewritten code at a creation site the agent deliberately left alone. */
    public static void leftAlone(String kind) {
        LEFT_ALONE.computeIfAbsent(kind, NEW_ADDER).increment();
    }

    /**
     * Called from rewritten code at a creation site left alone, naming the class: the
     * {@code Thread} subclass itself, or the class containing the creation site.
     */
    public static void leftAlone(String kind, String className) {
        leftAlone(kind);
        LEFT_ALONE_BY_CLASS.computeIfAbsent(kind, NEW_MAP)
                .computeIfAbsent(className, NEW_ADDER).increment();
    }

    /** Kind -> class name -> count, for the creations recorded with a class name. */
    public static Map<String, Map<String, Long>> leftAloneClasses() {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        LEFT_ALONE_BY_CLASS.forEach((k, v) -> out.put(k, snapshot(v)));
        return out;
    }

    public static Map<String, Long> routed() {
        return snapshot(ROUTED);
    }

    public static Map<String, Long> leftAloneCounts() {
        return snapshot(LEFT_ALONE);
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
