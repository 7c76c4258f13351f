package dev.timeslice.agent.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded generator of random, terminating Java classes for the differential fuzzer.
 *
 * <p>Termination by construction: every loop has a bounded trip count. Counted loops go up to a
 * bound that is a masked expression, a literal or a local that the body may only lower, and the
 * body may only move the induction variable towards the exit; count-down loops mirror that;
 * {@code while}/{@code do}/{@code for(;;)} loops decrement a private counter in their header (not
 * reducible away); loops near {@code Integer.MAX_VALUE}/{@code MIN_VALUE} and {@code !=} loops
 * never have their variable written. Methods only call methods with a larger index, and the call
 * budget in each method's prologue ({@link GenClass#CALL_BUDGET}) bounds the calls of one
 * top-level invocation; the harness still runs every variant under a timeout.
 *
 * <p>Shapes: nested for/while/do-while/for(;;)/for-each, labelled break/continue, return from
 * inside loops, try/catch/finally, synchronized blocks and methods, old and arrow switches (int
 * and String), switch expressions, int and long counters, loops writing their induction variable
 * or bound, loops near the int range's ends, long trip counts (past the default loopPoll), JDK
 * calls (StringBuilder, Math, ArrayList, HashMap, streams, lambdas with loops), calls into other
 * generated methods, array reads/writes and exceptions thrown on purpose or by the JDK
 * (ArithmeticException, ArrayIndexOutOfBoundsException, IllegalStateException).
 */
final class JavaGen {
    private final SplittableRandom rnd;
    private int methodIndex;
    private int methodCount;
    private int fresh;
    private int budget;

    /** Enclosing scopes of the statement being generated. */
    private static final class Scope {
        final List<String> ints = new ArrayList<>();
        final List<String> longs = new ArrayList<>();
        /** variables the body may raise (induction of up loops, lower bounds) */
        final List<String> raise = new ArrayList<>();
        /** variables the body may lower (induction of down loops, upper bounds) */
        final List<String> lower = new ArrayList<>();
        final List<String> loopLabels = new ArrayList<>();
        int loopDepth;
        boolean breakable;
        boolean inLoop;
        int depth;

        Scope copy() {
            Scope s = new Scope();
            s.ints.addAll(ints);
            s.longs.addAll(longs);
            s.raise.addAll(raise);
            s.lower.addAll(lower);
            s.loopLabels.addAll(loopLabels);
            s.loopDepth = loopDepth;
            s.breakable = breakable;
            s.inLoop = inLoop;
            s.depth = depth;
            return s;
        }
    }

    JavaGen(long seed) {
        this.rnd = new SplittableRandom(seed);
    }

    GenClass generate(String className) {
        methodCount = 2 + rnd.nextInt(4);
        List<GenClass.Method> ms = new ArrayList<>();
        for (methodIndex = 0; methodIndex < methodCount; methodIndex++) {
            fresh = 0;
            budget = 18 + rnd.nextInt(30);
            String name = "m" + methodIndex;
            String mods = rnd.nextInt(6) == 0 ? "static synchronized" : "static";
            String header = mods + " long " + name + "(int a, int b, long c, int[] arr)";
            List<Node> body = new ArrayList<>();
            body.add(Node.leaf("long acc = c;"));
            body.add(Node.leaf("int x = a;"));
            body.add(Node.leaf("int y = b;"));
            body.add(Node.leaf("long z = c * 31 + a;"));
            body.add(Node.leaf("StringBuilder sb = new StringBuilder();"));
            body.add(Node.leaf("java.util.ArrayList<Integer> list = new java.util.ArrayList<>();"));
            body.add(Node.leaf("java.util.HashMap<Integer, Integer> map = new java.util.HashMap<>();"));
            Scope s = new Scope();
            s.ints.addAll(List.of("x", "y", "a", "b"));
            s.longs.addAll(List.of("acc", "z", "c"));
            int n = 2 + rnd.nextInt(4);
            while (n-- > 0 && budget > 0) {
                body.add(stmt(s));
            }
            body.add(Node.leaf("return acc + x * 7L + y + z + sb.toString().hashCode() + list.hashCode() + map.hashCode();"));
            ms.add(new GenClass.Method(name, header, body));
        }
        return new GenClass(className, ms);
    }

