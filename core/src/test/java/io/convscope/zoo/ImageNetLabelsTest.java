package io.convscope.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.convscope.ConvscopeException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageNetLabelsTest {

    @Test
    void thousandNamesInIndexOrder() {
        List<String> l = ImageNetLabels.load();
        assertEquals(1000, l.size());
        assertEquals("tench", l.get(0));
        assertEquals("goldfish", l.get(1));
        assertEquals("tabby", l.get(281));
        assertEquals("tiger cat", l.get(282));
        assertEquals("Egyptian cat", l.get(285));
        assertEquals("coffee mug", l.get(504));
        assertEquals("missile", l.get(657));
        assertEquals("espresso", l.get(967));
        assertEquals("toilet tissue", l.get(999));
        for (String s : l) {
            assertTrue(!s.isBlank() && s.equals(s.strip()) && !s.contains("_") && !s.contains(","), "odd name: " + s);
        }
    }

    @Test
    void onlyTheTwoKnownNamesRepeat() {
        Map<String, List<Integer>> byName = new HashMap<>();
        List<String> l = ImageNetLabels.load();
        for (int i = 0; i < l.size(); i++) {
            byName.computeIfAbsent(l.get(i), k -> new ArrayList<>()).add(i);
        }
        Map<String, List<Integer>> repeated = new HashMap<>();
        byName.forEach((k, v) -> {
            if (v.size() > 1) {
                repeated.put(k, v);
            }
        });
        assertEquals(Map.of("crane", List.of(134, 517), "maillot", List.of(638, 639)), repeated);
    }

    /** Each name is the first alias of the synset at the same index in the shared fixture's synset list. */
    @Test
    void agreesWithSynsetListOfTheSharedFixture() throws IOException {
        String shared = System.getProperty("convscope.shared", "../shared");
        Path synsets = Path.of(shared, "fixtures", "models", "squeezenet1.1", "labels.txt");
        assumeTrue(Files.isRegularFile(synsets), "skipped: no synset list at " + synsets.toAbsolutePath());
        List<String> lines = Files.readAllLines(synsets, StandardCharsets.UTF_8).stream()
                .filter(s -> !s.isBlank()).toList();
        List<String> ours = ImageNetLabels.load();
        assertEquals(ours.size(), lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            int sp = line.indexOf(' ');
            assertTrue(line.matches("n\\d{8} .+"), "synset line " + i + ": " + line);
            String firstAlias = line.substring(sp + 1).split(",")[0].strip();
            assertEquals(firstAlias, ours.get(i), "class " + i + " (" + line.substring(0, sp) + ")");
        }
    }

    @Test
    void indexOfAcceptsNamesAndNumbers() {
        assertEquals(281, ImageNetLabels.indexOf("tabby"));
        assertEquals(282, ImageNetLabels.indexOf("Tiger_Cat"));
        assertEquals(285, ImageNetLabels.indexOf("285"));
        assertEquals("espresso", ImageNetLabels.name(967));

        String amb = assertThrows(ConvscopeException.class, () -> ImageNetLabels.indexOf("crane")).getMessage();
        assertTrue(amb.contains("[134, 517]") && amb.contains("index"), amb);
        String typo = assertThrows(ConvscopeException.class, () -> ImageNetLabels.indexOf("tabbby")).getMessage();
        assertTrue(typo.contains("did you mean") && typo.contains("tabby"), typo);
        assertThrows(ConvscopeException.class, () -> ImageNetLabels.indexOf("1000"));
        assertThrows(ConvscopeException.class, () -> ImageNetLabels.name(-1));
    }
}
