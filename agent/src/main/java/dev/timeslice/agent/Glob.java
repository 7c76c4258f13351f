package dev.timeslice.agent;

/**
 * Class-name globs over dotted names ({@code com.acme.Foo$Bar}): {@code **} matches any
 * characters, {@code *} any characters except {@code '.'}, {@code ?} one character except
 * {@code '.'}; everything else matches itself. Internal names ({@code com/acme/Foo}) are accepted
 * too and treated as dotted.
 *
 * <p>Matched by hand, not through {@code java.util.regex}: globs are checked on every class load
 * from premain on, where compiling patterns and loading the regex engine is start-up time.
 * Immutable and thread-safe.
 */
public final class Glob {
    private final String text;
    /** The glob with '/' read as '.'. */
    private final char[] pattern;

    private Glob(String text, char[] pattern) {
        this.text = text;
        this.pattern = pattern;
    }

    public static Glob compile(String glob) {
        String g = glob.trim().replace('/', '.');
        if (g.isEmpty()) {
            throw new IllegalArgumentException("empty glob");
        }
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            if (c != '*' && c != '?' && c != '.' && !Character.isJavaIdentifierPart(c)) {
                throw new IllegalArgumentException("unexpected character '" + c + "' in glob " + glob);
            }
        }
        return new Glob(glob, g.toCharArray());
    }

    /** @param className dotted or internal (slashed) class name */
    public boolean matches(String className) {
        return match(0, className, 0);
    }

    private boolean match(int p, String name, int n) {
        while (p < pattern.length) {
            char c = pattern[p];
            if (c == '*') {
                boolean any = p + 1 < pattern.length && pattern[p + 1] == '*';
                p += any ? 2 : 1;
                for (int k = n; ; k++) {
                    if (match(p, name, k)) {
                        return true;
                    }
                    if (k == name.length() || (!any && at(name, k) == '.')) {
                        return false;
                    }
                }
            }
            if (n == name.length()) {
                return false;
            }
            char s = at(name, n);
            if (c == '?' ? s == '.' : s != c) {
                return false;
            }
            p++;
            n++;
        }
        return n == name.length();
    }

    private static char at(String name, int i) {
        char c = name.charAt(i);
        return c == '/' ? '.' : c;
    }

    @Override
    public String toString() {
        return text;
    }
}
