package io.convscope.render;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link Images#toRgb}, the one conversion of any image to 0xRRGGBB that the encoders, the drawing and
 * the image loader share: sub-images, stored gray values, alpha over white.
 */
class ImagesTest {
    @TempDir
    Path dir;

    /** A picture whose every pixel tells where it is: R = x, G = y, B = x + y. */
    static BufferedImage positions(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x << 16) | (y << 8) | ((x + y) & 255));
            }
        }
        return img;
    }

    static BufferedImage decode(byte[] png) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(png));
    }

    static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Png.write(img, out);
        return out.toByteArray();
    }

    @Test
    void aSubImageIsWrittenWithItsOwnPixels() throws IOException {
        BufferedImage big = positions(100, 100);
        BufferedImage sub = big.getSubimage(40, 50, 20, 10);
        BufferedImage back = decode(png(sub));
        assertEquals(20, back.getWidth());
        assertEquals(10, back.getHeight());
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 20; x++) {
                assertEquals((40 + x) << 16 | (50 + y) << 8 | (90 + x + y), back.getRGB(x, y) & 0xffffff, x + "," + y);
            }
        }
        // through a file and a GIF frame too
        Png.write(dir.resolve("sub.png"), sub);
        assertEquals(0x28325a, ImageIO.read(dir.resolve("sub.png").toFile()).getRGB(0, 0) & 0xffffff);
        BufferedImage rgb = Images.toRgb(sub);
        assertNotSame(sub, rgb, "a sub-image's array is its parent's: converted to one of its own");
        assertEquals(20 * 10, Images.pixels(rgb).length);
        assertEquals(0x28325a, Images.pixels(rgb)[0]);
    }

    @Test
    void aSubImageIsDrawnAndEnlargedWithItsOwnPixels() {
        BufferedImage sub = positions(100, 100).getSubimage(40, 50, 20, 10);
        BufferedImage canvas = Images.create(30, 30, 0);
        Images.draw(canvas, sub, 5, 5);
        assertEquals(0x28325a, canvas.getRGB(5, 5) & 0xffffff);
        assertEquals((59 << 16) | (59 << 8) | 118, canvas.getRGB(24, 14) & 0xffffff);
        BufferedImage up = Images.upscale(sub, 2);
        assertEquals(40, up.getWidth());
        assertEquals(0x28325a, up.getRGB(1, 1) & 0xffffff);
        assertEquals(0x28325a, Images.copy(sub).getRGB(0, 0) & 0xffffff);
    }

    @Test
    void pixelsRefusesAnImageThatSharesItsArray() {
        BufferedImage sub = positions(10, 10).getSubimage(1, 1, 3, 3);
        assertThrows(IllegalArgumentException.class, () -> Images.pixels(sub));
    }

    @Test
    void grayKeepsItsStoredValues() throws IOException {
        BufferedImage gray = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(0, 0, 0, 64);
        gray.getRaster().setSample(1, 0, 0, 128);
        gray.getRaster().setSample(2, 0, 0, 200);
        BufferedImage back = decode(png(gray));
        int[] want = {64, 128, 200};
        for (int x = 0; x < 3; x++) {
            assertEquals(want[x] * 0x010101, back.getRGB(x, 0) & 0xffffff, "pixel " + x);
        }
        int[] px = Images.pixels(Images.toRgb(gray));
        for (int x = 0; x < 3; x++) {
            assertEquals(want[x] * 0x010101, px[x], "pixel " + x);
        }
        // 16-bit gray: rounded to 8 bits, not linearized either
        BufferedImage g16 = new BufferedImage(1, 1, BufferedImage.TYPE_USHORT_GRAY);
        g16.getRaster().setSample(0, 0, 0, 32896); // 128.5 × 256 → 128
        assertEquals(0x808080, Images.pixels(Images.toRgb(g16))[0]);
    }

    @Test
    void alphaIsCompositedOverWhiteRounded() {
        BufferedImage argb = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x80000000);   // half-transparent black: 255 × (1 − 128/255) = 127.0 → 127
        argb.setRGB(1, 0, 0x00123456);   // fully transparent: white
        argb.setRGB(2, 0, 0xff123456);   // opaque: itself
        int[] px = Images.pixels(Images.toRgb(argb));
        assertEquals(0x7f7f7f, px[0]);
        assertEquals(0xffffff, px[1]);
        assertEquals(0x123456, px[2]);
        // 64/255 of red over white: 255 × 64/255 + 255 × 191/255 = 255 (red), 191 (green, blue)
        argb.setRGB(0, 0, 0x40ff0000);
        assertEquals(0xffbfbf, Images.pixels(Images.toRgb(argb))[0]);
        // 130 at alpha 100: 130 × 100/255 + 155 = 205.98 → 206 (rounded, as the image loader does), not 205
        argb.setRGB(0, 0, 0x64828282);
        assertEquals(0xcecece, Images.pixels(Images.toRgb(argb))[0]);
    }

    @Test
    void anImageOfOurOwnIsReturnedAsItIs() {
        BufferedImage mine = Images.create(4, 3, 0x123456);
        assertSame(mine, Images.toRgb(mine));
        BufferedImage plain = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
        assertSame(plain, Images.toRgb(plain));
    }
    /**
     * Byte-interleaved images (what ImageIO's PNG and JPEG readers make), read from their arrays
     * directly: every pixel as the per-pixel rule says, computed here from {@code Raster.getPixel}
     * (gray: stored value; alpha over white, rounded; premultiplied: c + 255(1 - a)), for BGR, RGB
     * band orders, gray, gray + alpha, ABGR, premultiplied ABGR, and a sub-image of each (offset,
     * translated raster).
     */
    @Test
    void byteInterleavedImagesConvertAsThePerPixelRule() {
        java.util.Random random = new java.util.Random(5);
        java.awt.color.ColorSpace srgb = java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB);
        java.awt.color.ColorSpace gray = java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_GRAY);
        java.util.List<BufferedImage> images = new java.util.ArrayList<>();
        images.add(new BufferedImage(37, 23, BufferedImage.TYPE_3BYTE_BGR));
        images.add(new BufferedImage(37, 23, BufferedImage.TYPE_4BYTE_ABGR));
        images.add(new BufferedImage(37, 23, BufferedImage.TYPE_4BYTE_ABGR_PRE));
        images.add(new BufferedImage(37, 23, BufferedImage.TYPE_BYTE_GRAY));
        images.add(javax.imageio.ImageTypeSpecifier.createInterleaved(srgb, new int[] {0, 1, 2},
                java.awt.image.DataBuffer.TYPE_BYTE, false, false).createBufferedImage(37, 23));
        images.add(javax.imageio.ImageTypeSpecifier.createInterleaved(srgb, new int[] {0, 1, 2, 3},
                java.awt.image.DataBuffer.TYPE_BYTE, true, false).createBufferedImage(37, 23));
        images.add(javax.imageio.ImageTypeSpecifier.createInterleaved(gray, new int[] {0, 1},
                java.awt.image.DataBuffer.TYPE_BYTE, true, false).createBufferedImage(37, 23));
        for (BufferedImage whole : images) {
            java.awt.image.WritableRaster r = whole.getRaster();
            int[] px = new int[r.getNumBands()];
            boolean pre = whole.getColorModel().isAlphaPremultiplied();
            for (int y = 0; y < 23; y++) {
                for (int x = 0; x < 37; x++) {
                    for (int b = 0; b < px.length; b++) {
                        px[b] = random.nextInt(256);
                    }
                    if (pre) { // a premultiplied colour is at most its alpha
                        for (int b = 0; b < px.length - 1; b++) {
                            px[b] = Math.min(px[b], px[px.length - 1]);
                        }
                    }
                    r.setPixel(x, y, px);
                }
            }
            for (BufferedImage img : java.util.List.of(whole, whole.getSubimage(5, 3, 20, 17))) {
                BufferedImage rgb = Images.toRgb(img);
                int[] got = Images.pixels(rgb);
                java.awt.image.Raster src = img.getRaster();
                int colors = img.getColorModel().getNumColorComponents();
                boolean alpha = img.getColorModel().hasAlpha();
                for (int y = 0; y < img.getHeight(); y++) {
                    for (int x = 0; x < img.getWidth(); x++) {
                        src.getPixel(src.getMinX() + x, src.getMinY() + y, px);
                        int[] c = colors == 1 ? new int[] {px[0], px[0], px[0]} : new int[] {px[0], px[1], px[2]};
                        if (alpha) {
                            double a = px[colors] / 255.0;
                            for (int k = 0; k < 3; k++) {
                                c[k] = (int) Math.round(pre ? c[k] + 255 * (1 - a) : c[k] * a + 255 * (1 - a));
                            }
                        }
                        int want = (c[0] << 16) | (c[1] << 8) | c[2];
                        assertEquals(want, got[y * img.getWidth() + x], "type " + img.getType() + " " + img.getWidth()
                                + "x" + img.getHeight() + " pixel " + x + "," + y);
                    }
                }
            }
        }
    }
}
