package dev.timeslice.agent.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** A generated Java class and the calls made on it; compiles to a {@link Differential.Unit}. */
final class JavaCase {
    static final String CLASS_NAME = "FuzzCase";

    final long seed;
    final String className;
    final GenClass cls;
    final List<Differential.Call> calls;

    JavaCase(long seed, GenClass cls, List<Differential.Call> calls) {
        this.seed = seed;
        this.className = cls.name;
        this.cls = cls;
        this.calls = calls;
    }

    static JavaCase generate(long seed) {
        return generate(seed, CLASS_NAME);
    }

    static JavaCase generate(long seed, String className) {
        GenClass g = new JavaGen(seed).generate(className);
        SplittableRandom r = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        List<Differential.Call> calls = new ArrayList<>();
        for (GenClass.Method m : g.methods) {
            for (int i = 0; i < 3; i++) {
                calls.add(new Differential.Call(m.name, args(r)));
            }
        }
        return new JavaCase(seed, g, calls);
    }

    private static Object[] args(SplittableRandom r) {
        int a = r.nextInt(4) == 0 ? r.nextInt() : r.nextInt(-5, 60);
        int b = r.nextInt(4) == 0 ? r.nextInt() : r.nextInt(-5, 60);
        long c = r.nextInt(3) == 0 ? r.nextLong() : r.nextLong(-100, 1000);
        int[] arr = r.ints(r.nextInt(0, 10), -20, 100).toArray();
        return new Object[] {a, b, c, arr};
    }

    Differential.Unit unit(InMemoryJavac javac) {
        return unit(javac.compile(className, cls.source()));
    }

    /** The unit, from this case's classes out of a batch compilation. */
    Differential.Unit unit(Map<String, byte[]> compiled) {
        byte[] b = compiled.get(className);
        if (b == null) {
            throw new IllegalStateException("no class " + className + " in " + compiled.keySet());
        }
        return new Differential.Unit("java seed " + seed, Map.of(className, b), className, calls);
    }

    JavaCase with(GenClass c, List<Differential.Call> cs) {
        return new JavaCase(seed, c, cs);
    }
}