    // ------------------------------------------------------------------ statements

    private List<Node> block(Scope s, int min, int max) {
        List<Node> out = new ArrayList<>();
        int n = min + rnd.nextInt(max - min + 1);
        for (int i = 0; i < n && (budget > 0 || out.isEmpty()); i++) {
            out.add(stmt(s));
        }
        return out;
    }

    private Node stmt(Scope s) {
        budget--;
        boolean compound = s.depth < 5 && budget > 0 && rnd.nextInt(100) < (s.loopDepth == 0 ? 55 : 35);
        return compound ? compound(s) : leaf(s);
    }

    private String name(String prefix) {
        return prefix + (fresh++);
    }

    private Node compound(Scope outer) {
        Scope s = outer.copy();
        s.depth++;
        int r = rnd.nextInt(100);
        if (r < 40 && s.loopDepth < 3) {
            return loop(s);
        }
        if (r < 52) {
            List<Node> then = block(s, 1, 3);
            if (rnd.nextBoolean()) {
                return Node.compound("}", Node.part("if (" + cond(s, 2) + ") {", then));
            }
            return Node.compound("}", Node.part("if (" + cond(s, 2) + ") {", then), Node.part("} else {", block(s, 1, 3)));
        }
        if (r < 66) {
            return tryStmt(s);
        }
        if (r < 76) {
            String lock = switch (rnd.nextInt(3)) {
                case 0 -> "sb";
                default -> "LOCK";
            };
            return Node.compound("}", Node.part("synchronized (" + lock + ") {", block(s, 1, 3)));
        }
        if (r < 90) {
            return switchStmt(s);
        }
        return loop(s);
    }

    private Node tryStmt(Scope s) {
        List<Node.Part> parts = new ArrayList<>();
        parts.add(Node.part("try {", block(s, 1, 3)));
        int kind = rnd.nextInt(4);
        if (kind != 3) {
            String e = name("e");
            String types = switch (rnd.nextInt(4)) {
                case 0 -> "ArithmeticException";
                case 1 -> "ArithmeticException | ArrayIndexOutOfBoundsException";
                case 2 -> "IllegalStateException";
                default -> "RuntimeException";
            };
            Scope c = s.copy();
            List<Node> handler = new ArrayList<>();
            // the exception's class, not its message: once C2 compiles code that keeps throwing an
            // implicit exception, HotSpot throws a preallocated one without message
            // (OmitStackTraceInFastThrow), so a message seen by the program differs run to run
            handler.add(Node.leaf("acc += 13 + " + e + ".getClass().getName().length();"));
            handler.addAll(block(c, 0, 2));
            parts.add(Node.part("} catch (" + types + " " + e + ") {", handler));
            if (!types.equals("RuntimeException") && rnd.nextInt(3) == 0) {
                String e2 = name("e");
                parts.add(Node.part("} catch (RuntimeException " + e2 + ") {",
                        new ArrayList<>(List.of(Node.leaf("acc ^= " + e2 + ".getClass().getName().length();")))));
            }
        }
        if (kind >= 2) {
            parts.add(Node.part("} finally {", block(s, 1, 2)));
        }
        return Node.compound("}", parts.toArray(Node.Part[]::new));
    }

