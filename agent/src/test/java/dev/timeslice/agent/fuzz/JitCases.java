package dev.timeslice.agent.fuzz;

/**
 * The JIT-bailout cases of issue 12, as source (compiled in the child JVM twice, under two
 * names): a counted loop inside {@code synchronized} (C2 said "unbalanced monitors" once
 * rewritten), the same inside an outer loop, and a wait/notify producer/consumer with a lambda
 * (C1 said "error while joining with exception handler").
 */
final class JitCases {
    private JitCases() {
    }

    static final String SOURCE = """
            public class JitCases {
                static final Object L = new Object();
                static long c;

                public static long syncCountedLoop() {
                    synchronized (L) {
                        long x = c;
                        for (int i = 0; i < 200_000; i++) x = x * 31 + i;
                        c += x;
                    }
                    return c;
                }

                public static long syncLoopInOuterLoop() {
                    long s = 0;
                    for (int j = 0; j < 20; j++) {
                        synchronized (L) {
                            for (int i = 0; i < 10_000; i++) s = s * 31 + i;
                        }
                    }
                    return s;
                }

                public static long producerConsumer() throws InterruptedException {
                    final Object lock = new Object();
                    final long[] box = new long[2];
                    final int n = 3000;
                    Thread producer = new Thread(() -> {
                        for (int i = 0; i < n; i++) {
                            synchronized (lock) {
                                while (box[1] != 0) {
                                    try {
                                        lock.wait();
                                    } catch (InterruptedException e) {
                                        return;
                                    }
                                }
                                box[0] = i;
                                box[1] = 1;
                                lock.notifyAll();
                            }
                        }
                    });
                    producer.start();
                    long sum = 0;
                    for (int i = 0; i < n; i++) {
                        synchronized (lock) {
                            while (box[1] == 0) lock.wait();
                            sum += box[0];
                            box[1] = 0;
                            lock.notifyAll();
                        }
                    }
                    producer.join();
                    return sum;
                }
            }
            """;
}
