package dev.timeslice.agent.fuzz;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;

/**
 * The differential fuzzer with a fixed seed and a time budget ({@code timeslice.fuzz.seconds},
 * default 50): generated Java (javac) and ASM classes, original against rewritten (loopPoll 2,
 * the default, a cheaper form, and on G's of a real scheduler being preempted). Fails with the
 * case seed, the failure, a delta-reduced reproducer and the generated source.
 * {@code scripts/fuzz-rewriter.sh} runs the same thing for longer with other seeds.
 */
class RewriterFuzzTest {
    static final long SEED = 0x7153_11CEL;

    @Test
    void rewrittenCodeBehavesLikeTheOriginal() {
        long seconds = Long.getLong("timeslice.fuzz.seconds", 50);
        long start = System.currentTimeMillis();
        try (FuzzSession s = new FuzzSession(null, 10_000, 30_000)) {
            s.run(SEED, seconds * 1000, Long.MAX_VALUE, 1);
            String summary = "seed " + SEED + ": " + s.summary(System.currentTimeMillis() - start);
            System.out.println("RewriterFuzzTest: " + summary);
            if (!s.findings.isEmpty()) {
                fail(summary + "\n" + s.findings.get(0).report());
            }
            if (s.javaCases == 0 || s.asmCases == 0) {
                fail("no cases ran: " + summary);
            }
        }
    }
}
