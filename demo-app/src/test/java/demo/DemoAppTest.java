package demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DemoAppTest {
    @Test
    void options() {
        DemoApp.Options o = DemoApp.Options.parse(new String[] {"--heavy", "4", "--work-ms=250", "--label", "a b"},
                DemoApp.LOAD_OPTIONS);
        assertEquals(4, o.integer("heavy", 0));
        assertEquals(250, o.integer("work-ms", 0));
        assertEquals("a b", o.str("label", null));
        assertEquals(20, o.integer("ping-interval-ms", 20));
        assertTrue(o.has("heavy"));
        assertFalse(o.has("url"));
        Set<String> known = DemoApp.LOAD_OPTIONS;
        assertThrows(IllegalArgumentException.class, () -> DemoApp.Options.parse(new String[] {"--nope", "1"}, known));
        assertThrows(IllegalArgumentException.class, () -> DemoApp.Options.parse(new String[] {"--heavy"}, known));
        assertThrows(IllegalArgumentException.class, () -> DemoApp.Options.parse(new String[] {"--heavy", "1", "--heavy", "2"}, known));
        assertThrows(IllegalArgumentException.class, () -> DemoApp.Options.parse(new String[] {"stray"}, known));
        assertThrows(IllegalArgumentException.class,
                () -> DemoApp.Options.parse(new String[] {"--heavy", "x"}, known).integer("heavy", 1));
    }

    @Test
    void helpAndBadModes() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertEquals(0, DemoApp.run(new String[] {"help"}, ps, ps));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("usage: java -jar demo-app.jar"));
        assertThrows(IllegalArgumentException.class, () -> DemoApp.run(new String[] {"fly"}, ps, ps));
        assertThrows(IllegalArgumentException.class, () -> DemoApp.run(new String[] {"load"}, ps, ps));
        assertThrows(IllegalArgumentException.class,
                () -> DemoApp.run(new String[] {"load", "--url", "http://10.9.8.7:1", "--duration", "1"}, ps, ps));
    }
}
