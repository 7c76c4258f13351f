package dev.timeslice.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The persistent rewrite cache (option {@code cache}): what the rewriter made of a class file,
 * kept in a directory across JVM runs, so a second start of the same application skips the
 * rewriting.
 *
 * <p>Key: SHA-256 of the <em>fingerprint</em> (the agent's version and jar, and every option
 * that changes what the rewriter produces: {@code loopPoll}, {@code callLoopPoll},
 * {@code include}, {@code exclude}, {@code threads}) followed by the original class bytes. A new
 * agent build or different options therefore never see each other's entries.
 *
 * <p>Entry file {@code <key>.tsc}: magic {@code TSC1}, kind (1 = rewritten bytes follow,
 * 0 = the class needs no rewriting), payload length, SHA-256 of the payload, the key, the
 * payload. An entry whose header, length, key or hash does not match (truncated, corrupt, a
 * foreign file) is ignored, counted, and replaced by the next write: never trusted blindly.
 *
 * <p>Concurrent JVMs: an entry is written to a temporary file in the same directory and moved
 * into place atomically, so a reader sees a whole entry or none; two writers of the same key
 * write the same bytes, and the last rename wins. Size: at most {@link #maxBytes}; when a JVM
 * starts with the directory over it, the least recently used entries (by modification time,
 * which a hit refreshes at most once an hour) are deleted down to 80 %.
 *
 * <p>Never throws: every I/O problem is a miss (or a skipped write). Thread-safe.
 */
final class RewriteCache {
    static final long DEFAULT_MAX_BYTES = 256L << 20;
    private static final byte[] MAGIC = {'T', 'S', 'C', '1'};
    private static final int HEADER = 4 + 1 + 4 + 32 + 32;
    private static final String SUFFIX = ".tsc";
    private static final long TOUCH_AFTER_MILLIS = 3_600_000L;

    /** A cached outcome: the rewritten bytes, or null when the class needs no rewriting. */
    record Hit(byte[] rewritten) {
    }

    private final Path dir;
    private final byte[] fingerprint;
    private final long maxBytes;
    final AtomicLong hits = new AtomicLong();
    final AtomicLong misses = new AtomicLong();
    final AtomicLong writes = new AtomicLong();
    final AtomicLong corrupt = new AtomicLong();

    RewriteCache(Path dir, String fingerprint, long maxBytes) {
        this.dir = dir;
        this.fingerprint = fingerprint.getBytes(StandardCharsets.UTF_8);
        this.maxBytes = maxBytes;
    }

    /**
     * The cache the option asks for, or null for none: "" is off; {@code auto} is
     * {@code $XDG_CACHE_HOME/timeslice} or {@code ~/.cache/timeslice}; anything else is a directory.
     * A directory that cannot be created gives one warning and no cache.
     */
    static RewriteCache open(String option, String fingerprint, TransformLog log) {
        if (option == null || option.isEmpty()) {
            return null;
        }
        Path dir = directory(option);
        try {
            Files.createDirectories(dir);
            if (!Files.isWritable(dir)) {
                throw new IOException("not writable");
            }
        } catch (IOException | RuntimeException e) {
            log.warn(null, "rewrite cache off: cannot use directory " + dir + ": " + e);
            return null;
        }
        return new RewriteCache(dir, fingerprint, DEFAULT_MAX_BYTES);
    }

    static Path directory(String option) {
        if (!option.equals("auto")) {
            return Path.of(option);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("timeslice");
    }

    Path dir() {
        return dir;
    }

    /** The cached outcome for these original bytes, or null (miss, unreadable or bad entry). */
    Hit get(byte[] original) {
        byte[] key = key(original);
        if (key == null) {
            return null;
        }
        Path file = dir.resolve(HexFormat.of().formatHex(key) + SUFFIX);
        byte[] entry;
        try {
            entry = Files.readAllBytes(file);
        } catch (IOException | RuntimeException e) {
            misses.incrementAndGet();
            return null;
        }
        Hit hit = decode(entry, key);
        if (hit == null) {
            corrupt.incrementAndGet();
            misses.incrementAndGet();
            return null;
        }
        hits.incrementAndGet();
        touch(file);
        return hit;
    }

    /** Records the outcome for these original bytes ({@code rewritten} null: needs no rewriting). */
    void put(byte[] original, byte[] rewritten) {
        byte[] key = key(original);
        if (key == null) {
            return;
        }
        byte[] payload = rewritten != null ? rewritten : new byte[0];
        ByteBuffer b = ByteBuffer.allocate(HEADER + payload.length);
        b.put(MAGIC).put((byte) (rewritten != null ? 1 : 0)).putInt(payload.length).put(sha256(payload)).put(key).put(payload);
        String name = HexFormat.of().formatHex(key) + SUFFIX;
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, ".tmp-", SUFFIX);
            Files.write(tmp, b.array());
            Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            writes.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException | RuntimeException ignored) {
                    // best effort
                }
            }
        }
    }

    static Hit decode(byte[] e, byte[] key) {
        if (e.length < HEADER || !Arrays.equals(e, 0, 4, MAGIC, 0, 4)) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(e);
        b.position(4);
        byte kind = b.get();
        int len = b.getInt();
        if ((kind != 0 && kind != 1) || len != e.length - HEADER || (kind == 0 && len != 0)) {
            return null;
        }
        byte[] hash = new byte[32];
        b.get(hash);
        if (!Arrays.equals(e, 4 + 1 + 4 + 32, HEADER, key, 0, 32)) {
            return null;
        }
        byte[] payload = Arrays.copyOfRange(e, HEADER, e.length);
        if (!Arrays.equals(hash, sha256(payload))) {
            return null;
        }
        return new Hit(kind == 1 ? payload : null);
    }

    /** Deletes least recently used entries down to 80 % of the bound, and stale temporary files. */
    void evict() {
        record Entry(Path file, long size, long mtime) {
        }
        List<Entry> entries = new ArrayList<>();
        long total = 0;
        long now = System.currentTimeMillis();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!n.endsWith(SUFFIX)) {
                    continue;
                }
                try {
                    long mtime = Files.getLastModifiedTime(p).toMillis();
                    if (n.startsWith(".tmp-")) {
                        if (now - mtime > TOUCH_AFTER_MILLIS) {
                            Files.deleteIfExists(p); // left by a JVM that died mid-write
                        }
                        continue;
                    }
                    long size = Files.size(p);
                    entries.add(new Entry(p, size, mtime));
                    total += size;
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile (another JVM evicting): skip
                }
            }
        } catch (IOException | RuntimeException e) {
            return;
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
            try {
                Files.deleteIfExists(en.file());
            } catch (IOException | RuntimeException e) {
                // another JVM may hold or have deleted it
            }
            total -= en.size();
        }
    }

    private static void touch(Path file) {
        try {
            long now = System.currentTimeMillis();
            if (now - Files.getLastModifiedTime(file).toMillis() > TOUCH_AFTER_MILLIS) {
                Files.setLastModifiedTime(file, FileTime.fromMillis(now));
            }
        } catch (IOException | RuntimeException e) {
            // only the eviction order suffers
        }
    }

    private byte[] key(byte[] original) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(fingerprint);
            md.update((byte) 0);
            return md.digest(original);
        } catch (NoSuchAlgorithmException | RuntimeException e) {
            return null;
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            return new byte[32]; // never on a JDK (SHA-256 is required); such entries never verify
        }
    }

    /** Loads what a lookup and a write need (digest provider, file classes) off the main thread. */
    void warmUp() {
        get(new byte[] {0});
        misses.decrementAndGet();
    }
}
