package dev.timeslice.agent;

import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Set;

/**
 * The jars of the JVM's other Java agents ({@code -javaagent:} on the command line, in
 * {@code JAVA_TOOL_OPTIONS}, {@code JDK_JAVA_OPTIONS} or {@code _JAVA_OPTIONS}). Their classes
 * are never rewritten: an agent's transformer runs inside class loading, where a poll's slow path
 * or a routed thread creation could load a class and end in {@code ClassCircularityError}, and
 * an agent that instruments classes (JaCoCo) must see the bytes it expects of its own runtime.
 *
 * <p>Immutable after construction; {@link #owns} is called by the transformer on every class
 * load and does no I/O: a path comparison against a handful of entries.
 */
final class ForeignAgents {
    static final ForeignAgents NONE = new ForeignAgents(Set.of());

    private final Set<Path> jars;

    ForeignAgents(Set<Path> jars) {
        this.jars = Set.copyOf(jars);
    }

    /**
     * The agents of this JVM, from its command line and the launcher's environment variables.
     * Timeslice's own jar may be among them: its classes are never rewritten anyway.
     */
    static ForeignAgents ofThisJvm() {
        return new ForeignAgents(agentJars(dev.timeslice.runtime.JvmCommandLine.words()));
    }

    /** The jars named by {@code -javaagent:} words. */
    static Set<Path> agentJars(List<String> words) {
        Set<Path> out = new java.util.HashSet<>();
        for (String w : words) {
            if (!w.startsWith("-javaagent:")) {
                continue;
            }
            String spec = w.substring("-javaagent:".length());
            int eq = spec.indexOf('=');
            Path jar = normalize(Path.of(eq >= 0 ? spec.substring(0, eq) : spec));
            if (jar != null) {
                out.add(jar);
            }
        }
        return out;
    }

    /** Whether the class with this protection domain was loaded from another agent's jar. */
    boolean owns(ProtectionDomain pd) {
        if (jars.isEmpty() || pd == null) {
            return false;
        }
        CodeSource cs = pd.getCodeSource();
        URL url = cs == null ? null : cs.getLocation();
        if (url == null || !"file".equals(url.getProtocol())) {
            return false;
        }
        try {
            return jars.contains(normalize(Path.of(url.toURI())));
        } catch (Exception e) {
            return false;
        }
    }

    boolean isEmpty() {
        return jars.isEmpty();
    }

    private static Path normalize(Path p) {
        try {
            return p.toAbsolutePath().normalize();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
