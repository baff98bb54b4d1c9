package io.convscope.activations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The terminal's statistics table keeps its columns when numbers are written in e-notation. */
class StatsTableTest {
    @Test
    void columnsLineUpWithTinyAndHugeNumbers() {
        // mean -1.2e-5 scale values: num() writes them as "-1.23457e-05" (12 characters, wider than
        // the old 10-character columns, which pushed the rest of the row to the right)
        float[] tiny = new float[2 * 16];
        for (int i = 0; i < tiny.length; i++) {
            tiny[i] = -1.234567e-5f * (1 + i % 3);
        }
        Activations a = ActivationViewsTest.fed(List.of("img"), 2, 4, 4, tiny);
        String[] lines = StatsReport.table(a).split("\n");
        assertEquals(3, lines.length, String.join("\n", lines));
        assertTrue(lines[1].contains("e-05"), lines[1]);
        // every column ends where the header's does: "mean", "std", "max" right-aligned, "zeros", "zero here"
        for (String h : List.of("mean", "std", "max", "zeros", "zero here")) {
            int end = lines[0].indexOf(h) + h.length();
            for (int r = 1; r < lines.length; r++) {
                String[] cells = lines[r].trim().split(" +");
                assertEquals(lines[0].length(), lines[r].length(), "row " + r + " has the header's width:\n"
                        + lines[0] + "\n" + lines[r]);
                assertTrue(end <= lines[r].length() && lines[r].charAt(end - 1) != ' '
                        && (end == lines[r].length() || lines[r].charAt(end) == ' '), h + " column ends at " + end
                        + ":\n" + lines[0] + "\n" + lines[r] + " " + cells.length);
            }
        }
    }
}
