package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which class loads start the JDK's I/O pollers; the trigger never changes a class. */
class IoPollerTriggerTest {
    private static final byte[] BYTES = {(byte) 0xCA, (byte) 0xFE};

    @Test
    void fileChannelsAndApplicationClassesDoNotTrigger() {
        IoPollerTrigger t = new IoPollerTrigger();
        for (String c : new String[] {"sun/nio/ch/FileChannelImpl", "sun/nio/ch/SocketChannelImpl", "sun/nio/ch/Streams",
                                      "java/net/Socket", "com/acme/NioSocketImpl"}) {
            assertNull(t.transform(null, null, c, null, null, BYTES));
        }
        // the socket implementation, but loaded by an application loader: not the JDK's
        assertNull(t.transform(null, getClass().getClassLoader(), "sun/nio/ch/NioSocketImpl", null, null, BYTES));
        assertFalse(t.triggered());
    }

    @Test
    void theJdksSocketImplementationTriggersOnce() {
        IoPollerTrigger t = new IoPollerTrigger();
        assertNull(t.transform(null, null, "sun/nio/ch/NioSocketImpl", null, null, BYTES));
        assertTrue(t.triggered());
        assertNull(t.transform(null, null, "sun/nio/ch/SelectorProviderImpl", null, null, BYTES));
    }

    @Test
    void theSelectorProviderTriggers() {
        IoPollerTrigger t = new IoPollerTrigger();
        assertNull(t.transform(null, null, "sun/nio/ch/SelectorProviderImpl", null, null, BYTES));
        assertTrue(t.triggered());
    }
}
