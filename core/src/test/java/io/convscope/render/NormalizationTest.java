package io.convscope.render;

import io.convscope.ConvscopeException;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NormalizationTest {

    /** The colormap entries (Chollet's bytes) a heatmap selects. */
    private static int[] bytes(Heatmap h) {
        int[] b = new int[h.unit().length];
        for (int i = 0; i < b.length; i++) {
            b[i] = Colormap.index(h.unit()[i]);
        }
        return b;
    }

    @Test
    void standardizeGivesCholletsBytes() {
        // mean 2.5, population std sqrt(1.25) = 1.118034:
        // (1-2.5)/1.118034*64+128 = 42.13, 99.38, 156.62, 213.87 -> truncated
        Heatmap h = Normalization.STANDARDIZE.channel(new float[] {1, 2, 3, 4}, 0, 2, 2, null);
        assertArrayEquals(new int[] {42, 99, 156, 213}, bytes(h));
        assertFalse(h.dead());
    }

    @Test
    void standardizeClipsToByteRange() {
        // seven zeros and a 10: mean 1.25, std sqrt(10.9375) = 3.307189;
        // 0 -> 128 - 1.25/3.307189*64 = 103.81 -> 103; 10 -> 128 + 8.75/3.307189*64 = 297.3 -> 255
        float[] x = {0, 0, 0, 0, 0, 0, 0, 10};
        Heatmap h = Normalization.STANDARDIZE.channel(x, 0, 4, 2, null);
        assertArrayEquals(new int[] {103, 103, 103, 103, 103, 103, 103, 255}, bytes(h));
        // the low end clips at 0
        Heatmap g = Normalization.STANDARDIZE.channel(new float[] {-100, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0, 10, 1, null);
        // mean -10, std 30: -100 -> (-90/30)*64+128 = -64 -> 0; 0 -> (10/30)*64+128 = 149.33 -> 149
        assertEquals(0, bytes(g)[0]);
        assertEquals(149, bytes(g)[1]);
    }

    @Test
    void standardizedMapsAreTheFormulasBytesEvenAtTheBoundaries() {
        // the fast path multiplies by 64 / std; every value must still get standardizedByte's byte, also
        // values whose standardized value is within rounding of a whole number, 0 or 255, zeros of both
        // signs, NaN and infinities
        java.util.Random r = new java.util.Random(8);
        double[][] meanStd = {{0, 1}, {0.3, 0.7}, {-2.5, 3.25}, {1e-3, 1e-5}, {100, 1e4}, {0.1, 0.1}};
        for (double[] ms : meanStd) {
            double mean = ms[0];
            double std = ms[1];
            float[] x = new float[4096];
            for (int i = 0; i < x.length; i++) {
                int kind = i % 4;
                if (kind == 0) {
                    // on or next to a boundary: v = b (+ a few float steps)
                    float f = (float) (mean + (r.nextInt(300) - 20 - 128) / 64.0 * std);
                    for (int s = r.nextInt(5) - 2; s < 0; s++) {
                        f = Math.nextDown(f);
                    }
                    for (int s = r.nextInt(3); s > 0; s--) {
                        f = Math.nextUp(f);
                    }
                    x[i] = f;
                } else if (kind == 1) {
                    x[i] = (float) (mean + r.nextGaussian() * std * 3);
                } else if (kind == 2) {
                    x[i] = r.nextBoolean() ? 0f : -0f;
                } else {
                    float[] odd = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -Float.MAX_VALUE,
                        Float.MIN_VALUE, (float) mean, 1e30f};
                    x[i] = odd[r.nextInt(odd.length)];
                }
            }
            Heatmap h = Normalization.standardized(x, 0, 64, 64, mean, std, -1, 1);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Normalization.standardizedByte(x[i], mean, std), Math.round(h.unit()[i] * 255), x[i] + " with mean "
                        + mean + ", std " + std);
            }
        }
    }

    @Test
    void standardizedByteFormula() {
        assertEquals(128, Normalization.standardizedByte(5, 5, 2));
        assertEquals(192, Normalization.standardizedByte(7, 5, 2));
        assertEquals(255, Normalization.standardizedByte(9, 5, 2)); // 256 -> clipped
        assertEquals(0, Normalization.standardizedByte(1, 5, 2));
        assertEquals(128, Normalization.standardizedByte(3, 3, 0)); // constant: no noise
        assertEquals(0, Normalization.standardizedByte(Double.NaN, 3, 1));
        assertEquals(0, Normalization.standardizedByte(Double.NaN, 3, 0));
        assertEquals(255, Normalization.standardizedByte(Double.POSITIVE_INFINITY, 3, 0));
    }

    @Test
    void channelAtAnOffsetOfALayer() {
        float[] layer = {9, 9, 9, 9, 1, 2, 3, 4};
        Heatmap[] maps = Normalization.STANDARDIZE.layer(layer, 2, 2, 2);
        assertArrayEquals(new int[] {42, 99, 156, 213}, bytes(maps[1]));
        assertArrayEquals(new int[] {128, 128, 128, 128}, bytes(maps[0])); // constant, not dead
        assertFalse(maps[0].dead());
    }

    @Test
    void nonSquareMapsKeepHeightAndWidth() {
        // 2 channels of 2 rows x 3 columns, in CHW order
        float[] chw = {0, 1, 2, 3, 4, 5, 5, 4, 3, 2, 1, 0};
        Heatmap[] maps = Normalization.MINMAX.layer(chw, 2, 2, 3);
        assertEquals(3, maps[1].width());
        assertEquals(2, maps[1].height());
        assertArrayEquals(new float[] {1f, 0.8f, 0.6f, 0.4f, 0.2f, 0f}, maps[1].unit(), 1e-6f);
        BufferedImage img = maps[0].toImage(Colormap.GRAY, 1);
        assertEquals(3, img.getWidth());
        assertEquals(2, img.getHeight());
        assertEquals(Colormap.GRAY.rgb(0.6f), img.getRGB(0, 1) & 0xffffff); // row 1, column 0: value 3 of 0..5
        // channel() takes width before height
        Heatmap one = Normalization.MINMAX.channel(chw, 6, 3, 2, null);
        assertEquals(3, one.width());
        assertEquals(2, one.height());
        assertArrayEquals(maps[1].unit(), one.unit());
    }

    @Test
    void minmaxScalesEachChannelToItsOwnRange() {
        float[] layer = {2, 4, 6, 10, 0, 1, 0, 0.5f};
        Heatmap[] maps = Normalization.MINMAX.layer(layer, 2, 1, 4);
        assertArrayEquals(new float[] {0f, 0.25f, 0.5f, 1f}, maps[0].unit(), 1e-7f);
        assertArrayEquals(new float[] {0f, 1f, 0f, 0.5f}, maps[1].unit(), 1e-7f);
    }

    @Test
    void layerUsesOneScaleForAllChannels() {
        float[] layer = {0, 1, 2, 4};
        Heatmap[] maps = Normalization.LAYER.layer(layer, 2, 1, 2);
        assertArrayEquals(new float[] {0f, 0.25f}, maps[0].unit(), 1e-7f);
        assertArrayEquals(new float[] {0.5f, 1f}, maps[1].unit(), 1e-7f);
        // per channel, the first channel would span the whole scale
        assertArrayEquals(new float[] {0f, 1f}, Normalization.MINMAX.layer(layer, 2, 1, 2)[0].unit(), 1e-7f);
        // a constant channel keeps its place on the layer's scale
        Heatmap[] c = Normalization.LAYER.layer(new float[] {3, 3, 0, 4}, 2, 1, 2);
        assertArrayEquals(new float[] {0.75f, 0.75f}, c[0].unit(), 1e-7f);
    }

    @Test
    void constantChannelsAreFlatNotNoise() {
        // 0.1f is inexact in binary: any rounding in mean/std must not turn into ±noise
        float[] x = new float[49];
        java.util.Arrays.fill(x, 0.1f);
        for (Normalization n : Normalization.values()) {
            Heatmap h = n.channel(x, 0, 7, 7, null);
            assertFalse(h.dead(), n.name());
            for (float u : h.unit()) {
                assertEquals(h.unit()[0], u, n.name());
            }
        }
        assertEquals(128, Colormap.index(Normalization.STANDARDIZE.channel(x, 0, 7, 7, null).unit()[0]));
        assertEquals(0.5f, Normalization.MINMAX.channel(x, 0, 7, 7, null).unit()[0]);
        // a larger constant where the double mean cannot be exact in float either
        float[] y = new float[1000];
        java.util.Arrays.fill(y, 1234.567f);
        for (int b : bytes(Normalization.STANDARDIZE.channel(y, 0, 1000, 1, null))) {
            assertEquals(128, b);
        }
    }

    @Test
    void allZeroChannelsAreDeadUnderEveryNormalization() {
        float[] layer = {0f, -0f, 0f, 0f, 0f, 0f, 0f, 3f};
        for (Normalization n : Normalization.values()) {
            Heatmap[] maps = n.layer(layer, 2, 2, 2);
            assertTrue(maps[0].dead(), n.name());
            assertArrayEquals(new float[4], maps[0].unit(), n.name());
            assertFalse(maps[1].dead(), n.name()); // one non-zero value makes a channel alive
        }
        assertTrue(Normalization.isDead(new float[] {-0f, 0f}, 0, 2));
        assertFalse(Normalization.isDead(new float[] {0f, 1e-30f}, 0, 2));
        assertFalse(Normalization.isDead(new float[] {0f, Float.NaN}, 0, 2));
    }

    @Test
    void nonFiniteValuesDoNotSpoilTheStatistics() {
        float[] x = {1, 2, 3, 4, Float.NaN, Float.POSITIVE_INFINITY};
        Heatmap s = Normalization.STANDARDIZE.channel(x, 0, 6, 1, null);
        // the finite values give the same bytes as without the others (mean/std over 1..4)
        assertArrayEquals(new int[] {42, 99, 156, 213, 0, 255}, bytes(s));
        // a constant channel with a NaN: flat 128, the NaN at 0
        Heatmap c = Normalization.STANDARDIZE.channel(new float[] {2, 2, Float.NaN}, 0, 3, 1, null);
        assertArrayEquals(new int[] {128, 128, 0}, bytes(c));
        Heatmap m = Normalization.MINMAX.channel(x, 0, 6, 1, null);
        assertArrayEquals(new float[] {0f, 1 / 3f, 2 / 3f, 1f, 0f, 1f}, m.unit(), 1e-6f);
    }

    @Test
    void rangeIgnoresInfinitiesAndEmpty() {
        assertEquals(new Range(-1f, 5f), Range.of(new float[] {Float.NEGATIVE_INFINITY, -1, 5, Float.NaN}));
        assertEquals(new Range(0f, 0f), Range.of(new float[] {Float.NaN}));
    }

    @Test
    void layerChecksItsSize() {
        assertThrows(IllegalArgumentException.class, () -> Normalization.MINMAX.layer(new float[7], 2, 2, 2));
    }

    @Test
    void namesAndLookup() {
        assertEquals(java.util.List.of("standardize", "minmax", "layer"), Normalization.names());
        assertEquals(Normalization.LAYER, Normalization.byName("LAYER"));
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> Normalization.byName("min-max"));
        assertEquals("unknown normalization 'min-max'; did you mean minmax?", e.getMessage());
    }
}
