package dev.timeslice.runtime;

import java.io.File;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Adds HotSpot compiler directives at run time (what {@code jcmd <pid> Compiler.directives_add
 * <file>} does), for the agent's own code.
 *
 * <p>Why: the rewriter runs on every class load, so its methods get hot in the first seconds of
 * a program, and C2 then compiles large, branchy methods of ASM and of the rewriter — seconds of
 * compiler CPU while the program starts (JFR {@code jdk.Compilation}: {@code ClassReader.readCode},
 * {@code ReturnPolls.plan}, {@code MethodGraph.<init>} at 0.3–1.8 s each in a program loading
 * ~600 classes), work that pays back only after many thousands of classes. Matching classes are
 * left to C1 ({@code c2: { Exclude: true }}): HotSpot then compiles them at tier 1 once their
 * profile would have sent them to C2.
 *
 * <p>The directive file is written to the temporary directory and deleted right after it is
 * read. Directives added by the user (the command line or {@code jcmd}) are not affected; only
 * methods matching the given patterns are. Never throws: false when the JVM or the runtime
 * image cannot do it (no {@code jdk.management}, not HotSpot, directives disabled).
 */
public final class CompilerDirectives {
    private CompilerDirectives() {
    }

    /**
     * Adds one directive that keeps C2 off the classes matching {@code patterns} (HotSpot method
     * patterns, e.g. {@code "dev/timeslice/agent/*.*"}). Returns whether the JVM accepted it.
     */
    public static boolean c1Only(String... patterns) {
        StringBuilder json = new StringBuilder("[{ match: [");
        for (int i = 0; i < patterns.length; i++) {
            json.append(i == 0 ? "" : ", ").append('"').append(patterns[i]).append('"');
        }
        json.append("], c2: { Exclude: true } }]");
        File file = null;
        try {
            file = File.createTempFile("timeslice-directives", ".json");
            try (FileOutputStream out = new FileOutputStream(file)) {
                out.write(json.toString().getBytes(StandardCharsets.US_ASCII));
            }
            String result = JdkAccess.diagnosticCommand("Compiler.directives_add " + file.getAbsolutePath());
            return result != null && result.contains("1 compiler directives added");
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            return false;
        } finally {
            if (file != null) {
                file.delete();
            }
        }
    }
}