    private Node switchStmt(Scope outer) {
        Scope s = outer.copy();
        boolean strings = rnd.nextInt(4) == 0;
        String sel = strings ? "String.valueOf(" + intExpr(s, 1) + " & 3)" : "(" + intExpr(s, 1) + ") & 7";
        int cases = 2 + rnd.nextInt(3);
        boolean arrow = rnd.nextBoolean();
        List<Node.Part> parts = new ArrayList<>();
        if (!arrow) {
            s.breakable = true;
        }
        for (int i = 0; i < cases; i++) {
            String label = strings ? "\"" + i + "\"" : Integer.toString(i);
            if (arrow && !strings && i == 1 && rnd.nextBoolean()) {
                label = "1, 5";
            }
            String prefix = i == 0 ? "switch (" + sel + ") {\n" : "}\n";
            List<Node> body = block(s, 1, 2);
            if (!arrow && rnd.nextInt(4) != 0) {
                body.add(Node.leaf("break;"));
            }
            parts.add(Node.part(prefix + "case " + label + (arrow ? " -> {" : ": {"), body));
        }
        if (rnd.nextBoolean()) {
            parts.add(Node.part("}\n" + (arrow ? "default -> {" : "default: {"), block(s, 1, 2)));
        }
        return Node.compound("}\n}", parts.toArray(Node.Part[]::new));
    }

