package dev.timeslice.agent.fuzz;

import java.util.ArrayList;
import java.util.List;

/**
 * Delta-reduces a failing {@link JavaCase}: keeps one failing call, drops the methods it does not
 * need, then deletes statements and replaces compound statements by one of their bodies, for as
 * long as the failure of the same kind persists. Candidates that do not compile are rejected.
 * Greedy, to a fixed point or until the time budget is spent.
 */
final class Reducer {
    private final InMemoryJavac javac;
    private final java.util.function.Function<Differential.Unit, Differential.Failure> oracle;
    private final String kind;
    private final long deadline;
    int tests;

    Reducer(InMemoryJavac javac, Differential diff, String kind, long budgetMillis) {
        this(javac, diff::check, kind, budgetMillis);
    }

    /** @param oracle the check whose failure of kind {@code kind} must persist (the fuzzer's: {@link Differential#check}) */
    Reducer(InMemoryJavac javac, java.util.function.Function<Differential.Unit, Differential.Failure> oracle, String kind, long budgetMillis) {
        this.javac = javac;
        this.oracle = oracle;
        this.kind = kind;
        this.deadline = System.currentTimeMillis() + budgetMillis;
    }

    record Reduced(JavaCase c, Differential.Failure failure) {
    }

    Reduced reduce(JavaCase start, Differential.Failure f) {
        JavaCase cur = start;
        Differential.Failure last = f;
        // one call
        for (Differential.Call call : start.calls) {
            JavaCase cand = cur.with(cur.cls, List.of(call));
            Differential.Failure cf = test(cand);
            if (cf != null) {
                cur = cand;
                last = cf;
                break;
            }
        }
        boolean changed = true;
        while (changed && !timeUp()) {
            changed = false;
            // drop whole methods
            for (int m = 0; m < cur.cls.methods.size() && !timeUp(); m++) {
                String name = cur.cls.methods.get(m).name;
                if (cur.calls.stream().anyMatch(c -> c.method().equals(name))) {
                    continue;
                }
                GenClass g = cur.cls.copy();
                g.methods.remove(m);
                Differential.Failure cf = test(cur.with(g, cur.calls));
                if (cf != null) {
                    cur = cur.with(g, cur.calls);
                    last = cf;
                    changed = true;
                    m--;
                }
            }
            // statements
            int lists = lists(cur.cls).size();
            for (int k = 0; k < lists && !timeUp(); k++) {
                for (int i = 0; i < listAt(cur.cls, k).size() && !timeUp(); i++) {
                    boolean done = false;
                    // delete
                    GenClass g = cur.cls.copy();
                    listAt(g, k).remove(i);
                    Differential.Failure cf = test(cur.with(g, cur.calls));
                    if (cf != null) {
                        cur = cur.with(g, cur.calls);
                        last = cf;
                        changed = true;
                        i--;
                        lists = lists(cur.cls).size();
                        continue;
                    }
                    Node n = listAt(cur.cls, k).get(i);
                    if (n.isLeaf()) {
                        continue;
                    }
                    for (int p = 0; p < n.parts.size() && !done; p++) {
                        GenClass h = cur.cls.copy();
                        List<Node> l = listAt(h, k);
                        Node hn = l.remove(i);
                        l.addAll(i, hn.parts.get(p).body());
                        cf = test(cur.with(h, cur.calls));
                        if (cf != null) {
                            cur = cur.with(h, cur.calls);
                            last = cf;
                            changed = true;
                            done = true;
                        }
                    }
                    if (done) {
                        i--;
                        lists = lists(cur.cls).size();
                    }
                }
            }
        }
        return new Reduced(cur, last);
    }

    private boolean timeUp() {
        return System.currentTimeMillis() > deadline;
    }

    private Differential.Failure test(JavaCase c) {
        tests++;
        Differential.Unit u;
        try {
            u = c.unit(javac);
        } catch (InMemoryJavac.CompileError e) {
            return null;
        }
        Differential.Failure f;
        try {
            f = oracle.apply(u);
        } catch (Differential.OriginalBroken e) {
            return null;
        }
        return f != null && f.kind().equals(kind) ? f : null;
    }

    /** Every statement list of the class, pre-order: method bodies, then each part's body. */
    static List<List<Node>> lists(GenClass g) {
        List<List<Node>> out = new ArrayList<>();
        for (GenClass.Method m : g.methods) {
            collect(m.body, out);
        }
        return out;
    }

    private static void collect(List<Node> l, List<List<Node>> out) {
        out.add(l);
        for (Node n : l) {
            if (!n.isLeaf()) {
                for (Node.Part p : n.parts) {
                    collect(p.body(), out);
                }
            }
        }
    }

    private static List<Node> listAt(GenClass g, int k) {
        return lists(g).get(k);
    }
}
