package dev.timeslice.agent;

import java.util.List;

/**
 * Which classes the agent rewrites, by name. A class is rewritten when it is not in a default
 * exclusion (the JDK, Timeslice itself and its relocated libraries), matches one of the
 * {@code include} globs (if any are given) and matches none of the {@code exclude} globs. The
 * defaults cannot be overridden by {@code include}. Loader-based exclusion (bootstrap and platform
 * loaders) is the transformer's job: it needs the loader, this class only sees names.
 *
 * <p>The same answer decides, at a call site, whether the callee will poll on its own
 * (see {@code CallPolicy}). Immutable and thread-safe.
 */
public final class ClassFilter {
    /** Internal-name prefixes that are never rewritten. */
    public static final List<String> DEFAULT_EXCLUDES = List.of(
            "java/", "javax/", "jdk/", "sun/", "com/sun/", "dev/timeslice/");

    private final List<Glob> includes;
    private final List<Glob> excludes;

    public ClassFilter(List<String> includes, List<String> excludes) {
        // loops, not streams: this runs in premain, where every lambda is linked on first use
        this.includes = compile(includes);
        this.excludes = compile(excludes);
    }

    private static List<Glob> compile(List<String> globs) {
        Glob[] out = new Glob[globs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Glob.compile(globs.get(i));
        }
        return List.of(out);
    }

    public static ClassFilter of(AgentOptions options) {
        return new ClassFilter(options.get(AgentOptions.INCLUDE), options.get(AgentOptions.EXCLUDE));
    }

    /** Everything but the default exclusions. */
    public static ClassFilter all() {
        return new ClassFilter(List.of(), List.of());
    }

    /** Why {@link #exclusion} leaves a class alone; the message is built only when asked for. */
    private enum Why { REWRITTEN, NOT_A_CLASS, DEFAULT, MODULE_DESCRIPTOR, NOT_INCLUDED, EXCLUDED }

    /** @param internalName e.g. {@code com/acme/Foo} */
    public boolean rewrites(String internalName) {
        // called for every class the JVM loads: no string is built unless a reason is asked for
        return exclusion(internalName) == Why.REWRITTEN;
    }

    /** Why a class is not rewritten, or null if it is. */
    public String exclusionReason(String internalName) {
        return switch (exclusion(internalName)) {
            case REWRITTEN -> null;
            case NOT_A_CLASS -> "not a class";
            case DEFAULT -> "excluded by default (" + defaultExclusion(internalName).replace('/', '.') + ")";
            case MODULE_DESCRIPTOR -> "module descriptor";
            case NOT_INCLUDED -> "not included";
            case EXCLUDED -> "excluded by " + excludedBy(internalName);
        };
    }

    /** The checks, in the order that decides which reason is given. */
    private Why exclusion(String internalName) {
        if (internalName == null || internalName.startsWith("[")) {
            return Why.NOT_A_CLASS;
        }
        if (defaultExclusion(internalName) != null) {
            return Why.DEFAULT;
        }
        if (internalName.equals("module-info") || internalName.endsWith("/module-info")) {
            return Why.MODULE_DESCRIPTOR;
        }
        if (!included(internalName)) {
            return Why.NOT_INCLUDED;
        }
        return excludedBy(internalName) != null ? Why.EXCLUDED : Why.REWRITTEN;
    }

    private static String defaultExclusion(String internalName) {
        for (String prefix : DEFAULT_EXCLUDES) {
            if (internalName.startsWith(prefix)) {
                return prefix;
            }
        }
        return null;
    }

    private boolean included(String internalName) {
        if (includes.isEmpty()) {
            return true;
        }
        for (Glob g : includes) {
            if (g.matches(internalName)) {
                return true;
            }
        }
        return false;
    }

    private Glob excludedBy(String internalName) {
        for (Glob g : excludes) {
            if (g.matches(internalName)) {
                return g;
            }
        }
        return null;
    }
}
