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
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(args);
        return exec(cmd);
    }

    /** Runs {@code cmd} as it is (another java, a shell) and collects exit code, stdout and stderr. */
    public static Result exec(List<String> cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("timeslice-it", ".out");
        Path err = Files.createTempFile("timeslice-it", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
