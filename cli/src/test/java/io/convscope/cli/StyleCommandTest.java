package io.convscope.cli;

import io.convscope.render.Gif;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code convscope style} end to end on VGG19 with random weights and tiny images, and its errors. */
class StyleCommandTest {
    @TempDir
    Path dir;

    /** A 60×40 "photo" (a disk on a gradient) and a 40×40 "painting" (diagonal stripes). */
    Path[] images() throws IOException {
        BufferedImage c = new BufferedImage(60, 40, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 60; x++) {
                boolean disk = Math.hypot(x - 24, y - 20) < 12;
                c.setRGB(x, y, disk ? 0xe6cc4c : (50 + 3 * y) << 16 | 0x4c << 8 | (180 - 2 * y));
            }
        }
        BufferedImage s = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 40; x++) {
                s.setRGB(x, y, ((x + y) / 4) % 2 == 0 ? 0xe61a1a : 0x1a33e6);
            }
        }
        Path in = Files.createDirectories(dir.resolve("in"));
        Path cp = in.resolve("photo.png");
        Path sp = in.resolve("stripes.png");
        ImageIO.write(c, "png", cp.toFile());
        ImageIO.write(s, "png", sp.toFile());
        return new Path[] {cp, sp};
    }

    static List<String> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    @Tag("slow")
    void paintsThePhotoAtItsAspectRatioWithGifAndLossCurves() throws IOException {
        Path[] in = images();
        Path out = dir.resolve("out").resolve("cat.png");
        CliErrorsTest.Run r = CliErrorsTest.run("style", "--weights", "none", "--size", "48", "--steps", "6", "--gif", "--losses",
                "-o", out.toString(), in[0].toString(), in[1].toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("cat-losses.csv", "cat-losses.png", "cat.gif", "cat.html", "cat.png"), files(dir.resolve("out")));
        BufferedImage png = ImageIO.read(out.toFile());
        assertEquals(48, png.getWidth());
        assertEquals(32, png.getHeight(), "60×40 keeps its 3:2");
        Gif.Info gif = Gif.read(dir.resolve("out/cat.gif"));
        assertEquals(6, gif.frames());
        assertEquals(48, gif.width());
        List<String> csv = Files.readAllLines(dir.resolve("out/cat-losses.csv"));
        assertEquals(7, csv.size());
        assertTrue(csv.get(0).startsWith("step,loss,content,style,tv,style block1_conv1,style block2_conv1,"), csv.get(0));
        String[] first = csv.get(1).split(",");
        String[] last = csv.get(6).split(",");
        assertTrue(Double.parseDouble(last[3]) < Double.parseDouble(first[3]), "style falls: " + csv);
        assertTrue(r.out().contains("content block5_conv2; style block1_conv1, block2_conv1, block3_conv1, block4_conv1, block5_conv1"), r.out());
        assertTrue(r.out().contains("6 L-BFGS steps in "), r.out());
        assertTrue(r.out().contains("Wrote " + out + ", "), r.out());
        assertTrue(r.out().contains("(48×32)"), r.out());
    }

    @Test
    @Tag("slow")
    void twoStylesBlendedWithColoursKeptAndAdam() throws IOException {
        Path[] in = images();
        Path out = dir.resolve("blend.png");
        CliErrorsTest.Run r = CliErrorsTest.run("style", "--weights", "none", "--size", "40", "--steps", "3", "--optimizer", "adam",
                "--preserve-colors", "--init", "noise", "--seed", "3", "--style-weights", "0.7,0.3", "--content-layer", "block4_conv2",
                "--style-layers", "block1_conv1,block2_conv1", "-o", out.toString(), in[0].toString(), in[1].toString(), in[0].toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("content block4_conv2; style block1_conv1, block2_conv1"), r.out());
        assertTrue(r.out().contains("3 Adam steps"), r.out());
        BufferedImage png = ImageIO.read(out.toFile());
        assertEquals(40, png.getWidth());
        assertEquals(27, png.getHeight());
        assertEquals(List.of("blend.html", "blend.png", "in/photo.png", "in/stripes.png"), files(dir));
    }

    @Test
    @Tag("slow")
    void squeezeNetGetsItsLayersByRule() throws IOException {
        Path model = CliOnnxTest.fixture("models/squeezenet1.1/model.onnx");
        Path[] in = images();
        Path out = dir.resolve("sq.png");
        CliErrorsTest.Run r = CliErrorsTest.run("style", "--model", model.toString(), "--preprocess", "torch", "--size", "64", "--steps", "4",
                "-o", out.toString(), in[0].toString(), in[1].toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("note: squeezenet1.1 has no block5_conv2 or block1_conv1…block5_conv1 (VGG names), so by rule "
                + "content squeezenet0_concat3, style squeezenet0_relu0, squeezenet0_concat0, squeezenet0_concat2, squeezenet0_concat4"), r.out());
        assertEquals(64, ImageIO.read(out.toFile()).getWidth());
    }

    @Test
    void helpSaysTheDefaultSizes() {
        CliErrorsTest.Run r = CliErrorsTest.run("style", "--help");
        assertEquals(0, r.code());
        String help = r.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("default 512 on a GPU, 256 on a CPU"), help);
        assertTrue(help.contains("Without --model the model is vgg19"), help);
        assertTrue(CliErrorsTest.run("--help").out().contains("style"), "listed in the commands");
        // the command's defaults are the library's
        assertTrue(help.contains("Content weight (default " + fmt(io.convscope.style.StyleTransfer.CONTENT_WEIGHT) + ")"), help);
        assertTrue(help.contains("(default " + fmt(io.convscope.style.StyleTransfer.STYLE_WEIGHT) + ")"), help);
        assertTrue(help.contains("(default " + fmt(io.convscope.style.StyleTransfer.TV_WEIGHT) + "; 0: none)"), help);
        assertTrue(help.contains("Adam's learning rate (default " + io.convscope.style.StyleTransfer.ADAM_RATE + ")"), help);
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** One line on stderr with every fragment, exit 1, and nothing new on disk. */
    void fails(List<String> fragments, String... args) throws IOException {
        List<String> before = files(dir);
        CliErrorsTest.Run r = CliErrorsTest.run(args);
        assertEquals(1, r.code(), r.out() + r.err());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].startsWith("convscope: error: "), lines[0]);
        for (String f : fragments) {
            assertTrue(lines[0].contains(f), "'" + f + "' in: " + lines[0]);
        }
        assertFalse(r.err().contains("Exception"), r.err());
        assertEquals(before, files(dir), "no files written");
    }

    @Test
    void userErrorsAreOneLineAndWriteNothing() throws IOException {
        Path[] in = images();
        String c = in[0].toString();
        String s = in[1].toString();
        String o = dir.resolve("o.png").toString();
        // --weights none: the model's name says the weights are random (issue 14)
        fails(List.of("--content-layer: vgg19 (random weights) has no layer 'block9_conv2'; did you mean"),
                "style", "--weights", "none", "--size", "32", "--content-layer", "block9_conv2", "-o", o, c, s);
        fails(List.of("--style-layers: vgg19 (random weights) has no layer 'block1_conv3'; did you mean block1_conv1"),
                "style", "--weights", "none", "--size", "32", "--style-layers", "block1_conv1,block1_conv3", "-o", o, c, s);
        fails(List.of("--style-weights gives 2 weights for 1 style image"), "style", "--style-weights", "1,2", "-o", o, c, s);
        fails(List.of("give a name ending in .png"), "style", "-o", dir.resolve("o.jpg").toString(), c, s);
        fails(List.of("is an input; choose another --out"), "style", "-o", c, c, s);
        fails(List.of("unknown --optimizer 'sgd': use adam or lbfgs"), "style", "--optimizer", "sgd", "-o", o, c, s);
        fails(List.of("unknown --init 'white'"), "style", "--init", "white", "-o", o, c, s);
        fails(List.of("--size must be between 16 and"), "style", "--size", "8", "-o", o, c, s);
        fails(List.of("missing.png"), "style", "--weights", "none", "-o", o, c, dir.resolve("missing.png").toString());
        fails(List.of("--steps must be at least 1"), "style", "--weights", "none", "--size", "32", "--steps", "0", "-o", o, c, s);
        fails(List.of("style transfer at 20000×13333 on vgg19 (random weights) needs about", "fits"),
                "style", "--weights", "none", "--size", "20000", "-o", o, c, s);
    }
}
