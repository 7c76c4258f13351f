package dev.timeslice.runtime;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The words that configured this JVM, in the order the JVM reads them: {@code JAVA_TOOL_OPTIONS},
 * {@code JDK_JAVA_OPTIONS}, the process's command line, {@code _JAVA_OPTIONS} (so for an option
 * given twice, the last word wins). The command line comes from {@code /proc/self/cmdline} on
 * Linux (one read), else from {@code ProcessHandle} (whose class initialization alone took ~10 ms
 * of a hello world's start-up in a profile); without either, only the environment counts.
 *
 * <p>Read once, on first use (the M stack size, the agent's list of other agents), and immutable.
 * Runs before main: no lambda, no regular expression.
 */
public final class JvmCommandLine {
    private static volatile List<String> words;

    private JvmCommandLine() {
    }

    public static List<String> words() {
        List<String> w = words;
        if (w == null) {
            w = read();
            words = w;
        }
        return w;
    }

    private static List<String> read() {
        List<String> out = new ArrayList<>();
        env(out, "JAVA_TOOL_OPTIONS");
        env(out, "JDK_JAVA_OPTIONS");
        try {
            if (!procCmdline(out)) {
                java.util.Optional<String[]> args = ProcessHandle.current().info().arguments();
                if (args.isPresent()) {
                    out.addAll(List.of(args.get()));
                }
            }
        } catch (RuntimeException e) {
            // no command line: the environment still counts
        }
        env(out, "_JAVA_OPTIONS");
        return List.copyOf(out);
    }

    private static boolean procCmdline(List<String> out) {
        java.io.File proc = new java.io.File("/proc/self/cmdline");
        if (!proc.canRead()) {
            return false;
        }
        List<String> found = new ArrayList<>();
        try (FileInputStream in = new FileInputStream(proc)) {
            byte[] all = in.readAllBytes();
            int start = 0;
            for (int i = 0; i <= all.length; i++) {
                if (i == all.length || all[i] == 0) {
                    if (i > start) {
                        found.add(new String(all, start, i - start, StandardCharsets.UTF_8));
                    }
                    start = i + 1;
                }
            }
        } catch (IOException e) {
            return false;
        }
        out.addAll(found);
        return !found.isEmpty();
    }

    private static void env(List<String> out, String name) {
        String v = System.getenv(name);
        if (v != null) {
            splitOnWhitespace(v, out);
        }
    }

    static void splitOnWhitespace(String s, List<String> out) {
        int start = -1;
        for (int i = 0; i <= s.length(); i++) {
            boolean space = i == s.length() || Character.isWhitespace(s.charAt(i));
            if (space && start >= 0) {
                out.add(s.substring(start, i));
                start = -1;
            } else if (!space && start < 0) {
                start = i;
            }
        }
    }
}
