package dev.timeslice.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * The registry of live G's (Go's {@code allgs}): G's are added when first made runnable and
 * removed when they die, so dumps and scans can enumerate every live G.
 *
 * <p>It is striped: each stripe is an intrusive doubly-linked list through
 * {@link G#allPrev}/{@link G#allNext}, guarded by the stripe's monitor, and a G lives in stripe
 * {@code goid % stripes}. Add and remove are O(1) with an uncontended lock and no allocation
 * (a hash set would cost a node per G and rehash as 100k's of G's come and go); enumeration
 * takes each stripe's lock in turn, so it sees every G that was live throughout and never a G
 * twice. The critical sections never block, so holding a monitor while the calling virtual
 * thread is pinned (as it is inside a scheduler callback) is fine.
 */
final class AllGs {
    private static final int STRIPES = 64;
    private final Stripe[] stripes = new Stripe[STRIPES];

    private static final class Stripe {
        G head;
        int size;
    }

    AllGs() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    void add(G g) {
        Stripe s = stripes[(int) (g.goid & (STRIPES - 1))];
        synchronized (s) {
            g.allNext = s.head;
            if (s.head != null) {
                s.head.allPrev = g;
            }
            s.head = g;
            s.size++;
        }
    }

    void remove(G g) {
        Stripe s = stripes[(int) (g.goid & (STRIPES - 1))];
        synchronized (s) {
            G prev = g.allPrev;
            G next = g.allNext;
            if (prev != null) {
                prev.allNext = next;
            } else if (s.head == g) {
                s.head = next;
            } else {
                return; // not registered
            }
            if (next != null) {
                next.allPrev = prev;
            }
            g.allPrev = null;
            g.allNext = null;
            s.size--;
        }
    }

    int size() {
        int n = 0;
        for (Stripe s : stripes) {
            synchronized (s) {
                n += s.size;
            }
        }
        return n;
    }

    boolean isEmpty() {
        for (Stripe s : stripes) {
            synchronized (s) {
                if (s.size != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    List<G> snapshot() {
        List<G> out = new ArrayList<>();
        for (Stripe s : stripes) {
            synchronized (s) {
                for (G g = s.head; g != null; g = g.allNext) {
                    out.add(g);
                }
            }
        }
        return out;
    }
}
