package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every relative link in the project's Markdown files resolves to a file or folder in the repository. */
class DocsLinksTest {
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    @Test
    void everyRelativeLinkResolvesInAClone() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent(); // the build runs in agent/
        assertTrue(Files.isRegularFile(root.resolve("README.md")), root.toString());
        List<Path> docs = new ArrayList<>(List.of(root.resolve("README.md"), root.resolve("agent/README.md"),
                root.resolve("docs/ARCHITECTURE.md")));
        assertTrue(Files.isRegularFile(root.resolve("docs/ARCHITECTURE.md")), "docs/ARCHITECTURE.md exists");
        List<String> broken = new ArrayList<>();
        for (Path doc : docs) {
            Matcher m = LINK.matcher(Files.readString(doc));
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("^[a-z]+:.*") || target.startsWith("#")) {
                    continue; // https:, mailto:, in-page anchors
                }
                Path file = doc.getParent().resolve(target.replaceAll("#.*$", "")).normalize();
                if (!file.startsWith(root) || !Files.exists(file)) {
                    broken.add(root.relativize(doc) + ": " + target);
                }
            }
        }
        assertEquals(List.of(), broken, "links that do not resolve inside the repository");
    }
}
