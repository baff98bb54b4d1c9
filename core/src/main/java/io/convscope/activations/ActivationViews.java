package io.convscope.activations;

import io.convscope.ConvscopeException;
import io.convscope.render.Colormap;
import io.convscope.render.Grid;
import io.convscope.render.Heatmap;
import io.convscope.render.Images;
import io.convscope.render.Normalization;
import io.convscope.util.Futures;
import io.convscope.util.Names;
import io.convscope.util.Progress;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Draws an {@link Activations} result into a folder: the pictures a person asked for ({@link View}),
 * the statistics ({@link StatsReport}) and {@code index.html} ({@link IndexPage}); file names are
 * built by {@link FilePlan} and each view. Every picture is labelled with the image's name, the
 * layer's name, the map size (H×W) and the channel count.
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
    /** … in the top-k and compare views. */
    public static final int TOP_MIN_TILE = 96;

    private ActivationViews() {
    }

    /**
     * The views a person can name with {@code --views}, each backed by its {@link ActivationView}: a
     * constant is a view's registration. Their names, help and defaults come from the views.
     */
    public enum View {
        GRID(new GridView()),
        CHANNELS(new ChannelsView()),
        TOPK(new TopKView()),
        GIF(new LayersGifView()),
        COMPARE(new CompareView());

        /** The views drawn when none are named. */
        public static final Set<View> DEFAULTS;

        static {
            EnumSet<View> d = EnumSet.noneOf(View.class);
            for (View v : values()) {
                if (v.view.byDefault()) {
                    d.add(v);
                }
            }
            DEFAULTS = Collections.unmodifiableSet(d);
        }

        private final ActivationView view;

        View(ActivationView view) {
            this.view = view;
        }

        ActivationView view() {
            return view;
        }

        /** The name {@code --views} takes ({@code topk}). */
        public String cliName() {
            return view.name();
        }

        /** What its pictures show, one line. */
        public String help() {
            return view.help();
        }

        /** The view named (any case, hyphens ignored, or one of its other names such as {@code top}), or null. */
        public static View byName(String name) {
            String n = name.strip().toLowerCase(Locale.ROOT).replace("-", "");
            for (View v : values()) {
                if (v.view.name().replace("-", "").equals(n) || v.view.aliases().contains(n)) {
                    return v;
                }
            }
            return null;
        }

        /**
         * The views of {@code names} ({@link #DEFAULTS} when there are none).
         *
         * @throws ConvscopeException for an unknown name, with the nearest names or all names
         */
        public static Set<View> parse(List<String> names) {
            if (names.isEmpty()) {
                return DEFAULTS;
            }
            Set<View> v = EnumSet.noneOf(View.class);
            for (String n : names) {
                View view = byName(n);
                if (view == null) {
                    String hint = Names.didYouMean(n, names());
                    throw new ConvscopeException("unknown view '" + n + "'"
                            + (hint.isEmpty() ? "; views: " + String.join(", ", names()) : hint));
                }
                v.add(view);
            }
            return v;
        }

        /** The names, in the order of the constants. */
        public static List<String> names() {
            return java.util.Arrays.stream(values()).map(View::cliName).toList();
        }

        /** The top-level folders the views keep for themselves ({@code compare}). */
        static List<String> folders() {
            List<String> out = new ArrayList<>();
            for (View v : values()) {
                if (v.view.folder() != null) {
                    out.add(v.view.folder());
                }
            }
            return out;
        }
    }

    /** Every view, named or asked for by an option ({@code --gif-channels}), in the order the page shows them. */
    private static List<ActivationView> all() {
        List<ActivationView> out = new ArrayList<>();
        out.add(ChannelsGifView.INSTANCE);
        for (View v : View.values()) {
            out.add(v.view);
        }
        return out;
    }

    /** The views that draw in a run with {@code opt}, in the order the page shows them. */
    static List<ActivationView> active(Options opt) {
        return all().stream().filter(v -> v.active(opt)).toList();
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

    /**
     * The files {@link #render} writes for images named {@code imageNames} and {@code layers} (see
     * {@link FilePlan#layers}) with {@code opt}, relative to the output folder, sorted: known before
     * anything is computed, so that a caller can check them first. The largest position sets the
     * digits; {@link #files(List, List, int, Options)} takes the network's count of layers.
     */
    public static List<String> files(List<String> imageNames, List<? extends FilePlan.Layer> layers, Options opt) {
        int count = 1;
        for (FilePlan.Layer l : layers) {
            count = Math.max(count, l.position());
        }
        return files(imageNames, layers, count, opt);
    }

    /** {@link #files(List, List, Options)} with numbers of as many digits as {@code layerCount} needs ({@link FilePlan.Numbering#count}). */
    public static List<String> files(List<String> imageNames, List<? extends FilePlan.Layer> layers, int layerCount, Options opt) {
        FilePlan plan = new FilePlan(imageNames, layerCount);
        List<String> out = new ArrayList<>(List.of(FilePlan.INDEX, FilePlan.STATS_CSV, FilePlan.CHANNEL_STATS_CSV,
                FilePlan.STATS_JSON));
        for (int i = 0; i < plan.images(); i++) {
            out.add(plan.input(i));
        }
        for (ActivationView v : active(opt)) {
            out.addAll(v.files(plan, layers, opt));
        }
        Collections.sort(out);
        return out;
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
        if (opt.gifChannels() != null) {
            acts.layer(opt.gifChannels()); // says so when that layer was not computed
        }
        FilePlan plan = new FilePlan(acts.imageNames(), acts.layerCount());
        Drawing d = new Drawing(acts, opt, plan, dir);
        List<ActivationView> views = active(opt);
        int n = acts.imageCount();
        List<LayerActivations> layers = acts.layers();
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
                    d.png(plan.input(image), Images.upscale(Images.toRgb(in), Images.scaleFor(in.getWidth(), in.getHeight(), 128)));
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
                        for (ActivationView v : views) {
                            v.draw(d, l, image, maps);
                        }
                        synchronized (p) {
                            p.advance(done.incrementAndGet());
                        }
                    }));
                }
                jobs.add(pool.submit(() -> {
                    for (ActivationView v : views) {
                        v.drawLayer(d, l);
                    }
                }));
            }
            // the statistics depend on no picture: they fill the threads' idle time at the end
            jobs.add(pool.submit(() -> d.text(FilePlan.CHANNEL_STATS_CSV, StatsReport.channelsCsv(acts))));
            jobs.add(pool.submit(() -> d.text(FilePlan.STATS_JSON, StatsReport.json(acts, opt.topK(), opt.rank()))));
            jobs.add(pool.submit(() -> d.text(FilePlan.STATS_CSV, StatsReport.layersCsv(acts))));
            await(jobs);
        } finally {
            pool.shutdownNow();
            p.finish();
        }
        List<String> files = new ArrayList<>(d.written());
        files.add(FilePlan.INDEX);
        Collections.sort(files);
        d.text(FilePlan.INDEX, IndexPage.html(acts, plan, opt, files));
        return files;
    }

    /**
     * The maps of a layer for one image. {@link Normalization#STANDARDIZE} takes each channel's mean
     * and deviation from the statistics computed with the activations (the same numbers, so the same
     * maps) instead of going over the values twice more.
     */
    public static Heatmap[] maps(LayerActivations l, int image, Normalization norm) {
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
    public static Heatmap map(LayerActivations l, int image, int c, Normalization norm) {
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

    /**
     * "7_sneaker.png · block1_conv1 · 28×28 · 32 channels", and " · random weights" for a model with
     * random weights ({@link io.convscope.network.Network#saysRandomWeights}).
     */
    static String label(Activations acts, int image, LayerActivations l) {
        return fileName(acts.imageNames().get(image)) + " · " + l.name() + " · " + l.height() + "×" + l.width() + " · "
                + l.channels() + (l.channels() == 1 ? " channel" : " channels")
                + (io.convscope.network.Network.saysRandomWeights(acts.network()) ? " · random weights" : "");
    }

    /**
     * What a caption adds after "channel 7": the channel's class ({@code " · Egyptian cat"}) and, when
     * it is all zero for this image, {@code " (zero here)"} ("dead" is a channel's state over a whole
     * data set, which one image does not show).
     */
    static String channelNote(Activations acts, LayerActivations l, int c, Heatmap map) {
        String name = acts.channelName(l, c);
        return (name == null ? "" : " · " + name) + (map.dead() ? " (zero here)" : "");
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

    static String fileName(String path) {
        String p = path.replace('\\', '/');
        return p.substring(p.lastIndexOf('/') + 1);
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
        return grid(title, maps, opt, pixels, c -> null);
    }

    /**
     * {@link #grid(String, Heatmap[], Options, IntFunction)} with channels that have names (the
     * classes of a class map): channel {@code c} is captioned with its number and {@code names}'s
     * answer, where that is not null.
     */
    static BufferedImage grid(String title, Heatmap[] maps, Options opt, IntFunction<int[]> pixels, IntFunction<String> names) {
        return gridSheet(title, maps, opt, names).render(pixels);
    }

    /**
     * Where the grid of a layer with {@code channels} maps of {@code width × height} (named by
     * {@code names}) puts each channel's tile (its title one line, as every grid's is): the same sheet
     * as {@link #grid}, laid out over blank maps.
     */
    static List<java.awt.Rectangle> gridTiles(int channels, int width, int height, Options opt, IntFunction<String> names) {
        float[] blank = new float[width * height];
        Heatmap[] maps = new Heatmap[channels];
        java.util.Arrays.fill(maps, new Heatmap(blank, width, height, true));
        return gridSheet("-", maps, opt, names).tiles();
    }

    private static Grid gridSheet(String title, Heatmap[] maps, Options opt, IntFunction<String> names) {
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
        Grid g = new Grid().title(t).columns(Math.min(opt.columns(), Math.max(1, shown.length)))
                .minTileSize(GRID_MIN_TILE).colormap(opt.colormap());
        for (int c = 0; c < shown.length; c++) {
            String name = names.apply(c);
            g.add(shown[c], name == null ? Integer.toString(c) : c + " " + name);
        }
        return g;
    }

    /**
     * The factor by which a {@code width × height} map is shrunk in the grid: the smallest integer
     * that brings its longer side to {@link #GRID_MAX_TILE} or less (1: drawn as it is).
     */
    public static int gridShrink(int width, int height) {
        int longer = Math.max(width, height);
        return Math.max(1, (longer + GRID_MAX_TILE - 1) / GRID_MAX_TILE);
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

    /** Waits for every drawing job; the first failure cancels the others and is thrown as it was. */
    private static void await(List<Future<?>> jobs) {
        try {
            for (Future<?> f : jobs) {
                Futures.get(f);
            }
        } catch (RuntimeException | Error e) {
            for (Future<?> f : jobs) {
                f.cancel(true);
            }
            throw e;
        }
    }
}
