package dev.timeslice.agent.fuzz;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renames classes inside a class file by editing the UTF-8 entries of its constant pool: every
 * occurrence of an internal name from {@code renames} as a whole class name or in a descriptor or
 * signature ({@code a/B}, {@code La/B;}, {@code a/B$Inner}). Lets the JIT check load an original
 * and a rewritten copy of a class side by side in one JVM under different names.
 */
final class ClassRenamer {
    private ClassRenamer() {
    }

    static byte[] rename(byte[] classFile, Map<String, String> renames) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
            ByteArrayOutputStream bout = new ByteArrayOutputStream(classFile.length + 256);
            DataOutputStream out = new DataOutputStream(bout);
            out.writeInt(in.readInt());
            out.writeShort(in.readUnsignedShort());
            out.writeShort(in.readUnsignedShort());
            int count = in.readUnsignedShort();
            out.writeShort(count);
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                out.writeByte(tag);
                switch (tag) {
                    case 1 -> out.writeUTF(renameIn(in.readUTF(), renames));
                    case 3, 4 -> out.writeInt(in.readInt());
                    case 5, 6 -> {
                        out.writeLong(in.readLong());
                        i++;
                    }
                    case 7, 8, 16, 19, 20 -> out.writeShort(in.readUnsignedShort());
                    case 9, 10, 11, 12, 17, 18 -> out.writeInt(in.readInt());
                    case 15 -> {
                        out.writeByte(in.readUnsignedByte());
                        out.writeShort(in.readUnsignedShort());
                    }
                    default -> throw new IllegalArgumentException("constant pool tag " + tag);
                }
            }
            in.transferTo(out);
            out.flush();
            return bout.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String renameIn(String s, Map<String, String> renames) {
        for (var e : renames.entrySet()) {
            if (s.contains(e.getKey())) {
                Pattern p = Pattern.compile("(^|(?<=L))" + Pattern.quote(e.getKey()) + "(?=$|[;$<])");
                s = p.matcher(s).replaceAll(Matcher.quoteReplacement(e.getValue()));
            }
        }
        return s;
    }
}
