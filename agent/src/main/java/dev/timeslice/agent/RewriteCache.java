package dev.timeslice.agent;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * The persistent rewrite cache (option {@code cache}, on by default): what the rewriter made of a
 * class file, kept in a directory across JVM runs, so a second start of the same application
 * skips the rewriting.
 *
 * <p>An entry holds the <em>fingerprint</em> (the agent build and every option that changes what
 * the rewriter produces: {@code loopPoll}, {@code callLoopPoll}, {@code include},
 * {@code exclude}, {@code threads}), the original class bytes and the outcome. Its file name is
 * a hash of fingerprint and original bytes (length, CRC32C and CRC32, all three computed by
 * JIT and interpreter intrinsics); the name only finds the entry: a hit requires the stored
 * fingerprint and original bytes to <em>equal</em> the ones asked for, so a hash collision,
 * another agent build or other options are misses, never a wrong class. No cryptographic digest:
 * {@code MessageDigest} would initialise the JDK's security providers, ~70 ms of CPU at start.
 *
 * <p>Entry file {@code <len>-<crc32c>-<crc32>.tsc}: magic {@code TSC2}, kind (1 = rewritten bytes
 * follow, 0 = the class needs no rewriting), the lengths of fingerprint, original and payload,
 * the CRC32C of the payload, then the three. An entry whose header, lengths, fingerprint,
 * original or payload checksum does not match (truncated, corrupt, a foreign file) is ignored,
 * counted, and replaced by the next write: never trusted blindly.
 *
 * <p>Concurrent JVMs: an entry is written to a temporary file of its own in the same directory
 * (named by process id and a counter) and renamed into place, which POSIX makes atomic: a reader sees a whole
 * entry or none; two writers of the same key write the same bytes, and the last rename wins.
 * Size: at most {@link #maxBytes}; at most once a day ({@value #TRIM_FILE}'s modification time),
 * a starting JVM deletes the least recently used entries (by modification time, which a hit
 * refreshes at most once an hour) down to 80 %, and temporary files left by a JVM that died.
 *
 * <p>The application's pack ({@link ApplicationPack}, file format {@link RewritePack}): the
 * entries one application (class path, module path and main class, see {@link #application})
 * used, in one file, looked up before the per-class files; when a new one is written is the
 * pack's policy.
 *
 * <p>Plain {@code java.io} on the per-class path: a lookup is one open and read, a write one
 * create, write and rename. Never throws: every I/O problem is a miss (or a skipped write).
 * Thread-safe: the shared state is the counters and the pack (thread-safe itself).
 */
final class RewriteCache {
    static final long DEFAULT_MAX_BYTES = 256L << 20;
    private static final byte[] MAGIC = {'T', 'S', 'C', '2'};
    private static final int HEADER = 4 + 1 + 4 + 4 + 4 + 4;
    private static final String SUFFIX = ".tsc";
    private static final String TMP_PREFIX = ".tmp-";
    static final String TRIM_FILE = "trim.txt";
    private static final long TOUCH_AFTER_MILLIS = 3_600_000L;
    private static final long TRIM_EVERY_MILLIS = 24 * 3_600_000L;
    /** Classes read from their own entries that make a new pack worth writing ({@link ApplicationPack#due}). */
    static final int PACK_MIN = 16;

    /** A cached outcome: the rewritten bytes, or null when the class needs no rewriting. */
    record Hit(byte[] rewritten) {
    }

    private final File dir;
    private final byte[] fingerprint;
    private final long maxBytes;
    /** Set once this JVM has written an entry (and so the build's marker file exists). */
    private volatile boolean marked;
    /** Makes this JVM's temporary file names distinct from each other ({@link #writerId} from other JVMs'). */
    private static final AtomicLong TMP_SERIAL = new AtomicLong();
    private volatile String writerId;
    final AtomicLong hits = new AtomicLong();
    final AtomicLong misses = new AtomicLong();
    final AtomicLong writes = new AtomicLong();
    final AtomicLong corrupt = new AtomicLong();
    /** The application's pack, or null for a cache without one (tests, and {@code application} unknown). */
    private final ApplicationPack pack;

    /** A cache without a pack. */
    RewriteCache(File dir, String fingerprint, long maxBytes) {
        this(dir, fingerprint, maxBytes, null, PACK_MIN);
    }

    /**
     * @param application what identifies the application ({@link #application}), or null for no pack
     * @param packMin     classes read from their own entries that make a new pack due ({@link ApplicationPack})
     */
    RewriteCache(File dir, String fingerprint, long maxBytes, String application, int packMin) {
        this.dir = dir;
        this.fingerprint = fingerprint.getBytes(StandardCharsets.UTF_8);
        this.maxBytes = maxBytes;
        this.pack = application == null ? null : new ApplicationPack(this, application, packMin);
    }

    /**
     * This JVM's application, as far as the pack is concerned: its class path, module path and
     * main class or jar (the first word of {@code sun.java.command}). Two programs that differ in
     * none of these share a pack, which is only slower, never wrong: a hit always compares bytes.
     */
    static String application() {
        String command = System.getProperty("sun.java.command", "");
        int space = command.indexOf(' ');
        return "cp=" + System.getProperty("java.class.path", "") + "\nmp=" + System.getProperty("jdk.module.path", "")
                + "\nmain=" + (space < 0 ? command : command.substring(0, space));
    }

    /**
     * The cache the option asks for, or null for none: {@code off} (or empty) is off; {@code auto}
     * (the default) is {@code $XDG_CACHE_HOME/timeslice} or {@code ~/.cache/timeslice}; anything
     * else is a directory. A directory that cannot be created or written turns the cache off with
     * one line: a warning when the user named it, an info line for the default (a read-only home
     * in a container is no mistake of the user's).
     */
    static RewriteCache open(String option, boolean userSet, String fingerprint, TransformLog log) {
        if (option == null || option.isEmpty() || option.equals("off")) {
            return null;
        }
        File dir = directory(option);
        String problem = dir == null ? "no home directory" : usable(dir);
        if (problem != null) {
            String line = "rewrite cache off: cannot use directory " + (dir == null ? option : dir) + ": " + problem;
            if (userSet) {
                log.warn(null, line);
            } else if (log.enabled(LogLevel.INFO)) {
                log.info(null, line);
            }
            return null;
        }
        return new RewriteCache(dir, fingerprint, DEFAULT_MAX_BYTES, application(), PACK_MIN);
    }

    /** Null when {@code dir} exists (or could be made) and is a writable directory, else why not. */
    private static String usable(File dir) {
        try {
            if (!dir.isDirectory() && !dir.mkdirs() && !dir.isDirectory()) {
                return "cannot create it";
            }
            return dir.canWrite() ? null : "not writable";
        } catch (SecurityException e) {
            return e.toString();
        }
    }

    /** The directory an option value names; null for {@code auto} when there is no home directory. */
    static File directory(String option) {
        if (!option.equals("auto")) {
            return new File(option);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && xdg.startsWith("/")) {
            return new File(xdg, "timeslice");
        }
        String home = System.getProperty("user.home");
        if (home == null || home.isEmpty() || home.equals("?")) {
            return null;
        }
        return new File(new File(home, ".cache"), "timeslice");
    }

    File dir() {
        return dir;
    }

    /** The cached outcome for these original bytes, or null (miss, unreadable or bad entry). */
    Hit get(byte[] original) {
        int c = crc32c(original);
        int d = crc32(original);
        if (pack != null) {
            Hit hit = pack.lookup(original, c, d);
            if (hit != null) {
                hits.incrementAndGet();
                return hit;
            }
        }
        File file = new File(dir, name(original.length, c, d));
        byte[] entry;
        // a stat first: a miss (every class of a first start) then costs no FileNotFoundException,
        // whose stack trace through class loading cost more than the stat costs a hit
        long length = file.length();
        if (length <= 0 || length > Integer.MAX_VALUE) {
            if (length != 0 || file.exists()) {
                corrupt.incrementAndGet(); // an empty (or absurd) entry: truncated
            }
            misses.incrementAndGet();
            return null;
        }
        try (InputStream in = new FileInputStream(file)) {
            entry = in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            misses.incrementAndGet();
            return null;
        }
        Hit hit = decode(entry, fingerprint, original);
        if (hit == null) {
            corrupt.incrementAndGet();
            misses.incrementAndGet();
            return null;
        }
        hits.incrementAndGet();
        touch(file);
        if (pack != null) {
            pack.usedOutside(original.length, c, d, true);
        }
        return hit;
    }

    /** Records the outcome for these original bytes ({@code rewritten} null: needs no rewriting). */
    void put(byte[] original, byte[] rewritten) {
        byte[] entry = encode(fingerprint, original, rewritten);
        int c = crc32c(original);
        int d = crc32(original);
        String name = name(original.length, c, d);
        File tmp = null;
        try {
            tmp = tmpFile(name);
            try (FileOutputStream out = new FileOutputStream(tmp)) {
                out.write(entry);
            }
            if (tmp.renameTo(new File(dir, name))) {
                writes.incrementAndGet();
                tmp = null;
                if (pack != null) {
                    pack.usedOutside(original.length, c, d, false);
                }
                if (!marked) {
                    marked = true;
                    new File(dir, buildMarker()).createNewFile();
                }
            }
        } catch (IOException | RuntimeException e) {
            // a skipped write: the class is rewritten again next time
        } finally {
            if (tmp != null) {
                tmp.delete();
            }
        }
    }

    /**
     * This JVM's part of its temporary file names: its process id, unique among live processes,
     * so that one open creates and writes the file (an exclusive create followed by a second open
     * was the larger part of a first start's cache writes in a profile). A file left by a dead JVM
     * whose pid is reused is simply overwritten.
     */
    private String writerId() {
        String id = writerId;
        if (id == null) {
            id = Long.toString(ProcessHandle.current().pid());
            writerId = id;
        }
        return id;
    }

    /**
     * Whether a JVM with this fingerprint (agent build and options) has written entries here
     * before: then this start will most likely find its classes in the cache and need no
     * rewriter at all. One {@code stat}.
     */
    boolean filledBefore() {
        return new File(dir, buildMarker()).exists();
    }

    private String buildMarker() {
        CRC32C c = new CRC32C();
        c.update(fingerprint);
        return "build-" + Long.toHexString(c.getValue()) + ".txt";
    }

    /** The entry's file name: the original's length and a hash of fingerprint and original bytes. */
    private static String name(int length, int crc32c, int crc32) {
        return Integer.toHexString(length) + "-" + Long.toHexString(crc32c & 0xffffffffL) + "-"
                + Long.toHexString(crc32 & 0xffffffffL) + SUFFIX;
    }

    private int crc32c(byte[] original) {
        CRC32C c = new CRC32C();
        c.update(fingerprint);
        c.update(original);
        return (int) c.getValue();
    }

    private int crc32(byte[] original) {
        CRC32 d = new CRC32();
        d.update(fingerprint);
        d.update(original);
        return (int) d.getValue();
    }

    /** A temporary file of this JVM's own in the directory, for writing {@code name} before the rename. */
    File tmpFile(String name) {
        return new File(dir, TMP_PREFIX + writerId() + "-" + Long.toHexString(TMP_SERIAL.incrementAndGet()) + "-" + name);
    }

    byte[] fingerprint() {
        return fingerprint;
    }

    /** Entries served from the application's pack. */
    long packHits() {
        return pack == null ? 0 : pack.hits.get();
    }

    /** Entries in the pack this JVM wrote; -1 while it wrote none. */
    long packWritten() {
        return pack == null ? -1 : pack.written.get();
    }

    /** See {@link ApplicationPack#due}. */
    boolean packDue() {
        return pack != null && pack.due();
    }

    /** See {@link ApplicationPack#writeWhenQuiet}. */
    void packWhenQuiet() {
        if (pack != null) {
            pack.writeWhenQuiet();
        }
    }

    /** See {@link ApplicationPack#writeIfDue}. */
    boolean packIfDue() {
        return pack != null && pack.writeIfDue();
    }

    /** A per-class entry read back for the pack, or null when it is gone or damaged. */
    RewritePack.Entry readEntry(int length, int crc32c, int crc32) {
        File file = new File(dir, name(length, crc32c, crc32));
        byte[] e;
        try (InputStream in = new FileInputStream(file)) {
            e = in.readAllBytes();
        } catch (IOException | RuntimeException x) {
            return null;
        }
        if (e.length < HEADER || !Arrays.equals(e, 0, 4, MAGIC, 0, 4)) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(e);
        b.position(4 + 1 + 4);
        int origLen = b.getInt();
        if (origLen != length || origLen < 0 || HEADER + (long) fingerprint.length + origLen > e.length) {
            return null;
        }
        byte[] original = Arrays.copyOfRange(e, HEADER + fingerprint.length, HEADER + fingerprint.length + origLen);
        Hit hit = decode(e, fingerprint, original);
        if (hit == null) {
            return null;
        }
        byte[] payload = hit.rewritten() != null ? hit.rewritten() : new byte[0];
        return new RewritePack.Entry(length, crc32c, crc32, (byte) (hit.rewritten() != null ? 1 : 0), original, payload);
    }

    static byte[] encode(byte[] fingerprint, byte[] original, byte[] rewritten) {
        byte[] payload = rewritten != null ? rewritten : new byte[0];
        ByteBuffer b = ByteBuffer.allocate(HEADER + fingerprint.length + original.length + payload.length);
        b.put(MAGIC).put((byte) (rewritten != null ? 1 : 0)).putInt(fingerprint.length).putInt(original.length)
                .putInt(payload.length).putInt(crc32c(payload, 0, payload.length));
        b.put(fingerprint).put(original).put(payload);
        return b.array();
    }

    /** The entry's outcome if it is whole and made for exactly this fingerprint and these bytes, else null. */
    static Hit decode(byte[] e, byte[] fingerprint, byte[] original) {
        if (e.length < HEADER || !Arrays.equals(e, 0, 4, MAGIC, 0, 4)) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(e);
        b.position(4);
        byte kind = b.get();
        int fpLen = b.getInt();
        int origLen = b.getInt();
        int len = b.getInt();
        int crc = b.getInt();
        if ((kind != 0 && kind != 1) || (kind == 0 && len != 0) || fpLen != fingerprint.length
                || origLen != original.length || len < 0 || (long) HEADER + fpLen + origLen + len != e.length) {
            return null;
        }
        int at = HEADER;
        if (!Arrays.equals(e, at, at + fpLen, fingerprint, 0, fpLen)) {
            return null;
        }
        at += fpLen;
        if (!Arrays.equals(e, at, at + origLen, original, 0, origLen)) {
            return null;
        }
        at += origLen;
        if (crc32c(e, at, len) != crc) {
            return null;
        }
        return new Hit(kind == 1 ? Arrays.copyOfRange(e, at, e.length) : null);
    }

    private static int crc32c(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }

    /** Trims the directory ({@link #evict}) if the last trim is a day old or more; records this one. */
    void evictIfDue() {
        File stamp = new File(dir, TRIM_FILE);
        long now = System.currentTimeMillis();
        long last = stamp.lastModified(); // 0 when absent
        if (last != 0 && now - last < TRIM_EVERY_MILLIS && last <= now) {
            return;
        }
        try {
            if (!stamp.createNewFile()) {
                stamp.setLastModified(now);
            }
        } catch (IOException | RuntimeException e) {
            return;
        }
        evict();
    }

    /** Deletes least recently used entries down to 80 % of the bound, and stale temporary files. */
    void evict() {
        record Entry(File file, long size, long mtime) {
        }
        File[] files = dir.listFiles();
        if (files == null) {
            return;
        }
        List<Entry> entries = new ArrayList<>();
        long total = 0;
        long now = System.currentTimeMillis();
        for (File f : files) {
            String n = f.getName();
            if (!n.endsWith(SUFFIX) && !n.endsWith(RewritePack.SUFFIX)) {
                continue;
            }
            long mtime = f.lastModified();
            if (n.startsWith(TMP_PREFIX)) {
                if (mtime != 0 && now - mtime > TOUCH_AFTER_MILLIS) {
                    f.delete(); // left by a JVM that died mid-write
                }
                continue;
            }
            long size = f.length();
            entries.add(new Entry(f, size, mtime));
            total += size;
        }
        if (total <= maxBytes) {
            return;
        }
        entries.sort((a, c) -> Long.compare(a.mtime(), c.mtime()));
        long target = maxBytes / 10 * 8;
        for (Entry en : entries) {
            if (total <= target) {
                break;
            }
            en.file().delete(); // another JVM may have deleted it already
            total -= en.size();
        }
    }

    static void touch(File file) {
        long now = System.currentTimeMillis();
        long m = file.lastModified();
        if (m != 0 && now - m > TOUCH_AFTER_MILLIS) {
            file.setLastModified(now); // only the eviction order suffers if it fails
        }
    }

    /** Loads what a lookup and a write need (checksums, file classes) off the main thread. */
    void warmUp() {
        get(new byte[] {0});
        misses.decrementAndGet();
    }
}
