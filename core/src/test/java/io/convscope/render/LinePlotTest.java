package io.convscope.render;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

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
}
