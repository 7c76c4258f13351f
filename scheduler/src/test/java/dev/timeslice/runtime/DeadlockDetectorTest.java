package dev.timeslice.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.timeslice.runtime.observe.ObserveTestAccess;
import dev.timeslice.runtime.observe.SchedulerMXBean;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.Test;

/**
 * Lock cycles among G's of an embedded scheduler (the all-asleep half needs a whole JVM: see the
 * agent's DeadlockIT). The G's lock interruptibly, so each test can end its deadlock.
 */
class DeadlockDetectorTest extends SchedulerTestBase {

    /** Waits (bounded, not timed) until every thread is parked on something. */
    private static void awaitBlocked(Thread... threads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (Thread t : threads) {
            while (t.getState() != Thread.State.WAITING) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(t + " never blocked: " + t.getState());
                }
                Thread.sleep(5);
            }
        }
    }

    private Thread[] reentrantLockCycle(ReentrantLock a, ReentrantLock b) {
        CountDownLatch bothHoldOne = new CountDownLatch(2);
        Thread t1 = sched.newThread().name("left").start(() -> take(a, b, bothHoldOne));
        Thread t2 = sched.newThread().name("right").start(() -> take(b, a, bothHoldOne));
        return new Thread[] {t1, t2};
    }

    private static void take(ReentrantLock first, ReentrantLock second, CountDownLatch bothHoldOne) {
        try {
            first.lockInterruptibly();
            try {
                bothHoldOne.countDown();
                bothHoldOne.await();
                second.lockInterruptibly();
                second.unlock();
            } finally {
                first.unlock();
            }
        } catch (InterruptedException e) {
            // the test ends the deadlock
        }
    }

    private static void end(Thread... threads) throws InterruptedException {
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    @Test
    void findDeadlocksReportsAReentrantLockCycleOnceAndTheMxBeanCountsIt() throws Exception {
        sched = Scheduler.builder().name("dl-test").procs(2).deadlock(DeadlockMode.OFF).build();
        assertEquals("No deadlock found among G's.\n", sched.findDeadlocks());
        Thread[] ts = reentrantLockCycle(new ReentrantLock(), new ReentrantLock());
        awaitBlocked(ts);
        String text = sched.findDeadlocks();
        assertTrue(text.startsWith("Found one deadlock among G's:\n"), text);
        assertTrue(text.contains("\"left\":\n  waiting for ownable synchronizer <0x"), text);
        assertTrue(text.contains("(a java.util.concurrent.locks.ReentrantLock$NonfairSync),\n  which is held by goroutine "), text);
        assertTrue(text.contains("DeadlockDetectorTest.take(...)"), "stacks: " + text);
        assertTrue(text.endsWith("Found 1 deadlock.\n\n"), text);
        List<Deadlock> found = sched.deadlocks();
        assertEquals(1, found.size());
        assertEquals(Deadlock.Kind.LOCK_CYCLE, found.get(0).kind());
        assertEquals(List.of(sched.gOf(ts[0]).goid, sched.gOf(ts[1]).goid), found.get(0).goids(), "in wait order, smallest first");

        // asked again: still there, not counted twice
        assertTrue(sched.findDeadlocks().contains("Found one deadlock among G's:"));
        SchedulerMXBean jmx = ObserveTestAccess.mxBean(sched);
        assertEquals(1, jmx.getDeadlocksFound());
        assertTrue(jmx.findDeadlocks().contains("\"right\":\n  waiting for ownable synchronizer"));
        // and through an MBean server, as jconsole sees it
        javax.management.MBeanServer server = javax.management.MBeanServerFactory.newMBeanServer();
        javax.management.ObjectName name = new javax.management.ObjectName("timeslice:type=Scheduler,name=dl-test");
        server.registerMBean(new javax.management.StandardMBean(jmx, SchedulerMXBean.class, true), name);
        assertEquals(1L, server.getAttribute(name, "DeadlocksFound"));
        String viaJmx = (String) server.invoke(name, "findDeadlocks", new Object[0], new String[0]);
        assertTrue(viaJmx.contains("Found one deadlock among G's:"), viaJmx);
        assertTrue(sched.goroutineDump().contains("# deadlocks found among G's: 1\n"), "the goroutine dump lists it");
        end(ts);
        assertEquals("No deadlock found among G's.\n", sched.findDeadlocks());
    }

    @Test
    void reportModeFindsTheCycleByItselfAndTellsTheListener() throws Exception {
        sched = Scheduler.builder().name("dl-auto").procs(2).deadlock(DeadlockMode.REPORT).build();
        List<Deadlock> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        sched.setEvents(new SchedEvents() {
            @Override
            public void deadlock(Deadlock d) {
                heard.add(d);
            }
        });
        Thread[] ts = reentrantLockCycle(new ReentrantLock(), new ReentrantLock());
        awaitBlocked(ts);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (sched.deadlocks().isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the detector did not find the cycle");
            Thread.sleep(20);
        }
        assertEquals(1, heard.size(), heard.toString());
        assertEquals(Deadlock.Kind.LOCK_CYCLE, heard.get(0).kind());
        end(ts);
    }

    @Test
    void aReadLockHolderAskingForTheWriteLockDeadlocksWithItself() throws Exception {
        sched = Scheduler.builder().name("dl-rw").procs(1).build();
        ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
        Thread t = sched.newThread().name("upgrader").start(() -> {
            rw.readLock().lock();
            try {
                rw.writeLock().lockInterruptibly(); // never granted while we hold the read lock
            } catch (InterruptedException e) {
                // ended by the test
            } finally {
                rw.readLock().unlock();
            }
        });
        awaitBlocked(t);
        String text = sched.findDeadlocks();
        assertTrue(text.contains("\"upgrader\":\n  waiting for ownable synchronizer"), text);
        assertTrue(text.contains("ReentrantReadWriteLock$NonfairSync),\n  which is held by goroutine " + sched.gOf(t).goid + " \"upgrader\""), text);
        end(t);
    }

    @Test
    void waitingOnAConditionOrALockHeldByARunnableGIsNoCycle() throws Exception {
        sched = Scheduler.builder().name("dl-none").procs(2).build();
        ReentrantLock lock = new ReentrantLock();
        Condition never = lock.newCondition();
        Thread waiter = sched.newThread().name("cond").start(() -> {
            lock.lock();
            try {
                never.await();
            } catch (InterruptedException e) {
                // ended by the test
            } finally {
                lock.unlock();
            }
        });
        awaitBlocked(waiter);
        ReentrantLock held = new ReentrantLock();
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = sched.newThread().name("holder").start(() -> {
            held.lock();
            try {
                holding.countDown();
                release.await();
            } catch (InterruptedException e) {
                // ended by the test
            } finally {
                held.unlock();
            }
        });
        holding.await();
        Thread blocked = sched.newThread().name("blocked").start(() -> {
            try {
                held.lockInterruptibly();
                held.unlock();
            } catch (InterruptedException e) {
                // ended by the test
            }
        });
        awaitBlocked(blocked, holder);
        assertEquals("No deadlock found among G's.\n", sched.findDeadlocks());
        assertTrue(sched.deadlocks().isEmpty());
        release.countDown();
        end(waiter, holder, blocked);
    }

    @Test
    void callsThatTheOutsideWorldFinishesAreRecognisedByTheirFrames() {
        StackTraceElement app = new StackTraceElement("com.acme.Main", "main", "Main.java", 3);
        StackTraceElement accept = new StackTraceElement("sun.nio.ch.NioSocketImpl", "accept", null, -1);
        StackTraceElement waitFor = new StackTraceElement("java.lang.ProcessImpl", "waitFor", null, -1);
        StackTraceElement latch = new StackTraceElement("java.util.concurrent.CountDownLatch", "await", null, -1);
        assertTrue(AllAsleep.external(new StackTraceElement[] {accept, app}));
        assertTrue(AllAsleep.external(new StackTraceElement[] {waitFor, app}));
        assertFalse(AllAsleep.external(new StackTraceElement[] {latch, app}));
    }

    @Test
    void anEmbeddedSchedulerIsNeverAllAsleepWhileItsHostThreadLives() throws Exception {
        sched = Scheduler.builder().name("dl-embedded").procs(1).build();
        CountDownLatch never = new CountDownLatch(1);
        Thread t = sched.go(() -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                // ended by the test
            }
        });
        awaitBlocked(t);
        // the test runner's non-daemon threads (main) could still count the latch down
        assertEquals(null, AllAsleep.check(sched));
        end(t);
    }
}
