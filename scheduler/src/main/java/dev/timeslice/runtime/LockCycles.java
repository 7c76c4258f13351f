package dev.timeslice.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.AbstractOwnableSynchronizer;
import java.util.concurrent.locks.LockSupport;

/**
 * Finds lock cycles among a scheduler's G's (the JDK's {@code findDeadlockedThreads} sees
 * platform threads only), for {@link DeadlockDetector}.
 *
 * <p>A G takes part only while it is unmounted ({@link G#WAITING}) and blocked on a lock:
 * <ul>
 *   <li>a {@code j.u.c} lock ({@code ReentrantLock}, {@code ReentrantReadWriteLock}, any
 *       {@link AbstractOwnableSynchronizer}): its thread is {@code WAITING} with the lock's
 *       synchronizer as park blocker (AQS parks with the synchronizer only while acquiring; a
 *       condition wait parks with the condition). The holder is the synchronizer's exclusive
 *       owner, or a read-write lock's first reader when only readers hold it (the JDK does not
 *       record the other readers by thread);</li>
 *   <li>a monitor ({@code synchronized}; JDK 24+ unmounts a virtual thread blocked on one):
 *       its thread is {@code BLOCKED}. The monitor and the holder come from
 *       {@code jdk.internal.vm.ThreadSnapshot} (JDK 25+, {@link JdkAccess#monitors}): the
 *       monitor each blocked G waits for and the monitors each blocked G holds. Public API has
 *       no route: {@code ThreadMXBean.getThreadInfo} does not answer for virtual threads. On
 *       JDK 21–23 a virtual thread blocked on a monitor stays pinned to its carrier (the G
 *       looks running), and on JDK 24 the owner cannot be read: no monitor edges there.</li>
 * </ul>
 * Only holders that are themselves blocked G's can close a cycle, so only blocked G's are
 * snapshotted; with no G blocked on a lock the cost is one {@code Thread.getState()} per
 * waiting G. The result is a racy snapshot: {@link DeadlockDetector} confirms a cycle by
 * finding it again later with none of its G's having run in between.
 */
final class LockCycles {
    private LockCycles() {
    }

    /**
     * What one G of a cycle waits for: {@code lockObject}, a monitor or a {@code j.u.c}
     * synchronizer as {@code monitor} says, described in {@code lock}, held by {@code holder}.
     */
    record Wait(G g, int runs, String lock, Object lockObject, boolean monitor, G holder) {
    }

    /** One cycle, in wait order (each G waits for the next one's lock, the last for the first's). */
    record Cycle(List<Wait> waits) {
        List<Long> goids() {
            List<Long> out = new ArrayList<>(waits.size());
            for (Wait w : waits) {
                out.add(w.g().goid);
            }
            return List.copyOf(out);
        }

