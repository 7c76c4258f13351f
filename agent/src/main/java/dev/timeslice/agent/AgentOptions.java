package dev.timeslice.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The agent's options: {@code -javaagent:timeslice-agent.jar=key=value,key=value}. Every key can
 * also be given as the system property {@code timeslice.<key>}; an explicit agent argument wins.
 *
 * <p>Each option is declared exactly once, in {@link #ALL}: name, default, parser and a one-line
 * description of the accepted values. To add an option, add a constant and list it there.
 * A bad key or value fails with an {@link IllegalArgumentException} whose message is one line
 * naming the option and what it accepts; deciding how to stop the JVM is the caller's job.
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

        T parse(String value) {
            try {
                return parser.apply(value.trim());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("timeslice: bad value '" + value + "' for option "
                        + name + ": expected " + accepted);
            }
        }
    }

    public static final Option<Integer> LOOP_POLL = new Option<>("loopPoll", "8192",
            Parser.intRange(2, Integer.MAX_VALUE), "an integer >= 2",
            "iterations of call-free loops between two polls");
    public static final Option<Integer> CALL_LOOP_POLL = new Option<>("callLoopPoll", "64",
            Parser.intRange(1, Integer.MAX_VALUE), "an integer >= 1",
            "iterations of loops calling code that may not poll (the JDK) between two polls; 1 = every iteration");
    public static final Option<List<String>> INCLUDE = new Option<>("include", "",
            Parser.of(Parser.GLOBS), "class-name globs separated by ';' or ':' (* = any characters but '.', ** = any characters, ? = one character but '.')",
            "rewrite only classes matching one of these (empty: all not excluded)");
    public static final Option<List<String>> EXCLUDE = new Option<>("exclude", "",
            Parser.of(Parser.GLOBS), "class-name globs separated by ';' or ':' (* = any characters but '.', ** = any characters, ? = one character but '.')",
            "never rewrite classes matching one of these (in addition to the JDK and Timeslice)");
    public static final Option<String> CACHE = new Option<>("cache", "", Parser.of(Parser.STRING),
            "a directory, auto, or empty for off",
            "keep rewritten classes in this directory across runs (auto: $XDG_CACHE_HOME/timeslice or ~/.cache/timeslice)");
    public static final Option<Boolean> VERBOSE = new Option<>("verbose", "false",
            Parser.of(Parser.BOOL), "true or false", "shorthand for log=debug");
    public static final Option<LogLevel> LOG = new Option<>("log", "warn",
            Parser.of(Parser.LOG_LEVEL), "off, warn, info or debug",
            "diagnostics on stderr; warn: one line per class left unchanged");

    // ---- the scheduler
    public static final Option<Integer> PROCS = new Option<>("procs", "auto",
            Parser.of(Parser.PROCS),
            "auto or an integer 1..1024", "number of P's (Go's GOMAXPROCS); auto = available processors");
    public static final Option<Duration> SLICE = new Option<>("slice", "10ms",
            Parser.of(Parser.POSITIVE_DURATION), "a positive duration such as 10ms, 500us or 1s",
            "how long a G may run before sysmon preempts it");
    public static final Option<Duration> WAKEUP_GRACE = new Option<>("wakeupGrace", "1ms",
            Parser.of(Parser.DURATION), "a duration such as 1ms or 0 (0: at once)",
            "a G woken from outside (timer, I/O) preempts the longest-running G once that has run this long");
    public static final Option<Integer> MAX_THREADS = new Option<>("maxThreads", "10000",
            Parser.intRange(1, 1_000_000), "an integer 1..1000000",
            "cap on carrier threads (M's), as Go's 10000");
    public static final Option<String> THREADS = new Option<>("threads", "route",
            Parser.of(Parser.ROUTE_KEEP), "route or keep",
            "route: thread creation in rewritten classes runs on Timeslice; keep: leave it alone (main still runs as G 1)");
    public static final Option<Boolean> GCSCAN = new Option<>("gcscan", "on", Parser.of(Parser.ON_OFF), "on or off",
            "every JVM garbage collection stops the running G's at a poll and records all G's");
    public static final Option<Duration> GCSCAN_INTERVAL = new Option<>("gcscanInterval", "100ms",
            Parser.of(Parser.DURATION), "a duration such as 100ms", "at most one GC-triggered scan per interval");
    public static final Option<Duration> SCAN_TIMEOUT = new Option<>("scanTimeout", "50ms",
            Parser.of(Parser.POSITIVE_DURATION), "a positive duration such as 50ms",
            "a scan records a G that has not reached a poll by then as running, not at a safepoint");
    // ---- observability
    public static final Option<Duration> SCHEDTRACE = new Option<>("schedtrace", "0",
            Parser.of(Parser.DURATION), "a duration such as 1000ms, or 0 for off",
            "print Go's schedtrace line on stderr at this interval");
    public static final Option<Boolean> SCHEDDETAIL = new Option<>("scheddetail", "false", Parser.of(Parser.BOOL),
            "true or false", "with schedtrace: one more line per P, M and G");
    public static final Option<String> TRACE = new Option<>("trace", "", Parser.of(Parser.STRING), "a file name (no commas)",
            "write a Chrome/Perfetto trace of the scheduler to this file at exit");
    public static final Option<Integer> TRACEBUF = new Option<>("tracebuf", "1048576",
            Parser.intRange(1024, 1 << 28), "an integer 1024..268435456",
            "events the trace ring buffer keeps (32 bytes each); older ones are dropped");
    public static final Option<Boolean> JMX = new Option<>("jmx", "true", Parser.of(Parser.BOOL), "true or false",
            "register the timeslice:type=Scheduler MBean");
    public static final Option<Boolean> JFR = new Option<>("jfr", "true", Parser.of(Parser.BOOL), "true or false",
            "provide the dev.timeslice.* JFR events (recorded only when a recording enables them)");
    public static final Option<Boolean> SUMMARY = new Option<>("summary", "true", Parser.of(Parser.BOOL),
            "true or false", "print a short summary on stderr at exit");
    public static final Option<String> DUMP = new Option<>("dump", "", Parser.of(Parser.STRING), "a file name (no commas)",
            "write a goroutine dump to this file at exit");

    /**
     * The value parsers: one class with a switch rather than a lambda per option. The options are
     * parsed on the JVM's main thread before the program's {@code main}, and spinning a class for
     * each of twenty lambdas cost a noticeable part of the agent's start-up.
     */
    private static final class Parser<T> implements Function<String, T> {
        static final int INT = 0;
        static final int PROCS = 1;
        static final int DURATION = 2;
        static final int POSITIVE_DURATION = 3;
        static final int BOOL = 4;
        static final int ON_OFF = 5;
        static final int GLOBS = 6;
        static final int STRING = 7;
        static final int LOG_LEVEL = 8;
        static final int ROUTE_KEEP = 9;

        private final int kind;
        private final int min;
        private final int max;

        private Parser(int kind, int min, int max) {
            this.kind = kind;
            this.min = min;
            this.max = max;
        }

        static <T> Parser<T> of(int kind) {
            return new Parser<>(kind, 0, 0);
        }

        static Parser<Integer> intRange(int min, int max) {
            return new Parser<>(INT, min, max);
        }

        @Override
        @SuppressWarnings("unchecked")
        public T apply(String v) {
            Object value = switch (kind) {
                case INT -> between(Integer.parseInt(v), min, max);
                case PROCS -> v.equals("auto") ? Runtime.getRuntime().availableProcessors()
                        : between(Integer.parseInt(v), 1, 1024);
                case DURATION -> duration(v);
                case POSITIVE_DURATION -> positive(duration(v));
                case BOOL -> bool(v);
                case ON_OFF -> onOff(v);
                case GLOBS -> globs(v);
                case STRING -> v;
                case LOG_LEVEL -> LogLevel.valueOf(v.toUpperCase(Locale.ROOT));
                case ROUTE_KEEP -> {
                    if (!v.equals("route") && !v.equals("keep")) {
                        throw new IllegalArgumentException();
                    }
                    yield v;
                }
                default -> throw new IllegalStateException("parser kind " + kind);
            };
            return (T) value;
        }
    }

    /** Every option, in the order they are documented. */
    public static final List<Option<?>> ALL = List.of(PROCS, SLICE, WAKEUP_GRACE, MAX_THREADS, THREADS,
            GCSCAN, GCSCAN_INTERVAL, SCAN_TIMEOUT, LOOP_POLL, CALL_LOOP_POLL, INCLUDE, EXCLUDE, CACHE,
            SCHEDTRACE, SCHEDDETAIL, TRACE, TRACEBUF, JMX, JFR, SUMMARY, DUMP, VERBOSE, LOG);

    public static final String PROPERTY_PREFIX = "timeslice.";

    private final Map<Option<?>, Object> values;

    private AgentOptions(Map<Option<?>, Object> values) {
        this.values = values;
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
        Map<Option<?>, Object> values = new LinkedHashMap<>();
        for (Option<?> option : ALL) {
            String raw = given.get(option.name());
            if (raw == null) {
                raw = properties.getProperty(PROPERTY_PREFIX + option.name());
            }
            values.put(option, option.parse(raw == null ? option.defaultValue() : raw));
        }
        return new AgentOptions(values);
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
                throw new IllegalArgumentException("timeslice: unknown option '" + key + "'; known options: "
                        + ALL.stream().map(Option::name).collect(Collectors.joining(", ")));
            }
            String value;
            if (eq >= 0) {
                value = part.substring(eq + 1);
            } else if (option == VERBOSE || option == SCHEDDETAIL) {
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

    @SuppressWarnings("unchecked")
    public <T> T get(Option<T> option) {
        return (T) values.get(option);
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

    @Override
    public String toString() {
        return values.entrySet().stream().map(e -> e.getKey().name() + "=" + show(e.getValue()))
                .collect(Collectors.joining(","));
    }

    private static String show(Object v) {
        if (v instanceof Duration d) {
            long n = d.toNanos();
            return n % 1_000_000_000L == 0 && n != 0 ? n / 1_000_000_000L + "s"
                    : n % 1_000_000L == 0 ? n / 1_000_000L + "ms" : n % 1000 == 0 ? n / 1000 + "us" : n + "ns";
        }
        return String.valueOf(v);
    }

    private static int between(int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException();
        }
        return value;
    }

    /** {@code 10ms}, {@code 500us}, {@code 2s}, {@code 100ns}; a bare number is milliseconds. */
    static Duration duration(String v) {
        int digits = 0;
        while (digits < v.length() && Character.isDigit(v.charAt(digits))) {
            digits++;
        }
        if (digits == 0) {
            throw new IllegalArgumentException();
        }
        long n = Long.parseLong(v.substring(0, digits));
        return switch (v.substring(digits).trim()) {
            case "ns" -> Duration.ofNanos(n);
            case "us", "µs" -> Duration.ofNanos(Math.multiplyExact(n, 1000L));
            case "ms", "" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> throw new IllegalArgumentException();
        };
    }

    private static Duration positive(Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException();
        }
        return d;
    }

    private static boolean onOff(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw new IllegalArgumentException();
        };
    }

    private static boolean bool(String v) {
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException();
    }

    private static List<String> globs(String v) {
        List<String> out = new ArrayList<>();
        for (String g : v.split("[;:]")) {
            String t = g.trim();
            if (!t.isEmpty()) {
                Glob.compile(t); // validates
                out.add(t);
            }
        }
        return List.copyOf(out);
    }
}
