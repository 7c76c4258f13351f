package dev.timeslice.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The call-site targets of rewritten code, against the JVM-wide scheduler. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RoutesTest {
    static Scheduler global;

    @BeforeAll
    static void install() {
        synchronized (RoutesTest.class) {
            if (Timeslice.scheduler() == null) {
                Timeslice.install(Scheduler.builder().procs(2).name("routes-test").build(), null);
            }
            global = Timeslice.scheduler();
        }
    }

    private static boolean onTimeslice() {
        return JdkAccess.currentCarrierThread() instanceof M;
    }

    @Test
    void newThreadBecomesAGWithJavaDefaults() throws Exception {
        AtomicReference<Boolean> ran = new AtomicReference<>();
        Thread t = Routes.newThread(() -> ran.set(onTimeslice()));
        assertTrue(t.getName().startsWith("Thread-"), t.getName());
        assertFalse(Routes.isDaemon(t), "created by a non-daemon thread");
        t.start();
        t.join();
        assertTrue(ran.get());
    }

    @Test
    void namesAndDaemonFlagAreKept() throws Exception {
        Thread t = Routes.newThread(() -> { }, "worker");
        assertEquals("worker", t.getName());
        Routes.setDaemon(t, true);
        assertTrue(Routes.isDaemon(t));
        t.start();
        t.join();
        assertThrows(IllegalThreadStateException.class, () -> Routes.setDaemon(t, false));
        assertThrows(NullPointerException.class, () -> Routes.newThread(() -> { }, null));
    }

    @Test
    void aThreadCreatedByADaemonGIsDaemon() throws Exception {
        AtomicReference<Boolean> childDaemon = new AtomicReference<>();
        Thread parent = Routes.newThread(() -> childDaemon.set(Routes.isDaemon(Routes.newThread(() -> { }))));
        Routes.setDaemon(parent, true);
        parent.start();
        parent.join();
        assertTrue(childDaemon.get());
    }

    @Test
    void inheritableThreadLocalsAndUncaughtHandlersWork() throws Exception {
        InheritableThreadLocal<String> itl = new InheritableThreadLocal<>();
        itl.set("from parent");
        AtomicReference<String> seen = new AtomicReference<>();
        AtomicReference<Throwable> caught = new AtomicReference<>();
        Thread t = Routes.newThread(() -> {
            seen.set(itl.get());
            throw new IllegalStateException("boom");
        });
        t.setUncaughtExceptionHandler((th, e) -> caught.set(e));
        t.start();
        t.join();
        assertEquals("from parent", seen.get());
        assertEquals("boom", caught.get().getMessage());
    }

    @Test
    void poolFactoryNamesThreadsLikeTheJdk() throws Exception {
        ThreadFactory f = Routes.poolThreadFactory();
        Thread a = f.newThread(() -> { });
        assertTrue(a.getName().matches("pool-\\d+-thread-1"), a.getName());
        assertFalse(Routes.isDaemon(a));
        ExecutorService pool = Executors.newFixedThreadPool(3, Routes.poolThreadFactory());
        Future<Boolean> r = pool.submit(RoutesTest::onTimeslice);
        assertTrue(r.get());
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    @Test
    void virtualThreadApisLandOnTimeslice() throws Exception {
        AtomicReference<Boolean> a = new AtomicReference<>();
        Routes.startVirtualThread(() -> a.set(onTimeslice())).join();
        assertTrue(a.get());
        AtomicReference<Boolean> b = new AtomicReference<>();
        Routes.ofVirtual().name("v").start(() -> b.set(onTimeslice())).join();
        assertTrue(b.get());
        try (ExecutorService ex = Routes.newVirtualThreadPerTaskExecutor()) {
            assertTrue(ex.submit(RoutesTest::onTimeslice).get());
        }
    }

    @Test
    void platformBuildersKeepTheirSettings() throws Exception {
        Thread.Builder b = Thread.ofPlatform().name("plat-", 7).daemon(true);
        AtomicReference<Boolean> on = new AtomicReference<>();
        Thread t = Routes.builderStart(b, () -> on.set(onTimeslice()));
        t.join();
        assertEquals("plat-7", t.getName());
        assertTrue(Routes.isDaemon(t));
        assertTrue(on.get());
        Thread u = Routes.builderFactory(b).newThread(() -> { });
        assertEquals("plat-8", u.getName());
        // a virtual builder passes straight through
        Thread v = Routes.builderUnstarted(Thread.ofVirtual().name("vb"), () -> { });
        assertTrue(v.isVirtual());
        assertNotNull(v);
    }

    @Test
    void launcherFramesAreTrimmedFromMainsException() {
        StackTraceElement app = new StackTraceElement("Main", "main", "Main.java", 5);
        StackTraceElement[] in = {
            app,
            new StackTraceElement("java.lang.invoke.LambdaForm$DMH", "invokeStatic", null, -1),
            new StackTraceElement(Launcher.class.getName(), "lambda$enter$0", "Launcher.java", 60),
            new StackTraceElement("java.lang.VirtualThread", "run", "VirtualThread.java", 466),
        };
        StackTraceElement[] out = Launcher.withoutLauncherFrames(in);
        assertEquals(1, out.length);
        assertEquals(app, out[0]);
        assertInstanceOf(StackTraceElement[].class, out);
    }

    @Test
    void anOwnThreadGroupOrStackSizeLeavesAPlatformThreadTheCallersGroupIsRouted() throws Exception {
        ThreadGroup own = new ThreadGroup("own");
        Thread grouped = Routes.newThread(own, () -> { }, "grouped");
        assertFalse(grouped.isVirtual());
        assertSame(own, grouped.getThreadGroup());
        Thread sized = Routes.newThread(null, () -> { }, "sized", 1L << 20);
        assertFalse(sized.isVirtual());
        Thread callers = Routes.newThread(Thread.currentThread().getThreadGroup(), () -> { }, "callers", 0);
        assertTrue(callers.isVirtual(), "the creating thread's own group is what thread factories pass: routed");
        assertTrue(RouteStats.leftAloneCounts().getOrDefault(Routes.EXPLICIT_GROUP, 0L) >= 1);
        assertTrue(RouteStats.leftAloneCounts().getOrDefault(Routes.EXPLICIT_STACK, 0L) >= 1);
    }

    @Test
    void aRoutedThreadKeepsThePriorityTheProgramSetsAndValidatesIt() throws Exception {
        Thread t = Routes.newThread(() -> { });
        assertTrue(t.isVirtual());
        assertEquals(Thread.NORM_PRIORITY, Routes.getPriority(t));
        Routes.setPriority(t, Thread.NORM_PRIORITY + 1);
        assertEquals(Thread.NORM_PRIORITY + 1, Routes.getPriority(t));
        assertThrows(IllegalArgumentException.class, () -> Routes.setPriority(t, 42));
        AtomicReference<Integer> childPriority = new AtomicReference<>();
        Routes.setPriority(t, Thread.MAX_PRIORITY);
        Thread parent = Routes.newThread(() -> childPriority.set(Routes.getPriority(Routes.newThread(() -> { }))));
        Routes.setPriority(parent, 7);
        parent.start();
        parent.join();
        assertEquals(7, childPriority.get(), "a new thread starts with its creator's priority");
    }

    @Test
    void stackSizesParseAsTheLauncherReadsThem() {
        assertEquals(512L << 10, M.parseSize("512k", 1));
        assertEquals(8L << 20, M.parseSize("8m", 1));
        assertEquals(1L << 30, M.parseSize("1G", 1));
        assertEquals(2048L << 10, M.parseSize("2048", 1024), "-XX:ThreadStackSize is in KB");
        assertEquals(-1, M.parseSize("lots", 1));
        assertTrue(M.STACK_SIZE >= M.MIN_STACK);
    }
}
