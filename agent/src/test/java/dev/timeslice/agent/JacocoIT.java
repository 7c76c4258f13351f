package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jacoco.core.analysis.Analyzer;
import org.jacoco.core.analysis.CoverageBuilder;
import org.jacoco.core.analysis.IClassCoverage;
import org.jacoco.core.analysis.ICounter;
import org.jacoco.core.tools.ExecFileLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Timeslice beside the real JaCoCo agent (Maven Central's {@code org.jacoco.agent} runtime jar):
 * whichever {@code -javaagent} comes first, JaCoCo records the same coverage as without
 * Timeslice. JaCoCo identifies a class by a checksum of the bytes it instruments; Timeslice's
 * transformer is retransformation-capable, so the JVM runs it after JaCoCo's in both orders and
 * JaCoCo always sees the class file as compiled.
 */
class JacocoIT {
    private static final String APP = "itapp.Cov";

    private static Path jacocoAgent() {
        Path jar = Path.of(System.getProperty("jacoco.agent.jar", "jacoco.agent.jar not set"));
        assertTrue(Files.isRegularFile(jar), "the JaCoCo agent jar (system property jacoco.agent.jar): " + jar);
        return jar;
    }

    /** Runs the fixture with the given agents in this order; returns the coverage of {@code itapp.Cov}. */
    private static String coverage(Path dir, String name, boolean timesliceFirst, boolean timeslice) throws Exception {
        Path exec = dir.resolve(name + ".exec");
        String jacoco = "-javaagent:" + jacocoAgent() + "=destfile=" + exec + ",includes=itapp.Cov*";
        String ours = "-javaagent:" + Jvm.agentJar() + "=summary=false";
        List<String> args = new ArrayList<>();
        if (timeslice && timesliceFirst) {
            args.add(ours);
        }
        args.add(jacoco);
        if (timeslice && !timesliceFirst) {
            args.add(ours);
        }
        args.addAll(List.of("-cp", Jvm.classpath(itapp.Cov.class), APP));
        Jvm.Result r = Jvm.run(args);
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("sum=" + expectedSum() + " not positive"), r.outLines(), r.toString());
        assertEquals(List.of(), r.errLines(), r.toString());
        return describe(analyze(exec));
    }

    private static long expectedSum() {
        long s = 0;
        for (int k = 0; k < 1000; k++) {
            for (int i = 0; i < k; i++) {
                s += i % 7 == 0 ? i : 1;
            }
        }
        return s;
    }

    private static IClassCoverage analyze(Path exec) throws IOException {
        ExecFileLoader loader = new ExecFileLoader();
        loader.load(exec.toFile());
        CoverageBuilder builder = new CoverageBuilder();
        Analyzer analyzer = new Analyzer(loader.getExecutionDataStore(), builder);
        try (InputStream in = itapp.Cov.class.getResourceAsStream("Cov.class")) {
            analyzer.analyzeClass(in, "itapp/Cov");
        }
        assertEquals(List.of(), List.copyOf(builder.getNoMatchClasses()), "execution data matches the class file");
        return builder.getClasses().iterator().next();
    }

    private static String describe(IClassCoverage c) {
        return "instructions " + counter(c.getInstructionCounter()) + ", branches " + counter(c.getBranchCounter())
                + ", lines " + counter(c.getLineCounter()) + ", methods " + counter(c.getMethodCounter());
    }

    private static String counter(ICounter k) {
        return k.getCoveredCount() + "/" + k.getTotalCount();
    }

    @Test
    void coverageIsTheSameInBothOrdersAsWithJacocoAlone(@TempDir Path dir) throws Exception {
        String alone = coverage(dir, "alone", false, false);
        String timesliceFirst = coverage(dir, "timeslice-first", true, true);
        String jacocoFirst = coverage(dir, "jacoco-first", false, true);
        assertTrue(!alone.startsWith("instructions 0/"), alone);
        assertTrue(alone.contains("branches 7/8"), "every branch but the one never taken: " + alone);
        assertEquals(alone, timesliceFirst, "-javaagent:timeslice-agent.jar -javaagent:jacocoagent.jar");
        assertEquals(alone, jacocoFirst, "-javaagent:jacocoagent.jar -javaagent:timeslice-agent.jar");
    }
}
