package dev.timeslice.agent.fuzz;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reducer on a planted failure: an oracle that "fails" every class containing a
 * {@code synchronized} block (and compiling). The reduced case must still contain one, still
 * compile, and be much smaller than the generated one.
 */
class ReducerTest {
    @Test
    void reducesAGeneratedClassToTheStatementsTheFailureNeeds() {
        InMemoryJavac javac = new InMemoryJavac();
        JavaCase start = null;
        for (long seed = 1; start == null; seed++) {
            JavaCase c = JavaCase.generate(seed);
            if (c.cls.source().contains("synchronized (") && c.cls.size() > 60) {
                start = c;
            }
        }
        Differential.Failure planted = new Differential.Failure("planted", "has a synchronized block");
        Reducer r = new Reducer(javac, u -> hasSync(u) ? planted : null, "planted", 60_000);
        Reducer.Reduced red = r.reduce(start, planted);
        String src = red.c().cls.source();
        assertNotNull(red.failure());
        assertTrue(src.contains("synchronized ("), src);
        Map<String, byte[]> compiled = javac.compile(red.c().className, src);
        assertTrue(compiled.containsKey(red.c().className));
        assertTrue(red.c().cls.size() * 4 < start.cls.size(), "reduced from " + start.cls.size() + " to " + red.c().cls.size() + ":\n" + src);
        assertTrue(red.c().calls.size() == 1, "one call kept: " + red.c().calls);
    }

    private static boolean hasSync(Differential.Unit u) {
        // javac compiles a synchronized block to monitorenter (0xc2)
        byte[] b = u.classes().values().iterator().next();
        String text = Disassembly.of(b);
        return text.contains("MONITORENTER");
    }
}
