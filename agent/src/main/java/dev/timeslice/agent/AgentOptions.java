package dev.timeslice.agent;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * The agent's options: {@code -javaagent:timeslice-agent.jar=key=value,key=value}. Every key can
 * also be given as the system property {@code timeslice.<key>}; an explicit agent argument wins.
 *
 * <p>Each option is declared exactly once, in {@link #ALL}: name, default, parser and a one-line
 * description of the accepted values. To add an option, add a constant and list it there.
 * A bad key or value fails with an {@link IllegalArgumentException} whose message is one line
 * naming the option and what it accepts; deciding how to stop the JVM is the caller's job.
 *
 * <p>The rules, the same for every option (README, "Options"):
 * <ul>
 *   <li>names are case-sensitive; an unknown name — as an agent argument or as a
 *       {@code timeslice.*} system property — is an error, with "did you mean" for a near miss;</li>
 *   <li>values are trimmed; an empty value is an error, except for a boolean, where it (like a
 *       bare {@code name} without {@code =}) means {@code true};</li>
 *   <li>booleans: {@code true/false}, {@code on/off}, {@code yes/no}, {@code 1/0}, any case;
 *       named values ({@code log}, {@code threads}, {@code procs=auto}): any case;</li>
 *   <li>durations: a whole number and a unit {@code ns}, {@code us}, {@code ms}, {@code s}
 *       (bare number = ms), at most {@value #MAX_DURATION_TEXT};</li>
 *   <li>output files ({@code trace}, {@code dump}): checked before {@code main} — not a
 *       directory, in an existing directory (none is created), writable.</li>
 * </ul>
 * {@link #toString()} shows every value as accepted, normalized (the start-up echo).
 *
 * <p>Instances are immutable.
 */
public final class AgentOptions {

    /** One declared option. */
    public static final class Option<T> {
        private final String name;
        private final String defaultValue;
        private final Function<String, T> parser;
        private final String accepted;
        private final String description;

        Option(String name, String defaultValue, Function<String, T> parser, String accepted,
               String description) {
            this.name = name;
            this.defaultValue = defaultValue;
            this.parser = parser;
            this.accepted = accepted;
            this.description = description;
        }

        public String name() {
            return name;
        }

        public String defaultValue() {
            return defaultValue;
        }

        public String accepted() {
            return accepted;
        }

        public String description() {
            return description;
        }

        /** A boolean option: a bare name or an empty value means {@code true}. */
        boolean isFlag() {
            return parser instanceof Parser<?> p && p.kind == Parser.BOOL;
        }

        /** The default: an empty one (include, exclude, trace, dump) means none. */
        T parseDefault() {
            return defaultValue.isEmpty() ? parser.apply("") : parse(defaultValue);
        }

        T parse(String value) {
            String v = value.trim();
            if (v.isEmpty()) {
                if (isFlag()) {
                    v = "true";
                } else {
                    throw new IllegalArgumentException("timeslice: option " + name + " needs a value: "
                            + name + "=<" + accepted + ">");
                }
            }
            try {
                return parser.apply(v);
            } catch (BadValue e) {
                throw new IllegalArgumentException("timeslice: bad value '" + value + "' for option "
                        + name + ": " + e.getMessage() + "; expected " + accepted);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("timeslice: bad value '" + value + "' for option "
                        + name + ": expected " + accepted);
            }
        }
    }

    /** A rejected value with a reason more specific than "expected ...". */
    private static final class BadValue extends RuntimeException {
        BadValue(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The longest duration any option accepts (the scheduler works in nanoseconds). */
    static final long MAX_DURATION_NANOS = 3_600_000_000_000L;
    static final String MAX_DURATION_TEXT = "1h (3600s)";
    private static final String BOOLEANS = "true or false (also on/off, yes/no, 1/0)";
    private static final String FILE = "a file name (no commas) in an existing, writable directory";

    public static final Option<Integer> LOOP_POLL = new Option<>("loopPoll", "8192",
            Parser.intRange(2, Integer.MAX_VALUE), "an integer 2..2147483647",
            "iterations of call-free loops between two polls");
    public static final Option<Integer> CALL_LOOP_POLL = new Option<>("callLoopPoll", "64",
            Parser.intRange(1, Integer.MAX_VALUE), "an integer 1..2147483647",
            "iterations of loops calling code that may not poll (the JDK) between two polls; 1 = every iteration");
    public static final Option<List<String>> INCLUDE = new Option<>("include", "",
            Parser.of(Parser.GLOBS), "class-name globs separated by ';' or ':' (* = any characters but '.', ** = any characters, ? = one character but '.')",
            "rewrite only classes matching one of these (empty: all not excluded)");
    public static final Option<List<String>> EXCLUDE = new Option<>("exclude", "",
            Parser.of(Parser.GLOBS), "class-name globs separated by ';' or ':' (* = any characters but '.', ** = any characters, ? = one character but '.')",
            "never rewrite classes matching one of these (in addition to the JDK and Timeslice)");
    public static final Option<String> CACHE = new Option<>("cache", "auto", Parser.of(Parser.STRING),
            "a directory, auto, or off",
            "keep rewritten classes in this directory across runs (auto: $XDG_CACHE_HOME/timeslice or ~/.cache/timeslice)");
    public static final Option<Boolean> VERBOSE = new Option<>("verbose", "false",
            Parser.of(Parser.BOOL), BOOLEANS, "shorthand for log=debug");
    public static final Option<LogLevel> LOG = new Option<>("log", "warn",
            Parser.of(Parser.LOG_LEVEL), "off, warn, info or debug",
            "diagnostics on stderr; warn: one line per class left unchanged");

    // ---- the scheduler
    public static final Option<Integer> PROCS = new Option<>("procs", "auto",
            Parser.of(Parser.PROCS),
            "auto or an integer 1..1024", "number of P's (Go's GOMAXPROCS); auto = available processors");
    public static final Option<Duration> SLICE = new Option<>("slice", "10ms",
            Parser.duration(1, MAX_DURATION_NANOS), "a duration from 1ns to " + MAX_DURATION_TEXT + " such as 10ms, 500us or 1s",
            "how long a G may run before sysmon preempts it");
    public static final Option<Duration> WAKEUP_GRACE = new Option<>("wakeupGrace", "1ms",
            Parser.duration(0, MAX_DURATION_NANOS), "a duration from 0 (at once) to " + MAX_DURATION_TEXT + " such as 1ms",
            "a G woken from outside (timer, I/O) preempts the longest-running G once that has run this long");
    public static final Option<Integer> MAX_THREADS = new Option<>("maxThreads", "10000",
            Parser.intRange(1, 1_000_000), "an integer 1..1000000",
            "cap on carrier threads (M's), as Go's 10000");
    public static final Option<String> THREADS = new Option<>("threads", "route",
            Parser.of(Parser.ROUTE_KEEP), "route or keep",
            "route: thread creation in rewritten classes runs on Timeslice; keep: leave it alone (main still runs as G 1)");
    public static final Option<Boolean> GCSCAN = new Option<>("gcscan", "true", Parser.of(Parser.BOOL), BOOLEANS,
            "every JVM garbage collection stops the running G's at a poll and records all G's");
    public static final Option<Duration> GCSCAN_INTERVAL = new Option<>("gcscanInterval", "100ms",
            Parser.duration(0, MAX_DURATION_NANOS), "a duration from 0 to " + MAX_DURATION_TEXT + " such as 100ms",
            "at most one GC-triggered scan per interval");
    public static final Option<Duration> SCAN_TIMEOUT = new Option<>("scanTimeout", "50ms",
            Parser.duration(1, MAX_DURATION_NANOS), "a duration from 1ns to " + MAX_DURATION_TEXT + " such as 50ms",
            "a scan records a G that has not reached a poll by then as running, not at a safepoint");
    public static final Option<String> DEADLOCK = new Option<>("deadlock", "report",
            Parser.of(Parser.DEADLOCK_MODE), "report, exit or off",
            "deadlocks among G's: report on stderr; exit: also end the JVM with status 2 when all G's are asleep; off: only on demand");
    // ---- observability
    public static final Option<Duration> SCHEDTRACE = new Option<>("schedtrace", "0",
            Parser.of(Parser.OFF_OR_MILLIS), "0 (off) or a duration from 1ms to " + MAX_DURATION_TEXT + " in whole ms, such as 1000ms",
            "print Go's schedtrace line on stderr at this interval");
    public static final Option<Boolean> SCHEDDETAIL = new Option<>("scheddetail", "false", Parser.of(Parser.BOOL),
            BOOLEANS, "with schedtrace: one more line per P, M and G");
    public static final Option<String> TRACE = new Option<>("trace", "", Parser.of(Parser.OUTPUT_FILE), FILE,
            "write a Chrome/Perfetto trace of the scheduler to this file at exit");
    public static final Option<Integer> TRACEBUF = new Option<>("tracebuf", "1048576",
            Parser.intRange(1024, 1 << 28), "an integer 1024..268435456",
            "events the trace ring buffer keeps (32 bytes each); older ones are dropped");
    public static final Option<Boolean> JMX = new Option<>("jmx", "true", Parser.of(Parser.BOOL), BOOLEANS,
            "register the timeslice:type=Scheduler MBean");
    public static final Option<Boolean> JFR = new Option<>("jfr", "true", Parser.of(Parser.BOOL), BOOLEANS,
            "provide the dev.timeslice.* JFR events (recorded only when a recording enables them)");
    public static final Option<Boolean> SUMMARY = new Option<>("summary", "true", Parser.of(Parser.BOOL),
            BOOLEANS, "print a short summary on stderr at exit");
    public static final Option<String> DUMP = new Option<>("dump", "", Parser.of(Parser.OUTPUT_FILE), FILE,
            "write a goroutine dump to this file at exit");

    /**
     * The value parsers: one class with a switch rather than a lambda per option. The options are
     * parsed on the JVM's main thread before the program's {@code main}, and spinning a class for
     * each of twenty lambdas cost a noticeable part of the agent's start-up.
     */
    private static final class Parser<T> implements Function<String, T> {
        static final int INT = 0;
        static final int PROCS = 1;
        /** A duration between {@code min} and {@code max} nanoseconds. */
        static final int DURATION = 2;
        /** 0 = off, or whole milliseconds up to the maximum duration. */
        static final int OFF_OR_MILLIS = 3;
        static final int BOOL = 4;
        /** The same as {@link #BOOL}: every boolean accepts the same spellings. */
        static final int ON_OFF = BOOL;
        static final int GLOBS = 6;
        static final int STRING = 7;
        static final int LOG_LEVEL = 8;
        static final int ROUTE_KEEP = 9;
        /** A file written at exit: checked now, before main. */
        static final int OUTPUT_FILE = 10;
        /** A duration from 1ns to the maximum. */
        static final int POSITIVE_DURATION = 11;
        /** report, exit or off (any case). */
        static final int DEADLOCK_MODE = 12;

        private final int kind;
        private final long min;
        private final long max;

        private Parser(int kind, long min, long max) {
            this.kind = kind;
            this.min = min;
            this.max = max;
        }

        static <T> Parser<T> of(int kind) {
            return kind == POSITIVE_DURATION ? new Parser<>(DURATION, 1, MAX_DURATION_NANOS)
                    : new Parser<>(kind, 0, kind == DURATION ? MAX_DURATION_NANOS : 0);
        }

        static Parser<Integer> intRange(int min, int max) {
            return new Parser<>(INT, min, max);
        }

        static Parser<Duration> duration(long minNanos, long maxNanos) {
            return new Parser<>(DURATION, minNanos, maxNanos);
        }

        @Override
        @SuppressWarnings("unchecked")
        public T apply(String v) {
            Object value = switch (kind) {
                case INT -> (int) between(Integer.parseInt(v), min, max);
                case PROCS -> v.equalsIgnoreCase("auto") ? Runtime.getRuntime().availableProcessors()
                        : (int) between(Integer.parseInt(v), 1, 1024);
                case DURATION -> Duration.ofNanos(between(durationNanos(v), min, max));
                case OFF_OR_MILLIS -> {
                    long n = durationNanos(v);
                    if (n != 0 && (n % 1_000_000L != 0 || n > MAX_DURATION_NANOS)) {
                        throw new IllegalArgumentException();
                    }
                    yield Duration.ofNanos(n);
                }
                case BOOL -> bool(v);
                case GLOBS -> globs(v);
                case STRING -> v;
                case LOG_LEVEL -> LogLevel.valueOf(v.toUpperCase(Locale.ROOT));
                case ROUTE_KEEP -> {
                    String lower = v.toLowerCase(Locale.ROOT);
                    if (!lower.equals("route") && !lower.equals("keep")) {
                        throw new IllegalArgumentException();
                    }
                    yield lower;
                }
                case OUTPUT_FILE -> outputFile(v);
                case DEADLOCK_MODE -> {
                    String lower = v.toLowerCase(Locale.ROOT);
                    if (!lower.equals("report") && !lower.equals("exit") && !lower.equals("off")) {
                        throw new IllegalArgumentException();
                    }
                    yield lower;
                }
                default -> throw new IllegalStateException("parser kind " + kind);
            };
            return (T) value;
        }
    }

    /** Every option, in the order they are documented. */
    public static final List<Option<?>> ALL = List.of(PROCS, SLICE, WAKEUP_GRACE, MAX_THREADS, THREADS,
            GCSCAN, GCSCAN_INTERVAL, SCAN_TIMEOUT, DEADLOCK, LOOP_POLL, CALL_LOOP_POLL, INCLUDE, EXCLUDE, CACHE,
            SCHEDTRACE, SCHEDDETAIL, TRACE, TRACEBUF, JMX, JFR, SUMMARY, DUMP, VERBOSE, LOG);

    public static final String PROPERTY_PREFIX = "timeslice.";

    private final Map<Option<?>, Object> values;
    /** The options given as an agent argument or a system property (the others have their defaults). */
    private final java.util.Set<Option<?>> given;

    private AgentOptions(Map<Option<?>, Object> values, java.util.Set<Option<?>> given) {
        this.values = values;
        this.given = given;
    }

    /** Parses the agent argument string against the JVM's system properties. */
    public static AgentOptions parse(String agentArgs) {
        return parse(agentArgs, System.getProperties());
    }

    /** The defaults, ignoring system properties. */
    public static AgentOptions defaults() {
        return parse(null, new Properties());
    }

    public static AgentOptions parse(String agentArgs, Properties properties) {
        Map<String, String> given = splitArguments(agentArgs);
        checkProperties(properties);
        Map<Option<?>, Object> values = new LinkedHashMap<>();
        java.util.Set<Option<?>> set = new java.util.HashSet<>();
        for (Option<?> option : ALL) {
            String raw = given.get(option.name());
            if (raw == null) {
                raw = properties.getProperty(PROPERTY_PREFIX + option.name());
            }
            values.put(option, raw == null ? option.parseDefault() : option.parse(raw));
            if (raw != null) {
                set.add(option);
            }
        }
        checkTogether(values);
        return new AgentOptions(values, set);
    }

    /** Checks that need two options: the trace ring must fit the heap; trace and dump differ. */
    private static void checkTogether(Map<Option<?>, Object> values) {
        String trace = (String) values.get(TRACE);
        String dump = (String) values.get(DUMP);
        if (!trace.isEmpty()) {
            long bytes = 32L * (Integer) values.get(TRACEBUF);
            long heap = Runtime.getRuntime().maxMemory();
            if (bytes > heap / 2) {
                throw new IllegalArgumentException("timeslice: bad value '" + values.get(TRACEBUF) + "' for option tracebuf: "
                        + "the trace ring would take " + (bytes >> 20) + " MiB, more than half the heap ("
                        + (heap >> 20) + " MiB); expected at most " + Math.max(1024, heap / 2 / 32) + " events here");
            }
            if (!dump.isEmpty() && Path.of(trace).toAbsolutePath().normalize().equals(Path.of(dump).toAbsolutePath().normalize())) {
                throw new IllegalArgumentException("timeslice: options trace and dump name the same file " + trace
                        + "; expected two different files");
            }
        }
    }

    /** Every {@code timeslice.*} system property must name an option. */
    private static void checkProperties(Properties properties) {
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith(PROPERTY_PREFIX) && find(key.substring(PROPERTY_PREFIX.length())) == null) {
                String name = key.substring(PROPERTY_PREFIX.length());
                Option<?> near = nearest(name);
                throw new IllegalArgumentException("timeslice: unknown option '" + name + "' in system property -D"
                        + key + (near == null ? "" : " (did you mean -D" + PROPERTY_PREFIX + near.name() + "?)")
                        + "; known options: " + names());
            }
        }
    }

    private static Map<String, String> splitArguments(String agentArgs) {
        Map<String, String> given = new LinkedHashMap<>();
        if (agentArgs == null || agentArgs.isBlank()) {
            return given;
        }
        for (String part : agentArgs.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            String key = (eq < 0 ? part : part.substring(0, eq)).trim();
            Option<?> option = find(key);
            if (option == null) {
                Option<?> near = nearest(key);
                throw new IllegalArgumentException("timeslice: unknown option '" + key + "'"
                        + (near == null ? "" : " (did you mean " + near.name() + "?)") + "; known options: " + names());
            }
            String value;
            if (eq >= 0) {
                value = part.substring(eq + 1);
            } else if (option.isFlag()) {
                value = "true";
            } else {
                throw new IllegalArgumentException("timeslice: option " + key + " needs a value: "
                        + key + "=<" + option.accepted() + ">");
            }
            if (given.put(key, value) != null) {
                throw new IllegalArgumentException("timeslice: option " + key + " given twice");
            }
        }
        return given;
    }

    private static Option<?> find(String name) {
        for (Option<?> option : ALL) {
            if (option.name().equals(name)) {
                return option;
            }
        }
        return null;
    }

    /** The option whose name is nearest to {@code name} (at most 2 edits, any case), or null. */
    static Option<?> nearest(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        Option<?> best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Option<?> option : ALL) {
            int d = editDistance(n, option.name().toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = option;
                bestDistance = d;
            }
        }
        return bestDistance <= 2 && bestDistance < n.length() ? best : null;
    }

    /** Levenshtein distance, with a transposition of two neighbours counting as one edit. */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length()][b.length()];
    }

    private static String names() {
        StringBuilder sb = new StringBuilder();
        for (Option<?> o : ALL) {
            sb.append(sb.length() == 0 ? "" : ", ").append(o.name());
        }
        return sb.toString();
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Option<T> option) {
        return (T) values.get(option);
    }

    /** Whether the user gave this option (as an agent argument or a system property). */
    public boolean isSet(Option<?> option) {
        return given.contains(option);
    }

    public int loopPoll() {
        return get(LOOP_POLL);
    }

    /** {@code threads=route}: thread creation in rewritten classes runs on Timeslice. */
    public boolean routeThreads() {
        return get(THREADS).equals("route");
    }

    public int callLoopPoll() {
        return get(CALL_LOOP_POLL);
    }

    /** The effective log level: {@code verbose=true} means at least {@code debug}. */
    public LogLevel logLevel() {
        LogLevel level = get(LOG);
        return get(VERBOSE) && level.compareTo(LogLevel.DEBUG) < 0 ? LogLevel.DEBUG : level;
    }

    /** One line per option, for usage messages. */
    public static List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (Option<?> o : ALL) {
            lines.add(o.name() + "=<" + o.accepted() + "> (default '" + o.defaultValue() + "'): " + o.description());
        }
        return Collections.unmodifiableList(lines);
    }

    /** Every option as accepted, normalized: {@code procs=2,slice=10ms,...,gcscan=true,...}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Option<?>, Object> e : values.entrySet()) {
            sb.append(sb.length() == 0 ? "" : ",").append(e.getKey().name()).append('=').append(show(e.getValue()));
        }
        return sb.toString();
    }

    private static String show(Object v) {
        if (v instanceof Duration d) {
            long n = d.toNanos();
            return n % 1_000_000_000L == 0 && n != 0 ? n / 1_000_000_000L + "s"
                    : n % 1_000_000L == 0 ? n / 1_000_000L + "ms" : n % 1000 == 0 ? n / 1000 + "us" : n + "ns";
        }
        if (v instanceof LogLevel l) {
            return l.name().toLowerCase(Locale.ROOT);
        }
        if (v instanceof List<?> l) {
            return String.join(";", l.stream().map(String::valueOf).toList());
        }
        return String.valueOf(v);
    }

    private static long between(long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException();
        }
        return value;
    }

    /** {@code 10ms}, {@code 500us}, {@code 2s}, {@code 100ns}; a bare number is milliseconds. */
    static Duration duration(String v) {
        return Duration.ofNanos(durationNanos(v));
    }

    /**
     * A duration in nanoseconds, never overflowing: a number too large for its unit, or longer
     * than {@link #MAX_DURATION_NANOS}, is rejected (callers check their own range).
     */
    static long durationNanos(String v) {
        int digits = 0;
        while (digits < v.length() && v.charAt(digits) >= '0' && v.charAt(digits) <= '9') {
            digits++;
        }
        if (digits == 0 || digits > 18) {
            throw new IllegalArgumentException();
        }
        long n = Long.parseLong(v.substring(0, digits));
        long unit = switch (v.substring(digits).trim()) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms", "" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            default -> throw new IllegalArgumentException();
        };
        if (n > MAX_DURATION_NANOS / unit) {
            throw new IllegalArgumentException();
        }
        return n * unit;
    }

    private static boolean bool(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "on", "yes", "1" -> true;
            case "false", "off", "no", "0" -> false;
            default -> throw new IllegalArgumentException();
        };
    }

    private static List<String> globs(String v) {
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= v.length(); i++) {
            if (i == v.length() || v.charAt(i) == ';' || v.charAt(i) == ':') {
                String t = v.substring(from, i).trim();
                if (!t.isEmpty()) {
                    Glob.compile(t); // validates
                    out.add(t);
                }
                from = i + 1;
            }
        }
        return List.copyOf(out);
    }

    /**
     * A file the agent writes at exit (trace, dump), checked before the program runs: a bad one
     * would otherwise be reported only after the program ran. Its directory is never created.
     */
    private static String outputFile(String v) {
        if (v.isEmpty()) {
            return v; // the default: none
        }
        Path file;
        try {
            file = Path.of(v).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw new BadValue("not a file name");
        }
        if (Files.isDirectory(file)) {
            throw new BadValue(file + " is a directory");
        }
        Path dir = file.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new BadValue("directory " + dir + " does not exist (Timeslice does not create it)");
        }
        if (Files.exists(file) ? !Files.isWritable(file) : !Files.isWritable(dir)) {
            throw new BadValue((Files.exists(file) ? file : dir) + " is not writable");
        }
        return v;
    }
}
