package demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void roundTrip() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "quote \" backslash \\ newline \n tab \t control \u0001 unicode ≤×");
        m.put("i", 42);
        m.put("l", 1L << 40);
        m.put("d", 2.5);
        m.put("tiny", 0.00001);
        m.put("nan", Double.NaN);
        m.put("b", true);
        m.put("n", null);
        m.put("a", new double[] {1, 2.25, -3});
        m.put("la", new long[] {7, 8});
        m.put("list", List.of("x", Map.of("k", 1)));
        String text = Json.write(m);
        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) Json.parse(text);
        assertEquals(m.get("s"), back.get("s"));
        assertEquals(42.0, back.get("i"));
        assertEquals((double) (1L << 40), back.get("l"));
        assertEquals(2.5, back.get("d"));
        assertEquals(0.0, back.get("tiny"));
        assertNull(back.get("nan"));
        assertEquals(true, back.get("b"));
        assertNull(back.get("n"));
        assertEquals(List.of(1.0, 2.25, -3.0), back.get("a"));
        assertEquals(List.of(7.0, 8.0), back.get("la"));
        assertEquals(List.of("x", Map.of("k", 1.0)), back.get("list"));
    }

    @Test
    void parsesWhitespaceAndEscapes() {
        assertEquals(Map.of("a", List.of(), "b", Map.of(), "c", "é/"),
                Json.parse(" { \"a\" : [ ] , \"b\":{}, \"c\":\"\\u00e9\\/\" } "));
        assertEquals(-1.5e3, Json.parse("-1.5e3"));
    }

    @Test
    void rejectsMalformedInput() {
        for (String bad : new String[] {"", "{", "[1,]", "{\"a\" 1}", "tru", "\"open", "1 2", "{1:2}"}) {
            assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
        }
    }
}
