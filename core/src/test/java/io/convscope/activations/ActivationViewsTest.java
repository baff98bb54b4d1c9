package io.convscope.activations;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.convscope.image.ImageTensor;
import io.convscope.network.TensorShape;
import io.convscope.render.Colormap;
import io.convscope.render.Gif;
import io.convscope.render.Images;
import io.convscope.render.Normalization;
import io.convscope.util.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pictures and files drawn from activations given by hand (no network involved). */
class ActivationViewsTest {
    @TempDir
    Path tmp;

    /** An image-less result: {@code values[i]} is image i's C×H×W layer "conv" (plus a second layer "pool"). */
    static Activations fed(List<String> names, int c, int h, int w, float[]... values) {
        List<LayerStats> stats = new ArrayList<>();
        List<BufferedImage> pics = new ArrayList<>();
        for (float[] v : values) {
            stats.add(LayerStats.of(v, 0, c, h * w));
            pics.add(Images.create(w, h, 0x808080));
        }
        LayerActivations conv = new LayerActivations(1, "conv", "Conv2D", TensorShape.chw(c, h, w), List.of(values), stats);
        float[][] half = new float[values.length][];
        List<LayerStats> halfStats = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            half[i] = Arrays.copyOf(values[i], c * h * w / 2);
            halfStats.add(LayerStats.of(half[i], 0, c, h * w / 2));
        }
        LayerActivations pool = new LayerActivations(2, "pool", "MaxPooling2D", TensorShape.chw(c, h / 2, w),
                List.of(half), halfStats);
        ImageTensor in = new ImageTensor(new float[values.length * h * w], values.length, 1, h, w, names);
        return Activations.of("fed", in, pics, List.of(conv, pool));
    }

    static ActivationViews.Options options(Set<ActivationViews.View> views, Normalization n, Colormap cm, int cols) {
        return new ActivationViews.Options(views, cols, 3, LayerStats.Rank.SUM, n, cm, null, 250, 2);
    }

    /** Five constant channels 1..5 (8×8) under one layer-wide scale: viridis entries 0, 64, 128, 192, 255. */
    static float[] fiveChannels() {
        float[] v = new float[5 * 64];
        for (int c = 0; c < 5; c++) {
            Arrays.fill(v, c * 64, (c + 1) * 64, c + 1);
        }
        return v;
    }

    @Test
    void aLastRowThatIsNotFullLeavesItsCellsEmpty() throws IOException {
        Activations a = fed(List.of("five.png"), 5, 8, 8, fiveChannels());
        ActivationViews.render(a, options(EnumSet.of(ActivationViews.View.GRID), Normalization.LAYER, Colormap.VIRIDIS, 3), tmp);
        BufferedImage g = ImageIO.read(tmp.resolve("five/01_conv.png").toFile());
        int[][] box = new int[5][];
        for (int c = 0; c < 5; c++) {
            box[c] = bounds(g, Colormap.VIRIDIS.rgb(c / 4f));
            assertTrue(box[c] != null, "channel " + c + " is drawn");
            assertEquals(32, box[c][2] - box[c][0] + 1, "an 8×8 map is enlarged to 32 pixels");
        }
        // row 0: channels 0, 1, 2 side by side; row 1: channels 3, 4 under 0 and 1
        assertEquals(box[0][1], box[1][1]);
        assertEquals(box[0][1], box[2][1]);
        assertTrue(box[3][1] > box[0][3], "channel 3 starts a second row");
        assertEquals(box[0][0], box[3][0]);
        assertEquals(box[1][0], box[4][0]);
        assertEquals(box[3][1], box[4][1]);
        // where a sixth channel would be (row 1, column 2): background only
        int cx = (box[2][0] + box[2][2]) / 2;
        int cy = (box[3][1] + box[3][3]) / 2;
        assertEquals(0xffffff, g.getRGB(cx, cy) & 0xffffff);
    }

    @Test
    void standardizedPixelsAreHandComputedBytes(@TempDir Path dir) throws IOException {
        // one 2×2 channel 0, 1, 2, 3: mean 1.5, std √1.25; (x − mean)/std × 64 + 128 → 42.1, 99.4, 156.6, 213.9
        Activations a = fed(List.of("s.png"), 1, 2, 2, new float[] {0, 1, 2, 3});
        ActivationViews.render(a, options(EnumSet.of(ActivationViews.View.CHANNELS), Normalization.STANDARDIZE, Colormap.GRAY, 16), dir);
        BufferedImage one = ImageIO.read(dir.resolve("s/01_conv/c00.png").toFile());
        int[] want = {42, 99, 156, 213};
        for (int k = 0; k < 4; k++) {
            int[] b = bounds(one, want[k] * 0x010101);
            assertTrue(b != null, "gray " + want[k] + " drawn");
            assertEquals(128, b[2] - b[0] + 1, "each cell of a 2×2 map enlarged to 256/2 pixels");
        }
        int[] tl = bounds(one, want[0] * 0x010101);
        int[] br = bounds(one, want[3] * 0x010101);
        assertTrue(tl[0] < br[0] && tl[1] < br[1], "row-major: 0 top left, 3 bottom right");
    }

    @Test
    void topKStatisticsAndDeadChannelsInTheFiles(@TempDir Path dir) throws IOException {
        // channel sums: 0 → 4, 1 → 10, 2 → 0 (dead), 3 → 10, 4 → 6
        float[] v = {1, 1, 1, 1, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 10, 0, 6, 0, 0};
        Activations a = fed(List.of("k.png"), 5, 2, 2, v);
        List<String> files = ActivationViews.render(a, options(EnumSet.of(ActivationViews.View.GRID, ActivationViews.View.TOPK),
                Normalization.STANDARDIZE, Colormap.VIRIDIS, 16), dir);
        JsonObject json = JsonParser.parseString(Files.readString(dir.resolve("stats.json"))).getAsJsonObject();
        JsonObject conv = json.getAsJsonArray("layers").get(0).getAsJsonObject().getAsJsonArray("images").get(0).getAsJsonObject();
        JsonArray top = conv.getAsJsonArray("top");
        assertEquals(3, top.size());
        assertEquals(1, top.get(0).getAsJsonObject().get("channel").getAsInt());
        assertEquals(3, top.get(1).getAsJsonObject().get("channel").getAsInt(), "ties keep channel order");
        assertEquals(4, top.get(2).getAsJsonObject().get("channel").getAsInt());
        assertEquals(10.0, top.get(0).getAsJsonObject().get("score").getAsDouble(), 1e-9);
        assertEquals(1, conv.get("dead_channels").getAsInt());
        // zeros: 4 + 3 + 3 of 20 values
        assertEquals(10.0 / 20, conv.get("zeros").getAsDouble(), 1e-12);
        String csv = Files.readString(dir.resolve("stats.csv"));
        assertTrue(csv.startsWith("image,position,layer,type,height,width,channels,mean,std,min,max,zeros,dead_channels\n"), csv);
        assertTrue(csv.contains("k.png,1,conv,Conv2D,2,2,5,1.5,"), csv); // mean 30/20
        assertTrue(csv.contains(",0.5,1\n"), csv);
        assertEquals(1 + 5 + 5, Files.readAllLines(dir.resolve("channel_stats.csv")).size(), "header + 5 channels × 2 layers");
        // the dead channel is drawn as such in the grid
        BufferedImage g = ImageIO.read(dir.resolve("k/01_conv.png").toFile());
        assertTrue(bounds(g, Images.DEAD_FILL) != null, "dead tile");
        assertTrue(files.contains("k/01_conv_top3.png") && files.contains("k/02_pool_top3.png"), files.toString());
    }

    @Test
    void gifsHoldOneFramePerLayerAndPerChannel(@TempDir Path dir) {
        Activations a = fed(List.of("g.png"), 5, 8, 8, fiveChannels());
        ActivationViews.Options opt = options(EnumSet.of(ActivationViews.View.GIF), Normalization.STANDARDIZE, Colormap.MAGMA, 16)
                .withGifChannels("conv");
        ActivationViews.render(a, opt, dir);
        Gif.Info layers = Gif.read(dir.resolve("g/layers.gif"));
        assertEquals(2, layers.frames());
        assertEquals(List.of(250, 250), layers.delaysMs());
        assertEquals(0, layers.loops(), "loops forever");
        assertTrue(layers.width() >= ActivationViews.GIF_SIDE && layers.width() <= ActivationViews.GIF_SIDE + 40, "width " + layers.width());
        Gif.Info channels = Gif.read(dir.resolve("g/01_conv_channels.gif"));
        assertEquals(5, channels.frames());
        assertEquals(List.of(250, 250, 250, 250, 250), channels.delaysMs());
    }

    @Test
    void sameActivationsGiveTheSameBytesAndThePageEscapesNames(@TempDir Path dir) throws IOException {
        float[] x = fiveChannels();
        float[] y = fiveChannels();
        for (int i = 0; i < y.length; i++) {
            y[i] = (i * 7919 % 13) - 4f;
        }
        String odd = "a<b>&\"c\".png";
        ActivationViews.Options opt = options(EnumSet.allOf(ActivationViews.View.class), Normalization.STANDARDIZE,
                Colormap.VIRIDIS, 4).withGifChannels("pool");
        Path one = dir.resolve("one");
        Path two = dir.resolve("two");
        List<String> f1 = ActivationViews.render(fed(List.of(odd, "y.png"), 5, 8, 8, x, y), opt, one, Progress.NONE);
        List<String> f2 = ActivationViews.render(fed(List.of(odd, "y.png"), 5, 8, 8, x, y), opt.withThreads(1), two, Progress.NONE);
        assertEquals(f1, f2);
        for (String f : f1) {
            assertArrayEquals(Files.readAllBytes(one.resolve(f)), Files.readAllBytes(two.resolve(f)), f);
        }
        assertTrue(f1.contains("compare/01_conv.png") && f1.contains("compare/02_pool.png"), f1.toString());
        assertTrue(f1.contains("a_b___c_/01_conv.png") && f1.contains("y/02_pool/c04.png"), f1.toString());
        try (var s = Files.walk(one)) {
            assertEquals(f1.size(), s.filter(Files::isRegularFile).count(), "no temporary files left, nothing unlisted");
        }
        String html = Files.readString(one.resolve("index.html"));
        assertTrue(html.contains("a&lt;b&gt;&amp;&quot;c&quot;.png"), "escaped");
        assertFalse(html.contains(odd), "never raw");
        assertFalse(html.contains("http://") || html.contains("https://") || html.contains("<script"), "self-contained");
        for (String f : f1) {
            assertTrue(f.equals("index.html") || html.contains("href=\"" + f + "\""), "links " + f);
        }
        // compare: one row per image, each as tall as a single-image row
        BufferedImage cmp = ImageIO.read(one.resolve("compare/01_conv.png").toFile());
        assertTrue(cmp.getHeight() > 2 * 96, "two rows of tiles of at least 96 px: " + cmp.getHeight());
    }

    @Test
    void standardizedMapsFromTheStatisticsEqualThoseFromTheValues() {
        // channels: noisy, constant, dead, with -0, negative, with a NaN and with an infinity (these two
        // fall back to going over the values), tiny and huge
        java.util.Random r = new java.util.Random(11);
        int c = 9;
        int h = 5;
        int w = 7;
        float[] v = new float[c * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * 3);
        }
        Arrays.fill(v, 1 * h * w, 2 * h * w, 2.5f);
        Arrays.fill(v, 2 * h * w, 3 * h * w, 0f);
        v[3 * h * w] = -0f;
        Arrays.fill(v, 3 * h * w + 1, 4 * h * w, 0f);
        for (int i = 4 * h * w; i < 5 * h * w; i++) {
            v[i] = -Math.abs(v[i]);
        }
        v[5 * h * w + 3] = Float.NaN;
        v[6 * h * w + 4] = Float.POSITIVE_INFINITY;
        for (int i = 7 * h * w; i < 8 * h * w; i++) {
            v[i] *= 1e-30f;
        }
        for (int i = 8 * h * w; i < 9 * h * w; i++) {
            v[i] *= 1e30f;
        }
        Activations a = fed(List.of("n.png"), c, h, w, v);
        io.convscope.render.Heatmap[] want = Normalization.STANDARDIZE.layer(v, c, h, w);
        io.convscope.render.Heatmap[] got = ActivationViews.maps(a.layers().get(0), 0, Normalization.STANDARDIZE);
        for (int k = 0; k < c; k++) {
            assertArrayEquals(want[k].unit(), got[k].unit(), "channel " + k);
            assertEquals(want[k].dead(), got[k].dead(), "channel " + k);
        }
        assertTrue(got[2].dead() && got[3].dead() && !got[1].dead());
    }

    @Test
    void statsJsonIsWhatGsonsPrettyPrintingWrote() {
        // stats.json was a Gson tree printed by Gson; written by hand it must be the same text: odd
        // names, an empty layer name, whole and fractional numbers, NaN and infinities
        float[] v = fiveChannels();
        v[7] = Float.NaN;
        v[70] = Float.POSITIVE_INFINITY;
        v[71] = Float.NEGATIVE_INFINITY;
        v[200] = 1e-7f;
        v[201] = 3e9f;
        float[] w = fiveChannels();
        String odd = "q\"uo\\te\t\b\n\r\f\u0001\u001f\u2028\u2029<&>=é.png";
        Activations a = fed(List.of(odd, "plain.png"), 5, 8, 8, v, w);
        for (LayerStats.Rank rank : LayerStats.Rank.values()) {
            assertEquals(gsonJson(a, 3, rank), StatsReport.json(a, 3, rank));
        }
        assertEquals(gsonJson(a, 0, LayerStats.Rank.SUM), StatsReport.json(a, 0, LayerStats.Rank.SUM), "empty top lists");
    }

    /** stats.json as it was made before: a Gson tree, pretty-printed without HTML escaping. */
    private static String gsonJson(Activations acts, int topK, LayerStats.Rank rank) {
        JsonObject root = new JsonObject();
        root.addProperty("network", acts.network());
        JsonArray images = new JsonArray();
        acts.imageNames().forEach(images::add);
        root.add("images", images);
        root.addProperty("rank", rank.name().toLowerCase(java.util.Locale.ROOT));
        JsonArray layers = new JsonArray();
        for (LayerActivations l : acts.layers()) {
            JsonObject o = new JsonObject();
            o.addProperty("position", l.position());
            o.addProperty("name", l.name());
            o.addProperty("type", l.type());
            JsonArray shape = new JsonArray();
            shape.add(l.height());
            shape.add(l.width());
            shape.add(l.channels());
            o.add("shape_hwc", shape);
            JsonArray per = new JsonArray();
            for (int i = 0; i < acts.imageCount(); i++) {
                LayerStats st = l.stats().get(i);
                JsonObject s = gsonStats(st.layer());
                s.addProperty("image", acts.imageNames().get(i));
                s.addProperty("dead_channels", st.deadChannels());
                JsonArray top = new JsonArray();
                for (LayerStats.Ranked r : st.top(topK, rank)) {
                    JsonObject t = new JsonObject();
                    t.addProperty("channel", r.channel());
                    t.addProperty("score", r.score());
                    top.add(t);
                }
                s.add("top", top);
                JsonArray ch = new JsonArray();
                for (ChannelStats c : st.channels()) {
                    ch.add(gsonStats(c));
                }
                s.add("channels", ch);
                per.add(s);
            }
            o.add("images", per);
            layers.add(o);
        }
        root.add("layers", layers);
        return new com.google.gson.GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root) + "\n";
    }

    private static JsonObject gsonStats(ChannelStats s) {
        JsonObject o = new JsonObject();
        o.addProperty("mean", s.mean());
        o.addProperty("std", s.std());
        o.addProperty("min", s.min());
        o.addProperty("max", s.max());
        o.addProperty("sum", s.sum());
        o.addProperty("zeros", s.zeros());
        return o;
    }

    /** {minX, minY, maxX, maxY} of the pixels of colour rgb, or null. */
    static int[] bounds(BufferedImage img, int rgb) {
        int[] b = null;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) == rgb) {
                    if (b == null) {
                        b = new int[] {x, y, x, y};
                    } else {
                        b[0] = Math.min(b[0], x);
                        b[1] = Math.min(b[1], y);
                        b[2] = Math.max(b[2], x);
                        b[3] = Math.max(b[3], y);
                    }
                }
            }
        }
        return b;
    }

    @Test
    void theFilesListedBeforeDrawingAreExactlyThoseWritten(@TempDir Path dir) throws IOException {
        float[] x = fiveChannels();
        List<List<String>> runs = List.of(List.of("a.png"), List.of("a.png", "sub/a.jpg", "compare.png"));
        List<Set<ActivationViews.View>> choices = List.of(EnumSet.allOf(ActivationViews.View.class),
                EnumSet.of(ActivationViews.View.COMPARE), ActivationViews.View.DEFAULTS, EnumSet.noneOf(ActivationViews.View.class));
        int k = 0;
        for (List<String> names : runs) {
            float[][] values = new float[names.size()][];
            Arrays.fill(values, x);
            Activations a = fed(names, 5, 8, 8, values);
            for (Set<ActivationViews.View> views : choices) {
                for (String gif : Arrays.asList(null, "pool")) {
                    ActivationViews.Options opt = options(views, Normalization.STANDARDIZE, Colormap.GRAY, 4).withGifChannels(gif);
                    Path out = dir.resolve("run" + k++);
                    List<String> written = ActivationViews.render(a, opt, out);
                    assertEquals(ActivationViews.files(names, a.layers(), opt), written, views + " " + gif + " " + names);
                    try (var s = Files.walk(out)) {
                        assertEquals(written.size(), s.filter(Files::isRegularFile).count(), "every file listed");
                    }
                    // planned from the shapes alone, as a caller does before computing
                    List<FilePlan.Layer> planned = List.of(new FilePlan.Planned(1, "conv", 5), new FilePlan.Planned(2, "pool", 5));
                    assertEquals(written, ActivationViews.files(names, planned, opt));
                }
            }
        }
        assertTrue(ActivationViews.files(List.of("a.png", "b.png"), List.of(new FilePlan.Planned(1, "conv", 5)),
                options(EnumSet.of(ActivationViews.View.COMPARE), Normalization.STANDARDIZE, Colormap.GRAY, 4))
                .contains("compare/01_conv.png"));
    }

    @Test
    void viewsAreNamedHelpedAndDefaultedByTheirClasses() {
        assertEquals(List.of("grid", "channels", "topk", "gif", "compare"), ActivationViews.View.names());
        assertEquals(EnumSet.of(ActivationViews.View.GRID, ActivationViews.View.TOPK, ActivationViews.View.GIF,
                ActivationViews.View.COMPARE), ActivationViews.View.DEFAULTS);
        for (String n : List.of("topk", "TOPK", " top-k ", "top", "Top")) {
            assertEquals(ActivationViews.View.TOPK, ActivationViews.View.byName(n), n);
        }
        assertEquals(null, ActivationViews.View.byName("tops"));
        for (ActivationViews.View v : ActivationViews.View.values()) {
            assertEquals(v, ActivationViews.View.byName(v.cliName()));
            assertFalse(v.help().isBlank() || v.help().contains("\n"), v + ": one line of help");
        }
        assertEquals(ActivationViews.View.DEFAULTS, ActivationViews.View.parse(List.of()));
        assertEquals(EnumSet.of(ActivationViews.View.GRID, ActivationViews.View.GIF),
                ActivationViews.View.parse(List.of("gif", "Grid")));
        io.convscope.ConvscopeException e = org.junit.jupiter.api.Assertions.assertThrows(io.convscope.ConvscopeException.class,
                () -> ActivationViews.View.parse(List.of("grid", "compair")));
        assertTrue(e.getMessage().startsWith("unknown view 'compair'") && e.getMessage().contains("compare"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(io.convscope.ConvscopeException.class,
                () -> ActivationViews.View.parse(List.of("xyzzy")));
        assertTrue(e.getMessage().endsWith("views: grid, channels, topk, gif, compare"), e.getMessage());
        // a view's own folder is kept from images: compare.png goes to compare-2
        assertEquals(List.of("compare-2"), new FilePlan(List.of("compare.png"), 1).folders());
    }
}