    private Node loop(Scope outer) {
        Scope s = outer.copy();
        s.loopDepth++;
        s.inLoop = true;
        s.breakable = true;
        String label = rnd.nextInt(3) == 0 ? name("L") : null;
        String lp = label == null ? "" : label + ": ";
        if (label != null) {
            s.loopLabels.add(label);
        }
        int kind = rnd.nextInt(100);
        Node.Part[] pre = null;
        String head;
        String end = "}";
        if (kind < 20) {
            // counted up loop, bound an expression or a local the body may lower
            String i = name("i");
            String lo = rnd.nextBoolean() ? Integer.toString(rnd.nextInt(-3, 4)) : "(" + intExpr(s, 1) + " & 7)";
            String op = rnd.nextInt(3) == 0 ? "<=" : "<";
            String step = switch (rnd.nextInt(5)) {
                case 0 -> i + " += 2";
                case 1 -> "++" + i;
                case 2 -> i + " += 3";
                default -> i + "++";
            };
            String hi;
            if (rnd.nextBoolean()) {
                String n = name("n");
                pre = new Node.Part[] {Node.part("int " + n + " = " + upperBound(s) + ";", List.of())};
                hi = n;
                s.lower.add(n);
                s.ints.add(n);
            } else {
                hi = upperBound(s);
            }
            head = lp + "for (int " + i + " = " + lo + "; " + i + " " + op + " " + hi + "; " + step + ") {";
            s.ints.add(i);
            s.raise.add(i);
        } else if (kind < 32) {
            // counted down loop
            String i = name("i");
            String op = rnd.nextBoolean() ? ">=" : ">";
            String lo = switch (rnd.nextInt(3)) {
                case 0 -> Integer.toString(rnd.nextInt(-3, 3));
                case 1 -> "(" + intExpr(s, 1) + " & 7) - 3";
                default -> "Math.max(" + intExpr(s, 1) + ", -4)";
            };
            String step = rnd.nextBoolean() ? i + "--" : i + " -= 2";
            head = lp + "for (int " + i + " = " + upperBound(s) + "; " + i + " " + op + " " + lo + "; " + step + ") {";
            s.ints.add(i);
            s.lower.add(i);
        } else if (kind < 38) {
            // != loop with a fixed bound: the variable is never written
            String i = name("i");
            String n = name("n");
            pre = new Node.Part[] {Node.part("int " + n + " = " + intExpr(s, 1) + " & 15;", List.of())};
            head = lp + "for (int " + i + " = 0; " + i + " != " + n + "; " + i + "++) {";
            s.ints.add(i);
        } else if (kind < 46) {
            // long counter
            String j = name("j");
            head = lp + "for (long " + j + " = " + (rnd.nextBoolean() ? "0L" : "c & 3") + "; " + j + " < ("
                    + longExpr(s, 1) + " & 31L); " + j + (rnd.nextBoolean() ? "++" : " += 2") + ") {";
            s.longs.add(j);
        } else if (kind < 50) {
            // near the ends of the int range: wraps around if the exit test is wrong
            String i = name("i");
            int st = rnd.nextInt(1, 4);
            int r2 = rnd.nextInt(4);
            head = r2 == 0
                    ? lp + "for (int " + i + " = Integer.MAX_VALUE - 3 - (" + intExpr(s, 1) + " & 31); " + i + " < Integer.MAX_VALUE - 3; " + i + " += " + st + ") {"
                    : r2 == 1
                    ? lp + "for (int " + i + " = Integer.MIN_VALUE + 3 + (" + intExpr(s, 1) + " & 31); " + i + " > Integer.MIN_VALUE + 3; " + i + " -= " + st + ") {"
                    : rnd.nextBoolean()
                    ? lp + "for (int " + i + " = Integer.MAX_VALUE - (" + intExpr(s, 1) + " & 15); " + i + " < Integer.MAX_VALUE; " + i + "++) {"
                    : lp + "for (int " + i + " = Integer.MIN_VALUE + (" + intExpr(s, 1) + " & 15); " + i + " > Integer.MIN_VALUE; " + i + "--) {";
            s.ints.add(i);
        } else if (kind < 56 && s.loopDepth == 1) {
            // long trip count: past the default loopPoll (8192), leaf body
            String i = name("i");
            head = lp + "for (int " + i + " = 0; " + i + " < 8000 + (" + intExpr(s, 1) + " & 16383); " + i + "++) {";
            s.ints.add(i);
            s.raise.add(i);
            s.depth = 99; // leaves only
        } else if (kind < 64) {
            String k = name("k");
            pre = new Node.Part[] {Node.part("int " + k + " = (" + intExpr(s, 1) + " & 15) + " + rnd.nextInt(3) + ";", List.of())};
            head = lp + "while (" + k + "-- > 0) {";
            s.ints.add(k);
        } else if (kind < 70) {
            String k = name("k");
            pre = new Node.Part[] {Node.part("int " + k + " = (" + intExpr(s, 1) + " & 15);", List.of())};
            head = lp + "while (" + k + " > 0) {\n    " + k + "--;";
            s.ints.add(k);
        } else if (kind < 75) {
            // do/while counted up with the induction variable bumped at the top of the body (the
            // shape of issue 12's VerifyError), optionally guarded by an if
            String i = name("i");
            String n = name("n");
            pre = new Node.Part[] {Node.part("int " + i + " = " + rnd.nextInt(-2, 3) + ", " + n + " = " + upperBound(s) + ";", List.of())};
            String guard = rnd.nextBoolean() ? "if (" + i + " < " + n + ") " : "";
            head = guard + lp + "do {\n    " + i + "++;";
            end = "} while (" + i + " < " + n + ");";
            s.ints.add(i);
            s.ints.add(n);
            s.lower.add(n);
        } else if (kind < 80) {
            String k = name("k");
            pre = new Node.Part[] {Node.part("int " + k + " = (" + intExpr(s, 1) + " & 15);", List.of())};
            head = lp + "do {";
            end = "} while (--" + k + " > 0);";
            s.ints.add(k);
        } else if (kind < 88) {
            String k = name("k");
            pre = new Node.Part[] {Node.part("int " + k + " = (" + intExpr(s, 1) + " & 15);", List.of())};
            head = lp + (rnd.nextBoolean() ? "while (true) {" : "for (;;) {") + "\n    if (" + k + "-- <= 0) break;";
            s.ints.add(k);
        } else {
            String v = name("v");
            head = lp + "for (int " + v + " : arr) {";
            s.ints.add(v);
        }
        List<Node> body = block(s, 1, 4);
        Node loop = Node.compound(end, Node.part(head, body));
        if (pre == null) {
            return loop;
        }
        // the bound/counter declaration and the loop form one node: deleting one alone breaks termination
        List<Node> wrapper = new ArrayList<>();
        wrapper.add(loop);
        return Node.compound("}", Node.part("{\n    " + pre[0].head(), wrapper));
    }

    private String upperBound(Scope s) {
        return switch (rnd.nextInt(5)) {
            case 0 -> Integer.toString(rnd.nextInt(0, 12));
            case 1 -> "(" + intExpr(s, 1) + " & 15)";
            case 2 -> "Math.min(" + intExpr(s, 1) + ", 20)";
            case 3 -> "arr.length";
            default -> "(" + intExpr(s, 1) + " & 7) + 2";
        };
    }

