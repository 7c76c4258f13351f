package dev.timeslice.agent;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One application's rewrite-cache entries in one file: the file format, read and written for
 * {@link ApplicationPack}, which decides when (see {@link RewriteCache}). A later start
 * of the same application reads its classes with one positioned read each from a file it opened
 * once, instead of a stat, open, read, close and stat per class (~100 µs a class in a profile of
 * a warm start, 45-55 ms for Jackson's 490 classes).
 *
 * <p>File {@code pack-<hash>.tsp}, big-endian: magic {@code TSP1}; the length and bytes of the
 * pack's fingerprint (the cache's fingerprint and the application's identity, see
 * {@link RewriteCache#application}); the entry count; per entry, sorted by {@link #key}: length, CRC32C
 * and CRC32 of the original (the same hash as a per-class entry's name), kind (1 rewritten, 0
 * needs no rewriting), payload length, payload CRC32C and the offset of the entry's data; the
 * CRC32C of everything before it; then each entry's data: original bytes, then payload.
 *
 * <p>Nothing in it is trusted: a pack whose header, fingerprint, index checksum, order or offsets
 * are wrong is not used at all; an entry is a hit only if its stored original equals the bytes
 * asked for and its payload matches its checksum, exactly as a per-class entry. Written whole to a
 * temporary file and renamed into place (atomic, as per-class entries); a reader keeps the file it
 * opened, so a pack replaced by another JVM meanwhile stays readable.
 *
 * <p>Thread-safe: lookups share one file position, so {@link #lookup} reads under this object's
 * lock; the index is immutable after {@link #open}.
 */
final class RewritePack {
    private static final byte[] MAGIC = {'T', 'S', 'P', '1'};
    static final String PREFIX = "pack-";
    static final String SUFFIX = ".tsp";
    private static final int ENTRY = 4 + 4 + 4 + 1 + 4 + 4 + 8;

    /** One entry to write: the original's hash, the outcome ({@code payload} empty for kind 0). */
    record Entry(int length, int crc32c, int crc32, byte kind, byte[] original, byte[] payload) {
        long key() {
            return RewritePack.key(crc32c, crc32);
        }
    }

    private final RandomAccessFile file;
    private final long[] keys;
    private final int[] lengths;
    private final byte[] kinds;
    private final int[] payloadLengths;
    private final int[] payloadCrcs;
    private final long[] offsets;
    /** The entries this JVM has hit (guarded by this). */
    private final BitSet used;
    private byte[] scratch = new byte[0];

    private RewritePack(RandomAccessFile file, int n) {
        this.file = file;
        keys = new long[n];
        lengths = new int[n];
        kinds = new byte[n];
        payloadLengths = new int[n];
        payloadCrcs = new int[n];
        offsets = new long[n];
        used = new BitSet(n);
    }

    static long key(int crc32c, int crc32) {
        return ((long) crc32c << 32) | (crc32 & 0xffffffffL);
    }

    /** The pack in {@code f} if it is whole and made for {@code fingerprint}, else null; never throws. */
    static RewritePack open(File f, byte[] fingerprint) {
        RandomAccessFile raf = null;
        try {
            long size = f.length();
            if (size < 12 + fingerprint.length) {
                return null;
            }
            raf = new RandomAccessFile(f, "r");
            byte[] head = new byte[4 + 4 + fingerprint.length + 4];
            raf.readFully(head);
            ByteBuffer h = ByteBuffer.wrap(head);
            if (!Arrays.equals(head, 0, 4, MAGIC, 0, 4)) {
                raf.close();
                return null;
            }
            h.position(4);
            if (h.getInt() != fingerprint.length || !Arrays.equals(head, 8, 8 + fingerprint.length, fingerprint, 0, fingerprint.length)) {
                raf.close();
                return null;
            }
            h.position(8 + fingerprint.length);
            int n = h.getInt();
            if (n < 0 || head.length + (long) n * ENTRY + 4 > size) {
                raf.close();
                return null;
            }
            byte[] index = new byte[n * ENTRY + 4];
            raf.readFully(index);
            CRC32C crc = new CRC32C();
            crc.update(head);
            crc.update(index, 0, n * ENTRY);
            ByteBuffer b = ByteBuffer.wrap(index);
            if (b.getInt(n * ENTRY) != (int) crc.getValue()) {
                raf.close();
                return null;
            }
            RewritePack p = new RewritePack(raf, n);
            long dataStart = head.length + (long) index.length;
            for (int i = 0; i < n; i++) {
                int len = b.getInt();
                int c = b.getInt();
                int d = b.getInt();
                byte kind = b.get();
                int payLen = b.getInt();
                int payCrc = b.getInt();
                long off = b.getLong();
                p.keys[i] = key(c, d);
                p.lengths[i] = len;
                p.kinds[i] = kind;
                p.payloadLengths[i] = payLen;
                p.payloadCrcs[i] = payCrc;
                p.offsets[i] = off;
                if (len < 0 || payLen < 0 || (kind != 0 && kind != 1) || (kind == 0 && payLen != 0)
                        || off < dataStart || off + len + payLen > size || (i > 0 && p.keys[i - 1] > p.keys[i])) {
                    raf.close();
                    return null;
                }
            }
            return p;
        } catch (IOException | RuntimeException e) {
            if (raf != null) {
                try {
                    raf.close();
                } catch (IOException ignored) {
                    // nothing held
                }
            }
            return null;
        }
    }

    int size() {
        return keys.length;
    }

    /**
     * The entry for {@code original} (whose hash is {@code crc32c}, {@code crc32}): a
     * {@link RewriteCache.Hit}, or null when the pack has none or its data is damaged.
     */
    RewriteCache.Hit lookup(byte[] original, int crc32c, int crc32) {
        long k = key(crc32c, crc32);
        int i = Arrays.binarySearch(keys, k);
        if (i < 0) {
            return null;
        }
        while (i > 0 && keys[i - 1] == k) {
            i--;
        }
        for (; i < keys.length && keys[i] == k; i++) {
            if (lengths[i] != original.length) {
                continue;
            }
            try {
                byte[] payload;
                synchronized (this) {
                    if (scratch.length < original.length) {
                        scratch = new byte[Math.max(original.length, scratch.length * 2)];
                    }
                    file.seek(offsets[i]);
                    file.readFully(scratch, 0, original.length);
                    if (!Arrays.equals(scratch, 0, original.length, original, 0, original.length)) {
                        continue;
                    }
                    payload = new byte[payloadLengths[i]];
                    file.readFully(payload);
                    used.set(i);
                }
                CRC32C c = new CRC32C();
                c.update(payload);
                if ((int) c.getValue() != payloadCrcs[i]) {
                    return null;
                }
                return new RewriteCache.Hit(kinds[i] == 1 ? payload : null);
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    /** Reads entry {@code i} back for a new pack; null when it cannot be read. */
    synchronized Entry entry(int i) {
        try {
            byte[] original = new byte[lengths[i]];
            byte[] payload = new byte[payloadLengths[i]];
            file.seek(offsets[i]);
            file.readFully(original);
            file.readFully(payload);
            return new Entry(lengths[i], (int) (keys[i] >>> 32), (int) keys[i], kinds[i], original, payload);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    synchronized boolean used(int i) {
        return used.get(i);
    }

    long dataBytes(int i) {
        return (long) lengths[i] + payloadLengths[i];
    }

    void close() {
        try {
            file.close();
        } catch (IOException ignored) {
            // read-only
        }
    }

    /**
     * Writes {@code entries} (any order; of equal keys and lengths the first is kept) as a pack to {@code tmp}, then
     * renames it to {@code target}. Returns whether the pack is in place; the temporary file is
     * deleted on failure.
     */
    static boolean write(File tmp, File target, byte[] fingerprint, List<Entry> entries) {
        Entry[] all = entries.toArray(new Entry[0]);
        Arrays.sort(all, new ByKey());
        Entry[] sorted = new Entry[all.length];
        int n = 0;
        for (Entry e : all) {
            if (n == 0 || sorted[n - 1].key() != e.key() || sorted[n - 1].length() != e.length()) {
                sorted[n++] = e; // the first of equal keys: callers list this JVM's own entries first
            }
        }
        ByteBuffer head = ByteBuffer.allocate(4 + 4 + fingerprint.length + 4 + n * ENTRY);
        head.put(MAGIC).putInt(fingerprint.length).put(fingerprint).putInt(n);
        long off = head.capacity() + 4L;
        for (int i = 0; i < n; i++) {
            Entry e = sorted[i];
            CRC32C c = new CRC32C();
            c.update(e.payload());
            head.putInt(e.length()).putInt(e.crc32c()).putInt(e.crc32()).put(e.kind()).putInt(e.payload().length)
                    .putInt((int) c.getValue()).putLong(off);
            off += e.length() + (long) e.payload().length;
        }
        CRC32C crc = new CRC32C();
        crc.update(head.array());
        boolean done = false;
        try {
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(tmp), 1 << 16))) {
                out.write(head.array());
                out.writeInt((int) crc.getValue());
                for (int i = 0; i < n; i++) {
                    Entry e = sorted[i];
                    out.write(e.original());
                    out.write(e.payload());
                }
            }
            done = tmp.renameTo(target);
        } catch (IOException | RuntimeException e) {
            done = false;
        } finally {
            if (!done) {
                tmp.delete();
            }
        }
        return done;
    }

    /** Key order, then length; stable, so the first of equal entries stays first. A class, not a lambda (no call site to link). */
    private static final class ByKey implements java.util.Comparator<Entry> {
        @Override
        public int compare(Entry a, Entry b) {
            return a.key() != b.key() ? Long.compare(a.key(), b.key()) : Integer.compare(a.length(), b.length());
        }
    }
}
