package io.convscope.render;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A labelled contact sheet: a title line over a grid of tiles, each tile a {@link Heatmap} (drawn in
 * the grid's colormap) or an image, with a caption of one or more lines centred under it. Tiles
 * smaller than {@link #minTileSize} are enlarged by an integer nearest-neighbour factor so that 7 × 7
 * maps stay visible; each tile is centred in a cell as wide as the widest scaled tile or caption line
 * and as high as the highest scaled tile. Used for all channels
 * of a layer, top-k strips, filter/class visualizations and side-by-side panels ({@link #panel}).
 *
 * <pre>{@code
 * BufferedImage sheet = new Grid()
 *         .title("cat.png · block1_conv1 · 112×112 · 64 channels")
 *         .addChannels(Normalization.STANDARDIZE.layer(chw, 64, 112, 112))
 *         .render();
 * }</pre>
 *
 * <p>Rendering draws straight into the sheet's pixel array; the same tiles give the same pixels.
 */
public final class Grid {
    /** Sheet background. */
    public static final int BACKGROUND = 0xffffff;
    /** Title colour. */
    public static final int TITLE = 0x000000;
    /** Caption colour. */
    public static final int CAPTION = 0x404040;

    private String title = "";
    private int columns;
    private int minTileSize = 64;
    private int gap = 4;
    /** The gap between a panel's cells: two character advances. */
    static final int PANEL_GAP = 2 * Text.ADVANCE;
    private int margin = 8;
    private int titleScale = 2;
    private Colormap colormap = Colormap.DEFAULT;
    private final List<Object> tiles = new ArrayList<>();
    private final List<String> captions = new ArrayList<>();

    /** An empty sheet: no title, automatic columns, tiles at least 64 pixels, viridis. */
    public Grid() {
    }

    /** The title drawn above the grid (empty: none; {@code '\n'} starts another line). */
    public Grid title(String title) {
        this.title = title == null ? "" : title;
        return this;
    }

    /** Tiles per row; 0 (the default) picks a near-square grid ({@link GridLayout#columnsFor}). */
    public Grid columns(int columns) {
        if (columns < 0) {
            throw new IllegalArgumentException("columns " + columns);
        }
        this.columns = columns;
        return this;
    }

    /** The size that the longer side of a small tile is enlarged to, at least (default 64; 1 = never). */
    public Grid minTileSize(int pixels) {
        if (pixels < 1) {
            throw new IllegalArgumentException("minTileSize " + pixels);
        }
        this.minTileSize = pixels;
        return this;
    }

    /** Pixels between tiles (default 4). */
    public Grid gap(int pixels) {
        this.gap = Math.max(0, pixels);
        return this;
    }

    /** Pixels around the whole sheet (default 8). */
    public Grid margin(int pixels) {
        this.margin = Math.max(0, pixels);
        return this;
    }

    /** Scale of the title's bitmap font (default 2; captions are always scale 1). */
    public Grid titleScale(int scale) {
        this.titleScale = Math.max(1, scale);
        return this;
    }

    /** The colormap for heatmap tiles (default viridis). */
    public Grid colormap(Colormap colormap) {
        this.colormap = colormap;
        return this;
    }

    /**
     * Adds a heatmap tile with a caption (may be empty; {@code '\n'} separates lines, e.g. a channel
     * number and its score).
     */
    public Grid add(Heatmap map, String caption) {
        tiles.add(map);
        captions.add(caption == null ? "" : caption);
        return this;
    }

    /** Adds an image tile with a caption (may be empty; {@code '\n'} separates lines). */
    public Grid add(BufferedImage image, String caption) {
        tiles.add(image);
        captions.add(caption == null ? "" : caption);
        return this;
    }

    /** Adds every map, captioned with its index in {@code maps} (the channel number). */
    public Grid addChannels(Heatmap[] maps) {
        for (int i = 0; i < maps.length; i++) {
            add(maps[i], Integer.toString(i));
        }
        return this;
    }

    /** Number of tiles added. */
    public int size() {
        return tiles.size();
    }

    /**
     * A panel: images side by side in one row, each with its caption, under a title (an original and
     * what was made from it, say). Cells are two characters apart, so that captions wider than their
     * images never run into each other.
     */
    public static BufferedImage panel(String title, List<BufferedImage> images, List<String> captions) {
        if (images.size() != captions.size()) {
            throw new IllegalArgumentException(images.size() + " images, " + captions.size() + " captions");
        }
        Grid g = new Grid().title(title).columns(Math.max(1, images.size())).gap(PANEL_GAP);
        for (int i = 0; i < images.size(); i++) {
            g.add(images.get(i), captions.get(i));
        }
        return g.render();
    }

    /**
     * The layout the tiles will have ({@link #render} places cell {@code i} at its {@code x, y} plus
     * the margin and title). A cell is as wide as the widest scaled tile or caption line, and as high
     * as the highest scaled tile plus the caption lines.
     */
    public GridLayout layout() {
        int cw = 0;
        int ch = 0;
        for (int i = 0; i < tiles.size(); i++) {
            Object t = tiles.get(i);
            int s = scale(t);
            cw = Math.max(cw, width(t) * s);
            ch = Math.max(ch, height(t) * s);
            for (String line : lines(captions.get(i))) {
                cw = Math.max(cw, Text.width(line, 1));
            }
        }
        int cols = columns > 0 ? columns : GridLayout.columnsFor(tiles.size());
        return new GridLayout(tiles.size(), cols, cw, ch + captionHeight(), gap);
    }

    /** Draws the sheet: margin, title, then the grid. */
    public BufferedImage render() {
        return render(null);
    }

    /**
     * {@link #render()} into an array from {@code pixels}, which is asked for {@code width × height}
     * ints and must give exactly that many (their content is painted over); null: a new image.
     */
    public BufferedImage render(java.util.function.IntFunction<int[]> pixels) {
        GridLayout layout = layout();
        List<String> titleLines = lines(title);
        int header = header(titleLines);
        int titleWidth = 0;
        for (String line : titleLines) {
            titleWidth = Math.max(titleWidth, Text.width(line, titleScale));
        }
        int width = Math.max(layout.width(), titleWidth) + 2 * margin;
        int height = header + layout.height() + 2 * margin;
        int sheetW = Math.max(1, width);
        int sheetH = Math.max(1, height);
        BufferedImage img = pixels == null ? Images.create(sheetW, sheetH, BACKGROUND)
                : Images.create(sheetW, sheetH, BACKGROUND, pixels.apply(sheetW * sheetH));
        for (int k = 0; k < titleLines.size(); k++) {
            Text.draw(img, margin, margin + k * Text.LINE * titleScale, titleLines.get(k), TITLE, titleScale);
        }
        int top = margin + header;
        int tileH = layout.cellHeight() - captionHeight();
        for (int i = 0; i < tiles.size(); i++) {
            Object t = tiles.get(i);
            int s = scale(t);
            java.awt.Rectangle r = tile(layout, header, tileH, i);
            int x = r.x;
            int y = r.y;
            if (t instanceof Heatmap m) {
                m.draw(img, x, y, colormap, s);
            } else {
                BufferedImage b = (BufferedImage) t;
                Images.draw(img, s == 1 ? b : Images.upscale(b, s), x, y);
            }
            List<String> cap = lines(captions.get(i));
            for (int k = 0; k < cap.size(); k++) {
                String line = cap.get(k);
                int cx = margin + layout.x(i) + (layout.cellWidth() - Text.width(line, 1)) / 2;
                Text.draw(img, cx, top + layout.y(i) + tileH + 2 + k * Text.LINE, line, CAPTION, 1);
            }
        }
        return img;
    }

    /**
     * Where {@link #render} draws tile {@code i} (scaled, without its caption) in the sheet, in pixels:
     * for links from its picture (an image map of the tiles of a grid).
     */
    public java.awt.Rectangle tile(int i) {
        return tiles().get(i);
    }

    /**
     * {@link #tile} of every tile, in order, from one layout (the layout and the caption height each
     * look at every tile: asking for each tile on its own is quadratic, and a 512-channel grid's image
     * map took most of an activations run's drawing time).
     */
    public List<java.awt.Rectangle> tiles() {
        GridLayout layout = layout();
        int header = header(lines(title));
        int tileH = layout.cellHeight() - captionHeight();
        List<java.awt.Rectangle> out = new java.util.ArrayList<>(tiles.size());
        for (int i = 0; i < tiles.size(); i++) {
            out.add(tile(layout, header, tileH, i));
        }
        return out;
    }

    private java.awt.Rectangle tile(GridLayout layout, int header, int tileH, int i) {
        Object t = tiles.get(i);
        int s = scale(t);
        int w = width(t) * s;
        int h = height(t) * s;
        int x = margin + layout.x(i) + (layout.cellWidth() - w) / 2;
        int y = margin + header + layout.y(i) + (tileH - h) / 2;
        return new java.awt.Rectangle(x, y, w, h);
    }

    /** Height of the title area: its lines and 4 pixels (0 without a title). */
    private int header(List<String> titleLines) {
        return titleLines.isEmpty() ? 0 : titleLines.size() * Text.LINE * titleScale + 4;
    }

    /** Height of the caption area under each tile: 2 pixels and a line per caption line (0 without captions). */
    private int captionHeight() {
        int n = 0;
        for (String c : captions) {
            n = Math.max(n, lines(c).size());
        }
        return n == 0 ? 0 : 2 + n * Text.LINE;
    }

    /** The lines of a caption or title ({@code '\n'} separates them); none for an empty string. */
    private static List<String> lines(String s) {
        if (s.isEmpty()) {
            return List.of();
        }
        int nl = s.indexOf('\n');
        if (nl < 0) {
            return List.of(s);
        }
        // by hand: String.split("\\n") compiles a regular expression on every call, and a 512-channel
        // grid asks for the lines of each caption several times
        List<String> out = new ArrayList<>();
        int from = 0;
        for (; nl >= 0; nl = s.indexOf('\n', from)) {
            out.add(s.substring(from, nl));
            from = nl + 1;
        }
        out.add(s.substring(from));
        return out;
    }

    private int scale(Object t) {
        return Images.scaleFor(width(t), height(t), minTileSize);
    }

    private static int width(Object t) {
        return t instanceof Heatmap m ? m.width() : ((BufferedImage) t).getWidth();
    }

    private static int height(Object t) {
        return t instanceof Heatmap m ? m.height() : ((BufferedImage) t).getHeight();
    }
}
