package dev.timeslice.agent;

import java.net.URL;
import java.io.File;
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

    /** Absolute, normalized paths of the jars. */
    private final Set<String> jars;

    ForeignAgents(Set<String> jars) {
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
    static Set<String> agentJars(List<String> words) {
        Set<String> out = new java.util.HashSet<>();
        for (String w : words) {
            if (!w.startsWith("-javaagent:")) {
                continue;
            }
            String spec = w.substring("-javaagent:".length());
            int eq = spec.indexOf('=');
            // the form a class loader's code source has: a file: URI's decoded path
            out.add(normalize(new File(eq >= 0 ? spec.substring(0, eq) : spec).getAbsoluteFile().toURI().getPath()));
        }
        return out;
    }

    /**
     * Whether the class with this protection domain was loaded from another agent's jar. Called
     * on every class load: string work only (no {@code URI}/{@code Path} per class).
     */
    boolean owns(ProtectionDomain pd) {
        if (jars.isEmpty() || pd == null) {
            return false;
        }
        CodeSource cs = pd.getCodeSource();
        URL url = cs == null ? null : cs.getLocation();
        if (url == null || !"file".equals(url.getProtocol())) {
            return false;
        }
        String path = url.getPath();
        if (path.indexOf('%') >= 0) {
            path = java.net.URLDecoder.decode(path.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        }
        return jars.contains(normalize(path));
    }

    /** The agent jar of this file name that exists, or null. */
    File jarNamed(String fileName) {
        for (String jar : jars) {
            File f = new File(jar);
            if (f.getName().equals(fileName) && f.isFile()) {
                return f;
            }
        }
        return null;
    }

    boolean isEmpty() {
        return jars.isEmpty();
    }

    /**
     * An absolute path with "." and ".." segments and repeated separators removed, lexically
     * (like {@code Path.normalize}, without loading NIO's file system before main).
     */
    static String normalize(String absolute) {
        if (absolute.indexOf("/.") < 0 && absolute.indexOf("//") < 0) {
            return absolute;
        }
        java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
        for (String part : absolute.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        return "/" + String.join("/", parts);
    }
}
