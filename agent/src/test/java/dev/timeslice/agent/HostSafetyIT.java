package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fixtures.agents.LoopingAgent;
import fixtures.programs.ShapesMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The agent never breaks the program it is attached to (issue 12), end to end: the shapes real
 * applications broke on run with the same output and without a JIT bailout the original does not
 * have; main runs as G 1 whatever its class file version; another agent's classes are left alone.
 */
class HostSafetyIT {
    @Test
    void realWorldShapesRunTheSameAndCompileAsWellAsWithoutTheAgent() throws Exception {
        // the compiler threads' lines to stderr: on stdout they interleave with the program's
        // (a clean-clone CI run once read "...AnnotationImpl::elementsshapes -8761...")
        List<String> common = List.of("-XX:+PrintCompilation", "-XX:+DisplayVMOutputToStderr", "-cp", Jvm.classpath(ShapesMain.class),
                "fixtures.programs.ShapesMain", "400");
        Jvm.Result plain = Jvm.run(common);
        List<String> withAgent = new ArrayList<>();
        withAgent.add("-javaagent:" + Jvm.agentJar());
        withAgent.addAll(common);
        Jvm.Result agent = Jvm.run(withAgent);
        assertEquals(0, plain.exit(), plain.toString());
        assertEquals(0, agent.exit(), agent.toString());
        String expected = result(plain).replace("a platform thread", "a G");
        assertEquals(expected, result(agent), "same result, and main ran as a G");
        List<String> skippedPlain = skipped(plain);
        for (String line : skipped(agent)) {
            String method = line.replaceAll(".*(fixtures\\.\\S+::\\S+).*", "$1");
            assertTrue(skippedPlain.stream().anyMatch(l -> l.contains(method)),
                    "the JIT refused a rewritten method it compiles without the agent: " + line);
        }
    }

    private static String result(Jvm.Result r) {
        return r.outLines().stream().filter(l -> l.startsWith("shapes ")).findFirst().orElse("no result: " + r);
    }

    private static List<String> skipped(Jvm.Result r) {
        return r.errLines().stream()
                .filter(l -> l.contains("fixtures.") && (l.contains("COMPILE SKIPPED") || l.contains("bailout")))
                .toList();
    }

    @Test
    void mainRunsAsG1WhateverItsClassFileVersion(@TempDir Path dir) throws Exception {
        for (int version : new int[] {Opcodes.V1_1, Opcodes.V1_4, Opcodes.V1_5, Opcodes.V1_6, Opcodes.V1_7, Opcodes.V1_8}) {
            Path jar = dir.resolve("old" + (version & 0xFFFF) + ".jar");
            writeJar(jar, null, "OldMain", oldMain(version));
            Jvm.Result r = Jvm.run(List.of("-javaagent:" + Jvm.agentJar() + "=summary=false", "-cp", jar.toString(), "OldMain"));
            assertEquals(0, r.exit(), r.toString());
            assertEquals(List.of("virtual=true name=main"), r.outLines(), "class file version " + (version & 0xFFFF) + ": " + r);
        }
    }

    @Test
    void anotherAgentsClassesAreNeverRewritten(@TempDir Path dir) throws Exception {
        Path other = dir.resolve("other-agent.jar");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Premain-Class", LoopingAgent.class.getName());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(other), mf)) {
            for (Class<?> c : new Class<?>[] {LoopingAgent.class, LoopingAgent.Transformer.class}) {
                String entry = c.getName().replace('.', '/') + ".class";
                out.putNextEntry(new JarEntry(entry));
                out.write(TestClasses.bytes(c));
                out.closeEntry();
            }
        }
        Path app = dir.resolve("app.jar");
        writeJar(app, null, "OldMain", oldMain(Opcodes.V17));
        for (boolean timesliceFirst : new boolean[] {true, false}) {
            List<String> args = new ArrayList<>();
            String ts = "-javaagent:" + Jvm.agentJar() + "=log=debug,summary=false";
            String ot = "-javaagent:" + other;
            args.add(timesliceFirst ? ts : ot);
            args.add(timesliceFirst ? ot : ts);
            args.addAll(List.of("-cp", app.toString(), "OldMain"));
            Jvm.Result r = Jvm.run(args);
            assertEquals(0, r.exit(), r.toString());
            assertEquals(List.of("virtual=true name=main"), r.outLines(), r.toString());
            if (timesliceFirst) {
                // listed second, the other agent's classes load while Timeslice's transformer is installed
                assertTrue(r.err().contains("fixtures.agents.LoopingAgent: not rewritten: loaded from another Java agent's jar"),
                        r.err());
            }
            assertTrue(!r.err().contains("fixtures.agents.LoopingAgent: rewritten")
                    && !r.err().contains("fixtures.agents.LoopingAgent$Transformer: rewritten"), r.err());
        }
    }

    /** {@code public static void main(String[])} printing whether it runs on a virtual thread, and its name. */
    private static byte[] oldMain(int version) {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        cw.visit(version, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, "OldMain", null, "java/lang/Object", null);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "main", "([Ljava/lang/String;)V", null, null);
        mv.visitCode();
        mv.visitFieldInsn(Opcodes.GETSTATIC, "java/lang/System", "out", "Ljava/io/PrintStream;");
        mv.visitTypeInsn(Opcodes.NEW, "java/lang/StringBuilder");
        mv.visitInsn(Opcodes.DUP);
        mv.visitLdcInsn("virtual=");
        mv.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/StringBuilder", "<init>", "(Ljava/lang/String;)V", false);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Thread", "currentThread", "()Ljava/lang/Thread;", false);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/Thread", "isVirtual", "()Z", false);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/StringBuilder", "append", "(Z)Ljava/lang/StringBuilder;", false);
        mv.visitLdcInsn(" name=");
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/StringBuilder", "append",
                "(Ljava/lang/String;)Ljava/lang/StringBuilder;", false);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Thread", "currentThread", "()Ljava/lang/Thread;", false);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/Thread", "getName", "()Ljava/lang/String;", false);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/StringBuilder", "append",
                "(Ljava/lang/String;)Ljava/lang/StringBuilder;", false);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/StringBuilder", "toString", "()Ljava/lang/String;", false);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/io/PrintStream", "println", "(Ljava/lang/String;)V", false);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    private static void writeJar(Path jar, String mainClass, String name, byte[] bytes) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
            out.putNextEntry(new JarEntry(name + ".class"));
            out.write(bytes);
            out.closeEntry();
        }
    }
}
