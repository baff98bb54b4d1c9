package io.convscope.atlas;

import io.convscope.ConvscopeException;
import io.convscope.image.ImageTensor;
import io.convscope.network.Network;
import io.convscope.render.Html;
import io.convscope.render.Images;
import io.convscope.render.Png;
import io.convscope.util.AtomicFiles;
import io.convscope.util.Futures;
import io.convscope.util.Progress;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The atlas as a static web site (no external assets, no server: it works from the file system too).
 *
 * <pre>
 * index.html                      the layers, with links
 * LAYER/index.html                every unit as a tile of its top patches, sortable by its statistics
 * LAYER/UNIT/index.html           one unit: its top patches, their projections, the full images with the
 *                                 patch outlined (a CSS box over the shared image), statistics, class
 *                                 preferences, the feature visualization if given
 * LAYER/UNIT/patch_1.png …        the patches (rank 1 = strongest), proj_1.png … their projections
 * images/N.png                    dataset image N (its index), once, shared by every unit that shows it
 * atlas.json, units.csv, top.csv  the numbers
 * </pre>
 *
 * <p>The site is written into a temporary folder beside the target and renamed onto it when complete:
 * an interrupted run leaves the old site (or none), never half of one.
 */
public final class AtlasSite {
    /** Side of one patch cell in a layer page's tile. */
    static final int CELL = 32;
    /** Full images are enlarged to about this size for display (nearest neighbour). */
    static final int DISPLAY = 112;
    /** The folder of the dataset images, one PNG per image that any unit shows, shared by all units. */
    static final String IMAGES = "images";

    /** The file name of dataset image {@code index} in {@link #IMAGES}. */
    static String imageFile(int index) {
        return index + ".png";
    }

    private AtlasSite() {
    }

    /**
     * What the site shows beside the numbers.
     *
     * @param model     the model's name for the titles
     * @param filters   the output folder of {@code convscope filters} (null: none)
     * @param threads   threads that decode and draw
     * @param projector  an engine of the prepared network for the projections (null: none)
     * @param projection how the top activations are projected into their patches
     */
    public record Options(String model, Path filters, int threads, io.convscope.engine.Engine projector,
                          Projections.Kind projection) {
        /** Deconvnet projections. */
        public Options(String model, Path filters, int threads, io.convscope.engine.Engine projector) {
            this(model, filters, threads, projector, Projections.Kind.DECONVNET);
        }
    }

    /**
     * Writes the site for {@code tally} into {@code out} (replacing an older site there).
     *
     * @param net the network the tally was computed on ({@link Atlas#prepare}d: its shapes give the fields)
     * @return the number of files written
     */
    public static int write(Network net, AtlasJob job, Dataset data, Tally tally, Options options, Path out, Progress progress) {
        Path target = out.toAbsolutePath().normalize();
        Path tmp = target.resolveSibling("." + target.getFileName() + ".partial");
        try {
            deleteTree(tmp);
            Files.createDirectories(tmp);
            int files;
            try {
                files = render(net, job, data, tally, options, tmp, progress);
            } catch (RuntimeException | IOException | Error e) {
                deleteTree(tmp); // never half a site
                throw e;
            }
            Path old = target.resolveSibling("." + target.getFileName() + ".old");
            deleteTree(old);
            if (Files.exists(target)) {
                Files.move(target, old);
            }
            Files.move(tmp, target);
            deleteTree(old);
            return files;
        } catch (IOException e) {
            throw new ConvscopeException("cannot write the atlas to " + out + ": " + e.getMessage(), e);
        }
    }

    /** A layer name as a folder name (letters, digits, '.', '_', '-'). */
    public static String slug(String layer) {
        String s = layer.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.isEmpty() || s.startsWith(".") ? "_" + s : s;
    }

    private record Ref(int layer, int channel, int rank) { }

