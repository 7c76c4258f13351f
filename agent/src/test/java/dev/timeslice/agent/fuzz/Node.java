package dev.timeslice.agent.fuzz;

import java.util.ArrayList;
import java.util.List;

/**
 * One statement of a generated method: a leaf (a line of Java) or a compound statement made of
 * parts (a header line and a body each: {@code for (...) {}, {@code } catch (E e) {}, ...) and a
 * closing line. The reducer deletes nodes and replaces compound nodes by one part's body; a
 * candidate that no longer compiles is simply rejected, so nodes need not track scopes.
 */
final class Node {
    final String text;
    final List<Part> parts;
    final String end;

    record Part(String head, List<Node> body) {
    }

    private Node(String text, List<Part> parts, String end) {
        this.text = text;
        this.parts = parts;
        this.end = end;
    }

    static Node leaf(String text) {
        return new Node(text, null, null);
    }

    static Node compound(String end, Part... parts) {
        return new Node(null, new ArrayList<>(List.of(parts)), end);
    }

    static Part part(String head, List<Node> body) {
        return new Part(head, body);
    }

    boolean isLeaf() {
        return parts == null;
    }

    Node copy() {
        if (isLeaf()) {
            return this;
        }
        List<Part> ps = new ArrayList<>();
        for (Part p : parts) {
            ps.add(new Part(p.head, copyAll(p.body)));
        }
        return new Node(null, ps, end);
    }

    static List<Node> copyAll(List<Node> nodes) {
        List<Node> out = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            out.add(n.copy());
        }
        return out;
    }

    int size() {
        if (isLeaf()) {
            return 1;
        }
        int n = 1;
        for (Part p : parts) {
            for (Node c : p.body) {
                n += c.size();
            }
        }
        return n;
    }

    void render(StringBuilder sb, int indent) {
        if (isLeaf()) {
            line(sb, indent, text);
            return;
        }
        for (Part p : parts) {
            line(sb, indent, p.head);
            renderAll(sb, indent + 1, p.body);
        }
        line(sb, indent, end);
    }

    static void renderAll(StringBuilder sb, int indent, List<Node> nodes) {
        for (Node n : nodes) {
            n.render(sb, indent);
        }
    }

    private static void line(StringBuilder sb, int indent, String text) {
        for (String l : text.split("\n", -1)) {
            sb.append("    ".repeat(indent)).append(l).append('\n');
        }
    }
}
