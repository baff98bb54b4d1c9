package io.convscope.image;

import static io.convscope.image.TestImages.BLUE;
import static io.convscope.image.TestImages.GREEN;
import static io.convscope.image.TestImages.RED;
import static io.convscope.image.TestImages.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;

import org.junit.jupiter.api.Test;

class ResizeTest {

    /** Channel values (r, g, b) of the image as [y][x][channel]. */
    private static int[][][] values(BufferedImage img) {
        int[][][] v = new int[img.getHeight()][img.getWidth()][];
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                v[y][x] = TestImages.channels(img.getRGB(x, y));
            }
        }
        return v;
    }

    private static BufferedImage fromChannel(int[][] red, int[][] green, int[][] blue) {
        return TestImages.rgb(red[0].length, red.length, (x, y) -> (red[y][x] << 16) | (green[y][x] << 8) | blue[y][x]);
    }

    @Test
    void bilinearUpscale2x2To4x4WithHalfPixelCentres() {
        // Output pixel i samples source coordinate u = (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25, clamped
        // to [0, 1]: weights of the second source pixel 0, 1/4, 3/4, 1 along each axis.
        // Red: [[0, 80], [160, 240]] ->
        //   row 0 (v = 0):     0   20   60   80
        //   row 1 (v = 1/4):  40   60  100  120
        //   row 2 (v = 3/4): 120  140  180  200
        //   row 3 (v = 1):   160  180  220  240
        int[][] red = {{0, 80}, {160, 240}};
        int[][] green = {{200, 0}, {0, 0}};   // a single corner: 200, 150, 50, 0 along the top row
        int[][] blue = {{100, 100}, {100, 100}};
        BufferedImage out = Resampler.resize(fromChannel(red, green, blue), 4, 4);
        int[][] expectedRed = {
            {0, 20, 60, 80},
            {40, 60, 100, 120},
            {120, 140, 180, 200},
            {160, 180, 220, 240}};
        // green = 200 * (1 - a)(1 - b) with a, b in {0, 1/4, 3/4, 1}
        int[][] expectedGreen = {
            {200, 150, 50, 0},
            {150, 113, 38, 0},   // 112.5 rounds up, 37.5 rounds up
            {50, 38, 13, 0},     // 12.5 rounds up
            {0, 0, 0, 0}};
        int[][][] v = values(out);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                assertEquals(expectedRed[y][x], v[y][x][0], "red at " + x + "," + y);
                assertEquals(expectedGreen[y][x], v[y][x][1], "green at " + x + "," + y);
                assertEquals(100, v[y][x][2], "blue at " + x + "," + y);
            }
        }
    }

    @Test
    void triangleShrinkByLessThanTwo() {
        // 3 -> 2: scale 1.5, output centres 0.75 and 2.25 (source pixel j's centre is j + 0.5); weights
        // 1 - |d| / 1.5: output 0 gets pixels 0 and 1 with 5/6 and 1/2 (pixel 2 is 1.75 away: none),
        // normalized 0.625 and 0.375: [0, 100, 200] -> 37.5 -> 38; output 1: 0.375 × 100 + 0.625 × 200
        // = 162.5 -> 163. (Plain bilinear would give 25 and 175, reading pixel 2 only half as much.)
        BufferedImage src = TestImages.rgb(3, 1, (x, y) -> (x * 100) << 16);
        BufferedImage out = Resampler.resize(src, 2, 1);
        assertEquals(38, (out.getRGB(0, 0) >> 16) & 0xFF);
        assertEquals(163, (out.getRGB(1, 0) >> 16) & 0xFF);
    }

    @Test
    void triangleWidensWithTheScaleWhenShrinkingByTwoOrMore() {
        // 4 -> 2 (scale 2, support 2 pixels): output 0's centre is 1.0, so pixels 0, 1, 2 weigh 0.75,
        // 0.75, 0.25 (3/7, 3/7, 1/7); output 1 the mirror image
        BufferedImage four = TestImages.rgb(4, 1, (x, y) -> new int[] {0, 40, 200, 200}[x] << 16);
        BufferedImage two = Resampler.resize(four, 2, 1);
        assertEquals(46, (two.getRGB(0, 0) >> 16) & 0xFF);  // (3·0 + 3·40 + 200) / 7 = 45.7
        assertEquals(177, (two.getRGB(1, 0) >> 16) & 0xFF); // (40 + 3·200 + 3·200) / 7 = 177.1
        // in two dimensions, one axis after the other: the top-left output of this 4×4 is
        // rows (45.71, 114.29, 8.57) weighted 3/7, 3/7, 1/7 = 69.8
        int[][] red = {{0, 40, 200, 200}, {80, 120, 200, 200}, {10, 10, 0, 0}, {10, 10, 0, 4}};
        int[][] zero = new int[4][4];
        assertEquals(70, values(Resampler.resize(fromChannel(red, zero, zero), 2, 2))[0][0][0]);
        // 5 -> 2: scale 2.5, centre 1.25: pixels 0..3 weigh 0.7, 0.9, 0.5, 0.1 (sum 2.2):
        // [0, 50, 100, 150, 200] -> (45 + 50 + 15) / 2.2 = 50, and by symmetry 150
        BufferedImage line = TestImages.rgb(5, 1, (x, y) -> (x * 50) << 8);
        BufferedImage out = Resampler.resize(line, 2, 1);
        assertEquals(50, (out.getRGB(0, 0) >> 8) & 0xFF);
        assertEquals(150, (out.getRGB(1, 0) >> 8) & 0xFF);
        // 12 -> 1 along x (scale 12), 1 -> 1 along y: weights symmetric about the row's middle, so
        // the mean of a linear ramp
        BufferedImage row = TestImages.rgb(12, 1, (x, y) -> x * 20);
        assertEquals(110, Resampler.resize(row, 1, 1).getRGB(0, 0) & 0xFF);
    }

    @Test
    void stripesDoNotAliasWhenShrinking() {
        // 1-pixel black/white stripes shrunk 4×: plain bilinear would read two adjacent pixels (or
        // land on one colour); the widened triangle weighs black and white alike (2.0 each) away from
        // the edges: the true mean gray. At the edges the part of the triangle outside the image is
        // dropped: output 0 reads pixels 0..5 with 0.625, 0.875, 0.875, 0.625, 0.375, 0.125, white
        // 1.625 of 3.5 -> 118.4
        BufferedImage stripes = TestImages.rgb(64, 1, (x, y) -> x % 2 == 0 ? 0 : 0xFFFFFF);
        BufferedImage out = Resampler.resize(stripes, 16, 1);
        for (int x = 1; x < 15; x++) {
            assertEquals(128, out.getRGB(x, 0) & 0xFF, "x " + x); // 127.5 rounds up
        }
        assertEquals(118, out.getRGB(0, 0) & 0xFF);
    }

    @Test
    void sameSizeIsTheSamePixels() {
        BufferedImage src = TestImages.rgb(5, 4, (x, y) -> x * 40 + y * 0x1000);
        BufferedImage out = Resampler.resize(src, 5, 4);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 5; x++) {
                assertEquals(hex(src.getRGB(x, y)), hex(out.getRGB(x, y)));
            }
        }
    }

    /** 200×100: columns [0, 50) red, [50, 150) green, [150, 200) blue. */
    private static BufferedImage bands() {
        return TestImages.rgb(200, 100, (x, y) -> x < 50 ? RED : x < 150 ? GREEN : BLUE);
    }

    @Test
    void cropKeepsTheCentreOfAWideImage() {
        // the source box is columns 50 .. 150 at scale 2; the outermost output columns (centres 51 and
        // 149) reach one pixel beyond it with weight 0.25 of 2: 1/8 red or blue, as resizing the whole
        // image and then cropping would give
        BufferedImage out = Resize.CROP.apply(bands(), 50, 50);
        assertEquals(50, out.getWidth());
        assertEquals(50, out.getHeight());
        for (int y = 0; y < 50; y++) {
            for (int x = 1; x < 49; x++) {
                assertEquals(hex(GREEN), hex(out.getRGB(x, y)), "at " + x + "," + y);
            }
            assertEquals(hex(0x20DF00), hex(out.getRGB(0, y)), "left edge, row " + y);
            assertEquals(hex(0x00DF20), hex(out.getRGB(49, y)), "right edge, row " + y);
        }
    }

    @Test
    void cropKeepsTheCentreOfATallImage() {
        // 60×180: rows [0, 60) red, [60, 120) green, [120, 180) blue; cropped to 30×30 -> the green
        // square, its first and last rows with 1/8 of the neighbouring band (as in the wide case)
        BufferedImage tall = TestImages.rgb(60, 180, (x, y) -> y < 60 ? RED : y < 120 ? GREEN : BLUE);
        BufferedImage out = Resize.CROP.apply(tall, 30, 30);
        assertEquals(hex(GREEN), hex(out.getRGB(0, 1)));
        assertEquals(hex(GREEN), hex(out.getRGB(29, 28)));
        assertEquals(hex(GREEN), hex(out.getRGB(15, 15)));
        assertEquals(hex(0x20DF00), hex(out.getRGB(0, 0)));
        assertEquals(hex(0x00DF20), hex(out.getRGB(29, 29)));
    }

    @Test
    void cropOfANonSquareTarget() {
        // 200×100 to 100×25 (aspect 4): keep the full width and the middle 50 rows (25 .. 75),
        // scale 2 both ways. The white rows outside reach only the first and last output rows, by 1/8.
        BufferedImage img = TestImages.rgb(200, 100, (x, y) -> y < 25 || y >= 75 ? 0xFFFFFF : x < 100 ? RED : BLUE);
        BufferedImage out = Resize.CROP.apply(img, 100, 25);
        for (int y = 1; y < 24; y++) {
            assertEquals(hex(RED), hex(out.getRGB(10, y)), "row " + y);
            assertEquals(hex(BLUE), hex(out.getRGB(90, y)), "row " + y);
        }
        assertEquals(hex(0xFF2020), hex(out.getRGB(10, 0)));
        assertEquals(hex(0x2020FF), hex(out.getRGB(90, 24)));
    }

    @Test
    void imagenetKeepsTheCentral224Of256() {
        // 512×256: green exactly where the ImageNet crop looks (shorter side 256 → 256, centre 224×224
        // at (144, 16)), red around it; at scale 1 the crop is those pixels and nothing of the red
        BufferedImage img = TestImages.rgb(512, 256, (x, y) -> x >= 144 && x < 368 && y >= 16 && y < 240 ? GREEN : RED);
        BufferedImage out = Resize.IMAGENET.apply(img, 224, 224);
        assertEquals(224, out.getWidth());
        assertEquals(224, out.getHeight());
        for (int y = 0; y < 224; y++) {
            for (int x = 0; x < 224; x++) {
                assertEquals(hex(GREEN), hex(out.getRGB(x, y)), "at " + x + "," + y);
            }
        }
        // plain CROP of the same image keeps the red margin (the full height)
        assertEquals(hex(RED), hex(Resize.CROP.apply(img, 224, 224).getRGB(112, 0)));
        // a tall image and a non-square target: the box is 7/8 of the covering box, centred
        BufferedImage tall = TestImages.rgb(64, 128, (x, y) -> x >= 4 && x < 60 && y >= 8 && y < 120 ? GREEN : RED);
        BufferedImage t = Resize.IMAGENET.apply(tall, 56, 112);
        for (int y = 0; y < 112; y++) {
            for (int x = 0; x < 56; x++) {
                assertEquals(hex(GREEN), hex(t.getRGB(x, y)), "tall at " + x + "," + y);
            }
        }
    }

    @Test
    void padLetterboxesAWideImage() {
        BufferedImage out = Resize.PAD.apply(bands(), 50, 50, 0x123456);
        assertEquals(50, out.getWidth());
        assertEquals(50, out.getHeight());
        // scale 1/4: the image becomes 50×25, placed at rows 12 .. 36
        for (int x = 0; x < 50; x++) {
            for (int y = 0; y < 12; y++) {
                assertEquals(hex(0x123456), hex(out.getRGB(x, y)), "top pad at " + x + "," + y);
            }
            for (int y = 37; y < 50; y++) {
                assertEquals(hex(0x123456), hex(out.getRGB(x, y)), "bottom pad at " + x + "," + y);
            }
        }
        for (int y = 12; y < 37; y++) {
            assertEquals(hex(RED), hex(out.getRGB(5, y)));
            assertEquals(hex(GREEN), hex(out.getRGB(25, y)));
            assertEquals(hex(BLUE), hex(out.getRGB(45, y)));
            // out column 12 is centred on source 50, the red/green boundary: half red, half green
            // (127.5 each; the vertical weights' rounding decides 127 or 128)
            int[] c = TestImages.channels(out.getRGB(12, y));
            assertTrue(c[0] >= 127 && c[0] <= 128 && c[1] >= 127 && c[1] <= 128 && c[2] == 0, hex(out.getRGB(12, y)));
        }
    }

    @Test
    void padPillarboxesATallImageWithBlackByDefault() {
        BufferedImage tall = TestImages.solid(50, 100, RED);
        BufferedImage out = Resize.PAD.apply(tall, 40, 40);
        // 20×40 placed at columns 10 .. 29
        assertEquals(hex(0), hex(out.getRGB(9, 20)));
        assertEquals(hex(RED), hex(out.getRGB(10, 20)));
        assertEquals(hex(RED), hex(out.getRGB(29, 0)));
        assertEquals(hex(0), hex(out.getRGB(30, 39)));
    }

    @Test
    void stretchIgnoresTheAspectRatio() {
        BufferedImage out = Resize.STRETCH.apply(bands(), 40, 40);
        assertEquals(40, out.getHeight());
        // x scale 5: red covers out columns 0 .. 9, green 10 .. 29, blue 30 .. 39; the triangle (5
        // pixels each way) mixes the columns next to a boundary: column 9 (centre 47.5) weighs red
        // pixels 43..49 4.4 and green 50, 51 0.6 of 5 -> (224, 31, 0); column 10 the mirror image
        assertEquals(hex(RED), hex(out.getRGB(8, 39)));
        assertEquals(hex(0xE01F00), hex(out.getRGB(9, 39)));
        assertEquals(hex(0x1FE000), hex(out.getRGB(10, 0)));
        assertEquals(hex(GREEN), hex(out.getRGB(11, 0)));
        assertEquals(hex(GREEN), hex(out.getRGB(28, 20)));
        assertEquals(hex(BLUE), hex(out.getRGB(31, 20)));
    }

    @Test
    void modesByName() {
        assertEquals(Resize.CROP, Resize.byName("Crop"));
        assertEquals(Resize.PAD, Resize.byName("pad"));
        assertEquals(Resize.STRETCH, Resize.byName("STRETCH"));
        assertNull(Resize.byName("squash"));
        assertEquals(Resize.IMAGENET, Resize.byName("imagenet"));
        assertEquals("stretch, crop, pad, imagenet", Resize.names());
    }
}
