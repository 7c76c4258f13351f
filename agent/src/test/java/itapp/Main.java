package itapp;

import dev.timeslice.runtime.Safepoint;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;

/**
 * A small program for the agent's end-to-end tests. Prints its results and how many polls it
 * reached with the poll word raised (zero without the agent, whose rewriting adds the polls).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("sum=" + Work.sum(1_000_000));
        System.out.println("words=" + Work.words(5_000));

        long[] counts = new long[3];
        Safepoint.setHandler(site -> counts[site]++);
        Safepoint.raise();
        long r = Work.sum(100_000);
        Safepoint.lower();
        System.out.println("sum100k=" + r + " polls return=" + counts[0] + " loop=" + counts[1] + " callLoop=" + counts[2]);

        // a loader whose parent is the platform loader: the rewritten class still finds the runtime
        URL here = Main.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader isolated = new URLClassLoader(new URL[] {here}, ClassLoader.getPlatformClassLoader())) {
            Method run = isolated.loadClass("itapp.Isolated").getMethod("run", int.class);
            counts[0] = counts[1] = counts[2] = 0;
            Safepoint.raise();
            Object v = run.invoke(null, 50_000);
            Safepoint.lower();
            System.out.println("isolated=" + v + " polls return=" + counts[0] + " loop=" + counts[1]);
        }
        Safepoint.setHandler(site -> { });
    }
}
