package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The option {@code deadlock=report|exit|off} (issue 17). */
class DeadlockOptionTest {
    @Test
    void defaultIsReportAndEveryModeParsesAsArgumentOrProperty() {
        assertEquals("report", AgentOptions.parse(null, new Properties()).get(AgentOptions.DEADLOCK));
        assertEquals("exit", AgentOptions.parse("deadlock=exit", new Properties()).get(AgentOptions.DEADLOCK));
        Properties p = new Properties();
        p.setProperty("timeslice.deadlock", "off");
        assertEquals("off", AgentOptions.parse(null, p).get(AgentOptions.DEADLOCK));
        assertEquals("report", AgentOptions.parse("deadlock=report", p).get(AgentOptions.DEADLOCK), "agent argument wins");
    }

    @Test
    void aBadModeNamesTheOptionAndWhatItAccepts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AgentOptions.parse("deadlock=panic", new Properties()));
        assertTrue(e.getMessage().contains("deadlock") && e.getMessage().contains("report, exit or off"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }
}
