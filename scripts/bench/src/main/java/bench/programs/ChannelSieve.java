package bench.programs;

import java.util.concurrent.SynchronousQueue;

/**
 * Our own kernel (not third-party), in the Benchmarks Game's style: Go's concurrent prime sieve
 * with one virtual thread per prime, connected by synchronous channels.
 */
public final class ChannelSieve {
    public static void main(String[] args) throws Exception {
        int primes = Integer.parseInt(args.length > 0 ? args[0] : "1200");
        SynchronousQueue<Integer> ch = new SynchronousQueue<>();
        Thread.ofVirtual().start(() -> {
            try {
                for (int i = 2; ; i++) {
                    ch.put(i);
                }
            } catch (InterruptedException e) {
                // done
            }
        });
        SynchronousQueue<Integer> in = ch;
        long sum = 0;
        for (int i = 0; i < primes; i++) {
            int prime = in.take();
            sum += prime;
            SynchronousQueue<Integer> src = in;
            SynchronousQueue<Integer> out = new SynchronousQueue<>();
            Thread.ofVirtual().start(() -> {
                try {
                    for (;;) {
                        int v = src.take();
                        if (v % prime != 0) {
                            out.put(v);
                        }
                    }
                } catch (InterruptedException e) {
                    // done
                }
            });
            in = out;
        }
        System.out.println("sieve " + sum);
        System.exit(0); // the filters run forever, as in Go's version
    }
}
