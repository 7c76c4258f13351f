package dev.timeslice.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;

class JdkAccessTest {
    /** M's get deep stacks through this (BlockingIT's deep-recursion test fails without it). */
    @Test
    void setStackSizeWritesTheStackSizeAnUnstartedThreadWillGet() throws Exception {
        Thread t = new Thread(() -> { });
        assertTrue(JdkAccess.setStackSize(t, 8L << 20));
        Field holderField = Thread.class.getDeclaredField("holder");
        holderField.setAccessible(true);
        Object holder = holderField.get(t);
        Field size = holder.getClass().getDeclaredField("stackSize");
        size.setAccessible(true);
        assertEquals(8L << 20, size.getLong(holder));
    }
}
