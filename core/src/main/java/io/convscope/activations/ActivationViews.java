package io.convscope.activations;

import io.convscope.ConvscopeException;
import io.convscope.render.Colormap;
import io.convscope.render.Compose;
import io.convscope.render.Gif;
import io.convscope.render.Grid;
import io.convscope.render.GridLayout;
import io.convscope.render.Heatmap;
import io.convscope.render.Images;
import io.convscope.render.Normalization;
import io.convscope.render.Png;
import io.convscope.util.AtomicFiles;
import io.convscope.util.Progress;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Draws an {@link Activations} result into a folder: the pictures a person asked for ({@link View}),
 * the statistics ({@link StatsReport}) and {@code index.html} ({@link IndexPage}); file names are
 * those of {@link FilePlan}. Every picture is labelled with the image's name, the layer's name, the
 * map size (H×W) and the channel count.
 *
 * <p>Layers are drawn in parallel ({@link Options#threads}); every file is written to a temporary name
 * and renamed, and its bytes depend only on the activations and the options, so the same run gives the
 * same files.
 */
public final class ActivationViews {
    /** The side, in pixels, of the square that a GIF frame's grid of maps is fitted into. */
    public static final int GIF_SIDE = 384;
    /** Small maps are enlarged (nearest neighbour, integer factor) to at least this many pixels in grids. */
    public static final int GRID_MIN_TILE = 32;
    /**
     * Larger maps are shrunk (each pixel the mean of a block, an integer factor) to at most this many
     * pixels in grids: a 224×224 map is a 112×112 tile. The top-k view and the one-file-per-channel
     * view keep every map at full resolution.
     */
    public static final int GRID_MAX_TILE = 112;
    /** … in the top-k view. */
    public static final int TOP_MIN_TILE = 96;
    /** … in the one-file-per-channel view. */
    public static final int CHANNEL_MIN_TILE = 256;

    private ActivationViews() {
    }

    /** The kinds of pictures. */
    public enum View {
        /** Every channel of a layer tiled, one file per layer and image. */
        GRID,
        /** One file per channel, enlarged. */
        CHANNELS,
        /** The k strongest channels of each layer, with their index and score. */
        TOPK,
        /** Per image, an animated GIF through the layers. */
        GIF,
        /** With several images, per layer one picture with a row per image (the same channels in each row). */
        COMPARE;

        /** The views drawn when none are named. */
        public static final Set<View> DEFAULTS = Collections.unmodifiableSet(EnumSet.of(GRID, TOPK, GIF, COMPARE));

        /** The view named (any case; {@code top-k} and {@code top} for topk), or null. */
        public static View byName(String name) {
            String n = name.strip().toLowerCase(Locale.ROOT).replace("-", "");
            if (n.equals("top")) {
                n = "topk";
            }
            for (View v : values()) {
                if (v.name().equalsIgnoreCase(n)) {
                    return v;
                }
            }
            return null;
        }

        /** The names, lower case. */
        public static List<String> names() {
            return Arrays.stream(values()).map(v -> v.name().toLowerCase(Locale.ROOT)).toList();
        }
    }

    /**
     * How to draw.
     *
     * @param views         which pictures
     * @param columns       columns of a grid
     * @param topK          channels in the top-k view (and listed in the statistics)
     * @param rank          how channels are ranked
     * @param normalization how activations become colours
     * @param colormap      the colours
     * @param gifChannels   a layer to make a GIF through the channels of, or null
     * @param gifDelayMs    how long each GIF frame shows
     * @param threads       how many layers are drawn at once
     */
    public record Options(Set<View> views, int columns, int topK, LayerStats.Rank rank, Normalization normalization,
                          Colormap colormap, String gifChannels, int gifDelayMs, int threads) {
        public Options {
            views = views.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(views));
            if (columns < 1 || topK < 1 || threads < 1 || gifDelayMs < 0) {
                throw new IllegalArgumentException("columns, topK and threads must be positive");
            }
        }

        /** The default views, 16 columns, top 12 by sum, standardized, viridis, 600 ms frames, a thread per core. */
        public static Options defaults() {
            return new Options(View.DEFAULTS, 16, 12, LayerStats.Rank.SUM, Normalization.STANDARDIZE, Colormap.VIRIDIS,
                    null, 600, Runtime.getRuntime().availableProcessors());
        }

        /** A copy with other views. */
        public Options withViews(Set<View> v) {
            return new Options(v, columns, topK, rank, normalization, colormap, gifChannels, gifDelayMs, threads);
        }

        /** A copy with a GIF through the channels of {@code layer}. */
        public Options withGifChannels(String layer) {
            return new Options(views, columns, topK, rank, normalization, colormap, layer, gifDelayMs, threads);
        }

        /** A copy drawing with {@code n} threads. */
        public Options withThreads(int n) {
            return new Options(views, columns, topK, rank, normalization, colormap, gifChannels, gifDelayMs, n);
        }
    }

    /** {@link #render(Activations, Options, Path, Progress)} without progress. */
    public static List<String> render(Activations acts, Options opt, Path dir) {
        return render(acts, opt, dir, Progress.NONE);
    }

    /**
     * Writes the pictures, the statistics and {@code index.html} into {@code dir} (created if needed;
     * files of the same names are replaced). Progress counts layers × images.
     *
     * @return the files written, relative to {@code dir}, sorted
     */
    public static List<String> render(Activations acts, Options opt, Path dir, Progress progress) {
        FilePlan plan = new FilePlan(acts.imageNames(), acts.layers().size(), opt.topK());
        int n = acts.imageCount();
        List<LayerActivations> layers = acts.layers();
        boolean gif = opt.views().contains(View.GIF);
        BufferedImage[][] frames = new BufferedImage[n][layers.size()];
        AtomicInteger[] framesLeft = new AtomicInteger[n];
        for (int i = 0; i < n; i++) {
            framesLeft[i] = new AtomicInteger(layers.size());
        }
        List<String> written = Collections.synchronizedList(new ArrayList<>());
        Pool canvases = new Pool(48L << 20);
        Progress p = Progress.orNone(progress);
        AtomicInteger done = new AtomicInteger();
        p.start("drawing " + layers.size() + (layers.size() == 1 ? " layer" : " layers") + " × " + n
                + (n == 1 ? " image" : " images"), (long) layers.size() * n, Progress.Unit.STEPS);
        ExecutorService pool = Executors.newFixedThreadPool(opt.threads(), r -> {
            Thread t = new Thread(r, "convscope-draw");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                final int image = i;
                jobs.add(pool.submit(() -> {
                    BufferedImage in = acts.inputImages().get(image);
                    png(dir, plan.input(image), Images.upscale(Images.toRgb(in),
                            Images.scaleFor(in.getWidth(), in.getHeight(), 128)), written);
                }));
            }
            // the largest layers first, so that the threads finish together
            List<Integer> order = new ArrayList<>();
            for (int k = 0; k < layers.size(); k++) {
                order.add(k);
            }
            order.sort((a, b) -> Long.compare((long) layers.get(b).channels() * layers.get(b).plane(),
                    (long) layers.get(a).channels() * layers.get(a).plane()));
            for (int k : order) {
                LayerActivations l = layers.get(k);
                for (int i = 0; i < n; i++) {
                    final int image = i;
                    jobs.add(pool.submit(() -> {
                        Heatmap[] maps = maps(l, image, opt.normalization());
                        drawLayer(acts, l, image, maps, opt, plan, dir, written, canvases);
                        if (gif) {
                            frames[image][l.position() - 1] = gifFrame(label(acts, image, l), maps, opt.colormap());
                            // the thread that draws an image's last frame writes its GIF, while the
                            // other threads go on with the queue (the statistics files are last in it)
                            if (framesLeft[image].decrementAndGet() == 0) {
                                writeLayersGif(frames[image], opt, dir, plan.layersGif(image), written);
                                frames[image] = null;
                            }
                        }
                        synchronized (p) {
                            p.advance(done.incrementAndGet());
                        }
                    }));
                }
                if (opt.views().contains(View.COMPARE) && n > 1) {
                    jobs.add(pool.submit(() -> png(dir, plan.compare(l), compare(acts, l, opt), written)));
                }
            }
            if (opt.gifChannels() != null) {
                LayerActivations l = acts.layer(opt.gifChannels());
                for (int i = 0; i < n; i++) {
                    final int image = i;
                    jobs.add(pool.submit(() -> {
                        writeChannelsGif(acts, l, image, opt, dir.resolve(plan.channelsGif(image, l)));
                        written.add(plan.channelsGif(image, l));
                    }));
                }
            }
            // the statistics depend on no picture: they fill the threads' idle time at the end
            jobs.add(pool.submit(() -> text(dir, FilePlan.CHANNEL_STATS_CSV, StatsReport.channelsCsv(acts), written)));
            jobs.add(pool.submit(() -> text(dir, FilePlan.STATS_JSON, StatsReport.json(acts, opt.topK(), opt.rank()), written)));
            jobs.add(pool.submit(() -> text(dir, FilePlan.STATS_CSV, StatsReport.layersCsv(acts), written)));
            await(jobs);
        } finally {
            pool.shutdownNow();
            p.finish();
        }
        List<String> files = new ArrayList<>(written);
        files.add(FilePlan.INDEX);
        Collections.sort(files);
        text(dir, FilePlan.INDEX, IndexPage.html(acts, plan, opt, files), new ArrayList<>());
        return files;
    }

    private static void writeLayersGif(BufferedImage[] frames, Options opt, Path dir, String rel, List<String> written) {
        Gif g = new Gif();
        for (BufferedImage f : frames) {
            g.add(f, opt.gifDelayMs());
        }
        g.write(dir.resolve(rel));
        written.add(rel);
    }

    /**
     * The maps of a layer for one image. {@link Normalization#STANDARDIZE} takes each channel's mean
     * and deviation from the statistics computed with the activations (the same numbers, so the same
     * maps) instead of going over the values twice more.
     */
    static Heatmap[] maps(LayerActivations l, int image, Normalization norm) {
        if (norm != Normalization.STANDARDIZE || l.stats().get(image).channels().size() != l.channels()) {
            return norm.layer(l.values().get(image), l.channels(), l.height(), l.width());
        }
        Heatmap[] out = new Heatmap[l.channels()];
        for (int c = 0; c < out.length; c++) {
            out[c] = map(l, image, c, norm);
        }
        return out;
    }

    /**
     * One channel's map under a normalization of its own ({@link Normalization#STANDARDIZE} as in
     * {@link #maps}, or {@link Normalization#MINMAX}); {@link Normalization#LAYER} needs the whole layer.
     */
    private static Heatmap map(LayerActivations l, int image, int c, Normalization norm) {
        float[] v = l.values().get(image);
        int plane = l.plane();
        if (norm == Normalization.STANDARDIZE) {
            List<ChannelStats> st = l.stats().get(image).channels();
            ChannelStats s = c < st.size() ? st.get(c) : null;
            // figures of exactly these values, all finite (a NaN or an infinity makes the sum so)
            if (s != null && s.count() == plane && Double.isFinite(s.sum())) {
                return Normalization.standardized(v, c * plane, l.width(), l.height(), s.mean(), s.std(), s.min(), s.max());
            }
        }
        return norm.channel(v, c * plane, l.width(), l.height(), null);
    }

    /** "7_sneaker.png · block1_conv1 · 28×28 · 32 channels". */
    static String label(Activations acts, int image, LayerActivations l) {
        return fileName(acts.imageNames().get(image)) + " · " + l.name() + " · " + l.height() + "×" + l.width() + " · "
                + l.channels() + (l.channels() == 1 ? " channel" : " channels");
    }

    /** A caption number: whole numbers from 100 up ({@code 18421}), else 3 significant digits ({@code 0.0472}). */
    static String shortNum(double v) {
        if (v == 0) {
            return "0";
        }
        if (Math.abs(v) >= 100 && Math.abs(v) < 1e9) {
            return Long.toString(Math.round(v));
        }
        return StatsReport.significant(v, 3);
    }

    private static String fileName(String path) {
        String p = path.replace('\\', '/');
        return p.substring(p.lastIndexOf('/') + 1);
    }

    private static void drawLayer(Activations acts, LayerActivations l, int image, Heatmap[] maps, Options opt,
                                  FilePlan plan, Path dir, List<String> written, Pool canvases) {
        String label = label(acts, image, l);
        if (opt.views().contains(View.GRID)) {
            BufferedImage sheet = grid(label, maps, opt, canvases::take);
            png(dir, plan.grid(image, l), sheet, written);
            canvases.give(Images.pixels(sheet));
        }
        if (opt.views().contains(View.TOPK)) {
            Grid g = new Grid().title(label + " · top " + Math.min(opt.topK(), l.channels()) + " by "
                    + opt.rank().name().toLowerCase(Locale.ROOT)).colormap(opt.colormap())
                    .columns(Math.min(Math.min(opt.topK(), l.channels()), 6)).minTileSize(TOP_MIN_TILE);
            for (LayerStats.Ranked r : l.stats().get(image).top(opt.topK(), opt.rank())) {
                g.add(maps[r.channel()], "#" + r.channel() + " " + shortNum(r.score()));
            }
            BufferedImage sheet = g.render(canvases::take);
            png(dir, plan.top(image, l), sheet, written);
            canvases.give(Images.pixels(sheet));
        }
        if (opt.views().contains(View.CHANNELS)) {
            for (int c = 0; c < maps.length; c++) {
                BufferedImage one = new Grid().title(label).titleScale(1).minTileSize(CHANNEL_MIN_TILE)
                        .colormap(opt.colormap()).add(maps[c], "channel " + c + (maps[c].dead() ? " (dead)" : "")).render();
                png(dir, plan.channel(image, l, c), one, written);
            }
        }
    }

    /**
     * A layer's grid: every channel, {@code columns} per row, numbered; maps larger than
     * {@link #GRID_MAX_TILE} shrunk by {@link #gridShrink} (the title then says so).
     */
    public static BufferedImage grid(String title, Heatmap[] maps, Options opt) {
        return grid(title, maps, opt, null);
    }

    /** {@link #grid(String, Heatmap[], Options)} drawn into an array from {@code pixels} ({@link Grid#render(IntFunction)}). */
    static BufferedImage grid(String title, Heatmap[] maps, Options opt, IntFunction<int[]> pixels) {
        Heatmap[] shown = maps;
        String t = title;
        int f = maps.length == 0 ? 1 : gridShrink(maps[0].width(), maps[0].height());
        if (f > 1) {
            shown = new Heatmap[maps.length];
            for (int c = 0; c < maps.length; c++) {
                shown[c] = resample(maps[c], (maps[c].width() + f - 1) / f, (maps[c].height() + f - 1) / f);
            }
            t = title + " · maps at 1/" + f + " size";
        }
        return new Grid().title(t).columns(Math.min(opt.columns(), Math.max(1, shown.length)))
                .minTileSize(GRID_MIN_TILE).colormap(opt.colormap()).addChannels(shown).render(pixels);
    }

    /**
     * Pixel arrays of sheets already written, for the next sheets of the same size (the layers of a
     * block give sheets of one size, and so does a layer for every image): large new arrays cost
     * their zeroing and, while the heap grows, page faults. Holds at most {@code limit} bytes, the
     * arrays given back last. (Most sheets are large enough for G1 to keep them outside the young
     * generation; a pool of the maps' small unit arrays made drawing slower: they survived young
     * collections and were copied in each.)
     */
    private static final class Pool {
        private final long limit;
        private final ArrayDeque<int[]> free = new ArrayDeque<>();
        private long bytes;

        Pool(long limit) {
            this.limit = limit;
        }

        /** An array of exactly {@code n} pixels: one given back, or a new one. */
        synchronized int[] take(int n) {
            for (Iterator<int[]> it = free.iterator(); it.hasNext();) {
                int[] a = it.next();
                if (a.length == n) {
                    it.remove();
                    bytes -= 4L * n;
                    return a;
                }
            }
            return new int[n];
        }

        /** An array no longer drawn on or read. */
        synchronized void give(int[] a) {
            free.addFirst(a);
            bytes += 4L * a.length;
            while (bytes > limit) {
                bytes -= 4L * free.removeLast().length;
            }
        }
    }

    /**
     * The factor by which a {@code width × height} map is shrunk in the grid: the smallest integer
     * that brings its longer side to {@link #GRID_MAX_TILE} or less (1: drawn as it is).
     */
    public static int gridShrink(int width, int height) {
        int longer = Math.max(width, height);
        return Math.max(1, (longer + GRID_MAX_TILE - 1) / GRID_MAX_TILE);
    }

    /**
     * A GIF frame: every channel in a near-square grid fitted into {@link #GIF_SIDE}² pixels (maps
     * shrunk by averaging or enlarged by repeating pixels), under the label.
     */
    static BufferedImage gifFrame(String label, Heatmap[] maps, Colormap cmap) {
        int cols = GridLayout.columnsFor(maps.length);
        int gap = maps.length > 64 ? 1 : 2;
        int room = GIF_SIDE - (cols - 1) * gap;
        int h0 = maps[0].height();
        int w0 = maps[0].width();
        double s = Math.min((double) room / cols / w0, (double) room / cols / h0);
        int tw = Math.max(1, (int) (w0 * s));
        int th = Math.max(1, (int) (h0 * s));
        Grid g = new Grid().title(label).titleScale(1).columns(cols).gap(gap).minTileSize(1).colormap(cmap);
        for (Heatmap m : maps) {
            g.add(resample(m, tw, th), "");
        }
        return g.render();
    }

    /** A map at another size: each target pixel the mean of the source cells it covers, or the nearest when enlarging. */
    static Heatmap resample(Heatmap m, int tw, int th) {
        if (tw == m.width() && th == m.height()) {
            return m;
        }
        if (m.dead()) {
            return new Heatmap(new float[tw * th], tw, th, true);
        }
        float[] out = new float[tw * th];
        float[] src = m.unit();
        int w = m.width();
        int h = m.height();
        // the source columns of each target column, worked out once rather than for every row
        int[] xs0 = new int[tw];
        int[] xs1 = new int[tw];
        for (int x = 0; x < tw; x++) {
            xs0[x] = (int) ((long) x * w / tw);
            xs1[x] = Math.max(xs0[x] + 1, (int) ((long) (x + 1) * w / tw));
        }
        for (int y = 0; y < th; y++) {
            int y0 = (int) ((long) y * h / th);
            int y1 = Math.max(y0 + 1, (int) ((long) (y + 1) * h / th));
            for (int x = 0; x < tw; x++) {
                int x0 = xs0[x];
                int x1 = xs1[x];
                float sum = 0;
                for (int yy = y0; yy < y1; yy++) {
                    for (int xx = x0, o = yy * w; xx < x1; xx++) {
                        sum += src[o + xx];
                    }
                }
                out[y * tw + x] = sum / ((y1 - y0) * (x1 - x0));
            }
        }
        return new Heatmap(out, tw, th, false);
    }

    /**
     * The compare picture of a layer: one row per image, each the image as the network saw it and the
     * same {@code min(topK, C)} channels, those ranked highest over all images.
     */
    static BufferedImage compare(Activations acts, LayerActivations l, Options opt) {
        double[] total = new double[l.channels()];
        for (LayerStats s : l.stats()) {
            for (int c = 0; c < total.length; c++) {
                total[c] += s.score(c, opt.rank());
            }
        }
        Integer[] idx = new Integer[total.length];
        for (int c = 0; c < idx.length; c++) {
            idx[c] = c;
        }
        Arrays.sort(idx, (a, b) -> total[a] != total[b] ? Double.compare(total[b], total[a]) : Integer.compare(a, b));
        int k = Math.min(opt.topK(), idx.length);
        List<BufferedImage> rows = new ArrayList<>();
        for (int i = 0; i < acts.imageCount(); i++) {
            Grid g = new Grid().title(label(acts, i, l) + " · top " + k + " over all images").titleScale(1)
                    .columns(k + 1).minTileSize(TOP_MIN_TILE).colormap(opt.colormap());
            g.add(acts.inputImages().get(i), "input");
            // one layer-wide scale: the layer's maps once per image, not once per channel shown
            Heatmap[] whole = opt.normalization() == Normalization.LAYER
                    ? opt.normalization().layer(l.values().get(i), l.channels(), l.height(), l.width()) : null;
            for (int j = 0; j < k; j++) {
                int c = idx[j];
                Heatmap m = whole != null ? whole[c] : map(l, i, c, opt.normalization());
                g.add(m, "#" + c);
            }
            rows.add(g.render());
        }
        return Compose.column(rows, 4, Grid.BACKGROUND);
    }

    private static void writeChannelsGif(Activations acts, LayerActivations l, int image, Options opt, Path file) {
        Heatmap[] maps = maps(l, image, opt.normalization());
        int side = GIF_SIDE / 2;
        double s = Math.min((double) side / l.width(), (double) side / l.height());
        int scale = Math.max(1, (int) s);
        Gif g = new Gif();
        for (int c = 0; c < maps.length; c++) {
            String label = fileName(acts.imageNames().get(image)) + " · " + l.name() + " · " + l.height() + "×" + l.width()
                    + " · channel " + c + " of " + l.channels() + (maps[c].dead() ? " (dead)" : "");
            Heatmap m = s >= 1 ? maps[c] : resample(maps[c], Math.max(1, (int) (l.width() * s)), Math.max(1, (int) (l.height() * s)));
            g.add(new Grid().title(label).titleScale(1).minTileSize(s >= 1 ? scale * Math.max(l.width(), l.height()) : 1)
                    .colormap(opt.colormap()).add(m, "").render(), opt.gifDelayMs());
        }
        g.write(file);
    }

    private static void png(Path dir, String rel, BufferedImage img, List<String> written) {
        Png.write(dir.resolve(rel), img);
        written.add(rel);
    }

    private static void text(Path dir, String rel, String content, List<String> written) {
        AtomicFiles.write(dir.resolve(rel), out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
        written.add(rel);
    }

    private static void await(List<Future<?>> jobs) {
        try {
            for (Future<?> f : jobs) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConvscopeException("interrupted while drawing", e);
        } catch (ExecutionException e) {
            for (Future<?> f : jobs) {
                f.cancel(true);
            }
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new ConvscopeException("drawing failed: " + c, c);
        }
    }
}
