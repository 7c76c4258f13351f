package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timeslice.agent.rewrite.ClassRewriter;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/** The class premain's warm-up rewrites must take the whole pipeline and stay correct code. */
class WarmUpShapeTest {
    @Test
    void warmUpClassIsRewrittenWithLoopPollsAndStillComputesTheSame() throws Exception {
        byte[] original = WarmUpShape.classFile();
        ClassRewriter.Result r = TestClasses.rewriter(2).rewrite(original);
        assertEquals(ClassRewriter.Result.Status.REWRITTEN, r.status(), String.valueOf(r.reason()));
        int[] data = {1, 2, 3, -7, 1 << 30};
        Method plain = TestClasses.load("dev.timeslice.agent.WarmUpShape$", original).getDeclaredMethod("mix", int[].class);
        Method rewritten = TestClasses.load("dev.timeslice.agent.WarmUpShape$", r.bytes()).getDeclaredMethod("mix", int[].class);
        plain.setAccessible(true);
        rewritten.setAccessible(true);
        int expected = 0;
        for (int i = 0; i < data.length; i++) {
            expected += Integer.rotateLeft(data[i], i);
        }
        assertEquals(expected, plain.invoke(null, (Object) data));
        TestClasses.Counted<Object> run = TestClasses.counting(() -> rewritten.invoke(null, (Object) data));
        assertEquals(expected, run.value());
        assertTrue(run.polls().total() > 0, "the rewritten loop polls: " + run.polls());
    }
}
