package dev.timeslice.agent.rewrite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;

/**
 * {@link MethodGraph}'s edges against the definition, written the plain way (boxed lists): per
 * node, fall-through, then jump and switch targets, then a handler edge for each protected range
 * covering a real instruction, each edge once and in that order; predecessors in increasing
 * source order. Over every method of java.base's packages java.util and java.lang (switches,
 * nested handlers, handlers that are also jump targets).
 */
class MethodGraphTest {
    private static List<Integer> reference(MethodNode m, AbstractInsnNode[] nodes, int i) {
        List<Integer> s = new ArrayList<>();
        AbstractInsnNode node = nodes[i];
        if (MethodGraph.fallsThrough(node) && i + 1 < nodes.length) {
            s.add(i + 1);
        }
        for (LabelNode l : MethodGraph.jumpTargets(node)) {
            int t = m.instructions.indexOf(l);
            if (!s.contains(t)) {
                s.add(t);
            }
        }
        if (m.tryCatchBlocks != null && node.getOpcode() >= 0) {
            for (TryCatchBlockNode tcb : m.tryCatchBlocks) {
                int h = m.instructions.indexOf(tcb.handler);
                if (i >= m.instructions.indexOf(tcb.start) && i < m.instructions.indexOf(tcb.end) && !s.contains(h)) {
                    s.add(h);
                }
            }
        }
        return s;
    }

    @Test
    void edgesAreTheDefinitionsOverJavaBase() throws IOException {
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        int methods = 0;
        try (Stream<Path> files = Files.walk(jrt.getPath("/modules/java.base/java"))) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                ClassNode cn = new ClassNode();
                new ClassReader(Files.readAllBytes(p)).accept(cn, 0);
                for (MethodNode m : cn.methods) {
                    if (m.instructions.size() == 0) {
                        continue;
                    }
                    methods++;
                    MethodGraph g = new MethodGraph(m, true);
                    int n = g.size();
                    List<List<Integer>> preds = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        preds.add(new ArrayList<>());
                    }
                    for (int i = 0; i < n; i++) {
                        List<Integer> expected = reference(m, g.nodes, i);
                        assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), g.successors(i),
                                () -> cn.name + "." + m.name + m.desc);
                        for (int t : expected) {
                            preds.get(t).add(i);
                        }
                    }
                    for (int i = 0; i < n; i++) {
                        assertArrayEquals(preds.get(i).stream().mapToInt(Integer::intValue).toArray(), g.predecessors(i),
                                () -> cn.name + "." + m.name + m.desc);
                    }
                }
            }
        }
        assertTrue(methods > 10_000, "methods checked: " + methods);
    }
}
