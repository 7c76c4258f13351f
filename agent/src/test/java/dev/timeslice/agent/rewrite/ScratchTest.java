package dev.timeslice.agent.rewrite;

import dev.timeslice.agent.TestClasses;
import org.junit.jupiter.api.Test;

class ScratchTest {
    @Test
    void dump() {
        byte[] orig = TestClasses.bytes(fixtures.Loops.class);
        ClassRewriter.Result r = TestClasses.rewriter(8192).rewrite(orig);
        System.out.println(r.status() + " " + r.reason());
        r.methods().forEach(System.out::println);
        TestClasses.checkWithAsm(r.bytes());
        System.out.println(TestClasses.text(r.bytes(), "sumTo"));
        System.out.println(TestClasses.text(r.bytes(), "doWhile"));
        Class<?> c = TestClasses.load("fixtures.Loops", r.bytes());
        System.out.println(TestClasses.counting(() -> TestClasses.call(c, null, "sumTo", 100_000)));
    }
}
