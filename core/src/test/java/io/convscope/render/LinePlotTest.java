package io.convscope.render;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinePlotTest {

    @Test
    void niceSteps() {
        assertEquals(1, LinePlot.niceStep(0.7), 1e-12);
        assertEquals(2, LinePlot.niceStep(1.3), 1e-12);
        assertEquals(5, LinePlot.niceStep(3), 1e-12);
        assertEquals(10, LinePlot.niceStep(7), 1e-12);
        assertEquals(0.02, LinePlot.niceStep(0.015), 1e-12);
        assertEquals(200, LinePlot.niceStep(200), 1e-12);
    }

    @Test
    void tickLabels() {
        assertEquals("0", LinePlot.format(0, 0.5));
        assertEquals("0", LinePlot.format(1e-17, 0.1)); // rounding residue of a tick sum
        assertEquals("1.5", LinePlot.format(1.5, 0.5));
        assertEquals("150", LinePlot.format(150, 50));
        assertEquals("0.25", LinePlot.format(0.25, 0.05));
        assertEquals("2.5e-4", LinePlot.format(2.5e-4, 5e-5));
        assertEquals("1.2e6", LinePlot.format(1.2e6, 2e5));
        assertEquals("-3e5", LinePlot.format(-3e5, 1e5));
        assertEquals("1e5", LinePlot.format(99999.9, 1e5));
        assertEquals("0.3", LinePlot.format(0.1 + 0.2, 0.1));
    }

    /** Rows (top to bottom) where series colour {@code rgb} appears in column {@code x}, as {min, max}. */
    private static int[] rows(BufferedImage img, int x, int rgb) {
        int min = -1;
        int max = -1;
        for (int y = 0; y < img.getHeight(); y++) {
            if ((img.getRGB(x, y) & 0xffffff) == rgb) {
                min = min < 0 ? y : min;
                max = y;
            }
        }
        return new int[] {min, max};
    }

    private static int[] columns(BufferedImage img, int rgb) {
        int min = -1;
        int max = -1;
        for (int x = 0; x < img.getWidth(); x++) {
            for (int y = 0; y < img.getHeight(); y++) {
                if ((img.getRGB(x, y) & 0xffffff) == rgb) {
                    min = min < 0 ? x : min;
                    max = x;
                    break;
                }
            }
        }
        return new int[] {min, max};
    }

    @Test
    void risingAndFallingSeriesAreDrawnInTheirColours() {
        double[] up = new double[50];
        double[] down = new double[50];
        for (int i = 0; i < 50; i++) {
            up[i] = i;
            down[i] = 49 - i;
        }
        BufferedImage img = new LinePlot("").series("up", up).series("down", down).render();
        int blue = LinePlot.color(0);
        int orange = LinePlot.color(1);
        assertEquals(0x1f77b4, blue);
        assertEquals(blue, LinePlot.color(10));
        int[] bx = columns(img, blue);
        int left = bx[0] + 2;
        int right = bx[1] - 2;
        // up goes from bottom-left to top-right, down the other way (smaller y = higher)
        assertTrue(rows(img, left, blue)[0] > rows(img, right, blue)[0]);
        assertTrue(rows(img, left, orange)[0] < rows(img, right, orange)[0]);
    }

    @Test
    void logAxisSpacesDecadesEvenly() {
        // 1, 10, 100 as three points at x = 0, 1, 2: on a log axis the middle point is halfway
        double[] y = {1, 10, 100};
        BufferedImage img = new LinePlot("log").logY(true).series("", y).render();
        int c = LinePlot.color(0);
        int[] xs = columns(img, c);
        int top = rows(img, xs[1], c)[0];
        int bottom = rows(img, xs[0], c)[1];
        int mid = (xs[0] + xs[1]) / 2;
        int[] m = rows(img, mid, c);
        double centre = (m[0] + m[1]) / 2.0;
        assertEquals((top + bottom) / 2.0, centre, 2.5);
    }

    @Test
    void gapsForValuesALogAxisCannotShow() {
        double[] y = {5, 0, -1, Double.NaN, 3, 2};
        BufferedImage img = new LinePlot("gaps").logY(true).series("loss", y).render();
        assertEquals(640, img.getWidth());
        assertEquals(400, img.getHeight());
    }

    @Test
    void nothingToDrawStillGivesAChart() {
        BufferedImage empty = new LinePlot("no data").render();
        assertEquals(640, empty.getWidth());
        BufferedImage one = new LinePlot("one").series("", new double[] {Double.NaN, 2}).render(); // no legend
        int[] xs = columns(one, LinePlot.color(0));
        assertTrue(xs[0] > 0, "the single point is drawn");
        assertEquals(1, xs[1] - xs[0]); // a 2-pixel dot, no line
    }

    @Test
    void sameDataSamePixels() {
        double[] y = {3, 1, 4, 1, 5, 9, 2, 6};
        BufferedImage a = new LinePlot("pi").xLabel("step").yLabel("loss").series("a", y).size(300, 200).render();
        BufferedImage b = new LinePlot("pi").xLabel("step").yLabel("loss").series("a", y).size(300, 200).render();
        assertArrayEquals(Images.pixels(a), Images.pixels(b));
        assertEquals(300, a.getWidth());
    }

    /** Columns [min, max] holding ink of colour {@code rgb} in rows [y0, y1), or {-1, -1}. */
    private static int[] inkColumns(BufferedImage img, int y0, int y1, int rgb) {
        int min = -1;
        int max = -1;
        for (int y = y0; y < y1; y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) == rgb) {
                    min = min < 0 ? x : Math.min(min, x);
                    max = Math.max(max, x);
                }
            }
        }
        return new int[] {min, max};
    }

    /** Whether {@code text} drawn in {@code rgb} at scale 1 appears, pixel for pixel, somewhere in rows [y0, y1). */
    private static boolean showsText(BufferedImage img, String text, int rgb, int y0, int y1) {
        BufferedImage t = Images.create(Text.width(text, 1), Text.HEIGHT, 0xffffff);
        Text.draw(t, 0, 0, text, rgb, 1);
        int[] tp = Images.pixels(t);
        int[] ip = Images.pixels(img);
        int w = img.getWidth();
        for (int y = y0; y + t.getHeight() <= y1; y++) {
            for (int x = 0; x + t.getWidth() <= w; x++) {
                boolean all = true;
                for (int j = 0; j < t.getHeight() && all; j++) {
                    for (int i = 0; i < t.getWidth() && all; i++) {
                        boolean ink = (tp[j * t.getWidth() + i] & 0xffffff) == rgb;
                        all = ink == ((ip[(y + j) * w + x + i] & 0xffffff) == rgb);
                    }
                }
                if (all) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void aLongTitleIsNeverCutAtTheImageEdges() {
        // 60 characters: 718 px at double size, wider than the 640 px chart (the old code centred the
        // unshortened width, so the title started left of the image and lost both ends)
        String title = "normalized reconstruction error by layer (fashion-mnist-vgg)";
        BufferedImage img = new LinePlot(title).series("e", new double[] {1, 2}).render();
        int[] ink = inkColumns(img, 10, 10 + 2 * Text.LINE, 0x000000);
        assertTrue(ink[0] >= 10 && ink[1] <= img.getWidth() - 10, "title ink from " + ink[0] + " to " + ink[1]);
        assertTrue(showsText(img, title, 0x000000, 0, 40), "the whole title, at the normal size");
        // a title that fits at double size keeps it, centred
        BufferedImage big = new LinePlot("loss").series("e", new double[] {1, 2}).render();
        int[] b = inkColumns(big, 10, 10 + 2 * Text.LINE, 0x000000);
        assertEquals(Text.width("loss", 2), b[1] - b[0] + 1, 2);
        assertEquals(big.getWidth() / 2.0, (b[0] + b[1]) / 2.0, 3);
        // one too long even at the normal size is shortened with an ellipsis inside the image
        String huge = "x".repeat(150);
        int[] h = inkColumns(new LinePlot(huge).render(), 10, 10 + 2 * Text.LINE, 0x000000);
        assertTrue(h[0] >= 10 && h[1] <= 630, h[0] + " " + h[1]);
    }

    @Test
    void categoriesNameTheirPointsUnderTheAxis() {
        List<String> layers = List.of("block1_pool", "block2_pool");
        BufferedImage img = new LinePlot("errors").xLabel("layer").categories(layers)
                .series("", new double[] {0.355, 0.192}).render(); // one unnamed series: no legend
        int label = 0x303030;
        for (String l : layers) {
            assertTrue(showsText(img, l, label, 300, img.getHeight()), l + " under the axis");
        }
        assertTrue(!showsText(img, "0.2", label, 300, img.getHeight()), "no numeric x ticks");
        // the two points sit in the middle of their halves: at 1/4 and 3/4 of the plot, marked
        int[] xs = columns(img, LinePlot.color(0));
        int mid = (xs[0] + xs[1]) / 2;
        assertTrue(xs[0] > 100 && xs[1] < 600, xs[0] + " " + xs[1]);
        assertTrue(Math.abs(mid - 330) < 30, "centre " + mid);
    }

    @Test
    void crowdedCategoriesAreStaggeredOrShortenedNeverOverlapping() {
        List<String> names = List.of("squeezenet0_relu0", "squeezenet0_concat1", "squeezenet0_concat3",
                "squeezenet0_relu25", "squeezenet0_pool3", "squeezenet0_flatten0");
        BufferedImage img = new LinePlot("errors").categories(names).size(640, 300)
                .series("e", new double[] {1, 2, 3, 4, 5, 6}).render();
        int label = 0x303030;
        // 6 slots of 97 px: 19-20 characters (113-119 px) fit only in two staggered rows
        for (String n : names) {
            assertTrue(showsText(img, n, label, 200, 300), n);
        }
        BufferedImage tiny = new LinePlot("errors").categories(names).size(200, 200)
                .series("e", new double[] {1, 2, 3, 4, 5, 6}).render();
        boolean shortened = false;
        for (int k = 1; k < 12 && !shortened; k++) {
            shortened = showsText(tiny, "squeezenet0_".substring(0, k) + "…", label, 120, 200);
        }
        assertTrue(shortened, "labels shortened with an ellipsis");
    }
}
