package dev.timeslice.agent.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.timeslice.agent.Jvm;
import dev.timeslice.agent.rewrite.ClassRewriter;
import dev.timeslice.agent.rewrite.RewriteConfig;
import fixtures.attach.StarvedServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.commons.lang3.StringUtils;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.ClassNode;

/**
 * Retransformation may change method bodies only: the rewriter as late attach configures it (no
 * main prologue, thread creation routed) must keep every class's shape — its header, fields,
 * methods (access, name, descriptor, in order) and the attributes the JVM compares on
 * redefinition (nest host and members, permitted subclasses, record components). Checked on the
 * test programs (loops, thread creation, main methods) and on two real libraries.
 */
class RetransformShapeTest {
    private final ClassRewriter attachRewriter = new ClassRewriter(RewriteConfig.defaults(), false, true);

    /** Everything the JVM's redefinition checks look at, as one comparable string per class. */
    static String shape(byte[] classFile) {
        ClassNode c = new ClassNode(Opcodes.ASM9);
        new ClassReader(classFile).accept(c, ClassReader.SKIP_CODE);
        StringBuilder sb = new StringBuilder();
        sb.append(c.access & ~Opcodes.ACC_SUPER).append(' ').append(c.name).append(" extends ").append(c.superName)
                .append(" implements ").append(c.interfaces).append('\n');
        c.fields.forEach(f -> sb.append("field ").append(f.access).append(' ').append(f.name).append(' ').append(f.desc).append('\n'));
        c.methods.forEach(m -> sb.append("method ").append(m.access).append(' ').append(m.name).append(m.desc).append('\n'));
        sb.append("nestHost ").append(c.nestHostClass).append(" nestMembers ").append(c.nestMembers)
                .append(" permitted ").append(c.permittedSubclasses).append('\n');
        if (c.recordComponents != null) {
            c.recordComponents.forEach(r -> sb.append("record ").append(r.name).append(' ').append(r.descriptor).append('\n'));
        }
        return sb.toString();
    }

    private int checkAll(List<byte[]> classes) {
        int rewritten = 0;
        for (byte[] original : classes) {
            ClassRewriter.Result r = attachRewriter.rewrite(original);
            if (r.status() == ClassRewriter.Result.Status.REWRITTEN) {
                rewritten++;
                assertEquals(shape(original), shape(r.bytes()), r.className());
            }
        }
        return rewritten;
    }

    @Test
    void theTestProgramsKeepTheirShape() throws IOException {
        Path root = Jvm.location(StarvedServer.class);
        List<byte[]> classes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root.resolve("fixtures"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                classes.add(Files.readAllBytes(p));
            }
        }
        try (Stream<Path> files = Files.walk(root.resolve("itapp"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                classes.add(Files.readAllBytes(p));
            }
        }
        int rewritten = checkAll(classes);
        assertTrue(rewritten > 20, "rewritten: " + rewritten + " of " + classes.size());
    }

    @Test
    void realLibrariesKeepTheirShape() throws IOException {
        for (Class<?> inJar : List.of(StringUtils.class, ObjectMapper.class)) {
            List<byte[]> classes = new ArrayList<>();
            try (JarFile jar = new JarFile(Jvm.location(inJar).toFile())) {
                for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                    JarEntry entry = e.nextElement();
                    if (entry.getName().endsWith(".class") && !entry.getName().contains("module-info")
                            && !entry.getName().startsWith("META-INF/")) {
                        try (InputStream in = jar.getInputStream(entry)) {
                            classes.add(in.readAllBytes());
                        }
                    }
                }
            }
            int rewritten = checkAll(classes);
            assertTrue(rewritten > classes.size() / 2, inJar + ": rewritten " + rewritten + " of " + classes.size());
        }
    }
}
