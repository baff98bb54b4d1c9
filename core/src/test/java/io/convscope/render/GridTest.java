package io.convscope.render;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GridTest {

    @Test
    void nearestNeighbourUpscalingIsExact() {
        BufferedImage img = Images.create(3, 2, 0);
        int[] px = Images.pixels(img);
        for (int i = 0; i < px.length; i++) {
            px[i] = 0x010203 * (i + 1);
        }
        BufferedImage big = Images.upscale(img, 3);
        assertEquals(9, big.getWidth());
        assertEquals(6, big.getHeight());
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 9; x++) {
                assertEquals(px[(y / 3) * 3 + x / 3], big.getRGB(x, y) & 0xffffff, x + "," + y);
            }
        }
    }

    @Test
    void scaleForMinimumTileSize() {
        assertEquals(10, Images.scaleFor(7, 7, 64));
        assertEquals(5, Images.scaleFor(14, 14, 64));
        assertEquals(1, Images.scaleFor(224, 224, 64));
        assertEquals(1, Images.scaleFor(64, 64, 64));
        assertEquals(2, Images.scaleFor(63, 10, 64));
    }

    @Test
    void heatmapTileIsTheColormapOfEachValueInBlocks() {
        float[] unit = {0f, 0.25f, 0.5f, 1f, 0.75f, 0.1f};
        BufferedImage img = Heatmap.of(unit, 3, 2).toImage(Colormap.MAGMA, 4);
        assertEquals(12, img.getWidth());
        assertEquals(8, img.getHeight());
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 12; x++) {
                assertEquals(Colormap.MAGMA.rgb(unit[(y / 4) * 3 + x / 4]), img.getRGB(x, y) & 0xffffff);
            }
        }
    }

    @Test
    void sheetPlacesScaledTilesInTheLayout() {
        Random r = new Random(3);
        float[] chw = new float[10 * 7 * 7];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = r.nextFloat();
        }
        Heatmap[] maps = Normalization.MINMAX.layer(chw, 10, 7, 7);
        Grid grid = new Grid().columns(4).minTileSize(64).gap(4).margin(8).addChannels(maps);
        GridLayout layout = grid.layout();
        assertEquals(3, layout.rows());
        assertEquals(70, layout.cellWidth());
        assertEquals(70 + Text.LINE + 2, layout.cellHeight()); // tile + caption line
        BufferedImage sheet = grid.render();
        assertEquals(8 + 4 * 70 + 3 * 4 + 8, sheet.getWidth());
        assertEquals(8 + 3 * layout.cellHeight() + 2 * 4 + 8, sheet.getHeight());
        // tile 9 (column 1, row 2): every 10 x 10 block is the colour of its value
        int x0 = 8 + layout.x(9);
        int y0 = 8 + layout.y(9);
        for (int y = 0; y < 70; y++) {
            for (int x = 0; x < 70; x++) {
                int expected = Colormap.VIRIDIS.rgb(maps[9].unit()[(y / 10) * 7 + x / 10]);
                assertEquals(expected, sheet.getRGB(x0 + x, y0 + y) & 0xffffff, x + "," + y);
            }
        }
        // the caption "9" is drawn under the tile, centred
        int cx = x0 + (70 - Text.width("9", 1)) / 2;
        BufferedImage nine = Images.create(Text.width("9", 1), Text.HEIGHT, Grid.BACKGROUND);
        Text.draw(nine, 0, 0, "9", Grid.CAPTION, 1);
        for (int y = 0; y < Text.HEIGHT; y++) {
            for (int x = 0; x < nine.getWidth(); x++) {
                assertEquals(nine.getRGB(x, y), sheet.getRGB(cx + x, y0 + 70 + 2 + y));
            }
        }
        // cells 10 and 11 of the last row are empty background
        assertEquals(Grid.BACKGROUND, sheet.getRGB(8 + 3 * 74 + 35, 8 + layout.y(9) + 35) & 0xffffff);
    }

    @Test
    void titleWidensTheSheetAndSitsAtTheTop() {
        Heatmap m = Heatmap.of(new float[4], 2, 2);
        String title = "cat.png · block1_conv1 · 112×112 · 64 channels";
        BufferedImage sheet = new Grid().title(title).titleScale(2).add(m, "0").render();
        assertEquals(Text.width(title, 2) + 16, sheet.getWidth());
        BufferedImage expected = Images.create(Text.width(title, 2), Text.height(2), Grid.BACKGROUND);
        Text.draw(expected, 0, 0, title, Grid.TITLE, 2);
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                assertEquals(expected.getRGB(x, y), sheet.getRGB(8 + x, 8 + y));
            }
        }
    }

    @Test
    void deadChannelsAreHatchedDarkTilesMarkedDead() {
        float[] chw = new float[2 * 14 * 14];
        for (int i = 14 * 14; i < chw.length; i++) {
            chw[i] = i % 5;
        }
        Heatmap[] maps = Normalization.STANDARDIZE.layer(chw, 2, 14, 14);
        BufferedImage tile = Images.create(70, 70, 0xffffff);
        maps[0].draw(tile, 0, 0, Colormap.VIRIDIS, 5);
        int fill = 0;
        int hatch = 0;
        int mark = 0;
        for (int p : Images.pixels(tile)) {
            if (p == Images.DEAD_FILL) {
                fill++;
            } else if (p == Images.DEAD_HATCH) {
                hatch++;
            } else if (p == Images.DEAD_TEXT) {
                mark++;
            }
        }
        assertEquals(70 * 70, fill + hatch + mark);
        assertTrue(hatch > 70 * 70 / 8 && mark > 10, hatch + " hatch, " + mark + " mark pixels");
        // a live map never uses the dead colours
        BufferedImage live = maps[1].toImage(Colormap.VIRIDIS, 5);
        for (int p : Images.pixels(live)) {
            assertNotEquals(Images.DEAD_FILL, p);
        }
    }

    @Test
    void longAndMultiLineCaptionsWidenAndHeightenTheCells() {
        Heatmap m = Heatmap.of(new float[4], 2, 2);
        String wide = "channel 123 · score 0.875";
        Grid g = new Grid().minTileSize(10).add(m, "1").add(m, wide + "\nsecond line").columns(2);
        GridLayout layout = g.layout();
        assertEquals(Text.width(wide, 1), layout.cellWidth());
        assertEquals(10 + 2 + 2 * Text.LINE, layout.cellHeight());
        BufferedImage sheet = g.render();
        // the second line of the second caption is drawn: some caption-coloured pixel in its row band
        int y0 = 8 + 10 + 2 + Text.LINE;
        boolean ink = false;
        for (int y = y0; y < y0 + Text.HEIGHT; y++) {
            for (int x = 8 + layout.x(1); x < 8 + layout.x(1) + layout.cellWidth(); x++) {
                ink |= (sheet.getRGB(x, y) & 0xffffff) == Grid.CAPTION;
            }
        }
        assertTrue(ink);
    }

    @Test
    void imageTilesOfDifferentSizesAreCentredInEqualCells() {
        BufferedImage a = Images.create(20, 10, 0xff0000);
        BufferedImage b = Images.create(40, 40, 0x00ff00);
        Grid g = new Grid().minTileSize(1).gap(0).margin(0).add(a, "").add(b, "").columns(2);
        BufferedImage sheet = g.render();
        assertEquals(80, sheet.getWidth());
        assertEquals(40, sheet.getHeight()); // no captions: no caption line
        assertEquals(0xff0000, sheet.getRGB(10, 15) & 0xffffff);
        assertEquals(Grid.BACKGROUND, sheet.getRGB(10, 14) & 0xffffff);
        assertEquals(0x00ff00, sheet.getRGB(40, 0) & 0xffffff);
    }

    @Test
    void tilesAreWhereTheRenderDrawsEachTile() {
        // tiles of different sizes and colours, captions of one and two lines, a title: every rectangle
        // is exactly its tile's pixels (inside all its colour, the ring around it not)
        Grid g = new Grid().title("where").minTileSize(1).gap(3).margin(5).columns(3);
        int[] colours = {0xff0000, 0x00ff00, 0x0000ff, 0xffff00, 0x00ffff, 0xff00ff, 0x804020};
        for (int i = 0; i < colours.length; i++) {
            g.add(Images.create(6 + 3 * i, 20 - 2 * i, colours[i]), i % 2 == 0 ? "c" + i : "c" + i + "\nline two");
        }
        BufferedImage sheet = g.render();
        List<java.awt.Rectangle> rects = g.tiles();
        assertEquals(colours.length, rects.size());
        for (int i = 0; i < colours.length; i++) {
            java.awt.Rectangle r = rects.get(i);
            assertEquals(r, g.tile(i));
            assertEquals(6 + 3 * i, r.width);
            assertEquals(20 - 2 * i, r.height);
            for (int y = r.y; y < r.y + r.height; y++) {
                for (int x = r.x; x < r.x + r.width; x++) {
                    assertEquals(colours[i], sheet.getRGB(x, y) & 0xffffff, "tile " + i + " at " + x + "," + y);
                }
            }
            for (int x = r.x - 1; x <= r.x + r.width; x++) {
                assertNotEquals(colours[i], sheet.getRGB(x, r.y - 1) & 0xffffff, "above tile " + i);
                assertNotEquals(colours[i], sheet.getRGB(x, r.y + r.height) & 0xffffff, "below tile " + i);
            }
            for (int y = r.y; y < r.y + r.height; y++) {
                assertNotEquals(colours[i], sheet.getRGB(r.x - 1, y) & 0xffffff, "left of tile " + i);
                assertNotEquals(colours[i], sheet.getRGB(r.x + r.width, y) & 0xffffff, "right of tile " + i);
            }
        }
    }

    @Test
    void emptyGridIsJustTheTitle() {
        BufferedImage sheet = new Grid().title("nothing").render();
        assertEquals(Text.width("nothing", 2) + 16, sheet.getWidth());
        assertEquals(8 + Text.LINE * 2 + 4 + 8, sheet.getHeight());
    }

    @Test
    void panelAndComposition() {
        BufferedImage a = Images.create(10, 10, 0x112233);
        BufferedImage b = Images.create(10, 10, 0x445566);
        BufferedImage panel = Grid.panel("original and result", List.of(a, b), List.of("in", "out"));
        assertTrue(panel.getWidth() >= 2 * 64);
        BufferedImage col = Compose.column(List.of(a, Images.create(30, 5, 0)), 2, 0xffffff);
        assertEquals(30, col.getWidth());
        assertEquals(17, col.getHeight());
        assertEquals(0x112233, col.getRGB(0, 0) & 0xffffff);
        assertEquals(0xffffff, col.getRGB(20, 0) & 0xffffff);
        assertEquals(0xffffff, col.getRGB(0, 11) & 0xffffff);
        BufferedImage row = Compose.row(List.of(a, b), 3, 0xffffff);
        assertEquals(23, row.getWidth());
        assertEquals(0x445566, row.getRGB(13, 0) & 0xffffff);
    }

    @Test
    void panelCaptionsWiderThanTheirImagesStayApart() {
        // 28-pixel reconstructions captioned "layer · error": the captions set the cell width, and
        // with the sheets' 4-pixel gap they ran together ("block1_pool · 0.355block2_pool · 0.192")
        BufferedImage a = Images.create(28, 28, 0x112233);
        BufferedImage panel = Grid.panel("rebuilt", List.of(a, a, a),
                List.of("original", "block1_pool · 0.355", "block2_pool · 0.192"));
        int y0 = panel.getHeight() - 8 - Text.LINE;
        boolean[] ink = new boolean[panel.getWidth()];
        for (int y = y0; y < panel.getHeight(); y++) {
            for (int x = 0; x < panel.getWidth(); x++) {
                ink[x] |= (panel.getRGB(x, y) & 0xffffff) == Grid.CAPTION;
            }
        }
        // the blank run between the second and third caption: at least one character wide
        int x = panel.getWidth() - 1;
        while (!ink[x]) {
            x--;
        }
        int last = x; // right end of the third caption
        x -= Text.width("block2_pool · 0.192", 1) - 1; // its left end
        int blank = 0;
        for (x = x - 1; x >= 0 && !ink[x]; x--) {
            blank++;
        }
        assertTrue(last > 0 && blank >= Text.ADVANCE, blank + " blank columns between captions");
    }

    @Test
    void twoIdenticalRendersGiveIdenticalPngBytes() throws Exception {
        byte[] first = png(render());
        byte[] second = png(render());
        assertArrayEquals(first, second);
    }

    @Test
    void aSheetDrawnIntoAnOldArrayIsTheSameSheet() throws Exception {
        BufferedImage fresh = render();
        int[] old = new int[fresh.getWidth() * fresh.getHeight()];
        java.util.Arrays.fill(old, 0x123456); // whatever the array held is painted over
        int[] asked = new int[1];
        Random r = new Random(11);
        float[] chw = new float[16 * 9 * 9];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = (float) Math.max(0, r.nextGaussian());
        }
        BufferedImage reused = new Grid().title("same · 9×9").colormap(Colormap.PLASMA)
                .addChannels(Normalization.STANDARDIZE.layer(chw, 16, 9, 9)).render(n -> {
                    asked[0] = n;
                    return old;
                });
        assertEquals(old.length, asked[0]);
        assertEquals(BufferedImage.TYPE_INT_RGB, reused.getType());
        assertTrue(Images.pixels(reused) == old, "drawn into the array given");
        assertArrayEquals(Images.pixels(fresh), Images.pixels(reused));
        assertArrayEquals(png(fresh), png(reused));
    }

    private static BufferedImage render() {
        Random r = new Random(11);
        float[] chw = new float[16 * 9 * 9];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = (float) Math.max(0, r.nextGaussian());
        }
        return new Grid().title("same · 9×9").colormap(Colormap.PLASMA)
                .addChannels(Normalization.STANDARDIZE.layer(chw, 16, 9, 9)).render();
    }

    private static byte[] png(BufferedImage img) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Png.write(img, out);
        return out.toByteArray();
    }
}
