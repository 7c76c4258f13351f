package dev.timeslice.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lifecycle, state transitions and placement of G's. Most tests use procs=1: if a blocking call
 * did not free the M, the G that must unblock it could never run and the test would hang
 * (caught by @Timeout — a deadlock detector, not a timing assertion).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SchedulerTest {
    private Scheduler sched;

    private Scheduler sched(int procs) {
        sched = Scheduler.builder().procs(procs).build();
        return sched;
    }

    @AfterEach
    void close() {
        if (sched != null) {
            sched.close();
        }
    }

    /** Runs {@code body} as a G and waits for it, rethrowing what it threw. */
    private static void inG(Scheduler s, ThrowingRunnable body) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = s.go(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join();
        if (failure.get() instanceof Exception e) {
            throw e;
        } else if (failure.get() instanceof Error e) {
            throw e;
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aGRunsOnAnMAsAVirtualThread() throws Exception {
        Scheduler s = sched(2);
        inG(s, () -> {
            assertTrue(Thread.currentThread().isVirtual());
            M m = assertInstanceOf(M.class, JdkAccess.currentCarrierThread());
            assertSame(s, m.sched);
            G g = s.gOf(Thread.currentThread());
            assertNotNull(g);
            assertEquals(G.RUNNING, g.state());
            assertSame(g, m.curg);
        });
    }

    @Test
    void stateTransitionsFollowTheTable() throws Exception {
        Scheduler s = sched(1);
        CountDownLatch parked = new CountDownLatch(1);
        AtomicReference<G> self = new AtomicReference<>();
        Thread t = s.newThread().unstarted(() -> {
            self.set(s.gOf(Thread.currentThread()));
            parked.countDown();
            java.util.concurrent.locks.LockSupport.park();
        });
        G g = s.gOf(t);
        assertEquals(G.IDLE, g.state());
        t.start();
        parked.await();
        awaitState(g, G.WAITING);
        assertSame(g, self.get());
        assertEquals(1, g.runs);
        java.util.concurrent.locks.LockSupport.unpark(t);
        t.join();
        awaitState(g, G.DEAD);
        assertEquals(2, g.runs, "ran once before parking and once after");
        assertTrue(g.runNanos() > 0);
        assertEquals(0, s.liveGs(), "the registry drops dead G's");
    }

    private static void awaitState(G g, int state) throws InterruptedException {
        while (g.state() != state) {
            Thread.sleep(1);
        }
    }

    @Test
    void spawnsAndJoinsOneHundredThousandGs() throws Exception {
        Scheduler s = sched(2);
        AtomicInteger ran = new AtomicInteger();
        inG(s, () -> {
            Thread[] ts = new Thread[100_000];
            for (int i = 0; i < ts.length; i++) {
                ts[i] = s.go(ran::incrementAndGet);
            }
            for (Thread t : ts) {
                t.join();
            }
        });
        assertEquals(100_000, ran.get());
        s.awaitNonDaemon(); // join() returns before the M has retired the G
        assertEquals(0, s.liveNonDaemon());
        while (s.liveGs() != 0) {
            Thread.sleep(1);
        }
        assertTrue(s.stats.created.sum() >= 100_001);
    }

    @Test
    void sleepParksTheGAndFreesTheM() throws Exception {
        Scheduler s = sched(1);
        AtomicInteger during = new AtomicInteger();
        AtomicBoolean sleeping = new AtomicBoolean(true);
        Thread sleeper = s.go(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            sleeping.set(false);
        });
        Thread other = s.go(() -> {
            while (sleeping.get()) {
                during.incrementAndGet();
                Thread.yield();
            }
        });
        sleeper.join();
        other.join();
        assertTrue(during.get() > 0, "another G ran on the only P while the first slept");
    }

    @Test
    void lockSupportParkAndUnparkBetweenGs() throws Exception {
        Scheduler s = sched(1);
        CountDownLatch ready = new CountDownLatch(1);
        AtomicBoolean woke = new AtomicBoolean();
        Thread parker = s.go(() -> {
            ready.countDown();
            while (!woke.get()) {
                java.util.concurrent.locks.LockSupport.park();
            }
        });
        ready.await();
        Thread waker = s.go(() -> {
            woke.set(true);
            java.util.concurrent.locks.LockSupport.unpark(parker);
        });
        waker.join();
        parker.join();
    }

    @Test
    void reentrantLockContentionParksTheWaiter() throws Exception {
        Scheduler s = sched(1);
        java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger order = new AtomicInteger();
        Thread holder = s.go(() -> {
            lock.lock();
            try {
                held.countDown();
                release.await();
                order.compareAndSet(0, 1);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            } finally {
                lock.unlock();
            }
        });
        held.await();
        Thread waiter = s.go(() -> {
            lock.lock();
            try {
                order.compareAndSet(1, 2);
            } finally {
                lock.unlock();
            }
        });
        awaitState(s.gOf(waiter), G.WAITING);
        release.countDown();
        holder.join();
        waiter.join();
        assertEquals(2, order.get());
    }

    @Test
    void synchronizedWaitAndNotifyUnmount() throws Exception {
        Scheduler s = sched(1);
        Object monitor = new Object();
        List<String> log = new ArrayList<>();
        Thread waiter = s.go(() -> {
            synchronized (monitor) {
                log.add("waiting");
                while (!log.contains("notified")) {
                    try {
                        monitor.wait();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                }
                log.add("woke");
            }
        });
        awaitState(s.gOf(waiter), G.WAITING);
        Thread notifier = s.go(() -> {
            synchronized (monitor) {
                log.add("notified");
                monitor.notifyAll();
            }
        });
        notifier.join();
        waiter.join();
        assertEquals(List.of("waiting", "notified", "woke"), log);
    }

    @Test
    void contendedSynchronizedBlocksTheGNotTheM() throws Exception {
        Scheduler s = sched(1);
        Object monitor = new Object();
        CountDownLatch entered = new CountDownLatch(1);
        AtomicBoolean release = new AtomicBoolean();
        Thread holder = s.go(() -> {
            synchronized (monitor) {
                entered.countDown();
                while (!release.get()) {
                    Thread.yield();
                }
            }
        });
        entered.await();
        AtomicBoolean got = new AtomicBoolean();
        Thread blocked = s.go(() -> {
            synchronized (monitor) {
                got.set(true);
            }
        });
        Thread releaser = s.go(() -> release.set(true));
        releaser.join();
        holder.join();
        blocked.join();
        assertTrue(got.get());
    }

    @Test
    void blockingQueueProducerConsumer() throws Exception {
        Scheduler s = sched(1);
        BlockingQueue<Integer> q = new ArrayBlockingQueue<>(4);
        AtomicInteger sum = new AtomicInteger();
        Thread consumer = s.go(() -> {
            try {
                for (int i = 0; i < 10_000; i++) {
                    sum.addAndGet(q.take());
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        Thread producer = s.go(() -> {
            try {
                for (int i = 0; i < 10_000; i++) {
                    q.put(1);
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        producer.join();
        consumer.join();
        assertEquals(10_000, sum.get());
    }

    @Test
    void loopbackSocketsParkGsInIo() throws Exception {
        Scheduler s = sched(1);
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread echo = s.go(() -> {
                try (java.net.Socket c = server.accept()) {
                    byte[] buf = new byte[5];
                    int n = c.getInputStream().readNBytes(buf, 0, 5);
                    c.getOutputStream().write(buf, 0, n);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            AtomicReference<String> reply = new AtomicReference<>();
            Thread client = s.go(() -> {
                try (java.net.Socket c = new java.net.Socket(server.getInetAddress(), server.getLocalPort())) {
                    c.getOutputStream().write("hello".getBytes());
                    reply.set(new String(c.getInputStream().readNBytes(5)));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            client.join();
            echo.join();
            assertEquals("hello", reply.get());
        }
    }

    @Test
    void interruptWakesASleepingG() throws Exception {
        Scheduler s = sched(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread sleeper = s.go(() -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        awaitState(s.gOf(sleeper), G.WAITING);
        sleeper.interrupt();
        sleeper.join();
        assertTrue(interrupted.get());
    }

    @Test
    void aVirtualThreadStartedInsideAGRunsOnTimesliceToo() throws Exception {
        Scheduler s = sched(2);
        AtomicReference<Thread> carrier = new AtomicReference<>();
        AtomicReference<G> childG = new AtomicReference<>();
        inG(s, () -> {
            Thread child = Thread.ofVirtual().start(() -> {
                carrier.set(JdkAccess.currentCarrierThread());
                childG.set(s.gOf(Thread.currentThread()));
            });
            child.join();
        });
        M m = assertInstanceOf(M.class, carrier.get());
        assertSame(s, m.sched);
        assertNotNull(childG.get(), "the child was adopted as a G");
        assertTrue(childG.get().isForeign());
    }

    @Test
    void aGWokenFromOutsideIsNotLivelockedByAYieldingG() throws Exception {
        // With one carrier the JDK's ForkJoinPool scheduler keeps re-running a G that spins on
        // Thread.yield() ahead of one unparked by a platform thread, for seconds.
        Scheduler s = sched(1);
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch parked = new CountDownLatch(1);
        Thread sleeper = s.go(() -> {
            parked.countDown();
            java.util.concurrent.locks.LockSupport.park();
            done.set(true);
        });
        parked.await();
        awaitState(s.gOf(sleeper), G.WAITING);
        Thread spinner = s.go(() -> {
            while (!done.get()) {
                Thread.yield();
            }
        });
        Thread platform = Thread.ofPlatform().start(() -> java.util.concurrent.locks.LockSupport.unpark(sleeper));
        platform.join();
        sleeper.join();
        spinner.join();
    }

    @Test
    void nonDaemonGsAreCountedUntilTheyEnd() throws Exception {
        Scheduler s = sched(1);
        CountDownLatch go = new CountDownLatch(1);
        Thread nd = s.newThread().daemon(false).start(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        Thread d = s.newThread().daemon(true).start(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(1, s.liveNonDaemon());
        go.countDown();
        s.awaitNonDaemon();
        assertEquals(0, s.liveNonDaemon());
        nd.join();
        d.join();
    }

    @Test
    void uncaughtExceptionsReachTheHandler() throws Exception {
        Scheduler s = sched(1);
        AtomicReference<Throwable> caught = new AtomicReference<>();
        Thread t = s.newThread().uncaughtExceptionHandler((th, e) -> caught.set(e))
                .start(() -> {
                    throw new IllegalStateException("boom");
                });
        t.join();
        assertEquals("boom", caught.get().getMessage());
    }

    @Test
    void executorServiceRunsOneGPerTask() throws Exception {
        Scheduler s = sched(2);
        try (ExecutorService ex = s.newGPerTaskExecutor()) {
            List<Future<Boolean>> fs = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                fs.add(ex.submit(() -> JdkAccess.currentCarrierThread() instanceof M));
            }
            for (Future<Boolean> f : fs) {
                assertTrue(f.get());
            }
        }
        CompletableFuture<String> cf = CompletableFuture.supplyAsync(() -> Thread.currentThread().getName(),
                r -> s.newThread().name("cf").start(r));
        assertEquals("cf", cf.get());
    }

    @Test
    void threadFactoryNamesAndCreatesUnstartedGs() throws Exception {
        Scheduler s = sched(1);
        java.util.concurrent.ThreadFactory f = s.newThread().name("worker-", 1).factory();
        Thread a = f.newThread(() -> { });
        Thread b = f.newThread(() -> { });
        assertEquals("worker-1", a.getName());
        assertEquals("worker-2", b.getName());
        assertEquals(Thread.State.NEW, a.getState());
        a.start();
        b.start();
        a.join();
        b.join();
    }

    @Test
    void shutdownRejectsNewGsAndWaitsForLiveOnes() throws Exception {
        Scheduler s = Scheduler.builder().procs(2).build();
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        s.go(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            finished.set(true);
        });
        s.shutdown();
        assertThrows(RejectedExecutionException.class, () -> s.go(() -> { }));
        assertFalse(s.awaitTermination(Duration.ofMillis(50)));
        release.countDown();
        assertTrue(s.awaitTermination(Duration.ofSeconds(30)));
        assertTrue(finished.get());
        for (M m : s.allm()) {
            m.join(10_000);
            assertFalse(m.isAlive(), m + " exited");
        }
    }

    @Test
    void aGStartedOrWokenByAGGoesToRunnextOfItsP() throws Exception {
        Scheduler s = sched(1);
        inG(s, () -> {
            M m = (M) JdkAccess.currentCarrierThread();
            Thread child = s.newThread().unstarted(() -> { });
            child.start();
            G cg = s.gOf(child);
            assertEquals(G.RUNNABLE, cg.state());
            // Go's newproc: the new G goes to runnext of the current P, ahead of the ring
            assertSame(cg, m.p.runq.get());
            assertTrue(m.p.runq.inheritTime);
            m.p.runq.put(cg, true, s.globrunq);
        });
    }

    @Test
    void hasKnownQueuedWorkMirrorsThePsRunQueue() throws Exception {
        Scheduler s = sched(1);
        java.lang.reflect.Method known = java.util.concurrent.ForkJoinWorkerThread.class
                .getDeclaredMethod("hasKnownQueuedWork");
        known.setAccessible(true);
        inG(s, () -> {
            assertFalse((Boolean) known.invoke(null), "nothing queued on this P");
            Thread child = s.go(() -> { });
            assertTrue((Boolean) known.invoke(null), "the child waits in runnext and no other P can take it");
            child.join();
            assertFalse((Boolean) known.invoke(null));
        });
    }
}
