package dev.timeslice.agent;

import dev.timeslice.agent.rewrite.ClassRewriter;
import dev.timeslice.agent.rewrite.RewriteConfig;
import dev.timeslice.runtime.Safepoint;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/**
 * The real agent, run from the bootstrap loader by {@link AgentLauncher}: parses the options
 * (an {@link IllegalArgumentException} for a bad one propagates to the caller), warms the rewriter
 * up so that its own classes are loaded before the first application class is transformed, and
 * installs the {@link TimesliceTransformer}.
 */
public final class Agent {
    private Agent() {
    }

    public static void start(String agentArgs, Instrumentation inst) {
        AgentOptions options = AgentOptions.parse(agentArgs);
        TransformLog log = new TransformLog(options.logLevel());
        ClassRewriter rewriter = new ClassRewriter(RewriteConfig.of(options));
        warmUp(rewriter);
        Module runtime = Safepoint.class.getModule();
        TimesliceTransformer.ModuleReads reads = module -> {
            if (!module.canRead(runtime)) {
                inst.redefineModule(module, Set.of(runtime), Map.of(), Map.of(), Set.of(), Map.of());
            }
        };
        inst.addTransformer(new TimesliceTransformer(ClassFilter.of(options), rewriter, log, reads), false);
        log.info(null, "agent started (" + options + ")");
        if (log.enabled(LogLevel.INFO)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> log.info(null, "classes rewritten: "
                    + log.rewritten.get() + ", left unchanged: " + log.unchanged.get() + ", failed: "
                    + log.failed.get()), "timeslice-summary"));
        }
    }

    /** Rewrites a class of the agent itself once, in memory, to load and link the rewriter. */
    private static void warmUp(ClassRewriter rewriter) {
        try (InputStream in = Agent.class.getResourceAsStream("Agent.class")) {
            if (in != null) {
                rewriter.rewrite(in.readAllBytes());
            }
        } catch (IOException | RuntimeException ignored) {
            // only a warm-up
        }
    }
}
