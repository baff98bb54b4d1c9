package io.convscope.activations;

import io.convscope.render.Colormap;
import io.convscope.render.Grid;
import io.convscope.render.Heatmap;
import io.convscope.render.Normalization;
import io.convscope.util.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The activations page, read back as a person's browser would: links, sections, colour bar, classes, tiles. */
class IndexPageTest {
    @TempDir
    Path dir;

    private static List<String> all(Pattern p, String html) {
        List<String> out = new ArrayList<>();
        Matcher m = p.matcher(html);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private String render(Activations acts, ActivationViews.Options opt) throws Exception {
        ActivationViews.render(acts, opt, dir, Progress.NONE);
        return Files.readString(dir.resolve("index.html"));
    }

    private static Activations twoImages() {
        float[] x = ActivationViewsTest.fiveChannels();
        float[] y = ActivationViewsTest.fiveChannels();
        for (int i = 0; i < y.length; i++) {
            y[i] = (i * 7919 % 13) - 4f;
        }
        return ActivationViewsTest.fed(List.of("a.png", "b.png"), 5, 8, 8, x, y);
    }

    @Test
    void everyLinkResolvesAndEverySectionIsInTheSideBar() throws Exception {
        ActivationViews.Options opt = ActivationViewsTest.options(EnumSet.allOf(ActivationViews.View.class), Normalization.STANDARDIZE,
                Colormap.VIRIDIS, 4);
        String html = render(twoImages(), opt);
        // every local link and picture names a file that exists
        List<String> refs = all(Pattern.compile(" (?:href|src)=\"([^\"#][^\"]*)\""), html);
        assertFalse(refs.isEmpty());
        for (String r : refs) {
            assertFalse(r.contains("://"), "no external asset: " + r);
            assertTrue(Files.isRegularFile(dir.resolve(URLDecoder.decode(r, StandardCharsets.UTF_8))), "exists: " + r);
        }
        // every section has an id, and the side bar links to each
        String nav = html.substring(html.indexOf("<nav>"), html.indexOf("</nav>"));
        List<String> ids = all(Pattern.compile("<details id=\"([^\"]+)\""), html);
        assertTrue(ids.containsAll(List.of("overview", "image-a", "image-b", "layers", "01_conv", "01_conv--a", "02_pool--b", "files")),
                ids.toString());
        assertEquals(ids.size(), new LinkedHashSet<>(ids).size(), "ids are unique");
        for (String id : ids) {
            assertTrue(nav.contains("href=\"#" + id + "\""), "in the side bar: " + id);
        }
        // every in-page link lands on an id
        for (String target : all(Pattern.compile("href=\"#([^\"]+)\""), html)) {
            assertTrue(target.equals("top") || ids.contains(target), "target exists: " + target);
        }
        // the colour bar: viridis' first and last colours in a gradient, with the standardized labels
        int[] lut = Colormap.VIRIDIS.table();
        assertTrue(html.contains(String.format("linear-gradient(to right,#%06x 0.00%%", lut[0])), "colour bar starts at entry 0");
        assertTrue(html.contains(String.format("#%06x 100.00%%)", lut[255])), "colour bar ends at entry 255");
        assertTrue(html.contains(">μ−2σ<") && html.contains(">μ+2σ<"), "standardized scale labelled");
        // no classes without a classifier
        assertFalse(html.contains("top classes"));
        // grids are shown at their natural size: no pixelated shrinking
        assertFalse(html.contains("pixelated;max-width:100%"));
        assertTrue(html.contains("src=\"a/01_conv.png\" alt=\"all channels\" loading=\"lazy\" data-tiles=\""), "grid tiles are described");
    }

    @Test
    void tilesOfTheGridOpenTheirChannelAndLieOnTheTile() throws Exception {
        ActivationViews.Options opt = ActivationViewsTest.options(EnumSet.of(ActivationViews.View.GRID, ActivationViews.View.CHANNELS),
                Normalization.STANDARDIZE, Colormap.VIRIDIS, 2);
        String html = render(twoImages(), opt);
        // the picture of a/01_conv.png describes its tiles and names channel c's own picture
        int start = html.indexOf("src=\"a/01_conv.png\"");
        String img = html.substring(start, html.indexOf('>', start));
        String[] t = all(Pattern.compile("data-tiles=\"([0-9,]+)\""), img).get(0).split(",");
        assertTrue(img.contains("data-href=\"a/01_conv/c%7Bc%7D.png\" data-pad=\"2\""), img);
        int[] n = new int[8];
        for (int k = 0; k < 8; k++) {
            n[k] = Integer.parseInt(t[k]);
        }
        assertEquals(2, n[6], "two columns");
        assertEquals(5, n[7], "five tiles");
        for (int c = 0; c < 5; c++) {
            assertTrue(Files.isRegularFile(dir.resolve("a/01_conv/c0" + c + ".png")));
        }
        // the tiles as described are the tiles as drawn: a constant channel is one colour inside its
        // rectangle, and the sheet's white background just outside
        BufferedImage grid = ImageIO.read(dir.resolve("a/01_conv.png").toFile());
        for (int c = 0; c < 5; c++) {
            int x0 = n[0] + (c % n[6]) * n[2];
            int y0 = n[1] + (c / n[6]) * n[3];
            int x1 = x0 + n[4];
            int y1 = y0 + n[5];
            assertEquals(32, n[4], "8 px maps enlarged to 32");
            int inside = grid.getRGB(x0, y0) & 0xffffff;
            assertEquals(inside, grid.getRGB(x1 - 1, y1 - 1) & 0xffffff, "one tile: channel " + c);
            assertEquals(Grid.BACKGROUND, grid.getRGB(x0 - 1, y0) & 0xffffff, "left of the tile is the background");
            assertEquals(Grid.BACKGROUND, grid.getRGB(x0, y0 - 1) & 0xffffff, "above the tile is the background");
            assertEquals(Grid.BACKGROUND, grid.getRGB(x1, y1 - 1) & 0xffffff, "right of the tile is the background");
        }
    }

    @Test
    void tilesWithoutChannelFilesShowTheTileEnlarged() throws Exception {
        ActivationViews.Options opt = ActivationViewsTest.options(EnumSet.of(ActivationViews.View.GRID), Normalization.MINMAX,
                Colormap.MAGMA, 3);
        String html = render(twoImages(), opt);
        assertTrue(html.contains("data-title=\"conv · channel \"") && !html.contains("data-href"), "tiles shown by the viewer");
        assertTrue(html.contains("<script>") && html.contains("id=\"zoom\""), "the inline viewer");
        assertTrue(html.contains(">channel min<") && html.contains(">channel max<"), "min-max scale labelled");
    }

    @Test
    void theModelsClassesAreShownWhenItHasAClassifierWithLabels() throws Exception {
        Activations acts = twoImages().withPredictions(List.of(new float[] {0.1f, 0.7f, 0.2f}, new float[] {0.5f, 0.2f, 0.3f}),
                List.of("cat", "dog <big>", "emu"));
        String html = render(acts, ActivationViewsTest.options(EnumSet.of(ActivationViews.View.GRID), Normalization.LAYER,
                Colormap.VIRIDIS, 3));
        assertTrue(html.contains("top classes"));
        String a = html.substring(html.indexOf("id=\"image-a\""), html.indexOf("id=\"image-b\""));
        assertTrue(a.indexOf("dog &lt;big&gt;") < a.indexOf("emu") && a.indexOf("emu") < a.indexOf(">cat<"), "most probable first");
        assertTrue(a.contains("70.00 %"), a);
        String b = html.substring(html.indexOf("id=\"image-b\""));
        assertTrue(b.indexOf(">cat<") < b.indexOf("emu"), "image b: cat first");
        // the layer scale: each picture says its range
        assertTrue(html.contains("Colours of this layer and image"));
    }

    @Test
    void gridTilesAreWhereTheGridDrawsThem() {
        // a 112+ px map is shrunk in the grid: the tiles follow
        ActivationViews.Options opt = ActivationViews.Options.defaults();
        Heatmap[] maps = new Heatmap[20];
        for (int c = 0; c < maps.length; c++) {
            float[] u = new float[150 * 130];
            java.util.Arrays.fill(u, 1f);
            maps[c] = new Heatmap(u, 150, 130, false);
        }
        BufferedImage g = ActivationViews.grid("title", maps, opt);
        List<Rectangle> tiles = ActivationViews.gridTiles(20, 150, 130, opt, c -> null);
        int yellow = Colormap.VIRIDIS.rgb(1f);
        Set<Integer> rows = new java.util.HashSet<>();
        for (Rectangle r : tiles) {
            assertEquals(75, r.width, "shrunk by 2");
            assertEquals(yellow, g.getRGB(r.x, r.y) & 0xffffff);
            assertEquals(yellow, g.getRGB(r.x + r.width - 1, r.y + r.height - 1) & 0xffffff);
            assertEquals(Grid.BACKGROUND, g.getRGB(r.x + r.width, r.y) & 0xffffff);
            rows.add(r.y);
        }
        assertEquals(2, rows.size(), "16 columns: two rows");
    }
}
