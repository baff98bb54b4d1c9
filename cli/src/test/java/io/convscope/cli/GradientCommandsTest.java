package io.convscope.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** classviz, filters and reconstruct end to end on the embedded model, few steps. */
class GradientCommandsTest {
    @TempDir
    Path dir;

    @Test
    @Tag("slow")
    void classvizWritesOneImagePerClassAGridAndMetricsAndSaysHowTheModelSeesThem() throws IOException {
        Path out = dir.resolve("cv");
        CliErrorsTest.Run r = CliErrorsTest.run("classviz", "--class", "sneaker,Bag", "--steps", "40", "--gif", "10", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("01_sneaker.png", "02_bag.png", "classes.png", "index.html", "metrics.csv", "progress.gif"),
                ActivationsCommandTest.files(out));
        assertTrue(r.out().contains("Sneaker") && r.out().contains("p(class)"), r.out());
        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals("step,loss,class logits,tv", csv.get(0));
        assertEquals(41, csv.size());
        assertEquals(5, io.convscope.render.Gif.read(out.resolve("progress.gif")).frames(), "steps 1, 10, 20, 30, 40");
        // the same command gives the same image; another seed another
        String[] same = {"classviz", "--class", "sneaker,Bag", "--steps", "12", "--out"};
        byte[][] runs = new byte[3][];
        for (int i = 0; i < 3; i++) {
            Path o = dir.resolve("same" + i);
            String[] args = java.util.Arrays.copyOf(same, same.length + (i == 2 ? 3 : 1));
            args[same.length] = o.toString();
            if (i == 2) {
                args[same.length + 1] = "--seed";
                args[same.length + 2] = "2";
            }
            assertEquals(0, CliErrorsTest.run(args).code());
            runs[i] = Files.readAllBytes(o.resolve("01_sneaker.png"));
        }
        assertArrayEquals(runs[0], runs[1]);
        assertFalse(java.util.Arrays.equals(runs[0], runs[2]));
    }

    @Test
    @Tag("slow")
    void filtersWritesTheGridAndOneFilePerChannel() throws IOException {
        Path out = dir.resolve("f");
        CliErrorsTest.Run r = CliErrorsTest.run("filters", "--layer", "block1_conv2", "--channels", "0-3,9", "--steps", "10", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("block1_conv2.png", "block1_conv2/c000.png", "block1_conv2/c001.png", "block1_conv2/c002.png",
                "block1_conv2/c003.png", "block1_conv2/c009.png", "block1_conv2_metrics.csv", "index.html"), ActivationsCommandTest.files(out));
        Path top = dir.resolve("t");
        CliErrorsTest.Run t = CliErrorsTest.run("filters", "--layer", "block2_conv2", "--top", "3", "--image",
                ActivationsCommandTest.sample("7_sneaker.png").toString(), "--steps", "5", "--out", top.toString());
        assertEquals(0, t.code(), t.err());
        assertEquals(3, ActivationsCommandTest.files(top.resolve("block2_conv2")).size());
    }

    /** Standard error that is no terminal (a log, nohup, CI): plain lines, no carriage returns, the final loss explained. */
    @Test
    void withoutATerminalProgressIsPlainLinesWithTheExplainedLoss() throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.err;
        CliErrorsTest.Run r;
        try {
            System.setErr(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
            r = CliErrorsTest.run("classviz", "--class", "bag", "--steps", "3", "--out", dir.resolve("p").toString());
        } finally {
            System.setErr(old);
        }
        assertEquals(0, r.code(), r.err());
        String err = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertFalse(err.contains("\r"), err);
        assertTrue(err.matches("(?s).*classviz 1 class: 3/3 in 0:\\d\\d  loss \\S+  class logit \\S+ \\(maximised\\)  tv .*"), err);
    }

    @Test
    @Tag("slow")
    void reconstructWritesEachLayerAPanelAndTheErrors() throws IOException {
        Path out = dir.resolve("r");
        CliErrorsTest.Run r = CliErrorsTest.run("reconstruct", "--layers", "block1_conv1,block2_pool", "--steps", "20", "--out", out.toString(),
                ActivationsCommandTest.sample("7_sneaker.png").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("7_sneaker/01_block1_conv1.png", "7_sneaker/01_block1_conv1_metrics.csv", "7_sneaker/02_block2_pool.png",
                "7_sneaker/02_block2_pool_metrics.csv", "7_sneaker/errors.csv", "7_sneaker/errors.png", "7_sneaker/index.html", "7_sneaker/panel.png"),
                ActivationsCommandTest.files(out));
        List<String> errors = Files.readAllLines(out.resolve("7_sneaker/errors.csv"));
        assertEquals("position,layer,normalized_error", errors.get(0));
        double first = Double.parseDouble(errors.get(1).split(",")[2]);
        double last = Double.parseDouble(errors.get(2).split(",")[2]);
        assertTrue(first < last, errors.toString());
        assertTrue(r.out().contains("block2_pool"), r.out());
    }

    @Test
    void badInputIsOneLine() {
        String[][] cases = {
            {"classviz", "--class", "sneakr"},
            {"classviz", "--class", "12"},
            {"classviz", "--class", "bag", "--steps", "0"},
            {"classviz", "--class", "bag", "--octaves", "2", "--steps", "1"},
            {"filters", "--layer", "block9_conv1"},
            {"filters", "--layer", "block1_conv1", "--channels", "5-2"},
            {"filters", "--layer", "block1_conv1", "--channels", "40"},
            {"filters", "--layer", "flatten"},
            {"filters", "--layer", "block1_conv1", "--top", "3"},
            {"reconstruct", "--layers", "nope", "missing.png"},
            {"reconstruct", "--param", "wavelets", ActivationsCommandTest.sample("7_sneaker.png").toString()},
        };
        String[] expect = {"did you mean", "0–9", "--steps", "any image size", "did you mean", "backwards", "out of range", "no channels",
            "--image", "missing.png", "--param"};
        for (int i = 0; i < cases.length; i++) {
            CliErrorsTest.Run r = CliErrorsTest.run(cases[i]);
            assertEquals(1, r.code(), String.join(" ", cases[i]) + ": " + r.err());
            assertTrue(r.err().startsWith("convscope: error: ") && r.err().strip().lines().count() == 1,
                    String.join(" ", cases[i]) + ": " + r.err());
            assertTrue(r.err().contains(expect[i]), String.join(" ", cases[i]) + ": " + r.err());
        }
    }
}
