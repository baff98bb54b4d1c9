package io.convscope.image;

import static io.convscope.image.TestImages.BLUE;
import static io.convscope.image.TestImages.GREEN;
import static io.convscope.image.TestImages.RED;
import static io.convscope.image.TestImages.distance;
import static io.convscope.image.TestImages.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.convscope.ConvscopeException;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageLoaderTest {
    @TempDir
    Path dir;

    // ---------------------------------------------------------------------------------------------
    // Formats

    @Test
    void rgbPngRoundTripsExactly() {
        Random rnd = new Random(7);
        BufferedImage src = TestImages.rgb(13, 7, (x, y) -> rnd.nextInt() & 0xFFFFFF);
        BufferedImage img = ImageLoader.load(TestImages.write(src, "png", dir.resolve("a.png")));
        assertEquals(BufferedImage.TYPE_INT_RGB, img.getType());
        assertSamePixels(src, img);
    }

    @Test
    void grayPngKeepsStoredValuesNotLinearLight() {
        BufferedImage src = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_GRAY);
        int[] values = {0, 1, 128, 255};
        for (int x = 0; x < 4; x++) {
            src.getRaster().setSample(x, 0, 0, values[x]);
        }
        BufferedImage img = ImageLoader.load(TestImages.write(src, "png", dir.resolve("g.png")));
        for (int x = 0; x < 4; x++) {
            int v = values[x];
            assertEquals((v << 16) | (v << 8) | v, img.getRGB(x, 0) & 0xFFFFFF, "gray " + v);
        }
    }

    @Test
    void rgbaPngIsCompositedOverWhite() {
        BufferedImage src = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
        src.setRGB(0, 0, 0xFFFF0000);  // opaque red
        src.setRGB(1, 0, 0x00000000);  // transparent black: shows white
        src.setRGB(2, 0, 0x800000FF);  // half-transparent blue
        BufferedImage img = ImageLoader.load(TestImages.write(src, "png", dir.resolve("rgba.png")));
        assertEquals(RED, img.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0xFFFFFF, img.getRGB(1, 0) & 0xFFFFFF);
        // 255 * (1 - 128/255) = 127 for R and G; B = 255 either way
        assertEquals(0x7F7FFF, img.getRGB(2, 0) & 0xFFFFFF);
    }

    @Test
    void grayAlphaPngIsCompositedOverWhite() {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY),
                new int[] {8, 8}, true, false, java.awt.Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster r = cm.createCompatibleWritableRaster(2, 1);
        r.setPixel(0, 0, new int[] {100, 255});
        r.setPixel(1, 0, new int[] {0, 0});
        BufferedImage src = new BufferedImage(cm, r, false, null);
        BufferedImage img = ImageLoader.load(TestImages.write(src, "png", dir.resolve("ga.png")));
        assertEquals(0x646464, img.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0xFFFFFF, img.getRGB(1, 0) & 0xFFFFFF);
    }

    @Test
    void sixteenBitGrayPngIsRoundedToEightBits() {
        BufferedImage src = new BufferedImage(4, 1, BufferedImage.TYPE_USHORT_GRAY);
        int[] values = {0, 128 * 257, 65535, 1000};
        for (int x = 0; x < 4; x++) {
            src.getRaster().setSample(x, 0, 0, values[x]);
        }
        BufferedImage img = ImageLoader.load(TestImages.write(src, "png", dir.resolve("g16.png")));
        int[] expected = {0, 128, 255, 4}; // 1000 * 255 / 65535 = 3.89
        for (int x = 0; x < 4; x++) {
            int v = expected[x];
            assertEquals((v << 16) | (v << 8) | v, img.getRGB(x, 0) & 0xFFFFFF, "16-bit " + values[x]);
        }
    }

    @Test
    void sixteenBitRgbaPng() {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB),
                new int[] {16, 16, 16, 16}, true, false, java.awt.Transparency.TRANSLUCENT, DataBuffer.TYPE_USHORT);
        WritableRaster r = cm.createCompatibleWritableRaster(2, 1);
        r.setPixel(0, 0, new int[] {65535, 32896, 0, 65535});
        r.setPixel(1, 0, new int[] {0, 0, 0, 0});
        BufferedImage src = new BufferedImage(cm, r, false, null);
        Path file = TestImages.write(src, "png", dir.resolve("rgba16.png"));
        BufferedImage img = ImageLoader.load(file);
        assertEquals(0xFF8000, img.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0xFFFFFF, img.getRGB(1, 0) & 0xFFFFFF);
    }

    @Test
    void palettePngWithTransparency() {
        BufferedImage src = TestImages.indexed(new int[] {RED, GREEN, 0}, 2, 3, 1, (x, y) -> x);
        BufferedImage img = ImageLoader.load(TestImages.write(src, "png", dir.resolve("p.png")));
        assertEquals(RED, img.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(GREEN, img.getRGB(1, 0) & 0xFFFFFF);
        assertEquals(0xFFFFFF, img.getRGB(2, 0) & 0xFFFFFF);
    }

    @Test
    void jpegDecodesWithinCompressionTolerance() {
        BufferedImage src = quadrants(64, 32);
        Path file = TestImages.put(dir.resolve("q.jpg"), TestImages.jpeg(src, 0.95f));
        BufferedImage img = ImageLoader.load(file);
        assertEquals(64, img.getWidth());
        assertEquals(32, img.getHeight());
        assertNear(RED, img.getRGB(8, 8), 8);
        assertNear(GREEN, img.getRGB(40, 8), 8);
        assertNear(BLUE, img.getRGB(8, 24), 8);
        assertNear(0xFFFFFF, img.getRGB(40, 24), 8);
    }

    @Test
    void grayJpeg() {
        BufferedImage src = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                src.getRaster().setSample(x, y, 0, 90);
            }
        }
        BufferedImage img = ImageLoader.load(TestImages.put(dir.resolve("g.jpg"), TestImages.jpeg(src, 1f)));
        int p = img.getRGB(5, 5) & 0xFFFFFF;
        assertNear(0x5A5A5A, p, 2); // stored values, not Java2D's linear-gray brightening (~0xA0)
    }

    @Test
    void bmpRoundTripsExactly() {
        Random rnd = new Random(3);
        BufferedImage src = TestImages.rgb(5, 3, (x, y) -> rnd.nextInt() & 0xFFFFFF);
        BufferedImage img = ImageLoader.load(TestImages.write(src, "bmp", dir.resolve("a.bmp")));
        assertSamePixels(src, img);
    }

    @Test
    void animatedGifGivesTheFirstFrame() throws Exception {
        BufferedImage red = TestImages.indexed(new int[] {RED, BLUE}, -1, 8, 8, (x, y) -> 0);
        BufferedImage blue = TestImages.indexed(new int[] {RED, BLUE}, -1, 8, 8, (x, y) -> 1);
        Path file = TestImages.put(dir.resolve("anim.gif"), gif(List.of(red, blue), 0, 0, 0, 0));
        assertEquals(2, countGifFrames(file), "the test GIF must really be animated");
        BufferedImage img = ImageLoader.load(file);
        assertEquals(8, img.getWidth());
        assertEquals(RED, img.getRGB(3, 3) & 0xFFFFFF);
    }

    @Test
    void gifFrameIsPlacedOnTheLogicalScreen() throws Exception {
        BufferedImage frame = TestImages.indexed(new int[] {RED, BLUE}, -1, 4, 2, (x, y) -> 0);
        Path file = TestImages.put(dir.resolve("offset.gif"), gif(List.of(frame), 10, 6, 3, 2));
        BufferedImage img = ImageLoader.load(file);
        assertEquals(10, img.getWidth());
        assertEquals(6, img.getHeight());
        assertEquals(RED, img.getRGB(3, 2) & 0xFFFFFF);
        assertEquals(RED, img.getRGB(6, 3) & 0xFFFFFF);
        assertEquals(0xFFFFFF, img.getRGB(2, 2) & 0xFFFFFF);
        assertEquals(0xFFFFFF, img.getRGB(3, 4) & 0xFFFFFF);
    }

    @Test
    void transparentGifPixelsAreWhite() throws Exception {
        BufferedImage frame = TestImages.indexed(new int[] {RED, 0}, 1, 2, 1, (x, y) -> x);
        BufferedImage img = ImageLoader.load(TestImages.put(dir.resolve("t.gif"), gif(List.of(frame), 0, 0, 0, 0)));
        assertEquals(RED, img.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0xFFFFFF, img.getRGB(1, 0) & 0xFFFFFF);
    }

    @Test
    void oneBitImages() {
        BufferedImage src = new BufferedImage(9, 2, BufferedImage.TYPE_BYTE_BINARY);
        src.getRaster().setSample(3, 1, 0, 1);
        // Not GIF: the JDK's own GIF writer loses the pixels of a 1-bit packed image (ImageIO.read
        // of its output is all black too); the GIF palette path is covered by the other GIF tests.
        for (String format : new String[] {"png", "bmp"}) {
            BufferedImage img = ImageLoader.load(TestImages.write(src, format, dir.resolve("bits." + format)));
            assertEquals(0xFFFFFF, img.getRGB(3, 1) & 0xFFFFFF, format);
            assertEquals(0x000000, img.getRGB(4, 1) & 0xFFFFFF, format);
        }
    }

    @Test
    void toRgbConvertsOtherColourSpacesToSrgb() {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_LINEAR_RGB),
                false, false, java.awt.Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        WritableRaster r = cm.createCompatibleWritableRaster(1, 1);
        r.setPixel(0, 0, new int[] {255, 0, 55}); // linear 0.216 is about sRGB 0.5
        BufferedImage img = io.convscope.render.Images.toRgb(new BufferedImage(cm, r, false, null));
        assertNear(0xFF0080, img.getRGB(0, 0), 4);
    }

    @Test
    void formatComesFromContentNotExtension() {
        BufferedImage src = TestImages.solid(4, 4, GREEN);
        Path file = TestImages.write(src, "png", dir.resolve("really-a-png.jpg"));
        assertEquals(GREEN, ImageLoader.load(file).getRGB(1, 1) & 0xFFFFFF);
    }

    // ---------------------------------------------------------------------------------------------
    // CMYK / YCCK JPEG

    /** Ink values (C, M, Y, K) 0–255 for the four test colours and the RGB they should come out as. */
    private static final int[][] INKS = {
        {0, 255, 255, 0},     // red
        {255, 0, 255, 0},     // green
        {0, 0, 0, 128},       // mid gray: K only
        {0, 128, 255, 64},    // orange-brown
    };
    private static final int[] INK_RGB = {RED, GREEN, 0x7F7F7F, 0xBF5F00};

    private static int inkAt(int x, int y) {
        return (y / 16) * 2 + (x / 16); // 32×32 image in 16×16 blocks
    }

    @Test
    void adobeCmykJpegIsInvertedCmyk() {
        // Photoshop style: APP14 "Adobe", transform 0, ink values stored inverted.
        WritableRaster r = TestImages.raster4(32, 32, (x, y) -> pack(invert(INKS[inkAt(x, y)])));
        byte[] jpeg = TestImages.afterSoi(TestImages.jpeg(r, 1f), TestImages.adobe(0));
        checkInks(ImageLoader.load(TestImages.put(dir.resolve("cmyk.jpg"), jpeg)));
    }

    @Test
    void plainCmykJpegWithoutAdobeSegment() {
        WritableRaster r = TestImages.raster4(32, 32, (x, y) -> pack(INKS[inkAt(x, y)]));
        byte[] jpeg = TestImages.jpeg(r, 1f);
        checkInks(ImageLoader.load(TestImages.put(dir.resolve("plain-cmyk.jpg"), jpeg)));
    }

    @Test
    void adobeYcckJpeg() {
        // Encode as libjpeg does for Adobe transform 2: the stored (inverted) C, M, Y become
        // R = 255 - C', G = 255 - M', B = 255 - Y' in YCbCr; K' passes through.
        WritableRaster r = TestImages.raster4(32, 32, (x, y) -> {
            int[] s = invert(INKS[inkAt(x, y)]);
            double rr = 255 - s[0];
            double gg = 255 - s[1];
            double bb = 255 - s[2];
            int yy = clamp(0.299 * rr + 0.587 * gg + 0.114 * bb);
            int cb = clamp(128 - 0.168736 * rr - 0.331264 * gg + 0.5 * bb);
            int cr = clamp(128 + 0.5 * rr - 0.418688 * gg - 0.081312 * bb);
            return pack(new int[] {yy, cb, cr, s[3]});
        });
        byte[] jpeg = TestImages.afterSoi(TestImages.jpeg(r, 1f), TestImages.adobe(2));
        checkInks(ImageLoader.load(TestImages.put(dir.resolve("ycck.jpg"), jpeg)));
    }

    @Test
    void cmykJpegWithExifOrientation() {
        WritableRaster r = TestImages.raster4(32, 16, (x, y) -> pack(invert(INKS[x < 16 ? 0 : 1])));
        byte[] jpeg = TestImages.afterSoi(TestImages.afterSoi(TestImages.jpeg(r, 1f), TestImages.adobe(0)),
                TestImages.exif(6, false));
        BufferedImage img = ImageLoader.load(TestImages.put(dir.resolve("cmyk6.jpg"), jpeg));
        assertEquals(16, img.getWidth());
        assertEquals(32, img.getHeight());
        assertNear(RED, img.getRGB(8, 8), 10);    // left half turned clockwise: top
        assertNear(GREEN, img.getRGB(8, 24), 10);
    }

    private void checkInks(BufferedImage img) {
        assertEquals(32, img.getWidth());
        for (int i = 0; i < 4; i++) {
            int x = (i % 2) * 16 + 8;
            int y = (i / 2) * 16 + 8;
            assertNear(INK_RGB[i], img.getRGB(x, y), 6);
        }
    }

    private static int[] invert(int[] v) {
        return new int[] {255 - v[0], 255 - v[1], 255 - v[2], 255 - v[3]};
    }

    private static int pack(int[] v) {
        return (v[0] << 24) | (v[1] << 16) | (v[2] << 8) | v[3];
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    // ---------------------------------------------------------------------------------------------
    // EXIF orientation

    /** 64×32 (landscape) with a red 16×16 block at the top-left corner, the rest blue. */
    private static BufferedImage cornered() {
        return TestImages.rgb(64, 32, (x, y) -> x < 16 && y < 16 ? RED : BLUE);
    }

    private BufferedImage loadWithOrientation(int orientation, boolean littleEndian) {
        byte[] jpeg = TestImages.afterSoi(TestImages.jpeg(cornered(), 0.95f), TestImages.exif(orientation, littleEndian));
        return ImageLoader.load(TestImages.put(dir.resolve("o" + orientation + littleEndian + ".jpg"), jpeg));
    }

    @Test
    void orientation6TurnsClockwise() {
        BufferedImage img = loadWithOrientation(6, false);
        assertEquals(32, img.getWidth());
        assertEquals(64, img.getHeight());
        assertNear(RED, img.getRGB(32 - 8, 8), 10);   // top-left went to top-right
        assertNear(BLUE, img.getRGB(8, 8), 10);
        assertNear(BLUE, img.getRGB(24, 56), 10);
    }

    @Test
    void orientation3TurnsHalfway() {
        BufferedImage img = loadWithOrientation(3, true);
        assertEquals(64, img.getWidth());
        assertEquals(32, img.getHeight());
        assertNear(RED, img.getRGB(64 - 8, 32 - 8), 10); // bottom-right
        assertNear(BLUE, img.getRGB(8, 8), 10);
    }

    @Test
    void orientation8TurnsCounterClockwise() {
        BufferedImage img = loadWithOrientation(8, false);
        assertEquals(32, img.getWidth());
        assertEquals(64, img.getHeight());
        assertNear(RED, img.getRGB(8, 64 - 8), 10);   // top-left went to bottom-left
        assertNear(BLUE, img.getRGB(24, 8), 10);
        assertNear(BLUE, img.getRGB(24, 56), 10);
    }

    @Test
    void allEightOrientationsMatchTheirDefinition() {
        BufferedImage src = TestImages.rgb(3, 2, (x, y) -> (x << 16) | (y << 8) | 1);
        int[][] expectedTopLeftCorner = { // stored pixel (x, y) shown at the top-left after the turn
            {0, 0}, {2, 0}, {2, 1}, {0, 1}, {0, 0}, {0, 1}, {2, 1}, {2, 0}};
        for (int o = 1; o <= 8; o++) {
            BufferedImage img = Orientation.apply(src, o);
            assertEquals(o >= 5 ? 2 : 3, img.getWidth(), "orientation " + o);
            int p = img.getRGB(0, 0);
            assertEquals(expectedTopLeftCorner[o - 1][0], (p >> 16) & 0xFF, "x at top-left, orientation " + o);
            assertEquals(expectedTopLeftCorner[o - 1][1], (p >> 8) & 0xFF, "y at top-left, orientation " + o);
        }
    }

    @Test
    void orientation1AndBrokenExifLeaveTheImageAlone() {
        BufferedImage up = loadWithOrientation(1, false);
        assertEquals(64, up.getWidth());
        byte[] bad = TestImages.segment(0xE1, "Exif\0\0MM\0\u002a\0\0\u00ff\u00ff".getBytes(
                java.nio.charset.StandardCharsets.ISO_8859_1)); // IFD offset far outside
        byte[] jpeg = TestImages.afterSoi(TestImages.jpeg(cornered(), 0.95f), bad);
        BufferedImage img = ImageLoader.load(TestImages.put(dir.resolve("bad-exif.jpg"), jpeg));
        assertEquals(64, img.getWidth());
        assertNear(RED, img.getRGB(8, 8), 10);
    }

    // ---------------------------------------------------------------------------------------------
    // Errors

    @Test
    void missingFile() {
        assertError(dir.resolve("nope.png"), "no such file");
    }

    @Test
    void directory() {
        assertError(dir, "is a directory");
    }

    @Test
    void unreadableFile() throws Exception {
        Path file = TestImages.write(TestImages.solid(2, 2, RED), "png", dir.resolve("secret.png"));
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("no POSIX permissions here");
        }
        Assumptions.assumeFalse(Files.isReadable(file), "running as a user who can read anything (root)");
        assertError(file, "cannot be read (permission denied)");
    }

    @Test
    void textFileIsNotAnImage() {
        Path file = TestImages.put(dir.resolve("notes.png"), "hello, this is text\n".getBytes());
        assertError(file, "is not an image (PNG, JPEG, BMP or GIF)");
    }

    @Test
    void emptyFile() {
        assertError(TestImages.put(dir.resolve("empty.jpg"), new byte[0]), "is empty");
    }

    @Test
    void webpIsNamedAsUnsupported() {
        byte[] webp = "RIFF\0\0\0\0WEBPVP8 ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertError(TestImages.put(dir.resolve("x.webp"), webp), "is a WebP image, which is not supported");
    }

    @Test
    void truncatedPng() {
        Random rnd = new Random(1);
        byte[] png = TestImages.bytes(TestImages.rgb(64, 64, (x, y) -> rnd.nextInt() & 0xFFFFFF), "png");
        for (int cut : new int[] {png.length - 12, png.length - 13, png.length * 9 / 10, png.length / 2, 40, 20}) {
            Path file = TestImages.put(dir.resolve("cut" + cut + ".png"), Arrays.copyOf(png, cut));
            assertError(file, "is truncated");
        }
    }

    @Test
    void truncatedJpeg() {
        byte[] jpeg = TestImages.jpeg(noisy(64, 64), 0.9f);
        for (int cut : new int[] {jpeg.length - 2, jpeg.length * 9 / 10, jpeg.length / 2, 100, 10}) {
            Path file = TestImages.put(dir.resolve("cut" + cut + ".jpg"), Arrays.copyOf(jpeg, cut));
            assertError(file, "is truncated");
        }
    }

    @Test
    void truncatedCmykJpeg() {
        WritableRaster r = TestImages.raster4(32, 32, (x, y) -> (x * 8 << 24) | (y * 8 << 16) | 0x4020);
        byte[] jpeg = TestImages.afterSoi(TestImages.jpeg(r, 0.9f), TestImages.adobe(0));
        Path file = TestImages.put(dir.resolve("cmyk-cut.jpg"), Arrays.copyOf(jpeg, jpeg.length * 2 / 3));
        assertError(file, "is truncated");
    }

    @Test
    void truncatedGifAndBmp() {
        for (String format : new String[] {"gif", "bmp"}) {
            byte[] data = TestImages.bytes(noisy(64, 64), format);
            for (int cut : new int[] {data.length / 2, 20}) {
                Path file = TestImages.put(dir.resolve("cut" + cut + "." + format), Arrays.copyOf(data, cut));
                assertError(file, "is truncated");
            }
        }
    }

    @Test
    void absurdPngSizeIsRefusedBeforeDecoding() {
        byte[] png = TestImages.bytes(TestImages.solid(4, 4, RED), "png");
        Path huge = TestImages.put(dir.resolve("huge.png"), TestImages.pngWithClaimedSize(png, 100000, 100000));
        assertError(huge, "claims to be 100000×100000 pixels, more than the limit of 20000 pixels per side");
        Path many = TestImages.put(dir.resolve("many.png"), TestImages.pngWithClaimedSize(png, 15000, 15000));
        assertError(many, "claims to be 15000×15000 pixels (225 megapixels), more than the limit of 200 megapixels");
    }

    @Test
    void absurdJpegSizeIsRefusedBeforeDecoding() {
        byte[] jpeg = TestImages.jpeg(TestImages.solid(16, 16, RED), 0.9f);
        int sof = indexOf(jpeg, (byte) 0xFF, (byte) 0xC0);
        jpeg[sof + 5] = (byte) 0xFD; // height 65000
        jpeg[sof + 6] = (byte) 0xE8;
        jpeg[sof + 7] = (byte) 0xFD; // width 65000
        jpeg[sof + 8] = (byte) 0xE8;
        assertError(TestImages.put(dir.resolve("huge.jpg"), jpeg), "claims to be 65000×65000 pixels");
    }

    @Test
    void corruptPngData() {
        byte[] png = TestImages.bytes(noisy(32, 32), "png");
        int idat = indexOf(png, (byte) 'I', (byte) 'D', (byte) 'A', (byte) 'T');
        for (int i = idat + 4; i < idat + 40; i++) {
            png[i] = (byte) 0x5A; // garbage zlib stream, chunk structure intact
        }
        assertError(TestImages.put(dir.resolve("bad.png"), png), "corrupt");
    }

    @Test
    void noExceptionButConvscopeExceptionEscapesDamagedFiles() {
        Random rnd = new Random(42);
        BufferedImage src = noisy(24, 24);
        WritableRaster cmyk = TestImages.raster4(16, 16, (x, y) -> rnd.nextInt());
        byte[][] originals = {
            TestImages.bytes(src, "png"), TestImages.jpeg(src, 0.8f), TestImages.bytes(src, "gif"),
            TestImages.bytes(src, "bmp"), TestImages.afterSoi(TestImages.jpeg(cmyk, 0.8f), TestImages.adobe(2)),
            TestImages.afterSoi(TestImages.jpeg(src, 0.8f), TestImages.exif(6, true)),
        };
        int n = 0;
        for (byte[] original : originals) {
            for (int trial = 0; trial < 40; trial++) {
                byte[] data = original.clone();
                if (trial % 3 == 0) {
                    data = Arrays.copyOf(data, 1 + rnd.nextInt(data.length - 1));
                } else {
                    int flips = 1 + rnd.nextInt(8);
                    for (int f = 0; f < flips; f++) {
                        // keep the first bytes (signature and size fields) so no header claims gigapixels
                        int at = Math.min(data.length - 1, 30 + rnd.nextInt(Math.max(1, data.length - 30)));
                        data[at] = (byte) rnd.nextInt(256);
                    }
                }
                Path file = TestImages.put(dir.resolve("fuzz" + n++), data);
                try {
                    BufferedImage img = ImageLoader.load(file);
                    assertEquals(BufferedImage.TYPE_INT_RGB, img.getType());
                } catch (ConvscopeException e) {
                    assertOneLine(file, e);
                } catch (Throwable t) {
                    fail(file + " (" + n + "): " + t, t);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static void assertError(Path file, String expected) {
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> ImageLoader.load(file));
        assertTrue(e.getMessage().contains(expected), "message: " + e.getMessage() + "\nexpected: " + expected);
        assertOneLine(file, e);
    }

    private static void assertOneLine(Path file, ConvscopeException e) {
        assertTrue(e.getMessage().startsWith(file + ": "), "names the path: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\r"), "one line: " + e.getMessage());
    }

    private static void assertSamePixels(BufferedImage expected, BufferedImage actual) {
        assertEquals(expected.getWidth(), actual.getWidth());
        assertEquals(expected.getHeight(), actual.getHeight());
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                assertEquals(hex(expected.getRGB(x, y)), hex(actual.getRGB(x, y)), "pixel " + x + "," + y);
            }
        }
    }

    static void assertNear(int expected, int actual, int tolerance) {
        assertTrue(distance(expected, actual) <= tolerance, "expected " + hex(expected) + " got " + hex(actual));
    }

    private static BufferedImage quadrants(int w, int h) {
        return TestImages.rgb(w, h, (x, y) -> x < w / 2 ? (y < h / 2 ? RED : BLUE) : (y < h / 2 ? GREEN : 0xFFFFFF));
    }

    private static BufferedImage noisy(int w, int h) {
        Random rnd = new Random(w * 31 + h);
        return TestImages.rgb(w, h, (x, y) -> rnd.nextInt() & 0xFFFFFF);
    }

    private static int indexOf(byte[] data, byte... pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int k = 0; k < pattern.length; k++) {
                if (data[i + k] != pattern[k]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("pattern not found");
    }

    /** A GIF of the frames; with a logical screen and the first frame's offset when screenW > 0. */
    private static byte[] gif(List<BufferedImage> frames, int screenW, int screenH, int left, int top)
            throws Exception {
        ImageWriter w = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (ImageOutputStream os = ImageIO.createImageOutputStream(bo)) {
            w.setOutput(os);
            ImageWriteParam p = w.getDefaultWriteParam();
            IIOMetadata stream = w.getDefaultStreamMetadata(p);
            if (screenW > 0) {
                String f = stream.getNativeMetadataFormatName();
                IIOMetadataNode root = new IIOMetadataNode(f);
                IIOMetadataNode screen = new IIOMetadataNode("LogicalScreenDescriptor");
                screen.setAttribute("logicalScreenWidth", Integer.toString(screenW));
                screen.setAttribute("logicalScreenHeight", Integer.toString(screenH));
                screen.setAttribute("colorResolution", "8");
                screen.setAttribute("pixelAspectRatio", "0");
                root.appendChild(screen);
                stream.mergeTree(f, root);
            }
            w.prepareWriteSequence(stream);
            boolean first = true;
            for (BufferedImage frame : frames) {
                IIOMetadata meta = w.getDefaultImageMetadata(new ImageTypeSpecifier(frame), p);
                if (first && screenW > 0) {
                    String f = meta.getNativeMetadataFormatName();
                    IIOMetadataNode root = new IIOMetadataNode(f);
                    IIOMetadataNode d = new IIOMetadataNode("ImageDescriptor");
                    d.setAttribute("imageLeftPosition", Integer.toString(left));
                    d.setAttribute("imageTopPosition", Integer.toString(top));
                    d.setAttribute("imageWidth", Integer.toString(frame.getWidth()));
                    d.setAttribute("imageHeight", Integer.toString(frame.getHeight()));
                    d.setAttribute("interlaceFlag", "FALSE");
                    root.appendChild(d);
                    meta.mergeTree(f, root);
                }
                first = false;
                w.writeToSequence(new IIOImage(frame, null, meta), p);
            }
            w.endWriteSequence();
        } finally {
            w.dispose();
        }
        return bo.toByteArray();
    }

    private static int countGifFrames(Path file) throws Exception {
        var reader = ImageIO.getImageReadersByFormatName("gif").next();
        try (var in = ImageIO.createImageInputStream(file.toFile())) {
            reader.setInput(in);
            return reader.getNumImages(true);
        } finally {
            reader.dispose();
        }
    }
}
