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
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code convscope activations} end to end on the embedded model and small zoo architectures. */
class ActivationsCommandTest {
    static final Path SAMPLES = CliCommandsTest.SAMPLES;

    @TempDir
    Path dir;

    static Path sample(String name) {
        Path p = SAMPLES.resolve(name);
        assumeTrue(Files.isRegularFile(p), "skipped: " + p + " not found from " + Path.of("").toAbsolutePath());
        return p;
    }

    static List<String> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
    }

    @Test
    void theEmbeddedModelOnOneSample() throws IOException {
        Path out = dir.resolve("out");
        CliErrorsTest.Run r = CliErrorsTest.run("activations", "--out", out.toString(), sample("7_sneaker.png").toString());
        assertEquals(0, r.code(), r.err());
        List<String> want = new ArrayList<>(List.of(".convscope-run", "channel_stats.csv", "index.html", "stats.csv", "stats.json",
                "7_sneaker/input.png", "7_sneaker/layers.gif"));
        String[] layers = {"01_block1_conv1", "02_block1_conv2", "03_block1_pool", "04_block2_conv1", "05_block2_conv2", "06_block2_pool"};
        for (String l : layers) {
            want.add("7_sneaker/" + l + ".png");
            want.add("7_sneaker/" + l + "_top12.png");
        }
        want.sort(null);
        assertEquals(want, files(out));
        assertTrue(r.out().contains("Wrote 18 files to " + out + "; open " + out.resolve("index.html")), r.out());
        // the table: every layer, its shape; sparsity grows with depth
        assertTrue(r.out().contains("block1_conv1") && r.out().contains("28×28×32") && r.out().contains("7×7×64"), r.out());
        List<String> csv = Files.readAllLines(out.resolve("stats.csv"));
        assertEquals(7, csv.size());
        double first = Double.parseDouble(csv.get(1).split(",")[11]);
        double deep = Double.parseDouble(csv.get(5).split(",")[11]);
        assertTrue(csv.get(5).contains(",block2_conv2,") && deep > first + 0.3, "zeros " + first + " → " + deep);
        Gif.Info gif = Gif.read(out.resolve("7_sneaker/layers.gif"));
        assertEquals(6, gif.frames());
        BufferedImage grid = ImageIO.read(out.resolve("7_sneaker/01_block1_conv1.png").toFile());
        // 32 channels in 16 columns: two rows of 28×28 maps enlarged to 56 pixels
        assertTrue(grid.getWidth() > 16 * 56 && grid.getHeight() > 2 * 56 && grid.getHeight() < 3 * 56 + 60,
                grid.getWidth() + "×" + grid.getHeight());
        String html = Files.readString(out.resolve("index.html"));
        for (String l : layers) {
            assertTrue(html.contains("href=\"7_sneaker/" + l + ".png\""), l);
        }
        assertTrue(html.indexOf("block1_conv1") < html.indexOf("block2_pool"), "network order");
    }

    @Test
    void severalImagesGetAFolderEachCompareRowsAndTheSameBytesTwice() throws IOException {
        String a = sample("0_t-shirt.png").toString();
        String b = sample("9_ankle-boot.png").toString();
        Path one = dir.resolve("one");
        Path two = dir.resolve("two");
        String[] common = {"--blocks", "--cols", "5", "--views", "grid,compare,channels,gif", "--gif-channels", "block1_conv1"};
        CliErrorsTest.Run r1 = CliErrorsTest.run(concat(common, "--out", one.toString(), a, b));
        assertEquals(0, r1.code(), r1.err());
        CliErrorsTest.Run r2 = CliErrorsTest.run(concat(common, "--out", two.toString(), a, b));
        assertEquals(0, r2.code(), r2.err());
        List<String> f = files(one);
        assertEquals(f, files(two));
        for (String x : f) {
            assertArrayEquals(Files.readAllBytes(one.resolve(x)), Files.readAllBytes(two.resolve(x)), x);
        }
        // --blocks: block1_pool, block2_pool; --gif-channels adds block1_conv1, which comes first; numbered by their
        // places in the network, as a default run numbers them
        assertTrue(f.contains("compare/01_block1_conv1.png") && f.contains("compare/06_block2_pool.png"), f.toString());
        assertTrue(f.contains("0_t-shirt/03_block1_pool.png") && f.contains("9_ankle-boot/06_block2_pool/c63.png"), f.toString());
        assertEquals(2 * (32 + 32 + 64), f.stream().filter(x -> x.matches(".*/c\\d\\d\\.png")).count());
        assertEquals(32, Gif.read(one.resolve("9_ankle-boot/01_block1_conv1_channels.gif")).frames());
        assertFalse(f.stream().anyMatch(x -> x.endsWith("_top12.png")), "topk not asked for");
        // 32 channels in 5 columns: 7 rows, the last with 2
        BufferedImage g = ImageIO.read(one.resolve("0_t-shirt/01_block1_conv1.png").toFile());
        assertTrue(g.getHeight() > 470 && g.getHeight() < 600, "height " + g.getHeight()); // rows of 56 px + caption + gap: 6 rows 468, 8 rows 612
        BufferedImage cmp = ImageIO.read(one.resolve("compare/06_block2_pool.png").toFile());
        assertTrue(cmp.getHeight() > 2 * 96, "a row per image");
        assertTrue(r1.out().contains("over 2 images"), r1.out());
    }

    @Test
    void grayIntoRgbModelAndRgbIntoGrayModel() throws IOException {
        Path gray = sample("7_sneaker.png");
        Path out = dir.resolve("vgg");
        CliErrorsTest.Run r = CliErrorsTest.run("activations", "--model", "vgg16", "--weights", "none", "--no-top",
                "--size", "32x32", "--layers", "block1_conv1,block2_pool", "--views", "grid", "--out", out.toString(), gray.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("32×32×64") && r.out().contains("8×8×128"), r.out());
        BufferedImage in = ImageIO.read(out.resolve("7_sneaker/input.png").toFile());
        int p = in.getRGB(in.getWidth() / 2, in.getHeight() / 2) & 0xffffff;
        assertEquals(p >> 16, p & 0xff, "a gray picture stays gray through caffe preprocessing and back");

        BufferedImage rgb = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                rgb.setRGB(x, y, x < 20 ? 0xff2000 : 0x20a0ff);
            }
        }
        Path photo = dir.resolve("colour.png");
        ImageIO.write(rgb, "png", photo.toFile());
        Path out2 = dir.resolve("emb");
        r = CliErrorsTest.run("activations", "--layers", "block1_conv1", "--views", "grid", "--out", out2.toString(), photo.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("28×28×32"), r.out());
        BufferedImage seen = ImageIO.read(out2.resolve("colour/input.png").toFile());
        int q = seen.getRGB(1, seen.getHeight() / 2) & 0xffffff;
        assertEquals(q >> 16, q & 0xff, "the 1-channel model sees luma");
    }

    @Test
    void anotherSizeWorksForTheConvolutionsOnly() throws IOException {
        Path out = dir.resolve("big");
        CliErrorsTest.Run r = CliErrorsTest.run("activations", "--size", "56x56", "--views", "grid", "--out", out.toString(),
                sample("1_trouser.png").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("56×56×32") && r.out().contains("14×14×64"), r.out());
        CliErrorsTest.Run e = CliErrorsTest.run("activations", "--size", "56x56", "--layers", "fc1", "--out", out.toString(),
                sample("1_trouser.png").toString());
        assertEquals(1, e.code());
        assertTrue(e.err().contains("'fc1' (Dense) needs the model's own 28×28 input"), e.err());
    }

    @Test
    @Tag("slow")
    void aHundredLayersAndMoreGetThreeDigitsInNetworkOrder() throws IOException {
        Path out = dir.resolve("res");
        CliErrorsTest.Run r = CliErrorsTest.run("activations", "--model", "resnet50v2", "--weights", "none", "--no-top",
                "--size", "32x32", "--all", "--views", "grid", "--out", out.toString(), sample("3_dress.png").toString());
        assertEquals(0, r.code(), r.err());
        List<String> grids = files(out.resolve("3_dress"));
        grids = grids.stream().filter(x -> x.matches("\\d{3}_.*\\.png")).toList();
        assertTrue(grids.size() > 150, grids.size() + " layers");
        assertEquals("001_conv1_pad.png", grids.get(0));
        // file names sorted = the positions in stats.csv, which follow the network
        List<String> csv = Files.readAllLines(out.resolve("stats.csv"));
        for (int i = 0; i < grids.size(); i++) {
            String[] row = csv.get(i + 1).split(",");
            assertEquals(String.format("%03d_%s.png", Integer.parseInt(row[1]), row[2]), grids.get(i));
        }
        assertTrue(csv.get(grids.size()).contains(",post_relu,"), csv.get(grids.size()));
    }

    @Test
    void badChoicesAreOneLineErrors() {
        String img = sample("7_sneaker.png").toString();
        String out = dir.resolve("x").toString();
        CliErrorsTest.Run r = CliErrorsTest.run("activations", "--layers", "block1_cnv1", "--out", out, img);
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no layer named 'block1_cnv1'") && r.err().contains("did you mean block1_conv1"), r.err());
        r = CliErrorsTest.run("activations", "--views", "grid,gird", "--out", out, img);
        assertEquals(1, r.code());
        assertTrue(r.err().contains("unknown view 'gird'") && r.err().contains("did you mean") && r.err().contains("grid?"), r.err());
        r = CliErrorsTest.run("activations", "--colormap", "viridos", "--out", out, img);
        assertTrue(r.code() == 1 && r.err().contains("viridis"), r.err());
        r = CliErrorsTest.run("activations", "--gif-channels", "fc1", "--out", out, img);
        assertTrue(r.code() == 1 && r.err().contains("--gif-channels"), r.err());
        // memory: 64 channels of 30000×30000 floats cannot be kept
        r = CliErrorsTest.run("activations", "--model", "vgg16", "--weights", "none", "--no-top", "--size", "30000x30000",
                "--out", out, img);
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("convscope: error: activations of 1 image × 18 layers at 30000×30000 need about ")
                && r.err().contains("--size") && r.err().strip().split("\n").length == 1, r.err());
        assertFalse(Files.exists(dir.resolve("x")), "nothing written");
        r = CliErrorsTest.run("activations", "--size", "abc", "--out", out, img);
        assertTrue(r.code() == 1 && r.err().contains("width×height"), r.err());
    }

    @Test
    void anInputTheRunWouldWriteOverIsRefusedBeforeAnythingIsWritten() throws IOException {
        Path out = dir.resolve("o");
        // 7_sneaker's grid of the first layer is out/7_sneaker/01_block1_conv1.png: an input there would be overwritten
        Path victim = out.resolve("7_sneaker").resolve("01_block1_conv1.png");
        Files.createDirectories(victim.getParent());
        Files.copy(sample("0_t-shirt.png"), victim);
        Files.writeString(out.resolve(".convscope-run"), "an earlier run's output");
        byte[] before = Files.readAllBytes(victim);
        CliErrorsTest.Run r = CliErrorsTest.run("activations", "--out", out.toString(), sample("7_sneaker.png").toString(),
                victim.toString());
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains(victim + " is inside the output folder") && r.err().strip().split("\n").length == 1, r.err());
        assertArrayEquals(before, Files.readAllBytes(victim));
        assertEquals(List.of(".convscope-run", "7_sneaker/01_block1_conv1.png"), files(out), "nothing written");
        // the run replaces its folder as a whole: an input anywhere in it is refused, whatever the views
        r = CliErrorsTest.run("activations", "--views", "topk", "--out", out.toString(), sample("7_sneaker.png").toString(),
                victim.toString());
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains(victim + " is inside the output folder " + out + ", which the run replaces as a whole"), r.err());
        assertArrayEquals(before, Files.readAllBytes(victim));
    }

    @Test
    void aRunsFolderHoldsThatRunOnlyAndOtherFoldersAreNotReplaced() throws IOException {
        Path out = dir.resolve("runs");
        CliErrorsTest.Run r = CliErrorsTest.run("activations", "--layers", "block2_conv1", "--out", out.toString(),
                sample("0_t-shirt.png").toString(), sample("9_ankle-boot.png").toString());
        assertEquals(0, r.code(), r.err());
        // numbered by its place in the network, as in the default run (was 01_block2_conv1)
        assertTrue(files(out).contains("compare/04_block2_conv1.png"), files(out).toString());
        r = CliErrorsTest.run("activations", "--layers", "block2_conv1", "--out", out.toString(), sample("7_sneaker.png").toString());
        assertEquals(0, r.code(), r.err());
        // was: compare/ and the two older image folders beside the new run's files
        assertEquals(List.of(".convscope-run", "7_sneaker/04_block2_conv1.png", "7_sneaker/04_block2_conv1_top12.png",
                "7_sneaker/input.png", "7_sneaker/layers.gif", "channel_stats.csv", "index.html", "stats.csv", "stats.json"), files(out));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("runs"), s.map(p -> p.getFileName().toString()).toList(), "nothing left beside it");
        }
        // a folder of other files is never replaced
        Path mine = dir.resolve("mine");
        Files.createDirectories(mine);
        Files.writeString(mine.resolve("notes.txt"), "mine");
        r = CliErrorsTest.run("activations", "--out", mine.toString(), sample("7_sneaker.png").toString());
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("--out " + mine + " holds files that are not a convscope output")
                && r.err().strip().split("\n").length == 1, r.err());
        assertEquals(List.of("notes.txt"), files(mine));
    }

    @Test
    void theHelpListsEveryViewAndColormapFromCore() {
        CliErrorsTest.Run r = CliErrorsTest.run("activations", "--help");
        assertEquals(0, r.code(), r.err());
        String help = r.out().replaceAll("\\s+", " ");
        for (io.convscope.activations.ActivationViews.View v : io.convscope.activations.ActivationViews.View.values()) {
            assertTrue(help.contains(v.cliName() + ": " + v.help().replaceAll("\\s+", " ")), v + " in " + help);
        }
        assertTrue(help.replace(" ", "").contains("(default:grid,topk,gif,compare):"), help);
        assertTrue(help.contains("viridis (default), magma, inferno, plasma, cividis or gray."), help);
    }

    static String[] concat(String[] a, String... b) {
        String[] c = new String[1 + a.length + b.length];
        c[0] = "activations";
        System.arraycopy(a, 0, c, 1, a.length);
        System.arraycopy(b, 0, c, 1 + a.length, b.length);
        return c;
    }
}
