package dev.timeslice.runtime.bench;

import dev.timeslice.runtime.Safepoint;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The scheduling scenarios that more than one benchmark measures, written once. Loops inside
 * G's call {@link Safepoint#pollCallLoop()} at every iteration, as the agent's rewriting would
 * (they call into the JDK).
 */
final class Scenarios {
    /** Starts a thread (a G, or a JDK virtual thread) running {@code r}. */
    interface Starter {
        Thread start(Runnable r);
    }

    private Scenarios() {
    }

    /** A root thread starts {@code n} threads and joins them all; returns how many ran. */
    static int spawnJoin(Starter s, int n) throws InterruptedException {
        AtomicInteger ran = new AtomicInteger();
        Thread root = s.start(() -> {
            Thread[] ts = new Thread[n];
            for (int i = 0; i < n; i++) {
                ts[i] = s.start(ran::incrementAndGet);
                Safepoint.pollCallLoop();
            }
            try {
                for (Thread t : ts) {
                    t.join();
                    Safepoint.pollCallLoop();
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        root.join();
        return ran.get();
    }

    /** Two threads take turns {@code rounds} times, each spinning on Thread.yield() until it is its turn. */
    static int yieldPingPong(Starter s, int rounds) throws InterruptedException {
        AtomicInteger turn = new AtomicInteger();
        Thread a = s.start(() -> takeTurns(turn, 0, rounds));
        Thread b = s.start(() -> takeTurns(turn, 1, rounds));
        a.join();
        b.join();
        return turn.get();
    }

    private static void takeTurns(AtomicInteger turn, int mine, int rounds) {
        for (int i = 0; i < rounds; i++) {
            while (turn.get() != mine) {
                Thread.yield();
                Safepoint.pollCallLoop();
            }
            turn.set(1 - mine);
        }
    }
}
