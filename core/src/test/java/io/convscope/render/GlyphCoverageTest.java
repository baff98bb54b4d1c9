package io.convscope.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every character that convscope's own sources put into a picture has a glyph in {@link Text}
 * (else it is drawn as a hollow box). Pictures get their text from plot titles and axis labels,
 * sheet titles and captions; the source files are scanned for string literals in those calls.
 */
class GlyphCoverageTest {
    /** Calls whose string arguments end up drawn. */
    private static final Pattern DRAWN = Pattern.compile(
            "(new LinePlot\\(|\\.xLabel\\(|\\.yLabel\\(|\\.title\\(|Grid\\.panel\\(|\\.plot\\(|writePlot\\(|captions\\.add\\("
                    + "|Text\\.draw\\([^\"]*)");
    private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    @Test
    void theMathInPlotLabelsHasGlyphs() {
        for (char c : "‖Φ(x) − Φ₀‖² / ‖Φ₀‖² · × … α β γ ≥ ≤ →".toCharArray()) {
            assertTrue(Text.has(c), "no glyph for '" + c + "' U+" + Integer.toHexString(c));
        }
    }

    @Test
    void everyCharacterOfDrawnLiteralsHasAGlyph() throws IOException {
        List<String> missing = new ArrayList<>();
        int calls = 0;
        for (Path root : List.of(Path.of("src/main/java"), Path.of("../cli/src/main/java"))) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            List<Path> files;
            try (Stream<Path> s = Files.walk(root)) {
                files = s.filter(p -> p.toString().endsWith(".java")).toList();
            }
            for (Path f : files) {
                String src = Files.readString(f);
                Matcher m = DRAWN.matcher(src);
                while (m.find()) {
                    calls++;
                    // the call's arguments up to the end of its statement
                    int end = src.indexOf(';', m.end());
                    String args = src.substring(m.end(), end < 0 ? src.length() : end);
                    Matcher lit = LITERAL.matcher(args);
                    while (lit.find()) {
                        for (char c : lit.group(1).toCharArray()) {
                            if (c >= 128 && !Text.has(c)) {
                                missing.add(f.getFileName() + ": '" + c + "' in \"" + lit.group(1) + "\"");
                            }
                        }
                    }
                }
            }
        }
        assertTrue(calls > 5, "found only " + calls + " drawing calls: the scan is broken");
        assertEquals(List.of(), missing);
    }
}
