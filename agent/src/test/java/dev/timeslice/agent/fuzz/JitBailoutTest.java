package dev.timeslice.agent.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * No JIT bailout introduced by rewriting: a child JVM (the tests' JDK) runs the loop fixtures,
 * the synchronized-loop and wait/notify cases of issue 12 and a fuzz corpus (Java and ASM) hot,
 * original and rewritten (default options) side by side, with {@code -XX:+PrintCompilation};
 * fails when a rewritten method has {@code COMPILE SKIPPED} (C1 or C2) where its original did not.
 */
class JitBailoutTest {
    static final long CORPUS_SEED = 0x0015_5012L;

    @Test
    void rewrittenMethodsCompileWhereverTheOriginalsDo() throws Exception {
        JitCheck.Result r = JitCheck.run(List.of(Long.toString(CORPUS_SEED), "12", "4"));
        assertEquals(0, r.jvm().exit(), () -> r.jvm().toString());
        assertTrue(r.harness().contains("jit-harness: done"), () -> r.jvm().toString());
        assertTrue(r.harness().contains("jit-harness: pair JitCases JitCases__ts"), () -> String.join("\n", r.harness()));
        assertTrue(r.harness().contains("jit-harness: pair fixtures.Loops fixtures.Loops__ts"), () -> String.join("\n", r.harness()));
        if (!r.introduced().isEmpty()) {
            fail(JitCheck.describe(r));
        }
    }
}
