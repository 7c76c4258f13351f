import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Preemption latency (sysmon's request to the G's yield) from a Timeslice trace file, for the
 * whole run and after a warm-up, when the JIT has compiled the spinning loops. A single-file
 * program for the JDK's source launcher: {@code java scripts/tools/PreemptLatency.java trace.json [warmupMillis]}.
 * The trace writes one event per line, so a line-wise match is enough.
 */
public class PreemptLatency {
    private static final Pattern PREEMPT = Pattern.compile(
            "\"name\":\"preempt\".*\"ts\":([0-9.]+).*\"served\":true,\"latency_us\":([0-9.]+)");

    public static void main(String[] args) throws Exception {
        double warmupMicros = (args.length > 1 ? Double.parseDouble(args[1]) : 2000) * 1000;
        List<Double> all = new ArrayList<>();
        List<Double> warm = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            Matcher m = PREEMPT.matcher(line);
            if (m.find()) {
                double latency = Double.parseDouble(m.group(2));
                all.add(latency);
                if (Double.parseDouble(m.group(1)) >= warmupMicros) {
                    warm.add(latency);
                }
            }
        }
        System.out.println("preemption latency, whole run:  " + summary(all));
        System.out.printf("preemption latency, after %.0f ms: %s%n", warmupMicros / 1000, summary(warm));
    }

    static String summary(List<Double> xs) {
        if (xs.isEmpty()) {
            return "no served preemptions";
        }
        Collections.sort(xs);
        return String.format("n=%d p50=%.0fus p99=%.0fus max=%.0fus", xs.size(),
                xs.get(xs.size() / 2), xs.get((int) Math.min(xs.size() - 1, Math.floor(xs.size() * 0.99))), xs.get(xs.size() - 1));
    }
}