        /** The same G's, none of which has run since {@code earlier} was taken. */
        boolean sameAs(Cycle earlier) {
            if (earlier.waits.size() != waits.size()) {
                return false;
            }
            for (int i = 0; i < waits.size(); i++) {
                Wait a = waits.get(i);
                Wait b = earlier.waits.get(i);
                if (a.g() != b.g() || a.runs() != b.runs() || a.g().runs != a.runs()) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The lock cycles among {@code gs} now. */
    static List<Cycle> find(List<G> gs) {
        List<G> blocked = new ArrayList<>();
        for (G g : gs) {
            if (g.state() != G.WAITING) {
                continue;
            }
            Thread.State st = g.thread.getState();
            if (st == Thread.State.BLOCKED
                    || st == Thread.State.WAITING && LockSupport.getBlocker(g.thread) instanceof AbstractOwnableSynchronizer) {
                blocked.add(g);
            }
        }
        if (blocked.isEmpty()) {
            return List.of();
        }
        Map<Thread, G> byThread = new IdentityHashMap<>();
        for (G g : blocked) {
            byThread.put(g.thread, g);
        }
        Map<Object, G> monitorHolder = new IdentityHashMap<>();
        Map<G, Object> waitsFor = new IdentityHashMap<>();
        Map<G, Integer> runs = new IdentityHashMap<>();
        for (G g : blocked) {
            runs.put(g, g.runs);
            Object blocker = LockSupport.getBlocker(g.thread);
            JdkAccess.Monitors m = JdkAccess.monitors(g.thread);
            if (m != null) {
                for (Object o : m.owned()) {
                    monitorHolder.put(o, g);
                }
                if (m.blockedOn() != null) {
                    waitsFor.put(g, m.blockedOn());
                    continue;
                }
            }
            if (blocker instanceof AbstractOwnableSynchronizer) {
                waitsFor.put(g, blocker);
            }
        }
        WaitsForGraph graph = new WaitsForGraph();
        Map<Long, G> byGoid = new HashMap<>();
        Map<Long, String> lockOf = new HashMap<>();
        Map<Long, Object> lockObjectOf = new HashMap<>();
        Map<Long, Boolean> monitorOf = new HashMap<>();
        for (Map.Entry<G, Object> e : waitsFor.entrySet()) {
            G g = e.getKey();
            Object lock = e.getValue();
            G holder;
            String desc;
            boolean monitor = !(lock instanceof AbstractOwnableSynchronizer && g.thread.getState() == Thread.State.WAITING);
            if (!monitor) {
                Thread owner = JdkAccess.lockOwner((AbstractOwnableSynchronizer) lock);
                holder = owner == null ? null : byThread.get(owner);
                desc = "waiting for ownable synchronizer " + describe(lock);
            } else {
                holder = monitorHolder.get(lock);
                desc = "waiting to lock monitor " + describe(lock);
            }
            if (holder != null) {
                byGoid.put(g.goid, g);
                byGoid.put(holder.goid, holder);
                lockOf.put(g.goid, desc);
                lockObjectOf.put(g.goid, lock);
                monitorOf.put(g.goid, monitor);
                graph.add(g.goid, holder.goid);
            }
        }
        List<Cycle> out = new ArrayList<>();
        for (List<Long> c : graph.cycles()) {
            List<Wait> waits = new ArrayList<>(c.size());
            for (int i = 0; i < c.size(); i++) {
                G g = byGoid.get(c.get(i));
                G next = byGoid.get(c.get((i + 1) % c.size()));
                waits.add(new Wait(g, runs.get(g), lockOf.get(g.goid), lockObjectOf.get(g.goid),
                        monitorOf.get(g.goid), next));
            }
            out.add(new Cycle(List.copyOf(waits)));
        }
        return out;
    }

    /** jstack's way of naming a lock: {@code <0x1b6d3586> (a java.lang.Object)}, the identity hash for the address. */
    static String describe(Object lock) {
        return String.format("<0x%08x> (a %s)", System.identityHashCode(lock), lock.getClass().getName());
    }

    /** jstack's "Found one Java-level deadlock" for G's: the waits, then the G's stacks. */
    static String format(Cycle c) {
        StringBuilder sb = new StringBuilder("Found one deadlock among G's:\n=============================\n");
        for (Wait w : c.waits()) {
            sb.append(gName(w.g())).append(":\n  ").append(w.lock()).append(",\n  which is held by ")
                    .append(gName(w.holder())).append('\n');
        }
        sb.append("\nStacks of the G's listed above:\n===================================================\n");
        long now = System.nanoTime();
        for (Wait w : c.waits()) {
            appendStack(sb, w, c, now);
            sb.append('\n');
        }
        return sb.append("Found 1 deadlock.\n").toString();
    }

    /**
     * A G's stack in the goroutine dump's form with jstack's lock lines: what it waits for under
     * the top frame, the monitors it holds under the frames that took them (JDK 25+), and the
     * synchronizers of the cycle it holds after the stack.
     */
    private static void appendStack(StringBuilder sb, Wait w, Cycle c, long now) {
        G g = w.g();
        JdkAccess.Monitors m = JdkAccess.monitors(g.thread);
        StackTraceElement[] raw = m != null ? m.stack() : g.thread.getStackTrace();
        List<StackTraceElement> stack = GcScan.trim(raw);
        int dropped = raw.length - stack.size();
        GInfo info = new GInfo(g.goid, g.thread.getName(), "waiting", WaitReason.of(g.thread, stack),
                g.nanosInState(now), g.runNanos(), g.runs, g.preemptServed(), false, "", -1, stack);
        sb.append("goroutine ").append(g.goid).append(" [").append(GoroutineDump.status(info)).append("]:\n");
        for (int i = 0; i < stack.size(); i++) {
            GoroutineDump.appendFrame(sb, stack.get(i));
            if (i == 0) {
                sb.append(w.monitor() ? "\t- waiting to lock " : "\t- parking to wait for ").append(describe(w.lockObject())).append('\n');
            }
            if (m != null) {
                for (int k = 0; k < m.owned().size(); k++) {
                    if (m.depths().get(k) - dropped == i) {
                        sb.append("\t- locked ").append(describe(m.owned().get(k))).append('\n');
                    }
                }
            }
        }
        boolean first = true;
        for (Wait other : c.waits()) {
            if (other.holder() == g && !other.monitor()) {
                if (first) {
                    sb.append("\tLocked ownable synchronizers:\n");
                    first = false;
                }
                sb.append("\t- ").append(describe(other.lockObject())).append('\n');
            }
        }
        GoroutineDump.appendThreadLine(sb, info);
    }

    private static String gName(G g) {
        return "goroutine " + g.goid + " \"" + g.thread.getName() + "\"";
    }
}
