package dev.timeslice.agent.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timeslice.agent.AgentOptions;
import dev.timeslice.agent.TestClasses;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;

/** The class-level cheap path: which classes skip the full pipeline, and that it never skips one that needs it. */
class ClassScanTest {
    static final class Getters {
        private final int x;

        Getters(int x) {
            this.x = x;
        }

        int x() {
            return x;
        }

        int twice() {
            return Math.max(x, 0) * 2;
        }
    }

    static final class HasLoop {
        static int sum(int[] a) {
            int s = 0;
            for (int v : a) {
                s += v;
            }
            return s;
        }
    }

    static final class CallsOwnCode {
        static int f() {
            return HasLoop.sum(new int[] {1});
        }
    }

    static final class HasMain {
        public static void main(String[] args) {
            int unused = args.length;
        }
    }

    static final class HasHandler {
        static int parse(Object o) {
            try {
                return ((Integer) o);
            } catch (ClassCastException e) {
                return -1;
            }
        }
    }

    static final class Lambda {
        static Runnable r() {
            return () -> { };
        }
    }

    private static boolean mayNeed(Class<?> c, boolean main) {
        return ClassScan.mayNeedRewriting(new ClassReader(TestClasses.bytes(c)), main);
    }

    @Test
    void classesWithoutLoopsOrCallsTakeTheCheapPath() {
        assertFalse(mayNeed(Getters.class, true));
        assertFalse(mayNeed(HasMain.class, false), "main matters only when main runs as G 1");
        ClassRewriter.Result r = new ClassRewriter(RewriteConfig.of(AgentOptions.defaults()), true, true)
                .rewrite(TestClasses.bytes(Getters.class));
        assertEquals(ClassRewriter.Result.Status.UNCHANGED, r.status());
    }

    @Test
    void loopsCallsHandlersMainAndIndyTakeTheFullPath() {
        for (Class<?> c : List.of(HasLoop.class, CallsOwnCode.class, HasHandler.class, Lambda.class)) {
            assertTrue(mayNeed(c, false), c.getName());
        }
        assertTrue(mayNeed(HasMain.class, true));
    }

    /**
     * Over every class of java.base (as if it were application code): whenever the scan says
     * "nothing to rewrite", the full pipeline agrees.
     */
    @Test
    void theCheapPathNeverSkipsAClassThatTheFullPipelineWouldChange() throws IOException {
        ClassRewriter rewriter = new ClassRewriter(RewriteConfig.of(AgentOptions.defaults()), true, true);
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        int skipped = 0;
        int total = 0;
        try (Stream<Path> files = Files.walk(jrt.getPath("/modules/java.base"))) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                byte[] bytes = Files.readAllBytes(p);
                total++;
                if (!ClassScan.mayNeedRewriting(new ClassReader(bytes), true)) {
                    skipped++;
                    ClassRewriter.Result full = rewriter.rewrite(bytes, false);
                    assertTrue(full.status() == ClassRewriter.Result.Status.UNCHANGED
                            || full.status() == ClassRewriter.Result.Status.SKIPPED, p + ": " + full.status());
                    assertTrue(full.methods().stream().noneMatch(MethodReport::changed), p.toString());
                }
            }
        }
        assertTrue(skipped > 100 && skipped < total, skipped + " of " + total + " took the cheap path");
    }
}
