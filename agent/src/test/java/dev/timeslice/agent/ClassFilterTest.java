package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassFilterTest {
    @Test
    void defaultExclusions() {
        ClassFilter f = ClassFilter.all();
        for (String n : List.of("java/lang/String", "javax/swing/JFrame", "jdk/internal/misc/Unsafe", "sun/misc/Unsafe",
                "com/sun/net/httpserver/HttpServer", "dev/timeslice/runtime/Safepoint",
                "dev/timeslice/shaded/asm/ClassReader", "dev/timeslice/agent/Agent", "module-info", "[I")) {
            assertFalse(f.rewrites(n), n);
            assertNotNull(f.exclusionReason(n));
        }
        for (String n : List.of("com/acme/App", "App", "javaapp/Main", "sunny/Day", "com/sunrise/X", "fixtures/Loops")) {
            assertTrue(f.rewrites(n), n);
        }
    }

    @Test
    void includeNarrowsExcludeRemovesDefaultsStay() {
        ClassFilter f = new ClassFilter(List.of("com.acme.**", "java.**"), List.of("com.acme.gen.*", "*Test"));
        assertTrue(f.rewrites("com/acme/App"));
        assertTrue(f.rewrites("com/acme/deep/er/Thing$Inner"));
        assertFalse(f.rewrites("com/acme/gen/Stub"));
        assertTrue(f.rewrites("com/acme/gen/deeper/Stub"), "* does not cross a package boundary");
        assertFalse(f.rewrites("org/other/App"), "not included");
        assertFalse(f.rewrites("java/util/ArrayList"), "defaults cannot be re-included");
        assertFalse(f.rewrites("FooTest"));
        assertEquals("excluded by com.acme.gen.*", f.exclusionReason("com/acme/gen/Stub"));
    }

    @Test
    void globSyntax() {
        assertTrue(Glob.compile("a.*.C").matches("a.b.C"));
        assertFalse(Glob.compile("a.*.C").matches("a.b.c.C"));
        assertTrue(Glob.compile("a.**.C").matches("a.b.c.C"));
        assertTrue(Glob.compile("a.B?").matches("a.B1"));
        assertFalse(Glob.compile("a.B?").matches("a.B12"));
        assertTrue(Glob.compile("a/b/C$*").matches("a.b.C$Inner"));
        assertTrue(Glob.compile("**").matches("anything.at.All"));
        assertThrows(IllegalArgumentException.class, () -> Glob.compile("a.[bc]"));
        assertThrows(IllegalArgumentException.class, () -> Glob.compile(" "));
    }
}
