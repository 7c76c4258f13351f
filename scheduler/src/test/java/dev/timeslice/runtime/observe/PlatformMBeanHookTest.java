package dev.timeslice.runtime.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javax.management.MBeanServer;
import javax.management.MBeanServerDelegate;
import org.junit.jupiter.api.Test;

/**
 * The hook's paths that a test JVM can reach (its platform MBeanServer may exist already); the
 * path "registered when the platform server is created" is {@code OptionsIT}'s, in a fresh JVM.
 */
class PlatformMBeanHookTest {
    @Test
    void anExistingPlatformServerGetsTheRegistrationAtOnce() {
        MBeanServer platform = ManagementFactory.getPlatformMBeanServer();
        List<MBeanServer> seen = new ArrayList<>();
        Consumer<MBeanServer> r = seen::add;
        assertEquals(PlatformMBeanHook.Mode.NOW, PlatformMBeanHook.whenPlatformServerExists(r, "test"));
        assertEquals(List.of(platform), seen);
        assertFalse(PlatformMBeanHook.waiting(r));
        assertFalse(PlatformMBeanHook.cancel(r), "nothing left to cancel");
    }

    @Test
    void aServerTheProgramBuildsItselfIsBuiltAsTheJdkBuildsIt() throws Exception {
        MBeanServer own = new PlatformMBeanHook().newMBeanServer("own", null, new MBeanServerDelegate());
        assertEquals("own", own.getDefaultDomain());
        assertEquals(1, own.getMBeanCount(), "only the delegate: nothing of Timeslice's");
    }
}
