package dev.timeslice.agent;

import java.util.regex.Pattern;

/**
 * Class-name globs over dotted names ({@code com.acme.Foo$Bar}): {@code **} matches any
 * characters, {@code *} any characters except {@code '.'}, {@code ?} one character except
 * {@code '.'}; everything else matches itself. Internal names ({@code com/acme/Foo}) are accepted
 * too and treated as dotted.
 */
public final class Glob {
    private final String text;
    private final Pattern pattern;

    private Glob(String text, Pattern pattern) {
        this.text = text;
        this.pattern = pattern;
    }

    public static Glob compile(String glob) {
        String g = glob.trim().replace('/', '.');
        if (g.isEmpty()) {
            throw new IllegalArgumentException("empty glob");
        }
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            if (c == '*') {
                if (i + 1 < g.length() && g.charAt(i + 1) == '*') {
                    re.append(".*");
                    i++;
                } else {
                    re.append("[^.]*");
                }
            } else if (c == '?') {
                re.append("[^.]");
            } else if (Character.isJavaIdentifierPart(c) || c == '.') {
                re.append(c == '.' ? "\\." : c == '$' ? "\\$" : String.valueOf(c));
            } else {
                throw new IllegalArgumentException("unexpected character '" + c + "' in glob " + glob);
            }
        }
        return new Glob(glob, Pattern.compile(re.toString()));
    }

    /** @param className dotted or internal (slashed) class name */
    public boolean matches(String className) {
        return pattern.matcher(className.replace('/', '.')).matches();
    }

    @Override
    public String toString() {
        return text;
    }
}
