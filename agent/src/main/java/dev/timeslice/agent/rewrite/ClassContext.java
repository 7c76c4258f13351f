package dev.timeslice.agent.rewrite;

import java.util.HashMap;
import java.util.Map;
import org.objectweb.asm.Opcodes;

/**
 * What method rewriting needs to know about the enclosing class: its name, class-file version and
 * the access flags of its own fields (to prove a loop bound field is neither volatile nor written),
 * and which of its methods call each other in a cycle ({@link ClassScan.Scan#cyclic}). Filled
 * while the class header and fields stream past, before any method is rewritten.
 */
final class ClassContext {
    private String name = "";
    private int version;
    private final Map<String, Integer> fieldAccess = new HashMap<>();
    private final ClassScan.Scan scan;

    ClassContext(ClassScan.Scan scan) {
        this.scan = scan;
    }

    void setHeader(String name, int version) {
        this.name = name;
        this.version = version;
    }

    void addField(String fieldName, String desc, int access) {
        fieldAccess.put(fieldName + ':' + desc, access);
    }

    String name() {
        return name;
    }

    /** The major version (the low 16 bits of ASM's version word). */
    int majorVersion() {
        return version & 0xFFFF;
    }

    /** Whether the method ({@code name + descriptor}) is on a cycle of calls within this class. */
    boolean inCallCycle(String nameAndDescriptor) {
        return scan.cyclic().contains(nameAndDescriptor);
    }

    boolean isNonVolatileField(String fieldName, String desc) {
        Integer access = fieldAccess.get(fieldName + ':' + desc);
        return access != null && (access & Opcodes.ACC_VOLATILE) == 0;
    }
}