    private static int render(Network net, AtlasJob job, Dataset data, Tally t, Options options, Path dir, Progress progress)
            throws IOException {
        int h = job.height();
        int w = job.width();
        int scale = Math.max(1, DISPLAY / Math.max(h, w));
        int k = t.k();
        int cols = (int) Math.ceil(Math.sqrt(k));
        int rows = (k + cols - 1) / cols;
        // every referenced image once, in index order
        Map<Integer, List<Ref>> refs = new java.util.TreeMap<>();
        for (int l = 0; l < t.layers().size(); l++) {
            for (int c = 0; c < t.channels(l); c++) {
                for (int r = 0; r < t.topCount(l, c); r++) {
                    refs.computeIfAbsent(t.topImage(l, c, r), i -> new ArrayList<>()).add(new Ref(l, c, r));
                }
            }
        }
        Map<String, ReceptiveField.Box> boxes = new ConcurrentHashMap<>();
        Map<Ref, ReceptiveField.Box> refBoxes = new ConcurrentHashMap<>();
        BufferedImage[][] tiles = new BufferedImage[t.layers().size()][];
        for (int l = 0; l < tiles.length; l++) {
            tiles[l] = new BufferedImage[t.channels(l)];
            for (int c = 0; c < t.channels(l); c++) {
                tiles[l][c] = Images.create(cols * CELL + cols - 1, rows * CELL + rows - 1, 0x202020);
            }
        }
        AtomicLong files = new AtomicLong();
        AtomicLong done = new AtomicLong();
        Progress p = Progress.orNone(progress);
        p.start("writing the atlas site", refs.size(), Progress.Unit.STEPS);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, options.threads()));
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (Map.Entry<Integer, List<Ref>> e : refs.entrySet()) {
                jobs.add(pool.submit(() -> {
                    int img = e.getKey();
                    BufferedImage view = Images.toRgb(ImageTensor.toImage(Atlas.input(net, job, data, img), 0,
                            net.inputShape().channels(), h, w, net.preprocessing()));
                    Png.write(dir.resolve(IMAGES).resolve(imageFile(img)), Images.upscale(view, scale));
                    files.incrementAndGet();
                    for (Ref ref : e.getValue()) {
                        String layer = t.layers().get(ref.layer);
                        int pos = t.topPosition(ref.layer, ref.channel, ref.rank);
                        int y = pos / t.width(ref.layer);
                        int x = pos % t.width(ref.layer);
                        ReceptiveField.Box box = boxes.computeIfAbsent(layer + "@" + y + "," + x,
                                key -> ReceptiveField.of(net, layer, y, x).clip(h, w));
                        refBoxes.put(ref, box);
                        Path unit = dir.resolve(slug(layer)).resolve(Integer.toString(ref.channel));
                        BufferedImage patch = crop(view, box);
                        Png.write(unit.resolve("patch_" + (ref.rank + 1) + ".png"), Images.upscale(patch, scale));
                        files.incrementAndGet();
                        BufferedImage tile = tiles[ref.layer][ref.channel];
                        BufferedImage cell = fit(patch, CELL);
                        synchronized (tile) {
                            Images.draw(tile, cell, (ref.rank % cols) * (CELL + 1) + (CELL - cell.getWidth()) / 2,
                                    (ref.rank / cols) * (CELL + 1) + (CELL - cell.getHeight()) / 2);
                        }
                    }
                    p.advance(done.incrementAndGet());
                    return null;
                }));
            }
            for (Future<?> f : jobs) {
                Futures.get(f);
            }
        } finally {
            pool.shutdownNow();
            p.finish();
        }
        boolean projected = options.projector() != null;
        if (projected) {
            files.addAndGet(project(options.projector(), options.projection(), job, data, t, refBoxes, scale, dir,
                    options.threads(), progress));
        }
        for (int l = 0; l < t.layers().size(); l++) {
            for (int c = 0; c < t.channels(l); c++) {
                Path unit = dir.resolve(slug(t.layers().get(l))).resolve(Integer.toString(c));
                Png.write(unit.resolve("tile.png"), tiles[l][c]);
                files.incrementAndGet();
                String filter = copyFilter(options.filters(), t.layers().get(l), c, unit);
                if (filter != null) {
                    files.incrementAndGet();
                }
                writeText(unit.resolve("index.html"), unitPage(net, job, data, t, l, c, refBoxes, filter, projected, options));
                files.incrementAndGet();
            }
            writeText(dir.resolve(slug(t.layers().get(l))).resolve("index.html"), layerPage(job, data, t, l, options));
            files.incrementAndGet();
        }
        writeText(dir.resolve("index.html"), indexPage(job, data, t, options));
        writeText(dir.resolve("atlas.json"), json(job, data, t, refBoxes, options));
        writeText(dir.resolve("units.csv"), unitsCsv(data, t));
        writeText(dir.resolve("top.csv"), topCsv(data, t, refBoxes));
        return (int) files.get() + 4;
    }

    /**
     * Writes proj_R.png for every top entry. Per layer, the entries are taken in image order, so that the
     * entries of one image share a walk (the image is decoded and sent to the engine once), as many per
     * walk as {@link Projections#perWalk} allows; the pictures of one walk are drawn and written on
     * {@code threads} threads while the engine computes the next.
     */
    private static long project(io.convscope.engine.Engine engine, Projections.Kind kind, AtlasJob job, Dataset data, Tally t,
                                Map<Ref, ReceptiveField.Box> boxes, int scale, Path dir, int threads, Progress progress) {
        Network net = engine.network();
        int c = net.inputShape().channels();
        int h = job.height();
        int w = job.width();
        long total = 0;
        for (int l = 0; l < t.layers().size(); l++) {
            for (int ch = 0; ch < t.channels(l); ch++) {
                total += t.topCount(l, ch);
            }
        }
        Progress p = Progress.orNone(progress);
        p.start("projecting the top activations", total, Progress.Unit.STEPS);
        AtomicLong written = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        List<Future<?>> previous = new ArrayList<>();
        try (io.convscope.explain.Backprop walk = kind == Projections.Kind.DECONVNET
                ? new io.convscope.explain.Backprop(net, engine) : null) { // the walk uses the engine's weights, not a copy
            for (int l = 0; l < t.layers().size(); l++) {
                String layer = t.layers().get(l);
                int lf = l;
                List<Ref> refs = new ArrayList<>();
                for (int ch = 0; ch < t.channels(l); ch++) {
                    for (int r = 0; r < t.topCount(l, ch); r++) {
                        refs.add(new Ref(l, ch, r));
                    }
                }
                refs.sort(Comparator.comparingInt((Ref r) -> t.topImage(lf, r.channel, r.rank))
                        .thenComparingInt(r -> r.channel).thenComparingInt(r -> r.rank));
                int per = Projections.perWalk(net, layer);
                for (int s = 0; s < refs.size(); s += per) {
                    List<Ref> part = refs.subList(s, Math.min(refs.size(), s + per));
                    Map<Integer, float[]> inputs = new java.util.HashMap<>();
                    List<Projections.Request> req = new ArrayList<>();
                    for (Ref ref : part) {
                        int pos = t.topPosition(l, ref.channel, ref.rank);
                        float[] x = inputs.computeIfAbsent(t.topImage(l, ref.channel, ref.rank), i -> Atlas.input(net, job, data, i));
                        req.add(new Projections.Request(x, ref.channel, pos / t.width(l), pos % t.width(l)));
                    }
                    float[][] g = walk != null ? Projections.deconvnet(walk, net, layer, req, c, h, w)
                            : Projections.gradients(engine, layer, req, c, h, w);
                    finish(previous);
                    for (int i = 0; i < part.size(); i++) {
                        Ref ref = part.get(i);
                        float[] gi = g[i];
                        previous.add(pool.submit(() -> {
                            Path unit = dir.resolve(slug(layer)).resolve(Integer.toString(ref.channel));
                            Png.write(unit.resolve("proj_" + (ref.rank + 1) + ".png"),
                                    Images.upscale(Projections.picture(gi, c, h, w, boxes.get(ref)), scale));
                            p.advance(written.incrementAndGet());
                            return null;
                        }));
                    }
                }
            }
            finish(previous);
        } finally {
            pool.shutdownNow();
            p.finish();
        }
        return written.get();
    }

    /** Waits for {@code jobs} (and empties the list); the first failure is thrown as it was. */
    private static void finish(List<Future<?>> jobs) {
        for (Future<?> f : jobs) {
            Futures.get(f);
        }
        jobs.clear();
    }

    /** The pixels of {@code box} (a 1×1 black image for an empty box), a new image. */
    static BufferedImage crop(BufferedImage view, ReceptiveField.Box box) {
        if (box.height() <= 0 || box.width() <= 0) {
            return Images.create(1, 1, 0);
        }
        int[] px = view.getRGB(box.left(), box.top(), box.width(), box.height(), null, 0, box.width());
        BufferedImage out = Images.create(box.width(), box.height(), 0);
        int[] dst = Images.pixels(out);
        for (int i = 0; i < px.length; i++) {
            dst[i] = px[i] & 0xffffff;
        }
        return out;
    }

    /** {@code img} scaled by nearest neighbour to fit a {@code side} square, keeping its aspect ratio. */
    static BufferedImage fit(BufferedImage img, int side) {
        int w = img.getWidth();
        int h = img.getHeight();
        double f = Math.min((double) side / w, (double) side / h);
        int ow = Math.max(1, (int) Math.round(w * f));
        int oh = Math.max(1, (int) Math.round(h * f));
        BufferedImage out = Images.create(ow, oh, 0);
        int[] src = Images.pixels(img);
        int[] dst = Images.pixels(out);
        for (int y = 0; y < oh; y++) {
            int sy = Math.min(h - 1, (int) (y / f));
            for (int x = 0; x < ow; x++) {
                dst[y * ow + x] = src[sy * w + Math.min(w - 1, (int) (x / f))];
            }
        }
        return out;
    }

    private static String copyFilter(Path filters, String layer, int channel, Path unit) throws IOException {
        if (filters == null) {
            return null;
        }
        String file = String.format(Locale.ROOT, "c%03d.png", channel);
        for (Path cand : new Path[] {filters.resolve(slug(layer)).resolve(file), filters.resolve(layer).resolve(file),
                filters.resolve(file)}) {
            if (Files.isRegularFile(cand)) {
                Files.createDirectories(unit);
                Files.copy(cand, unit.resolve("filter.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                return "filter.png";
            }
        }
        return null;
    }

    // ---- pages ---------------------------------------------------------------------------------

    private static final String STYLE = "<style>body{font:14px system-ui,sans-serif;margin:1.5em;background:#fafafa;color:#222}"
            + "img{image-rendering:pixelated}a{color:#1558b0;text-decoration:none}table{border-collapse:collapse}"
            + "td,th{padding:2px 8px;text-align:right;border-bottom:1px solid #ddd}th{background:#eee}"
            + ".tiles{display:flex;flex-wrap:wrap;gap:8px}.tile{background:#fff;border:1px solid #ccc;padding:4px;font-size:12px;"
            + "text-align:center}.tile.dead{opacity:.45}.row{display:flex;flex-wrap:wrap;gap:10px}.ex{background:#fff;"
            + "border:1px solid #ccc;padding:4px;font-size:12px;text-align:center}.bar{background:#4a7ebb;height:10px}"
            + "td.l{text-align:left}.fig{position:relative;display:inline-block;line-height:0}.fig img{display:block}"
            + ".fig .box{position:absolute;box-sizing:border-box;border:2px solid #ff3030;pointer-events:none}</style>";

    private static String head(String title) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + Html.escape(title) + "</title>"
                + STYLE + "</head><body>\n";
    }

    private static String indexPage(AtlasJob job, Dataset data, Tally t, Options o) {
        StringBuilder sb = new StringBuilder(head("atlas · " + o.model()));
        sb.append("<h1>Atlas of ").append(Html.escape(o.model())).append("</h1>\n<p>")
                .append(t.images()).append(" images of ").append(Html.escape(data.spec()))
                .append(" at ").append(job.width()).append("×").append(job.height()).append(", top ").append(t.k())
                .append(" images per unit (one position per image, the image's strongest).");
        if (t.failed() > 0) {
            sb.append(" ").append(t.failed()).append(" images could not be read and were skipped:");
        }
        sb.append("</p>\n");
        if (t.failed() > 0) {
            sb.append("<ul>");
            for (String f : t.failures()) {
                sb.append("<li>").append(Html.escape(f)).append("</li>");
            }
            sb.append("</ul>\n");
        }
        sb.append("<table><tr><th class=l>layer</th><th>units</th><th>map</th><th>dead</th><th>mean</th></tr>\n");
        for (int l = 0; l < t.layers().size(); l++) {
            int dead = 0;
            double mean = 0;
            for (int c = 0; c < t.channels(l); c++) {
                dead += t.dead(l, c) ? 1 : 0;
                mean += t.mean(l, c);
            }
            sb.append("<tr><td class=l><a href=\"").append(slug(t.layers().get(l))).append("/index.html\">")
                    .append(Html.escape(t.layers().get(l))).append("</a></td><td>").append(t.channels(l)).append("</td><td>")
                    .append(t.width(l)).append("×").append(t.height(l)).append("</td><td>").append(dead).append("</td><td>")
                    .append(num(mean / t.channels(l))).append("</td></tr>\n");
        }
        sb.append("</table>\n<p>Numbers: <a href=\"atlas.json\">atlas.json</a>, <a href=\"units.csv\">units.csv</a>, "
                + "<a href=\"top.csv\">top.csv</a>.</p></body></html>\n");
        return sb.toString();
    }

    private static String layerPage(AtlasJob job, Dataset data, Tally t, int l, Options o) {
        String layer = t.layers().get(l);
        StringBuilder sb = new StringBuilder(head(layer + " · atlas"));
        sb.append("<p><a href=\"../index.html\">atlas</a> › ").append(Html.escape(layer)).append("</p>\n<h1>")
                .append(Html.escape(layer)).append("</h1>\n<p>").append(t.channels(l)).append(" units, maps ")
                .append(t.width(l)).append("×").append(t.height(l)).append(". Sort by <select id=sort>"
                        + "<option value=unit>unit</option><option value=mean>mean</option><option value=max>max</option>"
                        + "<option value=zeros>fraction of zeros</option><option value=active>images active</option>"
                        + "</select></p>\n<div class=tiles id=tiles>\n");
        for (int c = 0; c < t.channels(l); c++) {
            sb.append("<a class=\"tile").append(t.dead(l, c) ? " dead" : "").append("\" href=\"").append(c)
                    .append("/index.html\" data-unit=").append(c).append(" data-mean=").append(num(t.mean(l, c)))
                    .append(" data-max=").append(num(t.max(l, c))).append(" data-zeros=").append(num(t.zeroFraction(l, c)))
                    .append(" data-active=").append(num(t.activeFraction(l, c))).append("><img src=\"").append(c)
                    .append("/tile.png\" width=").append(t.k() == 1 ? CELL * 2 : 3 * CELL + 2).append(" alt=\"unit ").append(c)
                    .append("\"><br>").append(c).append(t.dead(l, c) ? " · dead" : " · max " + num(t.max(l, c)))
                    .append("</a>\n");
        }
        sb.append("</div>\n<script>document.getElementById('sort').onchange=function(){var k=this.value,"
                + "box=document.getElementById('tiles'),a=Array.prototype.slice.call(box.children);a.sort(function(x,y){"
                + "var u=parseFloat(x.dataset[k]),v=parseFloat(y.dataset[k]);return k=='unit'?u-v:(v-u)||"
                + "(x.dataset.unit-y.dataset.unit)});a.forEach(function(e){box.appendChild(e)})};</script>\n</body></html>\n");
        return sb.toString();
    }

    private static String unitPage(Network net, AtlasJob job, Dataset data, Tally t, int l, int c,
                                   Map<Ref, ReceptiveField.Box> boxes, String filter, boolean projected, Options o) {
        String layer = t.layers().get(l);
        StringBuilder sb = new StringBuilder(head(layer + " unit " + c + " · atlas"));
        sb.append("<p><a href=\"../../index.html\">atlas</a> › <a href=\"../index.html\">").append(Html.escape(layer))
                .append("</a> › unit ").append(c).append("</p>\n<h1>").append(Html.escape(layer)).append(" · unit ").append(c)
                .append("</h1>\n");
        if (t.dead(l, c)) {
            sb.append("<p><b>Dead:</b> never above zero on any of the ").append(t.images()).append(" images.</p>\n");
        }
        sb.append("<h2>Top ").append(t.topCount(l, c)).append(" images</h2>\n<div class=row>\n");
        for (int r = 0; r < t.topCount(l, c); r++) {
            sb.append("<div class=ex><img src=\"patch_").append(r + 1).append(".png\" height=96 alt=\"patch\"><br>#")
                    .append(r + 1).append(" · ").append(num(t.topValue(l, c, r))).append("</div>\n");
        }
        if (filter != null) {
            sb.append("<div class=ex><img src=\"").append(filter).append("\" height=96 alt=\"feature visualization\"><br>"
                    + "feature visualization</div>\n");
        }
        sb.append("</div>\n");
        if (projected) {
            sb.append("<h2>Projections</h2>\n<p>").append(o.projection() == Projections.Kind.GRADIENT
                    ? "The gradient of each top activation with respect to the patch's pixels"
                    : "Each top activation alone projected down to the patch's pixels by the deconvnet (Zeiler &amp; Fergus: "
                    + "unpooling by the forward switches, ReLU on the backward signal, transposed filters)")
                    .append(" (gray 0, bright positive, dark negative): which pixels drive the unit.</p>\n<div class=row>\n");
            for (int r = 0; r < t.topCount(l, c); r++) {
                sb.append("<div class=ex><img src=\"proj_").append(r + 1).append(".png\" height=96 alt=\"projection\"><br>#")
                        .append(r + 1).append("</div>\n");
            }
            sb.append("</div>\n");
        }
        sb.append("<h2>In their images</h2>\n<div class=row>\n");
        for (int r = 0; r < t.topCount(l, c); r++) {
            int img = t.topImage(l, c, r);
            int pos = t.topPosition(l, c, r);
            ReceptiveField.Box b = boxes.get(new Ref(l, c, r));
            String label = data.label(img) >= 0 ? data.classes().get(data.label(img)) : "";
            int scale = Math.max(1, DISPLAY / Math.max(job.height(), job.width()));
            sb.append("<div class=ex><div class=fig><img src=\"../../").append(IMAGES).append('/').append(imageFile(img))
                    .append("\" width=").append(job.width() * scale).append(" height=").append(job.height() * scale)
                    .append(" alt=\"image\">");
            if (b != null && b.width() > 0 && b.height() > 0) {
                sb.append("<div class=box style=\"left:").append(b.left() * scale).append("px;top:").append(b.top() * scale)
                        .append("px;width:").append(b.width() * scale).append("px;height:").append(b.height() * scale)
                        .append("px\"></div>");
            }
            sb.append("</div>")
                    .append(Html.escape(data.name(img))).append(label.isEmpty() ? "" : " · " + Html.escape(label))
                    .append("<br>at (").append(pos / t.width(l)).append(", ").append(pos % t.width(l)).append(")")
                    .append(b == null ? "" : " · field " + b.width() + "×" + b.height()).append("</div>\n");
        }
        sb.append("</div>\n<h2>Statistics over ").append(t.images()).append(" images</h2>\n<table>")
                .append("<tr><td class=l>mean</td><td>").append(num(t.mean(l, c))).append("</td></tr>")
                .append("<tr><td class=l>max</td><td>").append(num(t.max(l, c))).append("</td></tr>")
                .append("<tr><td class=l>fraction of zeros</td><td>").append(num(t.zeroFraction(l, c))).append("</td></tr>")
                .append("<tr><td class=l>images where active</td><td>").append(num(t.activeFraction(l, c))).append("</td></tr>")
                .append("</table>\n");
        if (t.classes() > 0) {
            List<Integer> order = classOrder(t, l, c);
            double top = Math.max(1e-12, Math.abs(t.classMean(l, c, order.get(0))));
            sb.append("<h2>Class preferences</h2>\n<p>Mean activation over the images of each class.</p>\n<table>");
            for (int cls : order) {
                double m = t.classMean(l, c, cls);
                sb.append("<tr><td class=l>").append(Html.escape(data.classes().get(cls))).append("</td><td>").append(num(m))
                        .append("</td><td class=l><div class=bar style=\"width:")
                        .append(Double.isNaN(m) ? 0 : (int) Math.round(200 * Math.max(0, m) / top)).append("px\"></div></td></tr>");
            }
            sb.append("</table>\n");
        }
        sb.append("</body></html>\n");
        return sb.toString();
    }

    /** Classes by mean activation of the unit, largest first (classes without images last). */
    static List<Integer> classOrder(Tally t, int l, int c) {
        List<Integer> order = new ArrayList<>();
        for (int k = 0; k < t.classes(); k++) {
            order.add(k);
        }
        order.sort(Comparator.<Integer>comparingDouble(k -> {
            double m = t.classMean(l, c, k);
            return Double.isNaN(m) ? Double.POSITIVE_INFINITY : -m;
        }).thenComparingInt(k -> k));
        return order;
    }

    // ---- numbers -------------------------------------------------------------------------------

    private static String num(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "Infinity" : "-Infinity";
        }
        return String.format(Locale.ROOT, "%.6g", v);
    }

    private static String jnum(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : num(v);
    }

    private static String jstr(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static String json(AtlasJob job, Dataset data, Tally t, Map<Ref, ReceptiveField.Box> boxes, Options o) {
        StringBuilder sb = new StringBuilder("{\n");
        sb.append("  \"model\": ").append(jstr(o.model())).append(",\n  \"dataset\": ").append(jstr(data.spec()))
                .append(",\n  \"images\": ").append(t.images()).append(",\n  \"failed\": ").append(t.failed())
                .append(",\n  \"top\": ").append(t.k()).append(",\n  \"input\": [").append(job.height()).append(", ")
                .append(job.width()).append("],\n  \"classes\": [");
        for (int k = 0; k < data.classes().size(); k++) {
            sb.append(k == 0 ? "" : ", ").append(jstr(data.classes().get(k)));
        }
        sb.append("],\n  \"layers\": [\n");
        for (int l = 0; l < t.layers().size(); l++) {
            sb.append("    {\"name\": ").append(jstr(t.layers().get(l))).append(", \"map\": [").append(t.height(l)).append(", ")
                    .append(t.width(l)).append("], \"units\": [\n");
            for (int c = 0; c < t.channels(l); c++) {
                sb.append("      {\"unit\": ").append(c).append(", \"mean\": ").append(jnum(t.mean(l, c))).append(", \"max\": ")
                        .append(jnum(t.max(l, c))).append(", \"zeros\": ").append(jnum(t.zeroFraction(l, c)))
                        .append(", \"active\": ").append(jnum(t.activeFraction(l, c))).append(", \"dead\": ").append(t.dead(l, c));
                if (t.classes() > 0) {
                    sb.append(", \"classMeans\": [");
                    for (int k = 0; k < t.classes(); k++) {
                        sb.append(k == 0 ? "" : ", ").append(jnum(t.classMean(l, c, k)));
                    }
                    sb.append("]");
                }
                sb.append(", \"top\": [");
                for (int r = 0; r < t.topCount(l, c); r++) {
                    int img = t.topImage(l, c, r);
                    int pos = t.topPosition(l, c, r);
                    ReceptiveField.Box b = boxes.get(new Ref(l, c, r));
                    sb.append(r == 0 ? "" : ", ").append("{\"image\": ").append(img).append(", \"name\": ").append(jstr(data.name(img)))
                            .append(", \"value\": ").append(jnum(t.topValue(l, c, r))).append(", \"y\": ").append(pos / t.width(l))
                            .append(", \"x\": ").append(pos % t.width(l));
                    if (b != null) {
                        sb.append(", \"box\": [").append(b.top()).append(", ").append(b.left()).append(", ").append(b.bottom())
                                .append(", ").append(b.right()).append("]");
                    }
                    sb.append("}");
                }
                sb.append("]}").append(c + 1 < t.channels(l) ? ",\n" : "\n");
            }
            sb.append("    ]}").append(l + 1 < t.layers().size() ? ",\n" : "\n");
        }
        sb.append("  ]\n}\n");
        return sb.toString();
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static String unitsCsv(Dataset data, Tally t) {
        StringBuilder sb = new StringBuilder("layer,unit,mean,max,zeros,active,dead,top_class\n");
        for (int l = 0; l < t.layers().size(); l++) {
            for (int c = 0; c < t.channels(l); c++) {
                String cls = t.classes() > 0 ? data.classes().get(classOrder(t, l, c).get(0)) : "";
                sb.append(csv(t.layers().get(l))).append(',').append(c).append(',').append(num(t.mean(l, c))).append(',')
                        .append(num(t.max(l, c))).append(',').append(num(t.zeroFraction(l, c))).append(',')
                        .append(num(t.activeFraction(l, c))).append(',').append(t.dead(l, c)).append(',').append(csv(cls)).append('\n');
            }
        }
        return sb.toString();
    }

    private static String topCsv(Dataset data, Tally t, Map<Ref, ReceptiveField.Box> boxes) {
        StringBuilder sb = new StringBuilder("layer,unit,rank,image,name,label,value,y,x,top,left,bottom,right\n");
        for (int l = 0; l < t.layers().size(); l++) {
            for (int c = 0; c < t.channels(l); c++) {
                for (int r = 0; r < t.topCount(l, c); r++) {
                    int img = t.topImage(l, c, r);
                    int pos = t.topPosition(l, c, r);
                    ReceptiveField.Box b = boxes.get(new Ref(l, c, r));
                    String label = data.label(img) >= 0 ? data.classes().get(data.label(img)) : "";
                    sb.append(csv(t.layers().get(l))).append(',').append(c).append(',').append(r + 1).append(',').append(img)
                            .append(',').append(csv(data.name(img))).append(',').append(csv(label)).append(',')
                            .append(num(t.topValue(l, c, r))).append(',').append(pos / t.width(l)).append(',')
                            .append(pos % t.width(l)).append(',').append(b.top()).append(',').append(b.left()).append(',')
                            .append(b.bottom()).append(',').append(b.right()).append('\n');
                }
            }
        }
        return sb.toString();
    }

    private static void writeText(Path file, String text) {
        AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            w.write(text);
            w.flush();
        });
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
