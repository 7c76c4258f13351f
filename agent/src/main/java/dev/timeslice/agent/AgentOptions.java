package dev.timeslice.agent;

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
            v -> atLeast(Integer.parseInt(v), 2), "an integer >= 2",
            "iterations of call-free loops between two polls");
    public static final Option<Integer> CALL_LOOP_POLL = new Option<>("callLoopPoll", "64",
            v -> atLeast(Integer.parseInt(v), 1), "an integer >= 1",
            "iterations of loops calling code that may not poll (the JDK) between two polls; 1 = every iteration");
    public static final Option<List<String>> INCLUDE = new Option<>("include", "",
            AgentOptions::globs, "class-name globs separated by ';' or ':' (* = any characters but '.', ** = any characters, ? = one character but '.')",
            "rewrite only classes matching one of these (empty: all not excluded)");
    public static final Option<List<String>> EXCLUDE = new Option<>("exclude", "",
            AgentOptions::globs, "class-name globs separated by ';' or ':' (* = any characters but '.', ** = any characters, ? = one character but '.')",
            "never rewrite classes matching one of these (in addition to the JDK and Timeslice)");
    public static final Option<Boolean> VERBOSE = new Option<>("verbose", "false",
            AgentOptions::bool, "true or false", "shorthand for log=debug");
    public static final Option<LogLevel> LOG = new Option<>("log", "warn",
            v -> LogLevel.valueOf(v.toUpperCase(Locale.ROOT)), "off, warn, info or debug",
            "diagnostics on stderr; warn: one line per class left unchanged");

    /** Every option, in the order they are documented. */
    public static final List<Option<?>> ALL = List.of(LOOP_POLL, CALL_LOOP_POLL, INCLUDE, EXCLUDE, VERBOSE, LOG);

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
            } else if (option == VERBOSE) {
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
        return values.entrySet().stream().map(e -> e.getKey().name() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }

    private static int atLeast(int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException();
        }
        return value;
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
