package dev.timeslice.agent.rewrite;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.timeslice.agent.TestClasses;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javassist.ClassPool;
import javassist.CtClass;
import javassist.CtNewMethod;
import javassist.util.proxy.MethodHandler;
import javassist.util.proxy.ProxyFactory;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.implementation.MethodDelegation;
import net.bytebuddy.implementation.SuperMethodCall;
import net.bytebuddy.implementation.bind.annotation.Argument;
import net.bytebuddy.implementation.bind.annotation.SuperCall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.objectweb.asm.ClassReader;

/**
 * Classes generated at run time, as real applications load them: CGLIB (Spring's repackaged copy
 * and cglib itself, including the key factory classes CGLIB generates for its caches), ByteBuddy
 * subclass proxies, auxiliary types and inlined {@code Advice}, Javassist proxies and classes
 * compiled by Javassist's own compiler, and Groovy compiled at run time (closures, indy call
 * sites). Their bytes are captured where the generator produces them, rewritten with
 * {@link ClassRewriter}, defined in a throwaway loader (so HotSpot verifies them) and run beside
 * the same bytes unrewritten: every call must give the same result. A {@code VerifyError} fails
 * the test naming the class.
 *
 * <p>These generators emit shapes javac never does: CGLIB's key-factory constructor returns with
 * {@code this} still on the operand stack, proxies dispatch through large hash switches, Advice
 * wraps a whole method (loops included) in a handler.
 */
class GeneratedProxiesTest {
    private static final ClassRewriter REWRITER = TestClasses.rewriter(RewrittenFixtures.LOOP_POLL);

    /** The class the proxies extend: loops, a call-heavy method, an exception path. */
    public static class Target {
        public long sumTo(int n) {
            long s = 0;
            for (int i = 0; i < n; i++) {
                s += i;
            }
            return s;
        }

        public int collatz(long x) {
            int steps = 0;
            while (x != 1) {
                x = (x % 2 == 0) ? x / 2 : 3 * x + 1;
                steps++;
            }
            return steps;
        }

        public String greet(String who) {
            StringBuilder b = new StringBuilder("hello");
            for (char c : who.toCharArray()) {
                b.append(' ').append(c);
            }
            return b.toString();
        }

        public int fail(int n) {
            if (n > 0) {
                throw new IllegalArgumentException("n=" + n);
            }
            return n;
        }
    }

    /** Original and rewritten copies of a set of generated classes, each set in its own loader. */
    private static final class Pair {
        final TestClasses.Loader original = new TestClasses.Loader();
        final TestClasses.Loader rewritten = new TestClasses.Loader();
        final List<String> names = new ArrayList<>();
        int rewrittenCount;

        Pair(Map<String, byte[]> generated) {
            assertTrue(!generated.isEmpty(), "captured generated classes");
            List<String> problems = new ArrayList<>();
            for (Map.Entry<String, byte[]> e : generated.entrySet()) {
                ClassRewriter.Result r = REWRITER.rewrite(e.getValue());
                switch (r.status()) {
                    case REWRITTEN -> {
                        rewrittenCount++;
                        rewritten.with(e.getKey(), r.bytes());
                    }
                    case UNCHANGED, SKIPPED -> rewritten.with(e.getKey(), e.getValue());
                    case FAILED -> problems.add(e.getKey() + ": rewriter failed: " + r.reason());
                }
                original.with(e.getKey(), e.getValue());
                names.add(e.getKey());
            }
            // link (hence verify) every class, original first: a generator bug is not the rewriter's
            for (String n : names) {
                link(original, n, problems, "original");
            }
            for (String n : names) {
                link(rewritten, n, problems, "rewritten");
            }
            if (!problems.isEmpty()) {
                fail(String.join("\n", problems));
            }
            assertTrue(rewrittenCount > 0, "the rewriter changed at least one of " + names);
        }

