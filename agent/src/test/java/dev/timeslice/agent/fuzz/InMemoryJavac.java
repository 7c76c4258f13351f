package dev.timeslice.agent.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/** Compiles one source file in memory with the JDK's javac ({@code --release 21}); not thread-safe. */
final class InMemoryJavac {
    private final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    private final StandardJavaFileManager std;

    InMemoryJavac() {
        if (javac == null) {
            throw new IllegalStateException("no system Java compiler (run on a JDK, not a JRE)");
        }
        std = javac.getStandardFileManager(null, null, null);
    }

    /** Class name (dotted) to class-file bytes, or a {@link CompileError}. */
    Map<String, byte[]> compile(String className, String source) {
        return compileAll(Map.of(className, source));
    }

    /** Several top-level classes in one javac task (much cheaper than one task each). */
    Map<String, byte[]> compileAll(Map<String, String> sources) {
        Map<String, ByteArrayOutputStream> out = new HashMap<>();
        JavaFileManager fm = new ForwardingJavaFileManager<>(std) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String name, JavaFileObject.Kind kind, FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + name.replace('.', '/') + kind.extension), kind) {
                    @Override
                    public OutputStream openOutputStream() {
                        ByteArrayOutputStream b = new ByteArrayOutputStream();
                        out.put(name, b);
                        return b;
                    }
                };
            }
        };
        List<JavaFileObject> srcs = new java.util.ArrayList<>();
        sources.forEach((className, source) -> srcs.add(new SimpleJavaFileObject(
                URI.create("string:///" + className.replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        }));
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        StringWriter w = new StringWriter();
        boolean ok = javac.getTask(w, fm, diags, List.of("--release", "21", "-g", "-proc:none", "-Xlint:none"), null, srcs).call();
        if (!ok) {
            StringBuilder sb = new StringBuilder();
            diags.getDiagnostics().forEach(d -> sb.append(d.getLineNumber()).append(": ").append(d.getMessage(null)).append('\n'));
            throw new CompileError(sb.toString());
        }
        Map<String, byte[]> classes = new HashMap<>();
        out.forEach((n, b) -> classes.put(n, b.toByteArray()));
        return classes;
    }

    static final class CompileError extends RuntimeException {
        CompileError(String msg) {
            super(msg, null, false, false);
        }
    }
}
