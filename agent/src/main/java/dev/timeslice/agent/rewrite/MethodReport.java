package dev.timeslice.agent.rewrite;

/**
 * What the rewriter did to one method: status, form used, number of versioned and of strip-mined loops, of
 * budget-counted back-edges, of per-back-edge polls, of return polls, and a note (the reason for
 * KEPT_ORIGINAL/SKIPPED).
 */
public record MethodReport(String name, String descriptor, MethodRewriter.Status status, MethodRewriter.Form form,
                           int versioned, int stripMined, int counters, int edgePolls, int returnPolls, String note) {
    public boolean changed() {
        return status == MethodRewriter.Status.REWRITTEN;
    }

    @Override
    public String toString() {
        String s = name + descriptor + ": " + status.name().toLowerCase(java.util.Locale.ROOT);
        if (changed()) {
            s += " (" + form.name().toLowerCase(java.util.Locale.ROOT) + ": " + versioned + " versioned, " + stripMined + " strip-mined, "
                    + counters + " counted, " + edgePolls + " polled back-edges, " + returnPolls + " return polls)";
        }
        return note == null ? s : s + ": " + note;
    }
}
