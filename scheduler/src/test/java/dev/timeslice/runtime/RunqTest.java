package dev.timeslice.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

class RunqTest {
    private static G g(long id) {
        return new G(null, id, true, false);
    }

    private static GlobalRunq global() {
        return new GlobalRunq(new ReentrantLock());
    }

    @Test
    void ringIsFifoAndRunnextComesFirst() {
        Runq q = new Runq();
        GlobalRunq gq = global();
        G a = g(1), b = g(2), c = g(3);
        q.put(a, false, gq);
        q.put(b, false, gq);
        q.put(c, true, gq);
        assertEquals(3, q.size());
        assertSame(c, q.get());
        assertTrue(q.inheritTime, "a G from runnext inherits the slice");
        assertSame(a, q.get());
        assertEquals(false, q.inheritTime);
        assertSame(b, q.get());
        assertNull(q.get());
        assertTrue(q.isEmpty());
    }

    @Test
    void aGlobalRefillHandsOutOneWakeupButMovesOnlyTheMainListIntoTheLocalQueue() {
        Runq local = new Runq();
        GlobalRunq gq = global();
        G w1 = g(1), w2 = g(2), m1 = g(3), m2 = g(4);
        gq.putWake(w1);
        gq.putWake(w2);
        gq.put(m1);
        gq.put(m2);
        assertSame(w1, gq.get(local, 1, 0), "the first wakeup runs now");
        assertEquals(1, gq.wakeSize(), "the second wakeup stays on the wakeup list, served first by the next P");
        assertSame(w2, gq.getWake());
        assertSame(m1, local.get(), "only the main list refilled the local queue");
        assertSame(m2, local.get());
        assertNull(local.get());
    }

    @Test
    void newRunnextKicksOldRunnextToTheTail() {
        Runq q = new Runq();
        GlobalRunq gq = global();
        G a = g(1), b = g(2), c = g(3);
        q.put(a, false, gq);
        q.put(b, true, gq);
        q.put(c, true, gq);
        assertSame(c, q.get());
        assertSame(a, q.get());
        assertSame(b, q.get());
    }

    @Test
    void fullRingMovesHalfAndTheNewGToTheGlobalQueueInOrder() {
        Runq q = new Runq();
        GlobalRunq gq = global();
        for (int i = 0; i < Runq.SIZE; i++) {
            q.put(g(i), false, gq);
        }
        assertEquals(0, gq.size());
        G extra = g(1000);
        q.put(extra, false, gq);
        assertEquals(Runq.SIZE / 2 + 1, gq.size());
        assertEquals(Runq.SIZE / 2, q.size());
        for (int i = 0; i < Runq.SIZE / 2; i++) {
            assertEquals(i, gq.get().goid, "overflow keeps FIFO order");
        }
        assertSame(extra, gq.get());
        assertEquals(Runq.SIZE / 2, q.get().goid);
    }

    @Test
    void stealTakesHalfRoundedUpFromTheHead() {
        Runq victim = new Runq();
        Runq thief = new Runq();
        GlobalRunq gq = global();
        for (int i = 0; i < 5; i++) {
            victim.put(g(i), false, gq);
        }
        G got = thief.stealFrom(victim, false);
        assertEquals(2, got.goid, "returns the last of the 3 stolen");
        assertEquals(2, thief.size());
        assertEquals(0, thief.get().goid);
        assertEquals(1, thief.get().goid);
        assertEquals(2, victim.size());
        assertEquals(3, victim.get().goid);
    }

    @Test
    void runnextIsStolenOnlyWhenAskedAndTheRingIsEmpty() {
        Runq victim = new Runq();
        Runq thief = new Runq();
        GlobalRunq gq = global();
        G n = g(7);
        victim.put(n, true, gq);
        assertNull(thief.stealFrom(victim, false));
        assertSame(n, thief.stealFrom(victim, true));
        assertTrue(victim.isEmpty());
    }

    /**
     * The owner puts and gets while thieves steal concurrently; overflow goes to the global
     * queue. Every G must come out exactly once.
     */
    @Test
    void concurrentStealingNeverLosesOrDuplicatesAG() throws Exception {
        final int total = 2_000_000;
        final int thieves = 3;
        G[] gs = new G[total];
        for (int i = 0; i < total; i++) {
            gs[i] = g(i);
        }
        AtomicIntegerArray seen = new AtomicIntegerArray(total);
        Runq owner = new Runq();
        GlobalRunq gq = global();
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < thieves; t++) {
            Thread th = new Thread(() -> {
                Runq mine = new Runq();
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                while (!done.get() || !owner.isEmpty()) {
                    G got = mine.stealFrom(owner, ThreadLocalRandom.current().nextInt(4) == 0);
                    if (got != null) {
                        seen.incrementAndGet((int) got.goid);
                        for (G x; (x = mine.get()) != null; ) {
                            seen.incrementAndGet((int) x.goid);
                        }
                    } else {
                        Thread.onSpinWait();
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        start.countDown();
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i < total; i++) {
            owner.put(gs[i], rnd.nextInt(8) == 0, gq);
            if (rnd.nextInt(3) == 0) {
                G got = owner.get();
                if (got != null) {
                    seen.incrementAndGet((int) got.goid);
                }
            }
        }
        for (G x; (x = owner.get()) != null; ) {
            seen.incrementAndGet((int) x.goid);
        }
        done.set(true);
        for (Thread th : threads) {
            th.join();
        }
        for (G x; (x = gq.get()) != null; ) {
            seen.incrementAndGet((int) x.goid);
        }
        int lost = 0, dup = 0;
        for (int i = 0; i < total; i++) {
            int c = seen.get(i);
            if (c == 0) {
                lost++;
            } else if (c > 1) {
                dup++;
            }
        }
        assertEquals(0, lost, "G's lost");
        assertEquals(0, dup, "G's duplicated");
    }

    @Test
    void globalQueueServesWakeupsFirstAndSharesABatchWithTheLocalQueue() {
        GlobalRunq gq = global();
        for (int i = 0; i < 6; i++) {
            gq.put(g(i));
        }
        G w = g(100);
        gq.putWake(w);
        assertEquals(7, gq.size());
        assertEquals(1, gq.wakeSize());
        Runq local = new Runq();
        G first = gq.get(local, 2, 0);
        assertSame(w, first, "a wakeup from outside jumps the queue");
        // fair share: size/procs + 1 = 7/2 + 1 = 4 (one returned, three moved)
        assertEquals(3, local.size());
        assertEquals(0, local.get().goid);
        assertEquals(3, gq.size());
    }

    @Test
    void coprimeStrideVisitsEveryIndexOnce() {
        for (int n = 1; n <= 17; n++) {
            for (int seed = 0; seed < 40; seed++) {
                int stride = Scheduler.coprimeStride(n, seed);
                boolean[] hit = new boolean[n];
                for (int k = 0, idx = seed % n; k < n; k++, idx = (idx + stride) % n) {
                    hit[idx] = true;
                }
                for (boolean h : hit) {
                    assertTrue(h, "n=" + n + " stride=" + stride);
                }
            }
        }
    }
}
