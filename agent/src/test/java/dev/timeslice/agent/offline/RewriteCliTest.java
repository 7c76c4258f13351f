package dev.timeslice.agent.offline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timeslice.agent.TestClasses;
import dev.timeslice.agent.rewrite.RewrittenMarker;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewriteCliTest {
    @TempDir
    Path tmp;

    private static void put(JarOutputStream jos, String name, byte[] bytes) throws Exception {
        jos.putNextEntry(new JarEntry(name));
        jos.write(bytes);
        jos.closeEntry();
    }

    @Test
    void writesARewrittenCopyWithoutSignaturesAndTheSameResources() throws Exception {
        Path jar = tmp.resolve("app.jar");
        byte[] loops = TestClasses.bytes(fixtures.Loops.class);
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream jos = new JarOutputStream(os)) {
            put(jos, "fixtures/Loops.class", loops);
            put(jos, "META-INF/APP.SF", "sig".getBytes(StandardCharsets.UTF_8));
            put(jos, "data/config.txt", "x=1".getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = RewriteCli.run(new String[] {"--out", tmp.resolve("out").toString(), jar.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, status);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("1 classes: 1 rewritten"), out.toString(StandardCharsets.UTF_8));
        try (JarFile copy = new JarFile(tmp.resolve("out/app.jar").toFile())) {
            assertNotNull(copy.getEntry("data/config.txt"));
            assertEquals(null, copy.getEntry("META-INF/APP.SF"));
            byte[] rewritten = copy.getInputStream(copy.getEntry("fixtures/Loops.class")).readAllBytes();
            assertFalse(java.util.Arrays.equals(loops, rewritten));
            assertTrue(new String(rewritten, StandardCharsets.ISO_8859_1).contains(RewrittenMarker.TYPE));
            assertArrayEquals("x=1".getBytes(StandardCharsets.UTF_8),
                    copy.getInputStream(copy.getEntry("data/config.txt")).readAllBytes());
        }
    }

    @Test
    void usageErrorsSayWhatIsWrongAndExitWith2() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, RewriteCli.run(new String[] {tmp.resolve("missing.jar").toString()}, System.out, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--out <dir> is required"));
        assertEquals(2, RewriteCli.run(new String[] {"--out", tmp.toString(), tmp.resolve("missing.jar").toString()}, System.out, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("not a file"));
    }
}
