package bench.programs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/** Jackson (jackson-databind from Maven Central): serializes and parses a list of records, N rounds. */
public final class JsonRoundTrip {
    public record Item(int id, String name, double price, List<String> tags) {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args.length > 0 ? args[0] : "60");
        ObjectMapper mapper = new ObjectMapper();
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            items.add(new Item(i, "item-" + i, i * 1.25, List.of("a" + (i % 7), "b" + (i % 13))));
        }
        long check = 0;
        for (int r = 0; r < rounds; r++) {
            byte[] json = mapper.writeValueAsBytes(items);
            Item[] back = mapper.readValue(json, Item[].class);
            check += json.length + back[back.length - 1].id();
        }
        System.out.println("json " + check);
    }
}
