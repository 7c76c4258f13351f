package dev.timeslice.agent;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * The pack layer of the {@link RewriteCache}: this JVM's application's pack (file format
 * {@link RewritePack}), opened on first use, and the policy for writing a new one.
 *
 * <p>Policy: the first JVM of an application that used at least {@code packMin} entries, and a
 * later one that read that many classes from their own entries (a pack would have served them:
 * a new version of the application, say), writes a new pack, once: of the entries it used
 * outside the old pack, read back from their files, and the old pack's entries (only those it
 * used, past {@link #MAX_BYTES}). Entries it only wrote while a pack exists do not count, so
 * classes generated anew on every run (proxies with random names) never rewrite the pack; a
 * changed class is packed by the start after the one that rewrote it. The pack is written when
 * class loading has been quiet for a second ({@link #writeWhenQuiet}, on the agent's warm-up
 * thread) or at exit ({@link #writeIfDue}, from the exit report), whichever comes first.
 *
 * <p>Who may touch what: the transformer's threads look classes up ({@link #lookup}) and record
 * entries used outside the pack ({@link #usedOutside}); the warm-up thread and the exit hook
 * write. The pack is opened once under {@link #lock} and published through a volatile field;
 * the record of entries used outside it, its hit count and the {@code writing} flag are guarded
 * by {@link #outside}. Never throws: a pack that cannot be read or written is no pack.
 */
final class ApplicationPack {
    static final long MAX_BYTES = 64L << 20;
    private static final long QUIET_NANOS = 1_000_000_000L;
    private static final long WAIT_NANOS = 60_000_000_000L;

    private final RewriteCache cache;
    private final String application;
    private final int packMin;
    final AtomicLong hits = new AtomicLong();
    /** Entries in the pack this JVM wrote; -1 while it wrote none. */
    final AtomicLong written = new AtomicLong(-1);

    private final Object lock = new Object();
    private boolean opened; // guarded by lock
    private File file; // guarded by lock; set with opened
    private byte[] fingerprint; // guarded by lock; set with opened
    private volatile RewritePack pack;

    /** Entries hit or written outside the pack, as {length, crc32c, crc32}; guarded by itself. */
    private final List<int[]> outside = new ArrayList<>();
    /** How many of {@link #outside} were hits (read, not written); guarded by {@link #outside}. */
    private int outsideHits;
    /** Set once a pack is being written; guarded by {@link #outside} (a plain flag: an AtomicBoolean is one more class at start). */
    private boolean writing;
    private volatile long lastOutsideNanos;

    /**
     * @param application what identifies the application ({@link RewriteCache#application})
     * @param packMin     classes read from their own entries that make a new pack due
     */
    ApplicationPack(RewriteCache cache, String application, int packMin) {
        this.cache = cache;
        this.application = application;
        this.packMin = packMin;
    }

    /** The entry for {@code original} (hash {@code crc32c}, {@code crc32}) from the pack, or null. */
    RewriteCache.Hit lookup(byte[] original, int crc32c, int crc32) {
        RewritePack p = pack();
        if (p == null) {
            return null;
        }
        RewriteCache.Hit hit = p.lookup(original, crc32c, crc32);
        if (hit != null) {
            hits.incrementAndGet();
        }
        return hit;
    }

    /** Records an entry used from its own file: read ({@code hit}) or written. */
    void usedOutside(int length, int crc32c, int crc32, boolean hit) {
        synchronized (outside) {
            outside.add(new int[] {length, crc32c, crc32});
            if (hit) {
                outsideHits++;
            }
        }
        lastOutsideNanos = System.nanoTime();
    }

    /** Whether this JVM should write a new pack, and has not yet (see the class comment). */
    boolean due() {
        boolean none = pack() == null;
        synchronized (outside) {
            return dueLocked(none);
        }
    }

    private boolean dueLocked(boolean noPack) {
        assert Thread.holdsLock(outside);
        return !writing && (outsideHits >= packMin || (noPack && outside.size() >= packMin));
    }

    /**
     * Waits until a new pack is due and class loading has been quiet for a second, then writes
     * it; gives up after a minute in which none became due (a start served from its pack).
     * Sleeps in quarter seconds meanwhile.
     */
    void writeWhenQuiet() {
        long start = System.nanoTime();
        try {
            while (!started()) {
                Thread.sleep(250);
                long now = System.nanoTime();
                if (due()) {
                    if (now - lastOutsideNanos >= QUIET_NANOS) {
                        writeIfDue();
                        return;
                    }
                } else if (now - start > WAIT_NANOS) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes the new pack if one is due; at most once per JVM. Returns whether a pack was written. */
    boolean writeIfDue() {
        boolean none = pack() == null;
        List<int[]> keys;
        synchronized (outside) {
            if (!dueLocked(none)) {
                return false;
            }
            writing = true;
            keys = new ArrayList<>(outside);
        }
        List<RewritePack.Entry> entries = new ArrayList<>();
        long bytes = 0;
        for (int[] k : keys) {
            RewritePack.Entry e = cache.readEntry(k[0], k[1], k[2]);
            if (e != null) {
                entries.add(e);
                bytes += e.length() + (long) e.payload().length;
            }
        }
        RewritePack old = pack();
        if (old != null) {
            long oldBytes = 0;
            for (int i = 0; i < old.size(); i++) {
                oldBytes += old.dataBytes(i);
            }
            boolean all = bytes + oldBytes <= MAX_BYTES;
            for (int i = 0; i < old.size(); i++) {
                if (all || old.used(i)) {
                    RewritePack.Entry e = old.entry(i);
                    if (e != null) {
                        entries.add(e);
                    }
                }
            }
        }
        File target;
        byte[] fp;
        synchronized (lock) {
            open();
            target = file;
            fp = fingerprint;
        }
        if (!RewritePack.write(cache.tmpFile(target.getName()), target, fp, entries)) {
            return false;
        }
        written.set(entries.size());
        return true;
    }

    private boolean started() {
        synchronized (outside) {
            return writing;
        }
    }

    /** The pack, opened on first use; null when there is none (or it is unusable). */
    private RewritePack pack() {
        RewritePack p = pack;
        if (p != null) {
            return p;
        }
        synchronized (lock) {
            open();
            return pack;
        }
    }

    /**
     * Names the pack and opens it, the first time only. The name and checksums are computed here,
     * on the first lookup (the warm-up thread's), not in premain: CRC32 and CRC32C initialised in
     * premain cost a hello world ~2 ms of CPU.
     */
    private void open() {
        assert Thread.holdsLock(lock);
        if (opened) {
            return;
        }
        opened = true;
        String fp = new String(cache.fingerprint(), StandardCharsets.UTF_8) + "\napplication=" + application;
        fingerprint = fp.getBytes(StandardCharsets.UTF_8);
        CRC32C c = new CRC32C();
        c.update(fingerprint);
        CRC32 d = new CRC32();
        d.update(fingerprint);
        file = new File(cache.dir(), RewritePack.PREFIX + Long.toHexString(c.getValue()) + "-" + Long.toHexString(d.getValue())
                + RewritePack.SUFFIX);
        RewritePack p = RewritePack.open(file, fingerprint);
        if (p != null) {
            RewriteCache.touch(file);
            pack = p;
        } else if (file.exists()) {
            cache.corrupt.incrementAndGet();
        }
    }
}