    private Node leaf(Scope s) {
        int r = rnd.nextInt(100);
        if (s.inLoop && r < 16) {
            return jump(s);
        }
        if (r < 20) {
            return Node.leaf("if (" + cond(s, 2) + ") return acc + " + intExpr(s, 1) + ";");
        }
        if (r < 25 && !(s.raise.isEmpty() && s.lower.isEmpty())) {
            boolean up = s.lower.isEmpty() || (!s.raise.isEmpty() && rnd.nextBoolean());
            List<String> vs = up ? s.raise : s.lower;
            String v = vs.get(rnd.nextInt(vs.size()));
            return Node.leaf(v + (up ? " += " : " -= ") + "(" + intExpr(s, 1) + ") & 3;");
        }
        if (r < 28) {
            return Node.leaf("if (" + cond(s, 2) + ") throw new IllegalStateException(\"thrown \" + " + intExpr(s, 1) + ");");
        }
        if (r < 31 && methodIndex + 1 < methodCount && s.depth < 99) {
            int callee = rnd.nextInt(methodIndex + 1, methodCount);
            return Node.leaf("acc += m" + callee + "(" + intExpr(s, 1) + ", " + intExpr(s, 1) + ", " + longExpr(s, 1) + ", arr);");
        }
        return switch (rnd.nextInt(22)) {
            case 0, 1 -> Node.leaf("acc += " + longExpr(s, 2) + ";");
            case 2 -> Node.leaf("acc ^= " + longExpr(s, 2) + ";");
            case 3 -> Node.leaf("acc = acc * 31 + " + intExpr(s, 2) + ";");
            case 4 -> Node.leaf("x = " + intExpr(s, 2) + ";");
            case 5 -> Node.leaf("y += " + intExpr(s, 2) + ";");
            case 6 -> Node.leaf("z = " + longExpr(s, 2) + ";");
            case 7 -> Node.leaf("sb.append(" + intExpr(s, 1) + ");");
            case 8 -> Node.leaf("list.add(" + intExpr(s, 1) + ");");
            case 9 -> Node.leaf("map.merge(" + intExpr(s, 1) + " & 7, 1, Integer::sum);");
            case 10 -> Node.leaf("acc += map.getOrDefault(x & 7, 0) + list.size();");
            case 11 -> Node.leaf("arr[" + intExpr(s, 1) + " & 7] = " + intExpr(s, 1) + ";");
            case 12 -> Node.leaf("acc += arr[" + intExpr(s, 1) + " & 7];");
            case 13 -> Node.leaf("acc += " + intExpr(s, 1) + " / " + intExpr(s, 1) + ";");
            case 14 -> Node.leaf("acc += " + intExpr(s, 1) + " % (" + intExpr(s, 1) + " & 3);");
            case 15 -> Node.leaf("acc += ((java.util.function.IntUnaryOperator) w -> { int t = 0; for (int q = 0; q < (w & 15); q++) { t += q * w; } return t; }).applyAsInt(" + intExpr(s, 1) + ");");
            case 16 -> Node.leaf("acc += java.util.stream.IntStream.range(0, " + intExpr(s, 1) + " & 7).map(w -> w * 3 + 1).sum();");
            case 17 -> Node.leaf("acc += Long.toString(" + longExpr(s, 1) + ").length() + String.valueOf(" + intExpr(s, 1) + ").hashCode();");
            case 18 -> Node.leaf("sink += acc;");
            case 19 -> Node.leaf("acc += switch (" + intExpr(s, 1) + " & 3) { case 0 -> 1; case 1 -> y; case 2 -> { int t = x; for (int q = 0; q < 3; q++) t += q; yield t; } default -> (int) z; };");
            case 20 -> Node.leaf("if (list.size() > 0) acc += list.get(list.size() - 1);");
            default -> Node.leaf("acc += DATA[" + intExpr(s, 1) + " & 15] + Math.floorMod(" + intExpr(s, 1) + ", 7);");
        };
    }

