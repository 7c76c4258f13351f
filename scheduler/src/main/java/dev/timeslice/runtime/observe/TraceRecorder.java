package dev.timeslice.runtime.observe;

import dev.timeslice.runtime.Deadlock;
import dev.timeslice.runtime.ScanResult;
import dev.timeslice.runtime.SchedEvents;
import dev.timeslice.runtime.Scheduler;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Records what the scheduler does into a bounded ring buffer and writes it as Chrome
 * trace-event JSON, the format that Perfetto (ui.perfetto.dev) and chrome://tracing open.
 *
 * <p>In the trace: one track per P ("P0", "P1", ...) with a slice per G run, named after the G
 * ({@code G17 worker-3}, args: goid, M); instant events on the P's track for preemptions (at the
 * moment the G yielded; args: reason, request→poll latency, served) and handoffs (sysmon took
 * the P from an M stuck in the G; also on the "sysmon" track, which also gets the failed
 * preemptions of G's that had no P); a "gc-scan" track with a slice per scan (args: trigger,
 * time-to-safepoint, G counts) containing a "time to safepoint" slice, plus a global instant;
 * a "threads routed" track with an instant per thread creation that rewritten code routed to the
 * scheduler; a global instant "deadlock: lock cycle" / "deadlock: all asleep" on the sysmon track
 * for each deadlock among G's the detector confirmed (args: goids, summary). When sysmon
 * retakes a P from a stuck M, the rest of that G's run is drawn on a track
 * of its own, "M3 (P retaken)", so that P tracks never overlap. Runs still open when the trace
 * is written end at the write time. Timestamps are microseconds (with a fractional part) since
 * the recorder was created.
 *
 * <p>Cost on the hot path: a G run costs two calls: {@link #runStart} stores three fields into
 * a slot owned by the M (and checks a direct-mapped name cache), {@link #runEnd} claims a ring
 * slot with one atomic increment and writes four longs, next to each other, into a preallocated
 * array.
 * Nothing allocates, locks or blocks. When the ring is full the oldest events are overwritten
 * and counted as dropped. Each slot's header carries a sequence number and is written last
 * (release), so a snapshot taken while the scheduler runs skips slots that are being written.
 *
 * <p>Memory: {@value #BYTES_PER_EVENT} bytes per event slot ({@link #DEFAULT_CAPACITY} slots = 32 MiB), allocated
 * once; G names are kept in a bounded direct-mapped cache keyed by goid (a G whose name was
 * evicted appears as {@code G17}; two G's whose goids share a cache slot and start running at
 * the same instant may, rarely, swap names). Rare events (scans, routed thread creations) live in a
 * separate small ring of objects.
 */
public final class TraceRecorder implements SchedEvents {
    /** Default ring size in events (G runs, preemptions, handoffs). */
    public static final int DEFAULT_CAPACITY = 1 << 20;
    /** Bytes of ring buffer per event. */
    public static final int BYTES_PER_EVENT = 32;
    private static final int RARE_CAPACITY = 1 << 14;
    /**
     * "No open run" in an M's slot: zero, the default value, so a slot read through a racy
     * publication never shows a run that did not start (System.nanoTime() is never exactly 0
     * in practice).
     */
    private static final long NO_RUN = 0;

    static final int RUN = 1;
    static final int PREEMPT = 2;
    static final int HANDOFF = 3;
    private static final String[] REASONS = {"slice", "wakeup", "other"};

    /** Track ids (Chrome "tid") of the tracks that are not P's; P i is tid i + 1. */
    static final int SYSMON_TID = 100_000;
    static final int SCAN_TID = 100_001;
    static final int ROUTED_TID = 100_002;
    static final int M_TID_BASE = 200_000;

    private static final VarHandle RING = MethodHandles.arrayElementVarHandle(long[].class);

    private final String schedName;
    private final int procs;
    private final long startNanos;
    private final Instant startWallClock;
    private final int capacity;
    private final int mask;
    private final AtomicLong next = new AtomicLong();
    /**
     * The ring: {@value #STRIDE} longs per event, so that recording one touches one or two
     * cache lines: a header (sequence number and kind, P, aux packed, written last), two times
     * and the goid. A header of 0 (kind 0) marks a slot being written.
     */
    private final long[] ring;
    private static final int STRIDE = 4;
    private static final int SEQ_BITS = 36;
    private static final long SEQ_MASK = (1L << SEQ_BITS) - 1;
    /** M ids that fit the header's aux field. */
    private static final int MAX_M = 0x3fff - 1;

    private final AtomicReferenceArray<Object> rare = new AtomicReferenceArray<>(RARE_CAPACITY);
    private final AtomicLong rareNext = new AtomicLong();

    /**
     * Open runs, by M id; slot i is written only by M i. {@code start} is the slot's publication
     * word: M i writes {@code goid} and {@code p}, then releases {@code start}; at a run's end it
     * first puts the finished run into the ring, then releases {@code start = NO_RUN}. A writer
     * that acquires {@code NO_RUN} therefore finds the run in the ring, and one that acquires a
     * start reads that run's fields (re-checked, as a seqlock) and reports it as open unless the
     * ring, read after the slots, already has it: a trace written while a run ends has it once.
     */
    private final MSlot[] open;
    private static final VarHandle SLOT_START;

    static {
        try {
            SLOT_START = MethodHandles.lookup().findVarHandle(MSlot.class, "start", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[] nameTags;
    private final String[] names;
    private final int nameMask;

    private static final class MSlot {
        long start;
        long goid;
        int p;
    }

    private record ScanRec(long start, long end, String trigger, long ttspNanos, int gs, int stoppedAtPoll,
                           int notAtSafepoint, Map<String, Integer> counts) {
    }

    private record DeadlockRec(long nanos, String kind, String goids, String summary) {
    }

    private record RouteRec(long nanos, String kind, long goid, String threadName) {
    }

    /** A recorder for {@code sched} with the default capacity. */
    public TraceRecorder(Scheduler sched) {
        this(sched, DEFAULT_CAPACITY);
    }

    /** A recorder for {@code sched} keeping the last {@code capacity} events (rounded up to a power of two). */
    public TraceRecorder(Scheduler sched, int capacity) {
        this(sched.name(), sched.procs(), capacity, sched.maxThreads());
    }

    TraceRecorder(String schedName, int procs, int capacity, int maxM) {
        if (capacity < 1 || capacity > 1 << 28) {
            throw new IllegalArgumentException("trace buffer must hold 1..2^28 events, got " + capacity);
        }
        if (procs > 2046) {
            throw new IllegalArgumentException("trace records P ids below 2046, got procs=" + procs);
        }
        this.schedName = schedName;
        this.procs = procs;
        this.capacity = capacity == 1 ? 1 : Integer.highestOneBit(capacity - 1) << 1;
        this.mask = this.capacity - 1;
        this.ring = new long[this.capacity * STRIDE];
        this.open = new MSlot[Math.max(1, Math.min(maxM, MAX_M))]; // M ids beyond: runs drawn without M
        int nameSlots = Integer.highestOneBit(Math.max(1024, Math.min(1 << 16, this.capacity / 8)));
        this.nameTags = new long[nameSlots];
        java.util.Arrays.fill(nameTags, -1L);
        this.names = new String[nameSlots];
        this.nameMask = nameSlots - 1;
        this.startNanos = System.nanoTime();
        this.startWallClock = Instant.now();
    }

    /** Ring size in events. */
    public int capacity() {
        return capacity;
    }

    /** Events recorded so far (including those since overwritten), scans and routed creations included. */
    public long recorded() {
        return next.get() + rareNext.get();
    }

    /** Events overwritten because the ring was full. */
    public long dropped() {
        return Math.max(0, next.get() - capacity) + Math.max(0, rareNext.get() - RARE_CAPACITY);
    }

    // ---------------------------------------------------------------- hooks (hot paths)

    @Override
    public void runStart(int p, int m, long goid, String gName, long nanos) {
        if (m >= 0 && m < open.length) {
            MSlot s = open[m];
            if (s == null) {
                s = new MSlot();
                open[m] = s;
            }
            s.goid = goid;
            s.p = p;
            SLOT_START.setRelease(s, nanos);
        }
        int i = (int) goid & nameMask;
        if (nameTags[i] != goid || names[i] != gName) {
            names[i] = gName;
            nameTags[i] = goid;
        }
    }

    @Override
    public void runEnd(int p, int m, long goid, long nanos) {
        long start = nanos;
        MSlot ending = null;
        if (m >= 0 && m < open.length) {
            MSlot s = open[m];
            if (s == null) {
                start = startNanos; // the first run this M ends began before recording did
            } else if (s.start != NO_RUN) {
                if (s.goid == goid) {
                    start = s.start;
                }
                ending = s;
            }
        }
        put(RUN, p, m >= 0 && m < MAX_M ? m + 1 : 0, goid, start, nanos);
        if (ending != null) {
            SLOT_START.setRelease(ending, NO_RUN); // after the put: see the field's comment
        }
    }

    @Override
    public void preempted(int p, long goid, String reason, long latencyNanos, boolean served, long nanos) {
        int r = switch (reason) {
            case "slice" -> 0;
            case "wakeup" -> 1;
            default -> 2;
        };
        put(PREEMPT, p, r << 1 | (served ? 1 : 0), goid, nanos, latencyNanos);
    }

    @Override
    public void handoff(int p, int m, long goid, long nanos) {
        put(HANDOFF, p, m >= 0 && m < MAX_M ? m + 1 : 0, goid, nanos, 0);
    }

    @Override
    public void scanned(ScanResult scan, long startNanos, long endNanos) {
        putRare(new ScanRec(startNanos, endNanos, scan.trigger(), scan.ttspNanos(), scan.gCount(),
                scan.stoppedAtPoll(), scan.notAtSafepoint(), scan.countsByState()));
    }

    @Override
    public void routed(String kind, long goid, String threadName) {
        putRare(new RouteRec(System.nanoTime(), kind, goid, threadName));
    }

    @Override
    public void deadlock(Deadlock d) {
        putRare(new DeadlockRec(System.nanoTime(), d.kind() == Deadlock.Kind.ALL_ASLEEP ? "all asleep" : "lock cycle",
                d.goids().toString(), d.summary()));
    }

    /**
     * Header: kind (3 bits) | p + 1 (11 bits: procs <= 1024) | aux (14 bits: M id + 1 <= 10001,
     * or reason and served) | sequence number modulo 2^36 (a snapshot only needs to tell this
     * lap from the previous ones).
     */
    private static long header(int kind, int p, int auxValue, long i) {
        return (long) kind << 61 | (long) ((p + 1) & 0x7ff) << 50 | (long) (auxValue & 0x3fff) << SEQ_BITS
                | i & SEQ_MASK;
    }

    private void put(int kind, int p, int auxValue, long goid, long t0, long t1) {
        long i = next.getAndIncrement();
        int at = ((int) i & mask) * STRIDE;
        long[] r = ring;
        RING.setOpaque(r, at, 0L);
        VarHandle.storeStoreFence();
        r[at + 1] = t0;
        r[at + 2] = t1;
        r[at + 3] = goid;
        RING.setRelease(r, at, header(kind, p, auxValue, i));
    }

    private void putRare(Object rec) {
        long i = rareNext.getAndIncrement();
        rare.set((int) i & (RARE_CAPACITY - 1), new Object[] {i, rec});
    }

    // ---------------------------------------------------------------- snapshot

    /** Events copied out of the ring (parallel arrays, oldest first), plus open runs appended. */
    private static final class Snap {
        int n;
        long skipped;
        final long[] t0;
        final long[] t1;
        final long[] goid;
        final int[] kind;
        final int[] p;
        final int[] aux;

        Snap(int size) {
            t0 = new long[size];
            t1 = new long[size];
            goid = new long[size];
            kind = new int[size];
            p = new int[size];
            aux = new int[size];
        }

        void add(int k, int pp, int x, long g, long a0, long a1) {
            t0[n] = a0;
            t1[n] = a1;
            goid[n] = g;
            kind[n] = k;
            p[n] = pp;
            aux[n] = x;
            n++;
        }
    }

    /** A consistent copy of the events still in the ring; slots being written are skipped. */
    private Snap snapshot(int extra) {
        long end = next.get();
        long begin = Math.max(0, end - capacity);
        Snap out = new Snap((int) (end - begin) + extra);
        for (long i = begin; i < end; i++) {
            int at = ((int) i & mask) * STRIDE;
            long h = (long) RING.getAcquire(ring, at);
            if (h >>> 61 == 0 || (h & SEQ_MASK) != (i & SEQ_MASK)) {
                out.skipped++; // being written, or already overwritten by a later lap
                continue;
            }
            long t0 = ring[at + 1];
            long t1 = ring[at + 2];
            long goid = ring[at + 3];
            VarHandle.loadLoadFence();
            if ((long) RING.getOpaque(ring, at) != h) {
                out.skipped++;
                continue;
            }
            out.add((int) (h >>> 61), (int) (h >>> 50 & 0x7ff) - 1, (int) (h >>> SEQ_BITS & 0x3fff), goid, t0, t1);
        }
        return out;
    }

    private static boolean inRing(Snap ev, int n, int track, long goid, long start) {
        for (int i = 0; i < n; i++) {
            if (ev.kind[i] == RUN && ev.aux[i] == track && ev.goid[i] == goid && ev.t0[i] == start) {
                return true;
            }
        }
        return false;
    }

    private List<Object> rareSnapshot() {
        long end = rareNext.get();
        long begin = Math.max(0, end - RARE_CAPACITY);
        List<Object> out = new ArrayList<>();
        for (long i = begin; i < end; i++) {
            Object o = rare.get((int) i & (RARE_CAPACITY - 1));
            if (o instanceof Object[] pair && (Long) pair[0] == i) {
                out.add(pair[1]);
            }
        }
        return out;
    }

    private String gName(long goid) {
        int i = (int) goid & nameMask;
        String n = names[i];
        if (nameTags[i] == goid && n != null && !n.isEmpty()) {
            return "G" + goid + " " + n;
        }
        return "G" + goid;
    }

    // ---------------------------------------------------------------- JSON

    /**
     * Writes the trace to {@code file}, as an ordinary file the program writes: created with the
     * process's default permissions (its umask) or truncated keeping its own; a missing directory
     * is an error, never created.
     */
    public synchronized void write(Path file) throws IOException {
        try (Writer w = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16)) {
            writeJson(w);
        }
    }

    /** The trace as a JSON string (for tests and small traces). */
    public synchronized String toJson() {
        java.io.StringWriter w = new java.io.StringWriter();
        try {
            writeJson(w);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }

    private void writeJson(Writer w) throws IOException {
        long now = System.nanoTime();
        // the open runs first, then the ring (see the comment on open)
        int[] openP = new int[open.length];
        long[] openGoid = new long[open.length];
        long[] openStart = new long[open.length];
        for (int m = 0; m < open.length; m++) {
            MSlot s = open[m];
            if (s != null) {
                long start = (long) SLOT_START.getAcquire(s);
                openGoid[m] = s.goid;
                openP[m] = s.p;
                VarHandle.loadLoadFence();
                if (start != NO_RUN && start - now <= 0 && (long) SLOT_START.getOpaque(s) == start) {
                    openStart[m] = start;
                }
            }
        }
        Snap ev = snapshot(open.length);
        List<Object> rares = rareSnapshot();
        long recorded = next.get();
        long overwritten = Math.max(0, recorded - capacity) + Math.max(0, rareNext.get() - RARE_CAPACITY);

        // Handoffs by (goid, M): the run of that G on that M is split at the handoff.
        Map<Long, Long> handoffAt = new HashMap<>();
        for (int i = 0; i < ev.n; i++) {
            if (ev.kind[i] == HANDOFF) {
                handoffAt.put(key(ev.goid[i], ev.aux[i] - 1), ev.t0[i]);
            }
        }
        // Open runs end now, unless the run ended between the two reads and is in the ring.
        int ringRuns = ev.n;
        for (int m = 0; m < open.length; m++) {
            if (openStart[m] != NO_RUN && !inRing(ev, ringRuns, m + 1, openGoid[m], openStart[m])) {
                ev.add(RUN, openP[m], m + 1, openGoid[m], openStart[m], now);
            }
        }

        JsonOut out = new JsonOut(w);
        w.write("{\"traceEvents\":[\n");
        out.meta(0, "process_name", "name", "timeslice " + schedName + " (procs=" + procs + ")");
        for (int p = 0; p < procs; p++) {
            out.meta(p + 1, "thread_name", "name", "P" + p);
            out.metaInt(p + 1, "thread_sort_index", "sort_index", p);
        }
        out.meta(SYSMON_TID, "thread_name", "name", "sysmon");
        out.metaInt(SYSMON_TID, "thread_sort_index", "sort_index", procs);
        out.meta(SCAN_TID, "thread_name", "name", "gc-scan");
        out.metaInt(SCAN_TID, "thread_sort_index", "sort_index", procs + 1);
        out.meta(ROUTED_TID, "thread_name", "name", "threads routed");
        out.metaInt(ROUTED_TID, "thread_sort_index", "sort_index", procs + 2);

        // goid -> {track of its last run, end of its last run}: where a served preemption goes.
        Map<Long, long[]> lastRun = new HashMap<>();
        Map<Integer, Boolean> mTracks = new HashMap<>();
        for (int i = 0; i < ev.n; i++) {
            long goid = ev.goid[i];
            int p = ev.p[i];
            switch (ev.kind[i]) {
                case RUN -> {
                    long start = Math.max(ev.t0[i], startNanos);
                    long end = Math.max(ev.t1[i], start);
                    int m = ev.aux[i] - 1;
                    Long h = handoffAt.get(key(goid, m));
                    String name = gName(goid);
                    int endTid = p + 1;
                    if (h != null && h >= start && h <= end) {
                        out.run(p + 1, rel(start), rel(h), name, goid, m);
                        endTid = M_TID_BASE + Math.max(m, 0);
                        if (mTracks.put(endTid, Boolean.TRUE) == null) {
                            out.meta(endTid, "thread_name", "name", "M" + m + " (P retaken)");
                            out.metaInt(endTid, "thread_sort_index", "sort_index", procs + 3 + Math.max(m, 0));
                        }
                        out.run(endTid, rel(h), rel(end), name, goid, m);
                    } else {
                        out.run(p + 1, rel(start), rel(end), name, goid, m);
                    }
                    long[] last = lastRun.computeIfAbsent(goid, k -> new long[2]);
                    last[0] = endTid;
                    last[1] = end;
                }
                case PREEMPT -> {
                    boolean served = (ev.aux[i] & 1) != 0;
                    String reason = REASONS[Math.min(ev.aux[i] >>> 1, 2)];
                    long ts = ev.t0[i];
                    int tid = p >= 0 ? p + 1 : SYSMON_TID;
                    long[] last = served ? lastRun.get(goid) : null;
                    if (last != null && last[1] <= ts) {
                        // The G yielded when that run ended; the hook reports it when the G resumes.
                        ts = last[1];
                        tid = (int) last[0];
                    }
                    out.preempt(tid, rel(Math.max(ts, startNanos)), goid, reason, ev.t1[i], served);
                }
                case HANDOFF -> {
                    long ts = rel(Math.max(ev.t0[i], startNanos));
                    out.handoff(p + 1, ts, "handoff", goid, ev.aux[i] - 1);
                    out.handoff(SYSMON_TID, ts, "retake P" + p, goid, ev.aux[i] - 1);
                }
                default -> {
                }
            }
        }
        for (Object o : rares) {
            if (o instanceof ScanRec s) {
                out.scan(SCAN_TID, rel(Math.max(s.start, startNanos)), rel(Math.max(s.end, startNanos)), s);
            } else if (o instanceof RouteRec r) {
                out.routed(ROUTED_TID, rel(Math.max(r.nanos, startNanos)), r);
            } else if (o instanceof DeadlockRec d) {
                out.deadlock(SYSMON_TID, rel(Math.max(d.nanos, startNanos)), d);
            }
        }
        w.write("\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":{");
        w.write("\"producer\":\"timeslice\",\"scheduler\":" + JsonOut.str(schedName)
                + ",\"procs\":\"" + procs + "\""
                + ",\"start\":" + JsonOut.str(startWallClock.toString())
                + ",\"events_recorded\":\"" + (recorded + rareNext.get()) + "\""
                + ",\"events_dropped\":\"" + (overwritten + ev.skipped) + "\""
                + ",\"buffer_events\":\"" + capacity + "\"");
        w.write("}}\n");
    }

    private static long key(long goid, int m) {
        return goid * 16_384 + (m & 16_383);
    }

    private long rel(long nanos) {
        return nanos - startNanos;
    }

    /** Writes trace events, keeping track of the comma between them. */
    private static final class JsonOut {
        private final Writer w;
        private boolean first = true;
        private final StringBuilder sb = new StringBuilder(256);

        JsonOut(Writer w) {
            this.w = w;
        }

        private StringBuilder begin(String ph, int tid, String name, String cat) {
            sb.setLength(0);
            sb.append(first ? "" : ",\n").append("{\"ph\":\"").append(ph).append("\",\"pid\":1,\"tid\":").append(tid)
                    .append(",\"name\":").append(str(name));
            if (cat != null) {
                sb.append(",\"cat\":\"").append(cat).append('"');
            }
            first = false;
            return sb;
        }

        private void end() throws IOException {
            sb.append('}');
            w.append(sb);
        }

        void meta(int tid, String name, String argName, String value) throws IOException {
            begin("M", tid, name, null).append(",\"args\":{\"").append(argName).append("\":").append(str(value)).append('}');
            end();
        }

        void metaInt(int tid, String name, String argName, long value) throws IOException {
            begin("M", tid, name, null).append(",\"args\":{\"").append(argName).append("\":").append(value).append('}');
            end();
        }

        void run(int tid, long startRel, long endRel, String name, long goid, int m) throws IOException {
            StringBuilder s = begin("X", tid, name, "run");
            s.append(",\"ts\":");
            micros(s, startRel);
            s.append(",\"dur\":");
            micros(s, endRel - startRel);
            s.append(",\"args\":{\"goid\":").append(goid).append(",\"m\":").append(m).append('}');
            end();
        }

        void preempt(int tid, long tsRel, long goid, String reason, long latencyNanos, boolean served) throws IOException {
            StringBuilder s = begin("i", tid, served ? "preempt" : "preempt failed (pinned)", "preempt");
            s.append(",\"s\":\"t\",\"ts\":");
            micros(s, tsRel);
            s.append(",\"args\":{\"goid\":").append(goid).append(",\"reason\":\"").append(reason)
                    .append("\",\"served\":").append(served);
            if (latencyNanos >= 0) {
                s.append(",\"latency_us\":");
                micros(s, latencyNanos);
            }
            s.append('}');
            end();
        }

        void handoff(int tid, long tsRel, String name, long goid, int m) throws IOException {
            StringBuilder s = begin("i", tid, name, "handoff");
            s.append(",\"s\":\"t\",\"ts\":");
            micros(s, tsRel);
            s.append(",\"args\":{\"goid\":").append(goid).append(",\"m\":").append(m).append('}');
            end();
        }

        void scan(int tid, long startRel, long endRel, ScanRec r) throws IOException {
            StringBuilder s = begin("X", tid, "gc-scan (" + r.trigger + ")", "scan");
            s.append(",\"ts\":");
            micros(s, startRel);
            s.append(",\"dur\":");
            micros(s, Math.max(0, endRel - startRel));
            s.append(",\"args\":{\"trigger\":").append(str(r.trigger)).append(",\"ttsp_us\":");
            micros(s, r.ttspNanos);
            s.append(",\"gs\":").append(r.gs).append(",\"stopped_at_poll\":").append(r.stoppedAtPoll)
                    .append(",\"not_at_safepoint\":").append(r.notAtSafepoint);
            for (Map.Entry<String, Integer> c : r.counts.entrySet()) {
                s.append(",").append(str("gs_" + c.getKey())).append(':').append(c.getValue());
            }
            s.append('}');
            end();
            s = begin("X", tid, "time to safepoint", "scan");
            s.append(",\"ts\":");
            micros(s, startRel);
            s.append(",\"dur\":");
            micros(s, Math.max(0, Math.min(r.ttspNanos, endRel - startRel)));
            s.append(",\"args\":{\"ttsp_us\":");
            micros(s, r.ttspNanos);
            s.append('}');
            end();
            s = begin("i", tid, "gc-scan", "scan");
            s.append(",\"s\":\"g\",\"ts\":");
            micros(s, startRel);
            s.append(",\"args\":{\"trigger\":").append(str(r.trigger)).append('}');
            end();
        }

        void deadlock(int tid, long tsRel, DeadlockRec d) throws IOException {
            StringBuilder s = begin("i", tid, "deadlock: " + d.kind, "deadlock");
            s.append(",\"s\":\"g\",\"ts\":");
            micros(s, tsRel);
            s.append(",\"args\":{\"kind\":").append(str(d.kind)).append(",\"goids\":").append(str(d.goids))
                    .append(",\"summary\":").append(str(d.summary)).append('}');
            end();
        }

        void routed(int tid, long tsRel, RouteRec r) throws IOException {
            StringBuilder s = begin("i", tid, "routed: " + r.kind, "routed");
            s.append(",\"s\":\"t\",\"ts\":");
            micros(s, tsRel);
            s.append(",\"args\":{\"kind\":").append(str(r.kind)).append(",\"goid\":").append(r.goid)
                    .append(",\"thread\":").append(str(r.threadName)).append('}');
            end();
        }

        /** Nanoseconds as microseconds with three decimals. */
        static void micros(StringBuilder s, long nanos) {
            if (nanos < 0) {
                s.append('-');
                nanos = -nanos;
            }
            long frac = nanos % 1000;
            s.append(nanos / 1000).append('.');
            if (frac < 100) {
                s.append(frac < 10 ? "00" : "0");
            }
            s.append(frac);
        }

        static String str(String v) {
            StringBuilder s = new StringBuilder(v.length() + 2).append('"');
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                switch (c) {
                    case '"' -> s.append("\\\"");
                    case '\\' -> s.append("\\\\");
                    case '\n' -> s.append("\\n");
                    case '\r' -> s.append("\\r");
                    case '\t' -> s.append("\\t");
                    default -> {
                        if (c < 0x20 || Character.isSurrogate(c) && !validSurrogate(v, i)) {
                            s.append(String.format("\\u%04x", (int) c));
                        } else {
                            s.append(c);
                        }
                    }
                }
            }
            return s.append('"').toString();
        }

        private static boolean validSurrogate(String v, int i) {
            char c = v.charAt(i);
            if (Character.isHighSurrogate(c)) {
                return i + 1 < v.length() && Character.isLowSurrogate(v.charAt(i + 1));
            }
            return i > 0 && Character.isHighSurrogate(v.charAt(i - 1));
        }
    }
}
