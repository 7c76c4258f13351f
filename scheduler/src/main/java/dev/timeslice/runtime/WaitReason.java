package dev.timeslice.runtime;

import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Names why a G waits, in the spirit of Go's {@code waitReason} strings ("sleep", "chan
 * receive", "IO wait", "semacquire"...), derived from the JDK's view of the thread: its
 * {@link Thread.State}, its park blocker, and — when a stack is at hand — its innermost frames.
 */
final class WaitReason {
    private WaitReason() {
    }

    static String of(Thread t, List<StackTraceElement> stack) {
        Thread.State st = t.getState();
        if (st == Thread.State.BLOCKED) {
            return "monitor enter";
        }
        if (st != Thread.State.WAITING && st != Thread.State.TIMED_WAITING) {
            return "";
        }
        String fromStack = fromStack(stack);
        if (fromStack != null) {
            return fromStack;
        }
        Object blocker = LockSupport.getBlocker(t);
        if (blocker != null) {
            return fromBlocker(blocker.getClass().getName());
        }
        return st == Thread.State.TIMED_WAITING ? "sleep" : "park";
    }

    private static String fromStack(List<StackTraceElement> stack) {
        if (stack == null) {
            return null;
        }
        for (StackTraceElement e : stack) {
            String c = e.getClassName();
            String m = e.getMethodName();
            if (c.equals("java.lang.Thread") && m.startsWith("sleep")) {
                return "sleep";
            }
            if (c.equals("java.lang.Object") && m.startsWith("wait")) {
                return "Object.wait";
            }
            if (c.equals("java.lang.Thread") && m.startsWith("join")) {
                return "join";
            }
            if (c.startsWith("sun.nio.ch.") || c.startsWith("java.net.") || c.startsWith("java.nio.channels.")) {
                return "IO wait";
            }
            if (c.startsWith("java.util.concurrent.SynchronousQueue") || c.startsWith("java.util.concurrent.LinkedTransferQueue")
                    || c.startsWith("java.util.concurrent.Exchanger")) {
                return "chan " + (m.startsWith("take") || m.startsWith("poll") || m.equals("exchange") ? "receive" : "send");
            }
            if (c.startsWith("java.util.concurrent.") && (m.equals("take") || m.equals("poll"))) {
                return "queue take";
            }
            if (c.startsWith("java.util.concurrent.") && (m.equals("put") || m.equals("offer"))) {
                return "queue put";
            }
            if (c.equals(GcScan.class.getName())) {
                return "GC scan";
            }
            if (c.equals(SelectHandoff.class.getName())) {
                return "IO wait"; // its M runs the select (SelectHandoff)
            }
            if (!c.startsWith("java.") && !c.startsWith("jdk.") && !c.startsWith("sun.")) {
                break; // reached application code without a known blocking frame
            }
        }
        return null;
    }

    private static String fromBlocker(String blockerClass) {
        if (blockerClass.contains("ConditionObject")) {
            return "cond wait";
        }
        if (blockerClass.contains("ReentrantLock") || blockerClass.contains("ReentrantReadWriteLock")
                || blockerClass.contains("Semaphore")) {
            return "semacquire";
        }
        if (blockerClass.contains("CountDownLatch") || blockerClass.contains("Phaser") || blockerClass.contains("CyclicBarrier")) {
            return "sync wait";
        }
        if (blockerClass.contains("Future") || blockerClass.contains("CompletableFuture")) {
            return "future wait";
        }
        if (blockerClass.contains("SynchronousQueue") || blockerClass.contains("TransferQueue")) {
            return "chan receive";
        }
        if (blockerClass.startsWith("sun.nio.") || blockerClass.startsWith("java.net.")) {
            return "IO wait";
        }
        return "park";
    }
}
