package io.convscope.util;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Library users' progress: one line per finished task, nothing while it runs. */
class PlainProgressTest {
    @Test
    void oneLinePerTask() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PlainProgress p = new PlainProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        p.start("steps", 10, Progress.Unit.STEPS);
        p.advance(4);
        assertEquals("", bytes.toString(StandardCharsets.UTF_8));
        p.advance(10);
        p.finish();
        p.finish(); // a second finish writes nothing
        p.start("download", 0, Progress.Unit.BYTES);
        p.advance(3L << 20);
        p.finish();
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length);
        assertTrue(lines[0].matches("steps: 10/10 in 0:0\\d"), lines[0]);
        assertTrue(lines[1].matches("download: 3\\.0 MB in 0:0\\d"), lines[1]);
    }
}
