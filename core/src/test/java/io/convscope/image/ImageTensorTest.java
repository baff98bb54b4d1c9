package io.convscope.image;

import static io.convscope.image.TestImages.RED;
import static io.convscope.image.TestImages.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.convscope.ConvscopeException;
import io.convscope.network.Preprocessing;
import io.convscope.network.TensorShape;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageTensorTest {
    private static final float EPS = 1e-4f;

    @Test
    void caffeReordersToBgrAndSubtractsTheMeans() {
        ImageTensor t = ImageTensor.of(TestImages.solid(2, 2, RED), "red", TensorShape.chw(3, 2, 2),
                Preprocessing.CAFFE, Resize.CROP);
        assertEquals(1, t.n());
        assertEquals(3, t.c());
        assertEquals(List.of("red"), t.names());
        // channel 0 is blue: 0 - 103.939; channel 1 green: 0 - 116.779; channel 2 red: 255 - 123.68
        assertEquals(0 - 103.939f, t.data()[0], EPS);
        assertEquals(0 - 116.779f, t.data()[4], EPS);
        assertEquals(255 - 123.68f, t.data()[8], EPS);
    }

    @Test
    void torchAndTfScaling() {
        BufferedImage px = TestImages.solid(1, 1, 0xFF8000);
        float[] torch = ImageTensor.of(px, "p", TensorShape.chw(3, 1, 1), Preprocessing.TORCH, Resize.CROP).data();
        assertEquals((1f - 0.485f) / 0.229f, torch[0], EPS);
        assertEquals((128 / 255f - 0.456f) / 0.224f, torch[1], EPS);
        assertEquals((0f - 0.406f) / 0.225f, torch[2], EPS);
        float[] tf = ImageTensor.of(px, "p", TensorShape.chw(3, 1, 1), Preprocessing.TF, Resize.CROP).data();
        assertArrayEquals(new float[] {1f, 128 / 127.5f - 1, -1f}, tf, EPS);
    }

    @Test
    void layoutIsNchw() {
        // two 3×2 images; value at (x, y) encodes x, y and the channel
        BufferedImage a = TestImages.rgb(3, 2, (x, y) -> (x << 16) | (y << 8) | 7);
        BufferedImage b = TestImages.rgb(3, 2, (x, y) -> ((10 + x) << 16) | ((10 + y) << 8) | 9);
        ImageTensor t = ImageTensor.of(List.of(a, b), List.of("a", "b"), TensorShape.chw(3, 2, 3),
                Preprocessing.RAW, Resize.STRETCH);
        assertEquals(2 * 3 * 2 * 3, t.data().length);
        assertEquals(18, t.sampleSize());
        for (int n = 0; n < 2; n++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 3; x++) {
                    int base = n * 18 + y * 3 + x;
                    assertEquals(n * 10 + x, t.data()[base], "R of image " + n);
                    assertEquals(n * 10 + y, t.data()[base + 6], "G of image " + n);
                    assertEquals(n == 0 ? 7 : 9, t.data()[base + 12], "B of image " + n);
                }
            }
        }
        assertArrayEquals(java.util.Arrays.copyOfRange(t.data(), 18, 36), t.sample(1));
    }

    @Test
    void grayImageIntoRgbModelIsReplicated() {
        BufferedImage gray = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(0, 0, 0, 100);
        gray.getRaster().setSample(1, 0, 0, 200);
        ImageTensor t = ImageTensor.of(gray, "g", TensorShape.chw(3, 1, 2), Preprocessing.RAW, Resize.STRETCH);
        assertArrayEquals(new float[] {100, 200, 100, 200, 100, 200}, t.data());
    }

    @Test
    void rgbImageIntoGrayModelIsLuma() {
        int[] colours = {0xFF0000, 0x00FF00, 0x0000FF, 0x0A141E, 0xFFFFFF};
        BufferedImage img = TestImages.rgb(5, 1, (x, y) -> colours[x]);
        ImageTensor t = ImageTensor.of(img, "c", TensorShape.chw(1, 1, 5), Preprocessing.RAW, Resize.STRETCH);
        // 0.299 * 255 = 76.2; 0.587 * 255 = 149.7; 0.114 * 255 = 29.1; 2.99 + 11.74 + 3.42 = 18.15
        assertArrayEquals(new float[] {76, 150, 29, 18, 255}, t.data());
        assertEquals(1, t.c());
    }

    @Test
    void toImageInvertsThePreprocessing() {
        Random rnd = new Random(5);
        BufferedImage src = TestImages.rgb(7, 5, (x, y) -> rnd.nextInt() & 0xFFFFFF);
        for (Preprocessing pre : List.of(Preprocessing.CAFFE, Preprocessing.TORCH, Preprocessing.TF,
                Preprocessing.UNIT, Preprocessing.RAW)) {
            ImageTensor t = ImageTensor.of(src, "x", TensorShape.chw(3, 5, 7), pre, Resize.STRETCH);
            BufferedImage back = t.toImage(0, pre);
            for (int y = 0; y < 5; y++) {
                for (int x = 0; x < 7; x++) {
                    assertEquals(hex(src.getRGB(x, y)), hex(back.getRGB(x, y)), pre + " at " + x + "," + y);
                }
            }
        }
    }

    @Test
    void toImageClipsAndHandlesOneChannel() {
        float[] chw = {-50f, 300f, 127.4f, Float.NaN};
        BufferedImage g = ImageTensor.toImage(chw, 1, 2, 2, Preprocessing.RAW);
        assertEquals(hex(0x000000), hex(g.getRGB(0, 0)));
        assertEquals(hex(0xFFFFFF), hex(g.getRGB(1, 0)));
        assertEquals(hex(0x7F7F7F), hex(g.getRGB(0, 1)));
        assertEquals(hex(0x000000), hex(g.getRGB(1, 1)));
        // caffe (BGR): channel 2 is red
        float[] red = {-103.939f, -116.779f, 255 - 123.68f};
        assertEquals(hex(RED), hex(ImageTensor.toImage(red, 3, 1, 1, Preprocessing.CAFFE).getRGB(0, 0)));
    }

    @Test
    void padFillsWithTheMeanSoPaddingIsZeroInput() {
        BufferedImage wide = TestImages.solid(40, 20, RED);
        ImageTensor t = ImageTensor.of(wide, "w", TensorShape.chw(3, 20, 20), Preprocessing.CAFFE, Resize.PAD);
        // 20×10 in rows 5 .. 14; row 0 is padding: within half a pixel value of zero in every channel
        for (int c = 0; c < 3; c++) {
            assertEquals(0f, t.data()[c * 400], 0.5f, "channel " + c);
            assertEquals(0f, t.data()[c * 400 + 19 * 20 + 19], 0.5f, "channel " + c);
        }
        assertEquals(255 - 123.68f, t.data()[2 * 400 + 10 * 20 + 10], EPS);
        assertEquals(hex(0x7C7568), hex(ImageTensor.padColor(Preprocessing.CAFFE))); // 124, 117, 104
        assertEquals(hex(0x000000), hex(ImageTensor.padColor(Preprocessing.UNIT)));
        ImageLoaderTest.assertNear(0x808080, ImageTensor.padColor(Preprocessing.TF), 1); // 127.5: mid-gray
    }

    @Test
    void anySizeModelKeepsEachImageSize() {
        TensorShape any = TensorShape.chw(3, -1, -1);
        ImageTensor t = ImageTensor.of(List.of(TestImages.solid(6, 4, RED), TestImages.solid(6, 4, 0)),
                List.of("a", "b"), any, Preprocessing.RAW, Resize.CROP);
        assertEquals(4, t.h());
        assertEquals(6, t.w());
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> ImageTensor.of(
                List.of(TestImages.solid(6, 4, RED), TestImages.solid(5, 4, 0)), List.of("a.png", "b.png"), any,
                Preprocessing.RAW, Resize.CROP));
        assertTrue(e.getMessage().contains("a.png is 6×4 but b.png is 5×4"), e.getMessage());
        // a size resolves the unknown dimensions, and then both fit
        TensorShape sized = ImageTensor.withSize(any, 3, 3);
        assertEquals(TensorShape.chw(3, 3, 3), sized);
        ImageTensor s = ImageTensor.of(List.of(TestImages.solid(6, 4, RED), TestImages.solid(5, 4, 0)),
                List.of("a", "b"), sized, Preprocessing.RAW, Resize.CROP);
        assertEquals(3, s.w());
    }

    @Test
    void oneUnknownDimensionKeepsTheAspectRatio() {
        ImageTensor t = ImageTensor.of(TestImages.solid(60, 30, RED), "x", TensorShape.chw(3, 10, -1),
                Preprocessing.RAW, Resize.CROP);
        assertEquals(10, t.h());
        assertEquals(20, t.w());
    }

    @Test
    void sizeThatContradictsTheModelIsRefused() {
        ConvscopeException e = assertThrows(ConvscopeException.class,
                () -> ImageTensor.withSize(TensorShape.chw(3, 224, 224), 300, 300));
        assertTrue(e.getMessage().contains("224×224"), e.getMessage());
        assertEquals(TensorShape.chw(3, 224, 224), ImageTensor.withSize(TensorShape.chw(3, 224, 224), 224, 224));
    }

    @Test
    void unsupportedInputsAreUserErrors() {
        BufferedImage img = TestImages.solid(2, 2, RED);
        assertThrows(ConvscopeException.class,
                () -> ImageTensor.of(img, "x", TensorShape.chw(4, 2, 2), Preprocessing.RAW, Resize.CROP));
        assertThrows(ConvscopeException.class,
                () -> ImageTensor.of(img, "x", TensorShape.of(10), Preprocessing.RAW, Resize.CROP));
        assertThrows(ConvscopeException.class,
                () -> ImageTensor.of(List.of(), List.of(), TensorShape.chw(3, 2, 2), Preprocessing.RAW, Resize.CROP));
    }

    @Test
    void loadsFilesWithTheirPathsAsNames(@TempDir Path dir) {
        Path a = TestImages.write(TestImages.solid(8, 8, RED), "png", dir.resolve("a.png"));
        Path b = TestImages.write(TestImages.solid(16, 8, 0x0000FF), "bmp", dir.resolve("b.bmp"));
        ImageTensor t = ImageTensor.load(List.of(a, b), TensorShape.chw(3, 4, 4), Preprocessing.RAW, Resize.CROP);
        assertEquals(List.of(a.toString(), b.toString()), t.names());
        assertEquals(255f, t.data()[0]);                 // a: red channel
        assertEquals(255f, t.data()[48 + 2 * 16 + 5]);   // b: blue channel
    }
}