        private static void link(ClassLoader l, String name, List<String> problems, String kind) {
            try {
                Class.forName(name, false, l).getDeclaredMethods();
            } catch (LinkageError | ClassNotFoundException e) {
                problems.add(kind + " " + name + ": " + e.toString().replace('\n', ' '));
            }
        }

        Class<?> original(String name) throws ClassNotFoundException {
            return Class.forName(name, true, original);
        }

        Class<?> rewritten(String name) throws ClassNotFoundException {
            return Class.forName(name, true, rewritten);
        }

        /** The one generated class whose name contains {@code part}. */
        String named(String part) {
            List<String> hits = names.stream().filter(n -> n.contains(part)).toList();
            assertEquals(1, hits.size(), part + " in " + names);
            return hits.get(0);
        }
    }

    private static String nameOf(byte[] classFile) {
        return new ClassReader(classFile).getClassName().replace('/', '.');
    }

    /** The same calls on an original and a rewritten instance give the same results (or exceptions). */
    private static void sameResults(Object original, Object rewritten) {
        assertNotEquals(original.getClass(), rewritten.getClass());
        Object[][] calls = {{"sumTo", 100_000}, {"collatz", 27L}, {"greet", "proxy"}, {"fail", 0}, {"fail", 3}};
        for (Object[] c : calls) {
            Object[] args = Arrays.copyOfRange(c, 1, c.length);
            Object a = call(original, (String) c[0], args);
            Object b = call(rewritten, (String) c[0], args);
            assertEquals(a, b, c[0] + Arrays.toString(args));
        }
    }

