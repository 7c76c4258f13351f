package dev.timeslice.runtime;

import java.util.concurrent.*;
import java.util.concurrent.atomic.*;

public class SmokeMain {
    public static void main(String[] a) throws Exception {
        try (Scheduler s = Scheduler.builder().procs(2).build()) {
            Thread t = s.go(() -> System.out.println("hello from " + Thread.currentThread() + " carrier=" + JdkAccess.currentCarrierThread()));
            t.join();
            AtomicInteger n = new AtomicInteger();
            long t0 = System.nanoTime();
            Thread[] ts = new Thread[100_000];
            for (int i = 0; i < ts.length; i++) ts[i] = s.go(n::incrementAndGet);
            for (Thread x : ts) x.join();
            System.out.println("100k spawn+join: " + n + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            Thread sl = s.go(() -> { try { Thread.sleep(50); } catch (InterruptedException e) {} System.out.println("slept"); });
            sl.join();
            // yield ping-pong
            AtomicInteger turn = new AtomicInteger();
            int N = 200_000;
            t0 = System.nanoTime();
            Thread y1 = s.go(() -> { for (int i = 0; i < N; i++) { while (turn.get() != 0) Thread.yield(); turn.set(1);} });
            Thread y2 = s.go(() -> { for (int i = 0; i < N; i++) { while (turn.get() != 1) Thread.yield(); turn.set(0);} });
            y1.join(); y2.join();
            System.out.println("yield pingpong: " + (System.nanoTime() - t0) / N + " ns/round");
            SynchronousQueue<Integer> q1 = new SynchronousQueue<>(), q2 = new SynchronousQueue<>();
            t0 = System.nanoTime();
            Thread p1 = s.go(() -> { try { for (int i = 0; i < N; i++) { q1.put(i); q2.take(); } } catch (InterruptedException e) {} });
            Thread p2 = s.go(() -> { try { for (int i = 0; i < N; i++) { q2.put(q1.take()); } } catch (InterruptedException e) {} });
            p1.join(); p2.join();
            System.out.println("syncq pingpong: " + (System.nanoTime() - t0) / N + " ns/round");
            System.out.println("live=" + s.liveGs() + " nondaemon=" + s.liveNonDaemon() + " Ms=" + s.mcount());
        }
        System.out.println("closed");
    }
}
