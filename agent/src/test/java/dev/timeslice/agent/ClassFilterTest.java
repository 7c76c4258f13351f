package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
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

    /** The hand-written matcher against the regular expression a glob means, on random globs and names. */
    @Test
    void globMatchesItsRegularExpression() {
        Random r = new Random(20261202);
        String[] globParts = {"a", "b", ".", "*", "**", "?", "$", "/"};
        String[] nameParts = {"a", "b", ".", "$", "/", "ab"};
        int matched = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder g = new StringBuilder();
            for (int k = 1 + r.nextInt(6); k > 0; k--) {
                g.append(globParts[r.nextInt(globParts.length)]);
            }
            StringBuilder n = new StringBuilder();
            for (int k = r.nextInt(7); k > 0; k--) {
                n.append(nameParts[r.nextInt(nameParts.length)]);
            }
            String glob = g.toString();
            if (glob.trim().isEmpty()) {
                continue;
            }
            boolean expected = regex(glob).matcher(n.toString().replace('/', '.')).matches();
            assertEquals(expected, Glob.compile(glob).matches(n.toString()), glob + " on " + n);
            matched += expected ? 1 : 0;
        }
        assertTrue(matched > 1000, "the random cases must include matches: " + matched);
    }

    private static Pattern regex(String glob) {
        String g = glob.trim().replace('/', '.');
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            if (c == '*' && i + 1 < g.length() && g.charAt(i + 1) == '*') {
                re.append(".*");
                i++;
            } else if (c == '*') {
                re.append("[^.]*");
            } else if (c == '?') {
                re.append("[^.]");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
