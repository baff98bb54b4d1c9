package io.convscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.convscope.util.Progress;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {
    private static final long MB = 1L << 20;
    private static final long SECOND = 1_000_000_000L;

    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    private final AtomicLong clock = new AtomicLong(1000 * SECOND);

    private String text() {
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void terminalBarShowsPercentAmountsSpeedAndEta() {
        ConsoleProgress p = new ConsoleProgress(out, 101, clock::get);
        p.start("downloading x.h5", 100 * MB, Progress.Unit.BYTES);
        clock.addAndGet(2 * SECOND);
        p.advance(50 * MB);
        String s = text();
        String last = s.substring(s.lastIndexOf('\r') + 1);
        assertTrue(last.startsWith("downloading x.h5  [============>           ]   50%  50.0/100.0 MB  25.0 MB/s  ETA 0:02"),
                last);

        // redraws are throttled: an update 10 ms later draws nothing
        int before = text().length();
        clock.addAndGet(10_000_000L);
        p.advance(51 * MB);
        assertEquals(before, text().length());

        clock.addAndGet(2 * SECOND);
        p.advance(100 * MB);
        p.finish();
        String end = text();
        assertTrue(end.endsWith("\n"));
        String fin = end.substring(end.lastIndexOf('\r') + 1);
        assertTrue(fin.contains("100%") && fin.contains("100.0/100.0 MB") && !fin.contains("ETA"), fin);
        assertFalse(end.substring(0, end.length() - 1).contains("\n"), "one line only");
    }

    @Test
    void onAnEightyColumnTerminalTheLabelKeepsItsLayerAndIndex() {
        ConsoleProgress p = new ConsoleProgress(out, 80, clock::get);
        p.start("reconstruct block3_conv3_very_long_layer_name (1/5)", 150, Progress.Unit.STEPS);
        p.status("loss 0.355");
        clock.addAndGet(2 * SECOND);
        p.advance(30);
        String line = p.barLine(clock.get());
        assertTrue(line.length() <= 79, line.length() + ": " + line);
        assertTrue(line.contains("(1/5)") && line.contains("block3_conv3"), line);
        assertTrue(line.contains(" 20%") && line.contains("30/150") && line.contains("ETA 0:08") && line.contains("loss 0.355"), line);

        // a very long label is cut from its start: its end stays
        p.start("reconstruct " + "x".repeat(100) + "_pool (3/5)", 150, Progress.Unit.STEPS);
        clock.addAndGet(2 * SECOND);
        p.advance(30);
        line = p.barLine(clock.get());
        assertTrue(line.length() <= 79, line);
        assertTrue(line.startsWith("…") && line.contains("x_pool (3/5)"), line);
        p.finish();
    }

    @Test
    void columnsFromTheEnvironment() {
        assertEquals(80, ConsoleProgress.columns(null));
        assertEquals(80, ConsoleProgress.columns("wide"));
        assertEquals(132, ConsoleProgress.columns("132"));
    }

    @Test
    void withoutTerminalTheCliUsesPlainLines() {
        // tests run without a console, as under nohup or CI
        assertTrue(ConsoleProgress.create() instanceof io.convscope.util.PlainProgress);
    }

    @Test
    void stepsAndUnknownTotals() {
        ConsoleProgress p = new ConsoleProgress(out, 101, clock::get);
        p.start("epoch 3/10", 10, Progress.Unit.STEPS);
        clock.addAndGet(SECOND);
        p.advance(3);
        String s = text();
        String last = s.substring(s.lastIndexOf('\r') + 1);
        assertTrue(last.contains(" 30%  3/10  3.00/s  ETA 0:03"), last);
        p.finish();

        p.start("streaming", 0, Progress.Unit.BYTES);
        clock.addAndGet(SECOND);
        p.advance(3 * MB);
        s = text();
        last = s.substring(s.lastIndexOf('\r') + 1);
        assertTrue(last.startsWith("streaming  3.0 MB  3.0 MB/s"), last);
        assertFalse(last.contains("%"), last);
        p.finish();
    }

    @Test
    void formats() {
        assertEquals("512 B", ConsoleProgress.bytes(512));
        assertEquals("1.5 kB", ConsoleProgress.bytes(1536));
        assertEquals("527.8 MB", ConsoleProgress.bytes(553_467_096L));
        assertEquals("0:07", ConsoleProgress.duration(6.2));
        assertEquals("1:02:03", ConsoleProgress.duration(3723));
    }
}
