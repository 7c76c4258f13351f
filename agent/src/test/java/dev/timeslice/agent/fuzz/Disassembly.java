package dev.timeslice.agent.fuzz;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.TraceClassVisitor;

/** Text of a class file, for failure reports. */
final class Disassembly {
    private Disassembly() {
    }

    static String of(byte[] bytes) {
        StringWriter sw = new StringWriter();
        new ClassReader(bytes).accept(new TraceClassVisitor(new PrintWriter(sw)), 0);
        return sw.toString();
    }
}
