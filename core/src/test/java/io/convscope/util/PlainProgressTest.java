package io.convscope.util;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @Test
    void withAnIntervalALineEveryIntervalWithTimeLeftAndStatus() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long[] now = {1_000_000_000_000L};
        PlainProgress p = new PlainProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), 5, () -> now[0]);
        p.start("classviz", 100, Progress.Unit.STEPS);
        p.status("loss -1.5");
        now[0] += 2_000_000_000L;
        p.advance(5); // 2 s: under the interval, nothing
        assertEquals("", bytes.toString(StandardCharsets.UTF_8));
        now[0] += 3_000_000_000L;
        p.advance(25); // 5 s for 25 steps → 15 s left
        now[0] += 1_000_000_000L;
        p.advance(30); // 1 s later: nothing
        now[0] += 4_000_000_000L;
        p.status("loss -2.5");
        p.advance(50); // 10 s for 50 → 10 s left
        now[0] += 10_000_000_000L;
        p.advance(100); // done: the finish line says it
        p.finish();
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(3, lines.length, String.join("|", lines));
        assertEquals("classviz: 25/100 (25%), 0:15 left  loss -1.5", lines[0]);
        assertEquals("classviz: 50/100 (50%), 0:10 left  loss -2.5", lines[1]);
        assertEquals("classviz: 100/100 in 0:20  loss -2.5", lines[2]);
        assertFalse(bytes.toString(StandardCharsets.UTF_8).contains("\r"));
    }
}
