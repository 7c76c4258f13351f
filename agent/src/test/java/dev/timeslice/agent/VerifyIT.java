package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar timeslice-agent.jar verify} on real jars from Maven Central (test dependencies). */
class VerifyIT {
    private static final Pattern COUNTS = Pattern.compile(
            "(\\S+): (\\d+) classes: (\\d+) rewritten, (\\d+) unchanged, (\\d+) skipped, (\\d+) left alone after an error, "
            + "(\\d+) failed verification");

    private static Path jarOf(String className) throws ClassNotFoundException {
        return Jvm.location(Class.forName(className));
    }

    @Test
    void guavaJacksonAndCommonsLangVerify() throws Exception {
        List<Path> jars = List.of(jarOf("com.google.common.collect.ImmutableList"),
                jarOf("com.fasterxml.jackson.databind.ObjectMapper"), jarOf("org.apache.commons.lang3.StringUtils"));
        List<String> deps = new ArrayList<>();
        for (String c : new String[] {"com.fasterxml.jackson.core.JsonParser", "com.fasterxml.jackson.annotation.JsonProperty",
            "com.google.common.util.concurrent.internal.InternalFutureFailureAccess"}) {
            deps.add(jarOf(c).toString());
        }
        List<String> args = new ArrayList<>(List.of("-jar", Jvm.agentJar().toString(), "verify",
                "--classpath", String.join(File.pathSeparator, deps)));
        jars.forEach(j -> args.add(j.toString()));
        Jvm.Result r = Jvm.run(args);
        assertEquals(0, r.exit(), r.toString());
        int jarsSeen = 0;
        for (String line : r.outLines()) {
            Matcher m = COUNTS.matcher(line);
            if (m.matches() && !m.group(1).equals("total")) {
                jarsSeen++;
                assertTrue(Integer.parseInt(m.group(3)) > 200, "rewrote hundreds of classes: " + line);
                assertEquals("0", m.group(6), line);
                assertEquals("0", m.group(7), line);
                assertEquals(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)) + Integer.parseInt(m.group(4))
                        + Integer.parseInt(m.group(5)) + Integer.parseInt(m.group(6)) + Integer.parseInt(m.group(7)), line);
            }
        }
        assertEquals(3, jarsSeen, r.toString());
        assertTrue(r.outLines().get(r.outLines().size() - 1).matches("total: \\d+ classes: \\d+ rewritten, \\d+ unchanged, \\d+ skipped, "
                + "0 left alone after an error, 0 failed verification"),
                r.toString());
        assertTrue(r.out().contains("versioned loops"), r.toString());
    }

    @Test
    void aClassItCannotHandleFailsTheRun(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("broken.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("com/acme/Broken.class"));
            out.write(new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 61, 0, 7});
            out.closeEntry();
            out.putNextEntry(new JarEntry("itapp/Work.class"));
            out.write(TestClasses.bytes(itapp.Work.class));
            out.closeEntry();
        }
        Jvm.Result r = Jvm.run(List.of("-jar", Jvm.agentJar().toString(), "verify", jar.toString()));
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.out().contains("broken.jar: 2 classes: 1 rewritten, 0 unchanged, 0 skipped, 1 left alone after an error, "
                + "0 failed verification"), r.toString());
        assertTrue(r.out().contains("LEFT ALONE AFTER AN ERROR com.acme.Broken"), r.toString());
    }

    @Test
    void usageErrorsExitWithTwo() throws Exception {
        Jvm.Result none = Jvm.run(List.of("-jar", Jvm.agentJar().toString()));
        assertEquals(2, none.exit(), none.toString());
        assertTrue(none.err().startsWith("usage: java -jar timeslice-agent.jar verify"), none.toString());
        Jvm.Result missing = Jvm.run(List.of("-jar", Jvm.agentJar().toString(), "verify", "/no/such.jar"));
        assertEquals(2, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("not a file: /no/such.jar"), missing.toString());
    }
}
