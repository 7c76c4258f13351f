package dev.timeslice.agent;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts a child JVM (the same java as the tests) and collects exit code, stdout and stderr. */
public final class Jvm {
    private Jvm() {
    }

    public record Result(int exit, String out, String err) {
        public List<String> outLines() {
            return lines(out);
        }

        public List<String> errLines() {
            return lines(err);
        }

        private static List<String> lines(String s) {
            return s.lines().filter(l -> !l.isBlank()).toList();
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    public static Path agentJar() {
        String jar = System.getProperty("timeslice.agent.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("system property timeslice.agent.jar does not name the agent jar: " + jar);
        }
        return Path.of(jar);
    }

    /** Where the class was loaded from (a directory or a jar). */
    public static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String classpath(Class<?>... classes) {
        List<String> parts = new ArrayList<>();
        for (Class<?> c : classes) {
            parts.add(location(c).toString());
        }
        return String.join(File.pathSeparator, parts);
    }

    public static Result run(List<String> args) throws IOException, InterruptedException {
        return run(args, java.util.Map.of());
    }

    /** {@link #run(List)} with these environment variables set (over the defaults below). */
    public static Result run(List<String> args, java.util.Map<String, String> env) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(args);
        return exec(cmd, env);
    }

    /** Runs {@code cmd} as it is (another java, a shell) and collects exit code, stdout and stderr. */
    public static Result exec(List<String> cmd) throws IOException, InterruptedException {
        return exec(cmd, java.util.Map.of());
    }

    private static Result exec(List<String> cmd, java.util.Map<String, String> env) throws IOException, InterruptedException {
        Path out = Files.createTempFile("timeslice-it", ".out");
        Path err = Files.createTempFile("timeslice-it", ".err");
        // the rewrite cache is on by default: each child JVM gets an empty one of its own, so
        // that no test depends on what an earlier one left (and none writes to ~/.cache)
        Path cacheHome = Files.createTempDirectory("timeslice-it-cache");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().put("XDG_CACHE_HOME", cacheHome.toString());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            deleteTree(cacheHome);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
