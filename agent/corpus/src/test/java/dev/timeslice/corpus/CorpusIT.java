package dev.timeslice.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The real-world corpus check: {@code java -jar timeslice-agent.jar verify} over every jar this
 * module declares (copied to {@code target/corpus/check} by the build), with all their transitive
 * dependencies ({@code target/corpus/lib}) as the link class path. Every class is rewritten as the
 * agent would and verified by HotSpot in a throwaway loader. Passes only when no rewritten class
 * fails verification and the rewriter handled every class; classes it deliberately leaves alone
 * (module descriptors, size limits, classes whose original does not link here) are reported.
 *
 * <p>Writes the per-jar table to {@code target/corpus/report.md} (the table in BENCHMARKS.md) and
 * the full {@code verify} output to {@code target/corpus/verify.txt}.
 */
class CorpusIT {
    private static final Pattern COUNTS = Pattern.compile("(\\S+): (\\d+) classes: (\\d+) rewritten, (\\d+) unchanged, "
            + "(\\d+) skipped, (\\d+) left alone after an error, (\\d+) failed verification");

    /** Libraries the corpus must cover (jar file names start with these, then the version). */
    private static final List<String> REQUIRED = List.of("spring-core", "spring-beans", "spring-context", "spring-web",
            "spring-boot", "spring-boot-autoconfigure", "jackson-core", "jackson-databind", "netty-common",
            "netty-transport", "tomcat-embed-core", "jetty-server", "helidon-webserver", "hibernate-core", "kotlin-stdlib",
            "kotlinx-coroutines-core-jvm", "scala-library", "groovy", "guava", "caffeine", "lucene-core", "h2",
            "protobuf-java", "grpc-core", "okhttp-jvm", "eclipse-collections", "commons-lang3", "commons-collections4",
            "commons-io", "commons-codec", "commons-compress", "commons-math3", "commons-text", "log4j-core",
            "logback-classic");

    private static List<Path> jars(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
    }

    /** The 1-minute load average, or "unknown": the wall time means little on a loaded machine. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    @Test
    void everyClassOfTheCorpusVerifiesAfterRewriting() throws Exception {
        Path agent = Path.of(System.getProperty("timeslice.agent.jar"));
        Path corpus = Path.of(System.getProperty("timeslice.corpus.dir"));
        String loopPoll = System.getProperty("timeslice.corpus.loopPoll", "8192");
        List<Path> check = jars(corpus.resolve("check"));
        Set<String> checked = check.stream().map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        List<String> lib = jars(corpus.resolve("lib")).stream()
                .filter(p -> !checked.contains(p.getFileName().toString())).map(Path::toString).toList();
        assertTrue(Files.isRegularFile(agent), "agent jar: " + agent);
        for (String name : REQUIRED) {
            assertTrue(checked.stream().anyMatch(j -> j.matches(Pattern.quote(name) + "-\\d.*\\.jar")),
                    "the corpus has " + name + ": " + new TreeSet<>(checked));
        }

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx4g", "-jar", agent.toString(), "verify", "--loopPoll", loopPoll,
                "--classpath", String.join(File.pathSeparator, lib)));
        check.forEach(p -> cmd.add(p.toString()));
        Path out = corpus.resolve("verify.txt");
        String load = loadAverage();
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(corpus.resolve("verify.err").toFile())
                .start();
        int exit = p.waitFor();
        double seconds = (System.nanoTime() - start) / 1e9;
        List<String> lines = Files.readAllLines(out);

        List<String[]> rows = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int jarsSeen = 0;
        String total = null;
        for (String line : lines) {
            Matcher m = COUNTS.matcher(line);
            if (m.matches()) {
                int classes = Integer.parseInt(m.group(2));
                int sum = 0;
                for (int g = 3; g <= 7; g++) {
                    sum += Integer.parseInt(m.group(g));
                }
                assertEquals(classes, sum, "counts add up: " + line);
                String[] row = new String[8];
                row[0] = m.group(1).equals("total") ? "**total (" + jarsSeen + " jars)**" : m.group(1);
                for (int g = 2; g <= 7; g++) {
                    row[g - 1] = m.group(g);
                }
                row[7] = "0";
                rows.add(row);
                if (m.group(1).equals("total")) {
                    total = line;
                } else {
                    jarsSeen++;
                    assertTrue(classes > 0, "a jar with classes: " + line);
                }
            } else if (line.startsWith("  FAILED ") || line.startsWith("  LEFT ALONE AFTER AN ERROR ")) {
                problems.add(line.trim());
                if (line.startsWith("  FAILED SELF-CHECK ") && !rows.isEmpty()) {
                    String[] row = rows.get(rows.size() - 1);
                    row[7] = String.valueOf(Integer.parseInt(row[7]) + 1);
                }
            }
        }
        if (!rows.isEmpty()) {
            rows.get(rows.size() - 1)[7] = String.valueOf(rows.stream().limit(rows.size() - 1)
                    .mapToInt(r -> Integer.parseInt(r[7])).sum());
        }
        StringBuilder table = new StringBuilder()
                .append("| jar | classes | rewritten | unchanged | skipped | left alone after an error | failed verification "
                        + "| self-check rejections |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String[] row : rows) {
            table.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        String report = "`verify --loopPoll " + loopPoll + "` over " + jarsSeen + " jars (" + lib.size()
                + " more on the link class path): " + String.format("%.1f", seconds) + " s wall (load average " + load
                + " at the start, " + Runtime.getRuntime().availableProcessors() + " CPUs), exit " + exit + "\n\n"
                + table;
        Files.writeString(corpus.resolve("report.md"), report);
        System.out.println(report);
        problems.stream().limit(200).forEach(System.out::println);

        assertEquals(check.size(), jarsSeen, "one counts line per jar; output in " + out);
        assertTrue(jarsSeen >= 40, "at least 40 jars: " + jarsSeen);
        assertTrue(total != null, "a total line; output in " + out);
        if (exit != 0 || !problems.isEmpty()) {
            fail(problems.size() + " classes failed (exit " + exit + "; " + total + "; full output in " + out + "):\n"
                    + problems.stream().limit(60).collect(Collectors.joining("\n")));
        }
    }
}
