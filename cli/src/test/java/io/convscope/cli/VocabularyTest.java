package io.convscope.cli;

import io.convscope.probe.StyleRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One vocabulary across commands (issue 14, item 12): the same flags mean the same, older spellings still parse. */
class VocabularyTest {
    @TempDir
    Path dir;

    private static Object parse(String... args) {
        CommandLine cl = Main.commandLine();
        Flags.registerConverters(cl);
        return cl.parseArgs(args).subcommand().commandSpec().userObject();
    }

    private static String help(String command) {
        StringWriter out = new StringWriter();
        Main.run(new String[] {command, "--help"}, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        return out.toString();
    }

    @Test
    void gifIsASwitchEverywhereWithGifEveryAndTheOlderGifNStillWorks() {
        ClassvizCommand c = (ClassvizCommand) parse("classviz", "--gif", "--class", "bag");
        assertEquals(4, c.opt.gifEvery(128), "about 30 frames");
        c = (ClassvizCommand) parse("classviz", "--gif", "10", "--class", "bag");
        assertEquals(10, c.opt.gifEvery(128));
        c = (ClassvizCommand) parse("classviz", "--gif-every", "7", "--class", "bag");
        assertEquals(7, c.opt.gifEvery(128), "--gif-every implies --gif");
        assertNull(((ClassvizCommand) parse("classviz", "--class", "bag")).opt.gifEvery(128));
        // a file name after --gif is the image, not the frame spacing
        ReconstructCommand r = (ReconstructCommand) parse("reconstruct", "--gif", "cat.png");
        assertEquals(Path.of("cat.png"), r.imagePath);
        assertEquals(5, r.opt.gifEvery(150));
        StyleCommand s = (StyleCommand) parse("style", "--gif", "12", "a.png", "b.png");
        assertEquals(12, s.gif);
        s = (StyleCommand) parse("style", "--gif", "a.png", "b.png");
        assertEquals(0, s.gif);
    }

    @Test
    void tvIsOneFlagAndStylesTvWeightIsAHiddenAlias() {
        assertEquals(3.0, ((StyleCommand) parse("style", "--tv", "3", "a.png", "b.png")).tvWeight);
        assertEquals(4.0, ((StyleCommand) parse("style", "--tv-weight", "4", "a.png", "b.png")).tvWeight);
        assertEquals(10.0, ((StyleCommand) parse("style", "a.png", "b.png")).tvWeight);
        assertEquals(0.5, ((ClassvizCommand) parse("classviz", "--tv-weight", "0.5", "--class", "bag")).opt.tv);
        for (String c : List.of("style", "classviz", "filters", "reconstruct")) {
            String h = help(c);
            assertTrue(h.contains("--tv="), c + ": " + h);
            assertFalse(h.contains("--tv-weight"), c + " shows one spelling");
        }
    }

    @Test
    void reconstructOffersOnlyWhatApplies() {
        String h = help("reconstruct");
        assertFalse(h.contains("--no-transforms"), "reconstruct never transforms");
        assertTrue(h.contains("--param") && h.contains("64 px"), "--param applies: Fourier at most 64 px");
        assertTrue(h.contains("01_LAYER_metrics.csv") && !h.contains(" metrics.csv"), "the metrics file as it is written");
        assertTrue(help("classviz").contains("--no-transforms") && help("filters").contains("--no-transforms"));
    }

    @Test
    void modelHelpNamesCvsAndStylesDefault() {
        String h = help("style");
        assertTrue(h.contains(".cvs"), h);
        assertTrue(h.contains("(style: vgg19)"), h);
    }

    @Test
    void helpExamplesDoNotWrap() {
        for (String c : List.of("activations", "style", "reconstruct", "classviz", "filters", "predict", "evaluate", "summary",
                "models", "train", "explain")) {
            String h = help(c);
            int at = h.indexOf("Examples:");
            if (at < 0) {
                continue;
            }
            for (String line : h.substring(at + "Examples:".length()).split("\n")) {
                if (!line.isBlank()) {
                    assertTrue(line.startsWith("  convscope ") || line.startsWith("Run "), c + ": a wrapped example line: '" + line + "'");
                }
            }
        }
    }

    @Test
    void styleOutIsAFolderAsEverywhereOrThePictureItself() throws Exception {
        Path content = dir.resolve("photo.png");
        Path style = dir.resolve("art.png");
        StyleRequest inFolder = request(content, style, dir.resolve("out"));
        assertEquals(dir.resolve("out").resolve("photo-art.png"), inFolder.outputs().png());
        Files.createDirectories(dir.resolve("existing"));
        assertEquals(dir.resolve("existing").resolve("photo-art.png"), request(content, style, dir.resolve("existing")).outputs().png());
        assertEquals(dir.resolve("pic.png"), request(content, style, dir.resolve("pic.png")).outputs().png());
    }

    private static StyleRequest request(Path content, Path style, Path out) {
        return new StyleRequest(content, List.of(style), out, null, 1, List.of(), null, null, 1, 1000, 10, 200,
                io.convscope.optimize.Optimizer.Kind.LBFGS, 0.05, io.convscope.style.StyleTransfer.Start.CONTENT, 1, false, false,
                null, false);
    }
}
