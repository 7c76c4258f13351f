package dev.timeslice.agent.attach;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.timeslice.agent.ClassFilter;
import dev.timeslice.agent.LogLevel;
import dev.timeslice.agent.TestClasses;
import dev.timeslice.agent.TimesliceTransformer;
import dev.timeslice.agent.TransformLog;
import dev.timeslice.agent.rewrite.ClassRewriter;
import dev.timeslice.agent.rewrite.RewriteConfig;
import fixtures.Cell;
import fixtures.Loops;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The retransformation loop against a JVM that refuses some classes: a mocked
 * {@link Instrumentation} (a real JVM refuses only classes the rewriter got wrong, which cannot be
 * produced on demand). It behaves as JVMTI does: {@code retransformClasses} calls the transformer
 * for each class with its original bytes, then installs all of them or, if one is refused, none.
 */
class RetransformerTest {
    private final Instrumentation inst = mock(Instrumentation.class);
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final TransformLog log = new TransformLog(LogLevel.WARN, new PrintStream(err, true, StandardCharsets.UTF_8));
    private final Map<Class<?>, byte[]> installed = new ConcurrentHashMap<>();
    private final List<List<Class<?>>> calls = new ArrayList<>();
    private Retransformer retransformer;
    /** What the JVM refuses: a class whose new bytes fail verification, say. */
    private Class<?> refusedByJvm = Cell.class;

    @BeforeEach
    void jvm() throws Exception {
        ClassFilter filter = ClassFilter.all();
        TimesliceTransformer rewriter = new TimesliceTransformer(filter,
                new ClassRewriter(RewriteConfig.defaults(), false, true), log, module -> { });
        retransformer = new Retransformer(inst, rewriter, filter, log);
        when(inst.getAllLoadedClasses()).thenReturn(new Class<?>[] {Loops.class, Cell.class, String.class, int[].class,
                RetransformerTest.class});
        when(inst.isModifiableClass(any())).thenAnswer(a -> !((Class<?>) a.getArgument(0)).isArray());
        doAnswer(a -> {
            Class<?>[] batch = Arrays.copyOf(a.getArguments(), a.getArguments().length, Class[].class);
            calls.add(List.of(batch));
            Map<Class<?>, byte[]> made = new java.util.HashMap<>();
            for (Class<?> c : batch) {
                byte[] b = retransformer.transformer().transform(c.getModule(), c.getClassLoader(),
                        c.getName().replace('.', '/'), c, c.getProtectionDomain(), TestClasses.bytes(c));
                if (b != null) {
                    made.put(c, b);
                }
            }
            if (Arrays.asList(batch).contains(refusedByJvm)) {
                throw new VerifyError("Expecting a stack map frame");
            }
            installed.putAll(made);
            return null;
        }).when(inst).retransformClasses(any(Class[].class));
    }

    private List<String> errLines() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void aClassTheJvmRefusesIsLeftAsItWasWithOneWarningAndTheRestIsInstalled() throws Exception {
        Retransformer.Summary s = retransformer.retransformLoaded();

        assertEquals(1, s.retransformed(), s.toString());
        assertEquals(1, s.failed(), s.toString());
        assertEquals(0, s.leftAlone(), s.toString());
        assertEquals(3, s.notConsidered(), "String (bootstrap loader), int[] and Timeslice's own (this test): " + s);
        assertNotNull(installed.get(Loops.class));
        assertNull(installed.get(Cell.class));
        // one batch, refused as a whole, then in halves
        assertEquals(List.of(List.of(Loops.class, Cell.class), List.of(Loops.class), List.of(Cell.class)), calls);
        assertEquals(List.of("timeslice: warn: fixtures.Cell: left as it was: the JVM refused the retransformed class: "
                + "java.lang.VerifyError: Expecting a stack map frame"), errLines());
        assertEquals(1, log.rewritten.get(), "the refused class is not counted as rewritten");
        assertEquals(1, log.failed.get());
    }

    @Test
    void aRefusedClassStaysAsItWasWhenAnotherAgentRetransformsItLater() throws Exception {
        retransformer.retransformLoaded();
        ClassFileTransformer t = retransformer.transformer();
        assertNull(t.transform(Cell.class.getModule(), Cell.class.getClassLoader(), "fixtures/Cell", Cell.class,
                null, TestClasses.bytes(Cell.class)));
        // the others are rewritten again from their original bytes, to the same result
        byte[] again = t.transform(Loops.class.getModule(), Loops.class.getClassLoader(), "fixtures/Loops", Loops.class,
                null, TestClasses.bytes(Loops.class));
        assertArrayEquals(installed.get(Loops.class), again);
    }

    @Test
    void aClassLoadedAfterTheAttachIsRewrittenAsTheJavaagentWould() throws Exception {
        byte[] loaded = retransformer.transformer().transform(Loops.class.getModule(), Loops.class.getClassLoader(),
                "fixtures/Loops", null, null, TestClasses.bytes(Loops.class));
        assertNotNull(loaded);
        assertTrue(errLines().isEmpty(), errLines().toString());
    }

    @Test
    void anUnmodifiableBatchOrAnyErrorNeverEscapes() throws Exception {
        refusedByJvm = null;
        doAnswer(a -> {
            throw new UnmodifiableClassException("no");
        }).when(inst).retransformClasses(any(Class[].class));
        Retransformer.Summary s = retransformer.retransformLoaded();
        assertEquals(2, s.failed(), s.toString());
        assertEquals(0, s.retransformed(), s.toString());
        assertEquals(2, errLines().size(), errLines().toString());
        verify(inst, times(3)).retransformClasses(any(Class[].class));
    }

    @Test
    void aRefusedBatchIsSplitInHalvesUntilTheRefusedClassIsFound() throws Exception {
        // 8 loaded classes, the JVM refuses the sixth: 1 + 2 + 2 + 2 calls instead of 1 + 8
        List<Class<?>> eight = List.of(Loops.class, Cell.class, itapp.Work.class,
                itapp.Main.class, itapp.Isolated.class, fixtures.programs.ThrowsInMain.class, fixtures.programs.KeepsAlive.class,
                fixtures.programs.OutlivesMain.class);
        when(inst.getAllLoadedClasses()).thenReturn(eight.toArray(Class<?>[]::new));
        refusedByJvm = eight.get(5);
        Retransformer.Summary s = retransformer.retransformLoaded();
        assertEquals(1, s.failed(), s.toString());
        assertEquals(7, s.retransformed() + s.leftAlone(), s.toString());
        assertEquals(List.of(eight, eight.subList(0, 4), eight.subList(4, 8), eight.subList(4, 6), List.of(eight.get(4)),
                List.of(eight.get(5)), eight.subList(6, 8)), calls);
        assertEquals(1, errLines().size(), errLines().toString());
        assertTrue(errLines().get(0).startsWith("timeslice: warn: fixtures.programs.ThrowsInMain: left as it was: "), errLines().toString());
    }
}
