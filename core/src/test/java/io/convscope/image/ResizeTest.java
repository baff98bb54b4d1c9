package io.convscope.image;

import static io.convscope.image.TestImages.BLUE;
import static io.convscope.image.TestImages.GREEN;
import static io.convscope.image.TestImages.RED;
import static io.convscope.image.TestImages.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
    void bilinearShrinkByLessThanTwo() {
        // 3 -> 2: scale 1.5, u = 0.25 and 1.75: [0, 100, 200] -> 25, 175
        BufferedImage src = TestImages.rgb(3, 1, (x, y) -> (x * 100) << 16);
        BufferedImage out = Resampler.resize(src, 2, 1);
        assertEquals(25, (out.getRGB(0, 0) >> 16) & 0xFF);
        assertEquals(175, (out.getRGB(1, 0) >> 16) & 0xFF);
    }

    @Test
    void areaAveragingWhenShrinkingByTwoOrMore() {
        // 4×4 -> 2×2: each output is the mean of a 2×2 block
        int[][] red = {{0, 40, 200, 200}, {80, 120, 200, 200}, {10, 10, 0, 0}, {10, 10, 0, 4}};
        int[][] zero = new int[4][4];
        int[][][] v = values(Resampler.resize(fromChannel(red, zero, zero), 2, 2));
        assertEquals(60, v[0][0][0]);
        assertEquals(200, v[0][1][0]);
        assertEquals(10, v[1][0][0]);
        assertEquals(1, v[1][1][0]);
        // 5 -> 2: scale 2.5; out0 covers pixels 0, 1 and half of 2, out1 half of 2, then 3 and 4:
        // [0, 50, 100, 150, 200] -> (0 + 50 + 50) / 2.5 = 40 and (50 + 150 + 200) / 2.5 = 160
        BufferedImage line = TestImages.rgb(5, 1, (x, y) -> (x * 50) << 8);
        BufferedImage out = Resampler.resize(line, 2, 1);
        assertEquals(40, (out.getRGB(0, 0) >> 8) & 0xFF);
        assertEquals(160, (out.getRGB(1, 0) >> 8) & 0xFF);
        // 12 -> 1 along x (scale 12), 1 -> 1 along y: the mean of the row
        BufferedImage row = TestImages.rgb(12, 1, (x, y) -> x * 20);
        assertEquals(110, Resampler.resize(row, 1, 1).getRGB(0, 0) & 0xFF);
    }

    @Test
    void stripesDoNotAliasWhenShrinking() {
        // 1-pixel black/white stripes shrunk 4×: plain bilinear would read two adjacent pixels (or
        // land on one colour); area averaging gives the true mean gray everywhere.
        BufferedImage stripes = TestImages.rgb(64, 8, (x, y) -> x % 2 == 0 ? 0 : 0xFFFFFF);
        BufferedImage out = Resampler.resize(stripes, 16, 2);
        for (int x = 0; x < 16; x++) {
            assertEquals(128, out.getRGB(x, 0) & 0xFF, "x " + x); // 127.5 rounds up
        }
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
        BufferedImage out = Resize.CROP.apply(bands(), 50, 50);
        assertEquals(50, out.getWidth());
        assertEquals(50, out.getHeight());
        for (int y = 0; y < 50; y++) {
            for (int x = 0; x < 50; x++) {
                assertEquals(hex(GREEN), hex(out.getRGB(x, y)), "at " + x + "," + y);
            }
        }
    }

    @Test
    void cropKeepsTheCentreOfATallImage() {
        // 60×180: rows [0, 60) red, [60, 120) green, [120, 180) blue; cropped to 30×30 -> the green square
        BufferedImage tall = TestImages.rgb(60, 180, (x, y) -> y < 60 ? RED : y < 120 ? GREEN : BLUE);
        BufferedImage out = Resize.CROP.apply(tall, 30, 30);
        assertEquals(hex(GREEN), hex(out.getRGB(0, 0)));
        assertEquals(hex(GREEN), hex(out.getRGB(29, 29)));
        assertEquals(hex(GREEN), hex(out.getRGB(15, 15)));
    }

    @Test
    void cropOfANonSquareTarget() {
        // 200×100 to 100×25 (aspect 4): keep the full width and the middle 50 rows (25 .. 75),
        // scale 2 both ways. Rows outside are white and must not leak in.
        BufferedImage img = TestImages.rgb(200, 100, (x, y) -> y < 25 || y >= 75 ? 0xFFFFFF : x < 100 ? RED : BLUE);
        BufferedImage out = Resize.CROP.apply(img, 100, 25);
        for (int y = 0; y < 25; y++) {
            assertEquals(hex(RED), hex(out.getRGB(10, y)), "row " + y);
            assertEquals(hex(BLUE), hex(out.getRGB(90, y)), "row " + y);
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
            // out column 12 covers source 48 .. 52: half red, half green
            assertEquals(hex(0x808000), hex(out.getRGB(12, y)));
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
        // x scale 5: red covers out columns 0 .. 9, green 10 .. 29, blue 30 .. 39
        assertEquals(hex(RED), hex(out.getRGB(9, 39)));
        assertEquals(hex(GREEN), hex(out.getRGB(10, 0)));
        assertEquals(hex(GREEN), hex(out.getRGB(29, 20)));
        assertEquals(hex(BLUE), hex(out.getRGB(30, 20)));
    }

    @Test
    void modesByName() {
        assertEquals(Resize.CROP, Resize.byName("Crop"));
        assertEquals(Resize.PAD, Resize.byName("pad"));
        assertEquals(Resize.STRETCH, Resize.byName("STRETCH"));
        assertNull(Resize.byName("squash"));
        assertEquals("stretch, crop, pad", Resize.names());
    }
}
