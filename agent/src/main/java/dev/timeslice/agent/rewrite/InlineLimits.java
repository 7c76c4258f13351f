package dev.timeslice.agent.rewrite;

/**
 * HotSpot's inlining limits on a callee's bytecode size, at their defaults: a call site inlines a
 * callee of at most {@link #TRIVIAL} bytes always, of at most {@link #SMALL} bytes wherever C1
 * compiles it and wherever C2 does when the site is not hot, and of at most {@link #HOT} bytes
 * where C2 finds the site hot. A rewritten method that grows across one of them is inlined where
 * the original was not refused: the caller calls it instead, C2 compiles it on its own, and the
 * callers' code loses what inlining it gave them (measured on Jetty: one method in eleven crossed
 * 35 bytes with its return poll; C2 compiled 252 Jetty methods on their own under the agent,
 * against 171 plain, BENCHMARKS.md §18 and §19).
 *
 * <p>Only return polls are fitted to these limits ({@link MethodRewriter}): loop polls are never
 * dropped. The limits are HotSpot's defaults ({@code MaxTrivialSize}/{@code C1MaxTrivialSize},
 * {@code MaxInlineSize}/{@code C1MaxInlineSize}, {@code FreqInlineSize} on x86-64 and AArch64);
 * a JVM run with other values gets the same rewriting.
 */
public final class InlineLimits {
    static final int TRIVIAL = 6;
    static final int SMALL = 35;
    static final int HOT = 325;

    private InlineLimits() {
    }

    /** A method that grew across {@code limit}: {@code name + descriptor}, its lengths before and after. */
    public record Crossing(String method, int before, int after, int limit) {
    }

    /** The methods of a class that its rewritten form took across one of the limits (exact lengths). */
    public static java.util.List<Crossing> crossings(byte[] original, byte[] rewritten) {
        java.util.Map<String, Integer> before = CodeSize.codeLengths(new org.objectweb.asm.ClassReader(original));
        java.util.Map<String, Integer> after = CodeSize.codeLengths(new org.objectweb.asm.ClassReader(rewritten));
        java.util.List<Crossing> out = new java.util.ArrayList<>();
        for (var e : after.entrySet()) {
            Integer b = before.get(e.getKey());
            int limit = b == null ? 0 : crossed(b, e.getValue());
            if (limit != 0) {
                out.add(new Crossing(e.getKey(), b, e.getValue(), limit));
            }
        }
        return out;
    }

    /** The limit a method growing from {@code before} to {@code after} bytes crosses, or 0. */
    static int crossed(int before, int after) {
        if (before <= TRIVIAL && after > TRIVIAL) {
            return TRIVIAL;
        }
        if (before <= SMALL && after > SMALL) {
            return SMALL;
        }
        if (before <= HOT && after > HOT) {
            return HOT;
        }
        return 0;
    }
}
