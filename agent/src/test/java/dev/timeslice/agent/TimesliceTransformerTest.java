package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timeslice.agent.rewrite.ClassRewriter;
import dev.timeslice.agent.rewrite.RewriteConfig;
import dev.timeslice.agent.rewrite.RewrittenMarker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;

/** The transformer never throws, never rewrites what it must not, and says what it did. */
class TimesliceTransformerTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final ClassLoader appLoader = new ClassLoader(getClass().getClassLoader()) { };
    private final byte[] loops = TestClasses.bytes(fixtures.Loops.class);

    private TimesliceTransformer transformer(String args) {
        AgentOptions o = AgentOptions.parse(args, new Properties());
        return new TimesliceTransformer(ClassFilter.of(o), new ClassRewriter(RewriteConfig.of(o)),
                new TransformLog(o.logLevel(), new PrintStream(err, true, StandardCharsets.UTF_8)), m -> { });
    }

    private List<String> lines() {
        String s = err.toString(StandardCharsets.UTF_8);
        return s.isEmpty() ? List.of() : List.of(s.split("\n"));
    }

    @Test
    void rewritesApplicationClassesAndMarksThem() {
        byte[] out = transformer(null).transform(null, appLoader, "fixtures/Loops", null, null, loops);
        assertNotNull(out);
        assertTrue(RewrittenMarker.isMarked(new ClassReader(out)));
        assertTrue(!RewrittenMarker.isMarked(new ClassReader(loops)));
        assertEquals(List.of(), lines(), "nothing to say at the default level");
        // a second pass is impossible
        assertNull(transformer("log=debug").transform(null, appLoader, "fixtures/Loops", null, null, out));
        assertTrue(lines().get(0).contains("already rewritten"), lines().toString());
    }

    @Test
    void malformedBytesAreLeftAloneWithOneLine() {
        TimesliceTransformer t = transformer(null);
        byte[][] inputs = {new byte[0], new byte[] {(byte) 0xCA, (byte) 0xFE}, "not a class".getBytes(StandardCharsets.UTF_8),
            truncated(loops, 200), corrupted(loops)};
        for (byte[] b : inputs) {
            assertDoesNotThrow(() -> assertNull(t.transform(null, appLoader, "com/acme/Broken", null, null, b)));
        }
        assertEquals(inputs.length, lines().size(), lines().toString());
        for (String l : lines()) {
            assertTrue(l.startsWith("timeslice: warn: com.acme.Broken: left unchanged: "), l);
        }
    }

    @Test
    void unsupportedClassVersionIsLeftAlone() {
        byte[] future = loops.clone();
        future[6] = 0;
        future[7] = 99; // major version 99
        assertNull(transformer(null).transform(null, appLoader, "fixtures/Loops", null, null, future));
        assertEquals(1, lines().size());
        assertTrue(lines().get(0).endsWith("left unchanged: Unsupported class file version 99.0"), lines().get(0));
    }

    @Test
    void leavesAloneWhatItMustNotRewrite() {
        TimesliceTransformer t = transformer("log=debug,exclude=fixtures.L*");
        assertNull(t.transform(null, null, "fixtures/Cell", null, null, TestClasses.bytes(fixtures.Cell.class)), "bootstrap loader");
        assertNull(t.transform(null, ClassLoader.getPlatformClassLoader(), "fixtures/Cell", null, null,
                TestClasses.bytes(fixtures.Cell.class)), "platform loader");
        assertNull(t.transform(null, appLoader, null, null, null, loops), "hidden class (no name)");
        assertNull(t.transform(null, appLoader, "java/util/Fake", null, null, loops), "the JDK");
        assertNull(t.transform(null, appLoader, "dev/timeslice/runtime/Fake", null, null, loops), "Timeslice");
        assertNull(t.transform(null, appLoader, "fixtures/Loops", null, null, loops), "exclude=");
        assertNotNull(t.transform(null, appLoader, "fixtures/Cell", null, null, TestClasses.bytes(fixtures.Cell.class)));
        assertTrue(lines().stream().anyMatch(l -> l.contains("fixtures.Loops: not rewritten: excluded by fixtures.L*")), lines().toString());
        assertTrue(lines().stream().anyMatch(l -> l.contains("fixtures.Cell: rewritten: <init>(I)V")), lines().toString());
        assertNull(transformer("include=com.acme.**").transform(null, appLoader, "fixtures/Cell", null, null,
                TestClasses.bytes(fixtures.Cell.class)), "include=");
    }

    @Test
    void nestedTransformationOnTheSameThreadPassesThrough() {
        List<byte[]> nested = new ArrayList<>();
        TimesliceTransformer[] self = new TimesliceTransformer[1];
        PrintStream reentrant = new PrintStream(err, true, StandardCharsets.UTF_8) {
            @Override
            public void println(String x) {
                // a class loaded while the transformer is at work (here: while it logs)
                nested.add(self[0].transform(null, appLoader, "fixtures/Cell", null, null, TestClasses.bytes(fixtures.Cell.class)));
                super.println(x);
            }
        };
        AgentOptions o = AgentOptions.parse("log=debug", new Properties());
        self[0] = new TimesliceTransformer(ClassFilter.of(o), new ClassRewriter(RewriteConfig.of(o)),
                new TransformLog(LogLevel.DEBUG, reentrant), m -> { });
        assertNotNull(self[0].transform(null, appLoader, "fixtures/Loops", null, null, loops));
        assertEquals(1, nested.size());
        assertNull(nested.get(0), "re-entrant call must not transform");
        // and afterwards the transformer works again
        assertNotNull(self[0].transform(null, appLoader, "fixtures/Cell", null, null, TestClasses.bytes(fixtures.Cell.class)));
    }

    @Test
    void rewrittenBytesDoNotDependOnTheCaller() {
        TimesliceTransformer t = transformer(null);
        byte[] a = t.transform(null, appLoader, "fixtures/Loops", null, null, loops);
        byte[] b = t.transform(null, new ClassLoader(null) { }, "fixtures/Loops", null, null, loops);
        assertArrayEquals(a, b);
    }

    private static byte[] truncated(byte[] b, int n) {
        byte[] out = new byte[n];
        System.arraycopy(b, 0, out, 0, n);
        return out;
    }

    /** Valid header, a method's code overwritten with garbage. */
    private static byte[] corrupted(byte[] b) {
        byte[] out = b.clone();
        for (int i = out.length / 2; i < out.length / 2 + 64; i++) {
            out[i] = (byte) 0xFF;
        }
        return out;
    }
}
