package dev.timeslice.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link SelectHandoff}: a G's {@code Selector.select} (through {@link Routes#select}) is run by
 * its M as a platform thread, and behaves as {@code select} does: it returns for readiness, for
 * {@code wakeup()}, for an interrupt (keeping the interrupt status), after its timeout, and throws
 * on a closed selector. procs=1 throughout: if the selecting M kept its P, the G that must make the
 * select return could never run and the test would hang (caught by @Timeout).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SelectHandoffTest {
    private Scheduler sched;
    private Selector selector;
    private Pipe pipe;

    @AfterEach
    void close() throws Exception {
        if (sched != null) {
            sched.close();
        }
        if (selector != null) {
            selector.close();
        }
        if (pipe != null) {
            pipe.source().close();
            pipe.sink().close();
        }
    }

    private void setUp() throws Exception {
        sched = Scheduler.builder().procs(1).build();
        selector = Selector.open();
        pipe = Pipe.open();
        pipe.source().configureBlocking(false);
        pipe.source().register(selector, SelectionKey.OP_READ);
    }

    /** Waits until some M (a platform thread) is inside a handed-off select. */
    private static void awaitSelectOnM() throws InterruptedException {
        while (!selectRunsOnM()) {
            Thread.sleep(1);
        }
    }

    private static boolean selectRunsOnM() {
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            if (e.getKey() instanceof M) {
                for (StackTraceElement f : e.getValue()) {
                    if (f.getClassName().equals(SelectHandoff.class.getName()) && f.getMethodName().equals("run")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** A G that selects once ({@code Routes.select}, as rewritten code calls it); its result. */
    private CompletableFuture<Integer> selectInG(long timeout) {
        CompletableFuture<Integer> selected = new CompletableFuture<>();
        sched.go(() -> {
            try {
                selected.complete(timeout == 0 ? Routes.select(selector) : Routes.select(selector, timeout));
            } catch (Throwable t) {
                selected.completeExceptionally(t);
            }
        });
        return selected;
    }

    @Test
    void readinessEndsTheSelectOnTheMAndAnotherGRunsMeanwhile() throws Exception {
        setUp();
        CompletableFuture<Integer> selected = selectInG(0);
        awaitSelectOnM();
        // the one P is free: a G runs and makes the pipe readable
        sched.go(() -> {
            try {
                pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }).join();
        assertEquals(1, selected.get());
    }

    @Test
    void theGGoesOnAfterItsSelectAndItsNextSelectsNeedNoP() throws Exception {
        setUp();
        int rounds = 200;
        AtomicInteger seen = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        // the selecting G starts a writer G per round: ping-pong through the scheduler
        Thread loop = sched.go(() -> {
            try {
                ByteBuffer b = ByteBuffer.allocate(16);
                for (int i = 0; i < rounds; i++) {
                    sched.go(() -> {
                        try {
                            pipe.sink().write(ByteBuffer.wrap(new byte[] {2}));
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    });
                    while (Routes.select(selector) == 0) {
                        // spurious: select again
                    }
                    selector.selectedKeys().clear();
                    b.clear();
                    seen.addAndGet(pipe.source().read(b));
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            } finally {
                done.countDown();
            }
        });
        done.await();
        loop.join();
        assertEquals(rounds, seen.get());
    }

    @Test
    void wakeupEndsTheSelect() throws Exception {
        setUp();
        CompletableFuture<Integer> selected = selectInG(0);
        awaitSelectOnM();
        selector.wakeup();
        assertEquals(0, selected.get());
    }

    @Test
    void anInterruptEndsTheSelectAndStays() throws Exception {
        setUp();
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        Thread g = sched.go(() -> {
            try {
                Routes.select(selector);
                interrupted.complete(Thread.currentThread().isInterrupted());
            } catch (Throwable t) {
                interrupted.completeExceptionally(t);
            }
        });
        awaitSelectOnM();
        g.interrupt();
        assertTrue(interrupted.get());
    }

    @Test
    void aTimeoutEndsTheSelect() throws Exception {
        setUp();
        CompletableFuture<Integer> selected = selectInG(20);
        assertEquals(0, selected.get());
    }

    @Test
    void aClosedSelectorThrowsAsTheJdkDoes() throws Exception {
        setUp();
        selector.close();
        CompletableFuture<Integer> selected = selectInG(0);
        Exception e = assertThrows(Exception.class, selected::get);
        assertTrue(e.getCause() instanceof ClosedSelectorException, e.toString());
        assertThrows(IllegalArgumentException.class, () -> Routes.select(selector, -1));
    }

    @Test
    void closingTheSelectorFromAnotherGEndsTheSelect() throws Exception {
        setUp();
        CompletableFuture<Integer> selected = selectInG(0);
        awaitSelectOnM();
        sched.go(() -> {
            try {
                selector.close();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }).join();
        assertEquals(0, selected.get());
    }

    @Test
    void aLongSelectWakesItsGOnceAndNoWatchdogUnparksIt() throws Exception {
        setUp();
        CompletableFuture<Integer> runsAfter = new CompletableFuture<>();
        sched.go(() -> {
            try {
                Routes.select(selector);
                runsAfter.complete(sched.gOf(Thread.currentThread()).runs);
            } catch (Throwable t) {
                runsAfter.completeExceptionally(t);
            }
        });
        awaitSelectOnM();
        Thread.sleep(100); // ten probe times: a timed park would have woken the G meanwhile
        pipe.sink().write(ByteBuffer.wrap(new byte[] {5}));
        // its first run, and its resumption after the select: no timeout woke it in between
        assertEquals(2, runsAfter.get());
        assertEquals(0, sched.pinWatch.unparked);
    }

    @Test
    void aPinnedGSelectsItselfAfterTheProbe() throws Exception {
        setUp();
        java.lang.reflect.Method pin = Class.forName("jdk.internal.vm.Continuation").getMethod("pin");
        java.lang.reflect.Method unpin = Class.forName("jdk.internal.vm.Continuation").getMethod("unpin");
        CompletableFuture<Integer> selected = new CompletableFuture<>();
        CompletableFuture<Boolean> pinsAfter = new CompletableFuture<>();
        sched.go(() -> {
            try {
                pin.invoke(null); // as a native frame would: this G cannot unmount
                try {
                    selected.complete(Routes.select(selector));
                } finally {
                    unpin.invoke(null);
                }
                pinsAfter.complete(sched.gOf(Thread.currentThread()).selectPins);
            } catch (Throwable t) {
                selected.completeExceptionally(t);
                pinsAfter.completeExceptionally(t);
            }
        });
        Thread.sleep(50); // past the probe: the G selects itself, pinning its M as the JDK would
        pipe.sink().write(ByteBuffer.wrap(new byte[] {4}));
        assertEquals(1, selected.get());
        assertTrue(pinsAfter.get());
        assertTrue(sched.pinWatch.unparked >= 1, "the watchdog unparked the pinned G");
    }

    @Test
    void offAGTheSelectIsTheJdks() throws Exception {
        setUp();
        pipe.sink().write(ByteBuffer.wrap(new byte[] {3}));
        assertEquals(1, Routes.select(selector));
    }
}
