package io.convscope.render;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GifPngTest {

    @TempDir
    Path dir;

    private static BufferedImage solid(int w, int h, int rgb) {
        return Images.create(w, h, rgb);
    }

    /** A gradient with many more than 256 colours. */
    private static BufferedImage rainbow(int w, int h) {
        BufferedImage img = Images.create(w, h, 0);
        int[] px = Images.pixels(img);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                px[y * w + x] = (x * 255 / (w - 1)) << 16 | (y * 255 / (h - 1)) << 8 | ((x + y) * 97 % 256);
            }
        }
        return img;
    }

    @Test
    void gifFramesSizeDelaysAndLoopReadBack() {
        Path file = dir.resolve("layers.gif");
        new Gif().add(solid(30, 20, 0xff0000), 100).add(solid(50, 10, 0x00ff00), 250)
                .add(solid(10, 40, 0x0000ff), 1000).write(file);
        Gif.Info info = Gif.read(file);
        assertEquals(3, info.frames());
        assertEquals(50, info.width());
        assertEquals(40, info.height());
        assertEquals(List.of(100, 250, 1000), info.delaysMs());
        assertEquals(0, info.loops());
    }

    @Test
    void gifFramesAreCentredAndExactWithFewColours() throws Exception {
        Path file = dir.resolve("a.gif");
        BufferedImage sheet = new Grid().title("t").addChannels(
                Normalization.MINMAX.layer(new float[] {0, 1, 2, 3, 0, 0, 0, 0}, 2, 2, 2)).render();
        new Gif().background(0x000000).add(sheet, 500).add(solid(10, 10, 0x00ff00), 500).write(file);
        List<BufferedImage> frames = frames(Files.readAllBytes(file));
        assertEquals(2, frames.size());
        BufferedImage f0 = frames.get(0);
        for (int y = 0; y < sheet.getHeight(); y++) {
            for (int x = 0; x < sheet.getWidth(); x++) {
                assertEquals(sheet.getRGB(x, y) & 0xffffff, f0.getRGB(x, y) & 0xffffff);
            }
        }
        BufferedImage f1 = frames.get(1);
        int left = (sheet.getWidth() - 10) / 2;
        int top = (sheet.getHeight() - 10) / 2;
        assertEquals(0x00ff00, f1.getRGB(left, top) & 0xffffff);
        assertEquals(0x00ff00, f1.getRGB(left + 9, top + 9) & 0xffffff);
        assertEquals(0x000000, f1.getRGB(left - 1, top) & 0xffffff);
        assertEquals(0x000000, f1.getRGB(left + 10, top + 9) & 0xffffff);
    }

    @Test
    void gifWithManyColoursIsCloseAndDeterministic() throws Exception {
        BufferedImage img = rainbow(120, 90);
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        new Gif().add(img, 40).add(Images.upscale(img, 2), 40).write(a);
        new Gif().add(img, 40).add(Images.upscale(img, 2), 40).write(b);
        assertArrayEquals(a.toByteArray(), b.toByteArray());
        BufferedImage back = frames(a.toByteArray()).get(0);
        int off = 60; // the first frame is centred on the 240 x 180 canvas
        long err = 0;
        int worst = 0;
        for (int y = 0; y < 90; y++) {
            for (int x = 0; x < 120; x++) {
                int p = img.getRGB(x, y);
                int q = back.getRGB(x + off, y + 45);
                for (int s = 0; s <= 16; s += 8) {
                    int d = Math.abs(((p >> s) & 255) - ((q >> s) & 255));
                    err += d;
                    worst = Math.max(worst, d);
                }
            }
        }
        double mean = err / (3.0 * 120 * 90);
        assertTrue(mean < 12 && worst < 64, "mean error " + mean + ", worst " + worst);
    }

    @Test
    void lzwOfNoisyAndFlatFramesDecodesExactly() throws Exception {
        // random colours fill the 4096-entry table many times over (clear codes, 12-bit codes);
        // a flat frame makes long runs; a 1x1 frame is the shortest stream
        java.util.Random r = new java.util.Random(5);
        BufferedImage noise = Images.create(301, 199, 0);
        int[] px = Images.pixels(noise);
        for (int i = 0; i < px.length; i++) {
            px[i] = r.nextInt(256) * 0x010001;
        }
        for (BufferedImage img : List.of(noise, solid(640, 480, 0x123456), solid(1, 1, 0x654321))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new Gif().add(img, 100).write(out);
            BufferedImage back = frames(out.toByteArray()).get(0);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    assertEquals(img.getRGB(x, y) & 0xffffff, back.getRGB(x, y) & 0xffffff, x + "," + y);
                }
            }
        }
    }

    @Test
    void readingSomethingElseIsAOneLineError() throws Exception {
        Path text = dir.resolve("notes.gif");
        Files.writeString(text, "not a gif");
        io.convscope.ConvscopeException e = assertThrows(io.convscope.ConvscopeException.class, () -> Gif.read(text));
        assertTrue(e.getMessage().startsWith("cannot read " + text), e.getMessage());
        assertThrows(io.convscope.ConvscopeException.class, () -> Gif.read(dir.resolve("missing.gif")));
    }

    @Test
    void delaysRoundToHundredths() {
        Path file = dir.resolve("d.gif");
        new Gif().add(solid(2, 2, 0), 54).add(solid(2, 2, 0), 55).add(solid(2, 2, 0), 0).write(file);
        assertEquals(List.of(50, 60, 0), Gif.read(file).delaysMs());
    }

    @Test
    void gifNeedsAFrame() {
        assertThrows(IllegalStateException.class, () -> new Gif().write(new ByteArrayOutputStream()));
        assertThrows(IllegalArgumentException.class, () -> new Gif().add(solid(1, 1, 0), -1));
    }

    @Test
    void paletteIsExactUpTo256Colours() {
        int[] px = new int[300];
        for (int i = 0; i < px.length; i++) {
            px[i] = (i % 256) * 0x000101;
        }
        Palette p = Palette.of(List.of(px));
        assertEquals(256, p.colors.length);
        for (int c : px) {
            assertEquals(c, p.colors[p.index(c)]);
        }
    }

    @Test
    void pngRoundTripsExactlyInBothColourTypes() throws Exception {
        BufferedImage few = Images.upscale(new Grid().title("few").addChannels(
                Normalization.MINMAX.layer(new float[] {0, 1, 2, 3}, 1, 2, 2)).render(), 2);
        BufferedImage many = rainbow(97, 61);
        for (BufferedImage img : List.of(few, many)) {
            Path file = dir.resolve("x.png");
            Png.write(file, img);
            BufferedImage back = ImageIO.read(file.toFile());
            assertEquals(img.getWidth(), back.getWidth());
            assertEquals(img.getHeight(), back.getHeight());
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    assertEquals(img.getRGB(x, y) & 0xffffff, back.getRGB(x, y) & 0xffffff, x + "," + y);
                }
            }
        }
        // colour type: indexed (3) for the sheet, truecolour (2) for the gradient
        assertEquals(3, colourType(few));
        assertEquals(2, colourType(many));
    }

    @Test
    void parallelStripsGiveTheSameBytesAsOneThreadAndDecode() throws Exception {
        // tall enough for many strips in both colour types; one stream whichever way it is cut up
        java.util.Random r = new java.util.Random(9);
        BufferedImage noisy = Images.create(700, 900, 0);
        int[] px = Images.pixels(noisy);
        for (int i = 0; i < px.length; i++) {
            px[i] = r.nextInt(1 << 24);
        }
        BufferedImage few = Images.upscale(new Grid().addChannels(Normalization.MINMAX.layer(
                new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8}, 1, 3, 3)).render(), 16);
        for (BufferedImage img : List.of(noisy, few)) {
            assertParallelEqualsSerialAndDecodes(img);
            assertTrue(img.getWidth() * img.getHeight() * (img == noisy ? 3 : 1) > 4 * (1 << 18), "several strips");
        }
    }

    /** Written in parallel strips it has the bytes of one thread's stream, and decodes to its own pixels. */
    private static void assertParallelEqualsSerialAndDecodes(BufferedImage img) throws Exception {
        ByteArrayOutputStream serial = new ByteArrayOutputStream();
        ByteArrayOutputStream parallel = new ByteArrayOutputStream();
        Png.write(img, serial, java.util.zip.Deflater.BEST_SPEED, java.util.zip.Deflater.DEFAULT_STRATEGY, false);
        Png.write(img, parallel, java.util.zip.Deflater.BEST_SPEED, java.util.zip.Deflater.DEFAULT_STRATEGY, true);
        assertArrayEquals(serial.toByteArray(), parallel.toByteArray());
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(parallel.toByteArray()));
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                assertEquals(img.getRGB(x, y) & 0xffffff, back.getRGB(x, y) & 0xffffff, x + "," + y);
            }
        }
    }

    @Test
    void truecolourSheetsOfFewColoursAreWrittenUnfilteredAndRoundTrip() throws Exception {
        // a colormapped sheet has more than 256 colours (the map's 256 and the labels'), but few: its
        // rows go unfiltered; a photograph-like image keeps "Sub"; both decode to the same pixels
        java.util.Random r = new java.util.Random(2);
        float[] chw = new float[40 * 30 * 30];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = (float) r.nextGaussian();
        }
        BufferedImage sheet = new Grid().title("few colours").addChannels(Normalization.STANDARDIZE.layer(chw, 40, 30, 30)).render();
        BufferedImage photo = Images.create(600, 700, 0);
        int[] px = Images.pixels(photo);
        for (int i = 0; i < px.length; i++) {
            px[i] = ((i % 600) * 255 / 600) << 16 | ((i / 600) * 255 / 700) << 8 | r.nextInt(256);
        }
        assertTrue(Png.fewColours(Images.pixels(sheet)), "sheet");
        assertFalse(Png.fewColours(px), "photo");
        for (BufferedImage img : List.of(sheet, photo)) {
            assertEquals(2, colourType(img), "truecolour");
            assertParallelEqualsSerialAndDecodes(img);
        }
    }

    @Test
    void stripChecksumsCombineIntoTheWholeStreamsAdler32() {
        java.util.Random r = new java.util.Random(3);
        for (int t = 0; t < 200; t++) {
            byte[] data = new byte[r.nextInt(100_000)];
            if (t % 2 == 0) {
                r.nextBytes(data);
            } else {
                java.util.Arrays.fill(data, (byte) 255); // the largest sums
            }
            int cut = data.length == 0 ? 0 : r.nextInt(data.length + 1);
            java.util.zip.Adler32 whole = new java.util.zip.Adler32();
            whole.update(data);
            java.util.zip.Adler32 a = new java.util.zip.Adler32();
            a.update(data, 0, cut);
            java.util.zip.Adler32 b = new java.util.zip.Adler32();
            b.update(data, cut, data.length - cut);
            assertEquals((int) whole.getValue(), Png.adler32Combine((int) a.getValue(), (int) b.getValue(), data.length - cut));
        }
    }

    @Test
    void pngCompositesAlphaOverWhite() throws Exception {
        BufferedImage argb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x00ff0000); // transparent
        argb.setRGB(1, 0, 0xff0000ff); // opaque blue
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Png.write(argb, out);
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(out.toByteArray()));
        assertEquals(0xffffff, back.getRGB(0, 0) & 0xffffff);
        assertEquals(0x0000ff, back.getRGB(1, 0) & 0xffffff);
    }

    private static int colourType(BufferedImage img) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Png.write(img, out);
        return out.toByteArray()[8 + 8 + 9]; // signature, chunk length+type, then IHDR byte 9
    }

    private static List<BufferedImage> frames(byte[] gif) throws Exception {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(gif))) {
            ImageReader r = ImageIO.getImageReadersByFormatName("gif").next();
            r.setInput(in);
            int n = r.getNumImages(true);
            java.util.ArrayList<BufferedImage> out = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(r.read(i));
            }
            r.dispose();
            return out;
        }
    }
}
