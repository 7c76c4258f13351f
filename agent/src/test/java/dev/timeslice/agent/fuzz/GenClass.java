package dev.timeslice.agent.fuzz;

import java.util.ArrayList;
import java.util.List;

/**
 * A generated class: fixed members (fields, helpers) and the generated methods, each
 * {@code static long mK(int a, int b, long c, int[] arr)} (some {@code synchronized}). Method k
 * calls only methods with a larger index, so there is no recursion. Every method is a pure
 * function of its arguments apart from the call budget {@code calls}, which the harness resets
 * before each top-level call.
 */
final class GenClass {
    final String name;
    final List<Method> methods;

    static final class Method {
        final String name;
        final String header;
        final List<Node> body;

        Method(String name, String header, List<Node> body) {
            this.name = name;
            this.header = header;
            this.body = body;
        }

        Method copy() {
            return new Method(name, header, Node.copyAll(body));
        }
    }

    GenClass(String name, List<Method> methods) {
        this.name = name;
        this.methods = methods;
    }

    GenClass copy() {
        List<Method> ms = new ArrayList<>();
        for (Method m : methods) {
            ms.add(m.copy());
        }
        return new GenClass(name, ms);
    }

    int size() {
        int n = 0;
        for (Method m : methods) {
            n++;
            for (Node s : m.body) {
                n += s.size();
            }
        }
        return n;
    }

    List<String> entryPoints() {
        List<String> out = new ArrayList<>();
        for (Method m : methods) {
            out.add(m.name);
        }
        return out;
    }

    String source() {
        StringBuilder sb = new StringBuilder();
        sb.append("public class ").append(name).append(" {\n");
        sb.append("    static final Object LOCK = new Object();\n");
        sb.append("    static int calls;\n");
        sb.append("    static long sink;\n");
        sb.append("    static final int[] DATA = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3};\n\n");
        for (Method m : methods) {
            sb.append("    ").append(m.header).append(" {\n");
            sb.append("        if (++calls > ").append(CALL_BUDGET).append(") throw new IllegalStateException(\"call budget\");\n");
            Node.renderAll(sb, 2, m.body);
            sb.append("    }\n\n");
        }
        sb.append("}\n");
        return sb.toString();
    }

    /** Calls one top-level invocation may make before the method throws (bounds the work). */
    static final int CALL_BUDGET = 400;
}
