package dev.timeslice.agent.bench;

/** Times one kernel in a loop; implemented once per copy of the kernels (see {@link PairedBench}). */
public interface Driver {
    /** Runs {@code kernel} {@code reps} times and returns the elapsed nanoseconds. */
    long time(String kernel, int reps);
}
