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
        this.includes = includes.stream().map(Glob::compile).toList();
        this.excludes = excludes.stream().map(Glob::compile).toList();
    }

    public static ClassFilter of(AgentOptions options) {
        return new ClassFilter(options.get(AgentOptions.INCLUDE), options.get(AgentOptions.EXCLUDE));
    }

    /** Everything but the default exclusions. */
    public static ClassFilter all() {
        return new ClassFilter(List.of(), List.of());
    }

    /** @param internalName e.g. {@code com/acme/Foo} */
    public boolean rewrites(String internalName) {
        return exclusionReason(internalName) == null;
    }

    /** Why a class is not rewritten, or null if it is. */
    public String exclusionReason(String internalName) {
        if (internalName == null || internalName.startsWith("[")) {
            return "not a class";
        }
        for (String prefix : DEFAULT_EXCLUDES) {
            if (internalName.startsWith(prefix)) {
                return "excluded by default (" + prefix.replace('/', '.') + ")";
            }
        }
        if (internalName.equals("module-info") || internalName.endsWith("/module-info")) {
            return "module descriptor";
        }
        if (!includes.isEmpty() && includes.stream().noneMatch(g -> g.matches(internalName))) {
            return "not included";
        }
        for (Glob g : excludes) {
            if (g.matches(internalName)) {
                return "excluded by " + g;
            }
        }
        return null;
    }
}
