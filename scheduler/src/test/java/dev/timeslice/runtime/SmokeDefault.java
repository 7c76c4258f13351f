package dev.timeslice.runtime;

import java.util.concurrent.*;
import java.util.concurrent.atomic.*;

public class SmokeDefault {
    public static void main(String[] a) throws Exception {
        Scheduler s = a.length > 0 ? Scheduler.builder().procs(Integer.parseInt(a[0])).build() : null;
        java.util.function.Function<Runnable,Thread> b0 = s != null ? s::go : Thread::startVirtualThread;
        record B(java.util.function.Function<Runnable,Thread> f) { Thread start(Runnable r) { return f.apply(r); } }
        B b = new B(b0);
        for (int rep = 0; rep < 5; rep++) {
            AtomicInteger n = new AtomicInteger();
            long t0 = System.nanoTime();
            Thread[] ts = new Thread[100_000];
            for (int i = 0; i < ts.length; i++) ts[i] = b.start(n::incrementAndGet);
            for (Thread x : ts) x.join();
            System.out.println("100k spawn+join: " + n + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            AtomicInteger turn = new AtomicInteger();
            int N = 200_000;
            t0 = System.nanoTime();
            Thread y1 = b.start(() -> { for (int i = 0; i < N; i++) { while (turn.get() != 0) Thread.yield(); turn.set(1);} });
            Thread y2 = b.start(() -> { for (int i = 0; i < N; i++) { while (turn.get() != 1) Thread.yield(); turn.set(0);} });
            y1.join(); y2.join();
            System.out.println("yield pingpong: " + (System.nanoTime() - t0) / N + " ns/round");
            SynchronousQueue<Integer> q1 = new SynchronousQueue<>(), q2 = new SynchronousQueue<>();
            t0 = System.nanoTime();
            Thread p1 = b.start(() -> { try { for (int i = 0; i < N; i++) { q1.put(i); q2.take(); } } catch (InterruptedException e) {} });
            Thread p2 = b.start(() -> { try { for (int i = 0; i < N; i++) { q2.put(q1.take()); } } catch (InterruptedException e) {} });
            p1.join(); p2.join();
            System.out.println("syncq pingpong: " + (System.nanoTime() - t0) / N + " ns/round");
            if (s != null) System.out.println(s.counters());
        }
    }
}
