package io.convscope.activations;

import io.convscope.image.ImageTensor;
import io.convscope.network.Network;
import io.convscope.network.TensorShape;
import io.convscope.render.BarChart;
import io.convscope.render.Colormap;
import io.convscope.render.Images;
import io.convscope.render.Normalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14's activations pictures: 1×1 maps as bars, class names on class maps, compare cells sized
 * to the maps, "zero here" rather than "dead", and random weights said in every title.
 */
class FirstHourViewsTest {
    @TempDir
    Path tmp;

    /** One layer named {@code name} of C×H×W values, on {@code images} gray pictures of {@code side} pixels. */
    static Activations single(String network, String name, int c, int h, int w, int side, float[]... values) {
        List<LayerStats> stats = new ArrayList<>();
        List<BufferedImage> pics = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            stats.add(LayerStats.of(values[i], 0, c, h * w));
            pics.add(Images.create(side, side, 0x808080));
            names.add("img" + i + ".png");
        }
        LayerActivations l = new LayerActivations(7, name, "Conv2D", TensorShape.chw(c, h, w), List.of(values), stats);
        ImageTensor in = new ImageTensor(new float[values.length * side * side], values.length, 1, side, side, names);
        return Activations.of(network, in, pics, List.of(l));
    }

    static ActivationViews.Options views(ActivationViews.View... v) {
        return new ActivationViews.Options(EnumSet.of(v[0], v), 16, 3, LayerStats.Rank.SUM, Normalization.STANDARDIZE,
                Colormap.VIRIDIS, null, 250, 2);
    }

    static int count(BufferedImage img, int rgb) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                n += (img.getRGB(x, y) & 0xffffff) == rgb ? 1 : 0;
            }
        }
        return n;
    }

    @Test
    void aLayerOfOneByOneMapsIsABarChart() throws IOException {
        float[] v = new float[40];
        for (int c = 0; c < v.length; c++) {
            v[c] = c % 7;
        }
        Activations a = single("net", "pool", 40, 1, 1, 8, v);
        ActivationViews.render(a, views(ActivationViews.View.GRID), tmp);
        BufferedImage img = ImageIO.read(tmp.resolve("img0/07_pool.png").toFile());
        // bars in two colours: the 3 highest named, the others plain; a grid of squares has neither colour
        int bw = BarChart.barWidth(40);
        assertTrue(count(img, 0xd62728) > 0 && count(img, 0x3b528b) > 0, "bars drawn");
        assertTrue(img.getWidth() >= 40 * bw && img.getWidth() < 40 * bw + 200, "one bar per channel: " + img.getWidth());
        // the tallest bar (value 6) is 6/6 of the plot, a bar of value 3 half of it
        int x6 = column(img, 6, bw);
        int x3 = column(img, 3, bw);
        double ratio = (double) height(img, x3) / height(img, x6);
        assertEquals(0.5, ratio, 0.02, "bar heights are proportional to the values");
    }

    /** The x of the middle of channel c's bar: the first bar drawn is channel 1's (channel 0 is 0). */
    private static int column(BufferedImage img, int c, int bw) {
        for (int x = 0; x < img.getWidth(); x++) {
            for (int y = BarChart.PLOT_TOP; y < BarChart.PLOT_TOP + BarChart.PLOT_HEIGHT; y++) {
                int p = img.getRGB(x, y) & 0xffffff;
                if (p == 0x3b528b || p == 0xd62728) {
                    return x + (c - 1) * bw + bw / 2 - (bw > 2 ? 1 : 0);
                }
            }
        }
        throw new AssertionError("no bar");
    }

    private static int height(BufferedImage img, int x) {
        int n = 0;
        for (int y = BarChart.PLOT_TOP; y < BarChart.PLOT_TOP + BarChart.PLOT_HEIGHT; y++) {
            int p = img.getRGB(x, y) & 0xffffff;
            n += p == 0x3b528b || p == 0xd62728 ? 1 : 0;
        }
        return n;
    }

    @Test
    void classMapChannelsAreCaptionedWithTheirClass() throws IOException {
        float[] v = new float[4 * 9];
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 5;
        }
        Activations plain = single("net", "conv", 4, 3, 3, 8, v);
        Activations named = plain.withChannelNames(Map.of("conv", List.of("tench", "goldfish", "Egyptian cat", "tabby")));
        assertEquals("Egyptian cat", named.channelName(named.layers().get(0), 2));
        assertEquals(null, plain.channelName(plain.layers().get(0), 2));
        ActivationViews.render(plain, views(ActivationViews.View.GRID), tmp.resolve("a"));
        ActivationViews.render(named, views(ActivationViews.View.GRID), tmp.resolve("b"));
        BufferedImage a = ImageIO.read(tmp.resolve("a/img0/07_conv.png").toFile());
        BufferedImage b = ImageIO.read(tmp.resolve("b/img0/07_conv.png").toFile());
        assertFalse(java.util.Arrays.equals(Images.pixels(Images.toRgb(a)), Images.pixels(Images.toRgb(b))) && a.getHeight() == b.getHeight(),
                "the grid's captions differ");
        // the captions "2 Egyptian cat" are wider than "2": the cells grow to hold them
        io.convscope.render.Heatmap[] maps = Normalization.STANDARDIZE.layer(v, 4, 3, 3);
        LayerActivations l = named.layers().get(0);
        int wa = ActivationViews.grid("t", maps, views(ActivationViews.View.GRID), null).getWidth();
        int wb = ActivationViews.grid("t", maps, views(ActivationViews.View.GRID), null, c -> named.channelName(l, c)).getWidth();
        int caption = io.convscope.render.Text.width("2 Egyptian cat", 1);
        assertTrue(wa < 4 * caption && wb >= 4 * caption, wa + " → " + wb);
        assertEquals(" · Egyptian cat", ActivationViews.channelNote(named, named.layers().get(0), 2,
                new io.convscope.render.Heatmap(new float[9], 3, 3, false)));
    }

    @Test
    void compareCellsFitTheMapsNotTheInput() {
        // SqueezeNet's concat3: 27×27 maps drawn 108 px wide beside a 224 px input made 224 px cells
        float[] v = new float[4 * 27 * 27];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i * 31 % 17) / 17f;
        }
        Activations a = single("net", "concat3", 4, 27, 27, 224, v, v.clone());
        BufferedImage sheet = CompareView.picture(a, a.layers().get(0), views(ActivationViews.View.COMPARE));
        int cells = 1 + 3;
        assertTrue(sheet.getWidth() <= cells * (108 + 4) + 2 * 8 + 8, "cells of 108 px, not 224: " + sheet.getWidth());
        BufferedImage tile = CompareView.inputTile(a.inputImages().get(0), a.layers().get(0));
        assertEquals(108, tile.getWidth());
        // a small input (Fashion-MNIST's 28 px beside 14×14 maps) is left to the grid's enlarging
        Activations small = single("net", "c", 2, 14, 14, 28, new float[2 * 196]);
        assertEquals(28, CompareView.inputTile(small.inputImages().get(0), small.layers().get(0)).getWidth());
    }

    @Test
    void anAllZeroChannelIsZeroHereAndRandomWeightsAreSaid() throws IOException {
        float[] v = new float[2 * 16];
        for (int i = 16; i < 32; i++) {
            v[i] = i;
        }
        Activations a = single("vgg16" + Network.RANDOM_WEIGHTS, "conv", 2, 4, 4, 8, v);
        assertTrue(Network.saysRandomWeights(a.network()));
        String label = ActivationViews.label(a, 0, a.layers().get(0));
        assertTrue(label.endsWith(" · random weights"), label);
        assertFalse(ActivationViews.label(single("vgg16", "conv", 2, 4, 4, 8, v), 0, a.layers().get(0)).contains("random"));
        assertEquals(" (zero here)", ActivationViews.channelNote(a, a.layers().get(0), 0, Normalization.STANDARDIZE
                .layer(v, 2, 4, 4)[0]));
        assertTrue(StatsReport.table(a).split("\n")[0].endsWith("zero here") && !StatsReport.table(a).contains("dead"),
                StatsReport.table(a));
        // the tile says so: a 64 px tile has room for "zero here" on one line, a 32 px one on two
        BufferedImage wide = Images.create(64, 64, 0xffffff);
        Images.drawDead(wide, 0, 0, 64, 64);
        BufferedImage narrow = Images.create(32, 32, 0xffffff);
        Images.drawDead(narrow, 0, 0, 32, 32);
        int textWide = count(wide, Images.DEAD_TEXT);
        int textNarrow = count(narrow, Images.DEAD_TEXT);
        assertTrue(textWide > 0 && textNarrow > 0, textWide + " " + textNarrow);
        assertEquals(textWide, textNarrow, "the same letters, on one line or two");
        BufferedImage old = Images.create(64, 64, 0xffffff);
        io.convscope.render.Text.draw(old, 0, 0, "dead", Images.DEAD_TEXT, 1);
        assertNotEquals(count(old, Images.DEAD_TEXT), textWide, "not the word dead");
    }
}