    private static Object call(Object receiver, String name, Object... args) {
        for (Class<?> c = receiver.getClass(); c != null; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(name) && m.getParameterCount() == args.length && !m.isSynthetic()) {
                    return TestClasses.call(c, receiver, name, args);
                }
            }
        }
        throw new AssertionError("no " + name + " on " + receiver.getClass());
    }

    // ---- CGLIB, Spring's repackaged copy ----

    /** Records every class a CGLIB generator produces (Spring's copy). */
    private static final class SpringRecording extends org.springframework.cglib.core.DefaultGeneratorStrategy {
        final Map<String, byte[]> classes = new LinkedHashMap<>();

        @Override
        public byte[] generate(org.springframework.cglib.core.ClassGenerator cg) throws Exception {
            byte[] b = super.generate(cg);
            classes.put(nameOf(b), b);
            return b;
        }
    }

    /** Key interface for a CGLIB key factory: a class stored as its name, arrays, primitives. */
    public interface CacheKey {
        Object newInstance(Class<?> type, String name, int[] dims, String[] tags, long serial, boolean flag);
    }

    @Test
    void springCglibEnhancerProxyAndFastClassRunTheSameRewritten() throws Exception {
        SpringRecording rec = new SpringRecording();
        var enhancer = new org.springframework.cglib.proxy.Enhancer();
        enhancer.setSuperclass(Target.class);
        enhancer.setCallbackType(org.springframework.cglib.proxy.MethodInterceptor.class);
        enhancer.setStrategy(rec);
        enhancer.setUseCache(false);
        enhancer.createClass();
        var fast = new org.springframework.cglib.reflect.FastClass.Generator();
        fast.setType(Target.class);
        fast.setStrategy(rec);
        fast.setUseCache(false);
        fast.create();
        Pair p = new Pair(rec.classes);

        String proxy = p.named("$$EnhancerByCGLIB$$");
        org.springframework.cglib.proxy.MethodInterceptor interceptor = (obj, method, args, mp) ->
                method.getName().equals("greet") ? "intercepted " + mp.invokeSuper(obj, args) : mp.invokeSuper(obj, args);
        sameResults(springInstance(p.original(proxy), interceptor), springInstance(p.rewritten(proxy), interceptor));

        String fastName = p.names.stream().filter(n -> !n.equals(proxy)).findFirst().orElseThrow();
        Object target = new Target();
        var fo = (org.springframework.cglib.reflect.FastClass) p.original(fastName)
                .getDeclaredConstructor(Class.class).newInstance(Target.class);
        var fr = (org.springframework.cglib.reflect.FastClass) p.rewritten(fastName)
                .getDeclaredConstructor(Class.class).newInstance(Target.class);
        for (Object[] c : new Object[][] {{"sumTo", new Class<?>[] {int.class}, 5000}, {"collatz", new Class<?>[] {long.class}, 97L},
            {"greet", new Class<?>[] {String.class}, "fast"}}) {
            int io = fo.getIndex((String) c[0], (Class<?>[]) c[1]);
            int ir = fr.getIndex((String) c[0], (Class<?>[]) c[1]);
            assertEquals(io, ir, (String) c[0]);
            assertEquals(fo.invoke(io, target, new Object[] {c[2]}), fr.invoke(ir, target, new Object[] {c[2]}), (String) c[0]);
        }
    }

    private static Object springInstance(Class<?> proxy, org.springframework.cglib.proxy.Callback callback) throws Exception {
        org.springframework.cglib.proxy.Enhancer.registerCallbacks(proxy, new org.springframework.cglib.proxy.Callback[] {callback});
        try {
            return proxy.getDeclaredConstructor().newInstance();
        } finally {
            org.springframework.cglib.proxy.Enhancer.registerCallbacks(proxy, null);
        }
    }

    @Test
    void springCglibKeyFactoryRunsTheSameRewritten() throws Exception {
        SpringRecording rec = new SpringRecording();
        var gen = new org.springframework.cglib.core.KeyFactory.Generator();
        gen.setInterface(CacheKey.class);
        gen.addCustomizer(org.springframework.cglib.core.KeyFactory.STORE_CLASS_AS_STRING);
        gen.setStrategy(rec);
        gen.setUseCache(false);
        gen.create();
        Pair p = new Pair(rec.classes);
        String name = p.named("$$KeyFactoryByCGLIB$$");
        sameKeys((CacheKey) p.original(name).getDeclaredConstructor().newInstance(),
                (CacheKey) p.rewritten(name).getDeclaredConstructor().newInstance());
    }

    private static void sameKeys(CacheKey original, CacheKey rewritten) {
        Object[][] args = {{Target.class, "a", new int[] {1, 2, 3}, new String[] {"x", null}, 7L, true},
            {String.class, null, null, new String[0], -1L, false}};
        for (Object[] a : args) {
            Object ko = original.newInstance((Class<?>) a[0], (String) a[1], (int[]) a[2], (String[]) a[3], (Long) a[4], (Boolean) a[5]);
            Object kr = rewritten.newInstance((Class<?>) a[0], (String) a[1], (int[]) a[2], (String[]) a[3], (Long) a[4], (Boolean) a[5]);
            Object kr2 = rewritten.newInstance((Class<?>) a[0], (String) a[1], (int[]) a[2], (String[]) a[3], (Long) a[4], (Boolean) a[5]);
            assertEquals(ko.hashCode(), kr.hashCode());
            assertEquals(ko.toString(), kr.toString());
            assertEquals(kr, kr2);
        }
    }

    // ---- cglib:cglib itself (what commons-pool2's proxy tests use) ----

    /** Records every class a CGLIB generator produces (cglib:cglib). */
    private static final class CglibRecording extends net.sf.cglib.core.DefaultGeneratorStrategy {
        final Map<String, byte[]> classes = new LinkedHashMap<>();

        @Override
        public byte[] generate(net.sf.cglib.core.ClassGenerator cg) throws Exception {
            byte[] b = super.generate(cg);
            classes.put(nameOf(b), b);
            return b;
        }
    }

    /**
     * The shape issue 12 saw failing in commons-pool2's tests: {@code Enhancer$EnhancerKey$$KeyFactoryByCGLIB$$...<init>}
     * ends in {@code return} with {@code this} left on the operand stack, after branches.
     */
    @Test
    void cglibEnhancerKeyFactoryRunsTheSameRewritten() throws Exception {
        CglibRecording rec = new CglibRecording();
        var gen = new net.sf.cglib.core.KeyFactory.Generator();
        gen.setInterface(net.sf.cglib.proxy.Enhancer.EnhancerKey.class);
        gen.addCustomizer(net.sf.cglib.core.KeyFactory.HASH_ASM_TYPE);
        gen.setStrategy(rec);
        gen.setUseCache(false);
        gen.create();
        Pair p = new Pair(rec.classes);
        String name = p.named("EnhancerKey$$KeyFactoryByCGLIB$$");
        var ko = (net.sf.cglib.proxy.Enhancer.EnhancerKey) p.original(name).getDeclaredConstructor().newInstance();
        var kr = (net.sf.cglib.proxy.Enhancer.EnhancerKey) p.rewritten(name).getDeclaredConstructor().newInstance();
        var filter = new net.sf.cglib.core.WeakCacheKey<net.sf.cglib.proxy.CallbackFilter>(m -> 0);
        org.objectweb.asm.Type[] types = {org.objectweb.asm.Type.getType(Runnable.class), org.objectweb.asm.Type.INT_TYPE};
        Object a = ko.newInstance("t.Type", new String[] {"i.One", "i.Two"}, filter, types, true, false, 42L);
        Object b = kr.newInstance("t.Type", new String[] {"i.One", "i.Two"}, filter, types, true, false, 42L);
        Object c = kr.newInstance("t.Type", new String[] {"i.One", "i.Two"}, filter, types, true, false, 42L);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(a.toString(), b.toString());
        assertEquals(b, c);
        assertNotEquals(b, kr.newInstance("t.Other", null, null, null, false, true, null));
    }

    @Test
    void cglibEnhancerProxyRunsTheSameRewritten() throws Exception {
        CglibRecording rec = new CglibRecording();
        var enhancer = new net.sf.cglib.proxy.Enhancer();
        enhancer.setSuperclass(Target.class);
        enhancer.setCallbackType(net.sf.cglib.proxy.MethodInterceptor.class);
        enhancer.setStrategy(rec);
        enhancer.setUseCache(false);
        enhancer.createClass();
        Pair p = new Pair(rec.classes);
        String proxy = p.named("$$EnhancerByCGLIB$$");
        net.sf.cglib.proxy.MethodInterceptor interceptor = (obj, method, args, mp) -> mp.invokeSuper(obj, args);
        sameResults(cglibInstance(p.original(proxy), interceptor), cglibInstance(p.rewritten(proxy), interceptor));
    }

    private static Object cglibInstance(Class<?> proxy, net.sf.cglib.proxy.Callback callback) throws Exception {
        net.sf.cglib.proxy.Enhancer.registerCallbacks(proxy, new net.sf.cglib.proxy.Callback[] {callback});
        try {
            return proxy.getDeclaredConstructor().newInstance();
        } finally {
            net.sf.cglib.proxy.Enhancer.registerCallbacks(proxy, null);
        }
    }

    // ---- ByteBuddy ----

    /** A static delegate with a {@code @SuperCall}: ByteBuddy generates an auxiliary Callable type for it. */
    public static final class GreetDelegate {
        private GreetDelegate() {
        }

        public static String greet(@SuperCall Callable<String> zuper, @Argument(0) String who) throws Exception {
            return "delegated(" + who.length() + ") " + zuper.call();
        }
    }

    @Test
    void byteBuddySubclassProxyAndAuxiliaryTypesRunTheSameRewritten() throws Exception {
        DynamicType.Unloaded<Target> made = new ByteBuddy().subclass(Target.class)
                .name(Target.class.getName() + "$ByteBuddyProxy")
                .method(named("greet")).intercept(MethodDelegation.to(GreetDelegate.class))
                .method(named("sumTo").or(named("collatz")).or(named("fail"))).intercept(SuperMethodCall.INSTANCE)
                .make();
        Map<String, byte[]> classes = new LinkedHashMap<>();
        made.getAllTypes().forEach((type, bytes) -> classes.put(type.getName(), bytes));
        assertTrue(classes.size() > 1, "an auxiliary type for @SuperCall: " + classes.keySet());
        Pair p = new Pair(classes);
        String proxy = Target.class.getName() + "$ByteBuddyProxy";
        sameResults(p.original(proxy).getDeclaredConstructor().newInstance(),
                p.rewritten(proxy).getDeclaredConstructor().newInstance());
    }

    /** Advice inlined at entry and (with a handler around the whole body, loops included) at exit. */
    public static final class CountingAdvice {
        public static final AtomicInteger ENTERED = new AtomicInteger();
        public static final AtomicInteger EXITED = new AtomicInteger();

        private CountingAdvice() {
        }

        @Advice.OnMethodEnter
        static int enter() {
            return ENTERED.incrementAndGet();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter int entered, @Advice.Thrown Throwable thrown) {
            EXITED.addAndGet(thrown == null ? 1 : 1000);
        }
    }

    @Test
    void byteBuddyAdviceInlinedIntoLoopsRunsTheSameRewritten() throws Exception {
        DynamicType.Unloaded<Target> made = new ByteBuddy().redefine(Target.class)
                .name(Target.class.getName() + "$Advised")
                .visit(Advice.to(CountingAdvice.class).on(named("sumTo").or(named("collatz")).or(named("greet"))
                        .or(named("fail"))))
                .make();
        Pair p = new Pair(Map.of(Target.class.getName() + "$Advised", made.getBytes()));
        String name = Target.class.getName() + "$Advised";
        int entered = CountingAdvice.ENTERED.get();
        int exited = CountingAdvice.EXITED.get();
        sameResults(p.original(name).getDeclaredConstructor().newInstance(), p.rewritten(name).getDeclaredConstructor().newInstance());
        // 5 calls each on the original and the rewritten copy, one of them throwing
        assertEquals(entered + 10, CountingAdvice.ENTERED.get());
        assertEquals(exited + 8 + 2000, CountingAdvice.EXITED.get());
    }

    // ---- Javassist ----

    @Test
    void javassistProxyRunsTheSameRewritten(@TempDir Path dir) throws Exception {
        ProxyFactory f = new ProxyFactory();
        f.writeDirectory = dir.toString(); // the proxy's class file is written there as it is generated
        f.setSuperclass(Target.class);
        f.setUseCache(false);
        f.createClass();
        Map<String, byte[]> classes = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path c : files.filter(x -> x.toString().endsWith(".class")).toList()) {
                byte[] b = Files.readAllBytes(c);
                classes.put(nameOf(b), b);
            }
        }
        Pair p = new Pair(classes);
        String proxy = p.named("_$$_jvst");
        MethodHandler handler = (self, method, proceed, args) -> proceed.invoke(self, args);
        Object o = p.original(proxy).getDeclaredConstructor().newInstance();
        Object r = p.rewritten(proxy).getDeclaredConstructor().newInstance();
        ((javassist.util.proxy.Proxy) o).setHandler(handler);
        ((javassist.util.proxy.Proxy) r).setHandler(handler);
        sameResults(o, r);
    }

    /** Methods compiled by Javassist's own compiler (not javac): loops, switch, try/catch, synchronized, early return. */
    @Test
    void javassistCompiledMethodsRunTheSameRewritten() throws Exception {
        ClassPool pool = new ClassPool(true);
        CtClass cc = pool.makeClass("gen.JavassistCompiled");
        String[] methods = {
            "public static long sumTo(int n) { long s = 0L; for (int i = 0; i < n; i++) { s += i; } return s; }",
            "public static int search(int[] a, int x) { int i = 0; while (i < a.length) { if (a[i] == x) { return i; } i++; }"
                + " return -1; }",
            "public static int switches(int n) { int t = 0; for (int i = 0; i < n; i++) { switch (i % 4) { case 0: t += 1; break;"
                + " case 1: t += 2; break; case 2: continue; default: t -= 1; } } return t; }",
            "public static int guarded(Object lock, int n) { int t = 0; synchronized (lock) { for (int i = 0; i < n; i++) {"
                + " t += i; } } return t; }",
            "public static int tried(int n) { int t = 0; for (int i = 0; i < n; i++) { try { if (i % 7 == 0) {"
                + " throw new IllegalStateException(\"x\"); } t++; } catch (IllegalStateException e) { t += 2; } } return t; }",
            "public static int nested(int n) { int t = 0; int i = 0; do { for (int j = 0; j < i; j++) { if (j == 50) { break; }"
                + " t += j; } i++; } while (i < n); return t; }",
        };
        for (String m : methods) {
            cc.addMethod(CtNewMethod.make(m, cc));
        }
        Pair p = new Pair(Map.of("gen.JavassistCompiled", cc.toBytecode()));
        Class<?> o = p.original("gen.JavassistCompiled");
        Class<?> r = p.rewritten("gen.JavassistCompiled");
        int[] data = new int[3000];
        Arrays.setAll(data, i -> i * 3);
        Object lock = new Object();
        Object[][] calls = {{"sumTo", 100_000}, {"search", data, 2997 * 3}, {"search", data, 1}, {"switches", 10_000},
            {"guarded", lock, 20_000}, {"tried", 1000}, {"nested", 300}};
        for (Object[] c : calls) {
            Object[] args = Arrays.copyOfRange(c, 1, c.length);
            assertEquals(TestClasses.call(o, null, (String) c[0], args), TestClasses.call(r, null, (String) c[0], args),
                    c[0] + Arrays.toString(args));
        }
    }

    // ---- Groovy, compiled at run time (scripts, templates, Grails/Gradle-style DSLs) ----

    /** Dynamic Groovy: loops over ranges and lists, closures (classes of their own), indy call sites. */
    private static final String GROOVY = """
            class GroovyLoops {
                static long sumTo(int n) { long s = 0; for (int i = 0; i < n; i++) { s += i }; s }
                static int each(List<Integer> xs) { int t = 0; xs.each { t += it }; t }
                static String joined(int n) { (1..n).collect { it * 2 }.join(',') }
                static int whileBreak(int n) { int i = 0; while (true) { if (i * i > n) break; i++ }; i }
                static int tried(int n) {
                    int t = 0
                    for (i in 0..<n) { try { if (i % 5 == 0) throw new IllegalStateException(); t++ } catch (IllegalStateException e) { t += 2 } }
                    t
                }
                static int nested(int n) { int t = 0; outer: for (int i = 0; i < n; i++) { for (int j = 0; j < n; j++) { if (j > i) continue outer; t += j } }; t }
            }
            """;

    @Test
    void groovyCompiledAtRunTimeRunsTheSameRewritten() throws Exception {
        var unit = new org.codehaus.groovy.control.CompilationUnit();
        unit.addSource("GroovyLoops.groovy", GROOVY);
        unit.compile(org.codehaus.groovy.control.Phases.CLASS_GENERATION);
        Map<String, byte[]> classes = new LinkedHashMap<>();
        for (org.codehaus.groovy.tools.GroovyClass c : unit.getClasses()) {
            classes.put(c.getName(), c.getBytes());
        }
        assertTrue(classes.size() > 1, "closure classes: " + classes.keySet());
        Pair p = new Pair(classes);
        Class<?> o = p.original("GroovyLoops");
        Class<?> r = p.rewritten("GroovyLoops");
        List<Integer> xs = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            xs.add(i % 17);
        }
        Object[][] calls = {{"sumTo", 100_000}, {"each", xs}, {"joined", 200}, {"whileBreak", 1_000_000}, {"tried", 1000},
            {"nested", 300}};
        for (Object[] c : calls) {
            Object[] args = Arrays.copyOfRange(c, 1, c.length);
            assertEquals(TestClasses.call(o, null, (String) c[0], args), TestClasses.call(r, null, (String) c[0], args),
                    c[0] + " " + (args[0] instanceof List ? "list" : Arrays.toString(args)));
        }
    }
}