    private Node jump(Scope s) {
        String c = "if (" + cond(s, 1) + ") ";
        int r = rnd.nextInt(5);
        if (r < 2 && !s.loopLabels.isEmpty()) {
            String l = s.loopLabels.get(rnd.nextInt(s.loopLabels.size()));
            return Node.leaf(c + (r == 0 ? "break " : "continue ") + l + ";");
        }
        if (r == 2 || !s.breakable) {
            return Node.leaf(c + "continue;");
        }
        return Node.leaf(c + "break;");
    }

    // ------------------------------------------------------------------ expressions

    private String intAtom(Scope s) {
        int r = rnd.nextInt(12);
        if (r < 6) {
            return s.ints.get(rnd.nextInt(s.ints.size()));
        }
        return switch (r) {
            case 6 -> Integer.toString(rnd.nextInt(-3, 40));
            case 7 -> "arr.length";
            case 8 -> "(int) " + s.longs.get(rnd.nextInt(s.longs.size()));
            case 9 -> "sb.length()";
            case 10 -> rnd.nextInt(4) == 0 ? "Integer.MAX_VALUE" : "0x5bd1e995";
            default -> "DATA[" + s.ints.get(rnd.nextInt(s.ints.size())) + " & 15]";
        };
    }

    private String intExpr(Scope s, int d) {
        if (d <= 0 || rnd.nextInt(3) == 0) {
            return intAtom(s);
        }
        String l = intExpr(s, d - 1);
        String r = intExpr(s, d - 1);
        return switch (rnd.nextInt(12)) {
            case 0 -> "(" + l + " + " + r + ")";
            case 1 -> "(" + l + " - " + r + ")";
            case 2 -> "(" + l + " * " + r + ")";
            case 3 -> "(" + l + " ^ " + r + ")";
            case 4 -> "(" + l + " & " + r + ")";
            case 5 -> "(" + l + " | " + r + ")";
            case 6 -> "(" + l + " << " + rnd.nextInt(1, 9) + ")";
            case 7 -> "(" + l + " >>> " + rnd.nextInt(1, 9) + ")";
            case 8 -> "Math.max(" + l + ", " + r + ")";
            case 9 -> "Integer.bitCount(" + l + ")";
            case 10 -> "(" + l + " > " + r + " ? " + l + " : " + r + ")";
            default -> "Math.abs(" + l + ")";
        };
    }

    private String longExpr(Scope s, int d) {
        if (d <= 0 || rnd.nextInt(3) == 0) {
            return rnd.nextInt(4) == 0 ? "(long) " + intAtom(s) : s.longs.get(rnd.nextInt(s.longs.size()));
        }
        String l = longExpr(s, d - 1);
        return switch (rnd.nextInt(6)) {
            case 0 -> "(" + l + " + " + intExpr(s, d - 1) + ")";
            case 1 -> "(" + l + " * " + longExpr(s, d - 1) + ")";
            case 2 -> "(" + l + " ^ (" + longExpr(s, d - 1) + " >>> 3))";
            case 3 -> "Long.rotateLeft(" + l + ", " + rnd.nextInt(1, 63) + ")";
            case 4 -> "(" + l + " - " + longExpr(s, d - 1) + ")";
            default -> "(" + l + " * 0x9E3779B97F4A7C15L)";
        };
    }

    private String cond(Scope s, int d) {
        int r = rnd.nextInt(d > 0 ? 7 : 4);
        return switch (r) {
            case 0 -> intExpr(s, 1) + " < " + intExpr(s, 1);
            case 1 -> "(" + intExpr(s, 1) + " & 3) == 0";
            case 2 -> longExpr(s, 1) + " > " + longExpr(s, 1);
            case 3 -> "(" + intExpr(s, 1) + " & 7) == " + rnd.nextInt(8);
            case 4 -> "(" + cond(s, d - 1) + " && " + cond(s, d - 1) + ")";
            case 5 -> "(" + cond(s, d - 1) + " || " + cond(s, d - 1) + ")";
            default -> "!(" + cond(s, d - 1) + ")";
        };
    }
}
