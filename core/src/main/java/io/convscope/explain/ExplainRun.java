package io.convscope.explain;

import ai.djl.Device;
import io.convscope.ConvscopeException;
import io.convscope.Setting;
import io.convscope.image.ImageTensor;
import io.convscope.image.Resize;
import io.convscope.network.Network;
import io.convscope.render.Colormap;
import io.convscope.render.Html;
import io.convscope.render.Png;
import io.convscope.util.AtomicFiles;
import io.convscope.util.Interrupts;
import io.convscope.util.Progress;
import io.convscope.util.RunFolder;

import java.awt.image.BufferedImage;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One {@code explain} run, callable without the command line: attribution maps of every method for
 * every image and target class, optional deletion/insertion metrics, then the files — per image a
 * labelled panel ({@code IMAGE/panel.png}), every raw map as float32 {@code IMAGE/METHOD-CLASS.npy},
 * occlusion's Fig. 7 maps, {@code explain.csv} and {@code index.html}. Each batch of images is written
 * as soon as it is computed, into a hidden folder that replaces the output folder once the run is
 * complete ({@link RunFolder}): memory stays flat with the number of images, and a failed run leaves no
 * new files. Callers go through {@code probe/ExplainRequest}, which estimates the memory first.
 */
public final class ExplainRun {
    private ExplainRun() {
    }

    /**
     * What to explain and how.
     *
     * @param tolerance integrated gradients' largest completeness error, relative to |f(x) − f(x′)|, before a warning
     */
    public record Request(Network network, List<Path> images, List<String> methods, Targets targets, Methods.Settings settings,
                          Score score, int batch, Colormap colormap, float opacity, List<String> metrics, int metricSteps,
                          Resize resize, double tolerance, Path out, Device device) { }

    /** One map: a row of explain.csv. */
    public record Row(String image, String method, int classIndex, String className, float probability, String score,
                      double scoreValue, String layer, String file, double completeness, double deletion, double insertion) { }

    /** What a run wrote. */
    public record Result(List<Row> rows, List<String> files, List<String> warnings) { }

    /** The files that mark a folder as an explain run's output from before {@link RunFolder#MARKER}. */
    public static final List<String> SIGNATURE = List.of("explain.csv", "index.html");

    /**
     * Runs the request; {@code warn} receives one line per warning (also kept in the result). The files
     * are written as each batch of images is done, into a new folder that replaces the output folder as a
     * whole once the run has succeeded ({@link RunFolder}): memory does not grow with the number of images,
     * and a failed or stopped run leaves the output folder as it was. {@code progress} gets one task whose
     * steps are the methods' internal passes ({@link Attribution#work}).
     */
    public static Result run(Request r, Progress progress, Consumer<String> warn) {
        Network net = r.network();
        if (!net.inputShape().isSpatial()) {
            throw new ConvscopeException(net.name() + " does not take images (input " + net.inputShape().toKerasString() + ")");
        }
        if (r.opacity() < 0 || r.opacity() > 1) {
            throw new ConvscopeException(Setting.OPACITY + " must be between 0 and 1");
        }
        try (ExplainContext ctx = ExplainContext.of(net, r.score(), r.device(), r.batch())) {
            int[] fixed = r.targets().fixed(net, ctx.classes()); // names and indices checked before any image is read
            int h = net.inputShape().height() > 0 ? net.inputShape().height() : 224;
            int w = net.inputShape().width() > 0 ? net.inputShape().width() : 224;
            Map<String, Attribution> methods = new LinkedHashMap<>();
            for (String m : r.methods()) {
                Attribution a = Methods.create(m, ctx, r.settings());
                if (a instanceof Occlusion o) {
                    o.check(h, w);
                }
                methods.put(m, a);
            }
            int perImage = fixed != null ? fixed.length : Math.min(Math.max(1, r.targets().top()), ctx.classes());
            long total = 0;
            for (Attribution a : methods.values()) {
                for (int start = 0; start < r.images().size(); start += r.batch()) {
                    total += perImage * a.work(Math.min(r.batch(), r.images().size() - start));
                }
            }
            long steps = total;
            return RunFolder.replace(r.out(), SIGNATURE, dir -> compute(r, ctx, methods, h, w, dir, steps, progress, warn));
        }
    }

    private static Result compute(Request r, ExplainContext ctx, Map<String, Attribution> methods, int h, int w, Path dir, long total,
                                  Progress progress, Consumer<String> warn) {
        Network net = r.network();
        List<String> warnings = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        List<String> files = new ArrayList<>();
        var input = ImageTensor.withSize(net.inputShape(), h, w);
        Set<String> stems = new HashSet<>();
        progress.start("explaining " + r.images().size() + (r.images().size() == 1 ? " image" : " images"), total, Progress.Unit.STEPS);
        long done = 0;
        try {
            for (int start = 0; start < r.images().size(); start += r.batch()) {
                List<Path> chunk = r.images().subList(start, Math.min(r.images().size(), start + r.batch()));
                ImageTensor x = ImageTensor.load(chunk, input, net.preprocessing(), r.resize());
                float[][] logits = ctx.logits(x);
                float[][] probs = ExplainContext.softmax(logits);
                int[][] targets = r.targets().resolve(net, probs);
                int perImage = targets[0].length;
                // maps[method][rank] for this batch of images only: written below, then dropped
                Map<String, Maps[]> maps = new LinkedHashMap<>();
                Map<String, Occlusion.Grids[][]> grids = new LinkedHashMap<>();
                for (var e : methods.entrySet()) {
                    Maps[] byRank = new Maps[perImage];
                    for (int k = 0; k < perImage; k++) {
                        int[] t = new int[x.n()];
                        for (int i = 0; i < x.n(); i++) {
                            t[i] = targets[i][Math.min(k, targets[i].length - 1)];
                        }
                        if (e.getValue() instanceof Occlusion o) {
                            Occlusion.Grids[][] g = grids.computeIfAbsent(e.getKey(), q -> new Occlusion.Grids[x.n()][perImage]);
                            List<float[]> attr = new ArrayList<>();
                            long per = o.work(1);
                            for (int i = 0; i < x.n(); i++) {
                                g[i][k] = o.grids(x, i, t[i], Steps.after(progress, done + i * per));
                                attr.add(g[i][k].attribution());
                            }
                            byRank[k] = new Maps(attr, x.h(), x.w(), true);
                        } else {
                            byRank[k] = e.getValue().attribute(x, t, Steps.after(progress, done));
                        }
                        done += e.getValue().work(x.n());
                        progress.advance(done);
                    }
                    maps.put(e.getKey(), byRank);
                }
                for (int i = 0; i < x.n(); i++) {
                    Interrupts.check();
                    String stem = unique(stem(chunk.get(i)), stems);
                    BufferedImage view = x.toImage(i, net.preprocessing());
                    List<BufferedImage> tiles = new ArrayList<>();
                    int top = MapOps.argmax(probs[i]);
                    tiles.add(ExplainPictures.tile(view, List.of("input " + x.w() + "x" + x.h(),
                            "top: " + net.label(top), String.format(Locale.ROOT, "p=%.3f", probs[i][top])), 160));
                    for (int k = 0; k < perImage; k++) {
                        int cls = targets[i][k];
                        String className = net.label(cls);
                        for (var e : maps.entrySet()) {
                            String method = e.getKey();
                            Maps m = e.getValue()[k];
                            float[] map = m.map(i);
                            String file = stem + "/" + method + "-" + fileName(className) + ".npy";
                            Npy.write(dir.resolve(file), map, m.height(), m.width());
                            files.add(file);
                            double completeness = Double.NaN;
                            if (m.completeness() != null) {
                                completeness = m.completeness()[i];
                                double rel = Math.abs(completeness) / Math.max(1e-12, Math.abs(m.delta()[i]));
                                if (rel > r.tolerance()) {
                                    int steps = methods.get(method) instanceof IntegratedGradients ig ? ig.steps() : r.settings().steps();
                                    String line = String.format(Locale.ROOT, "%s, %s: integrated gradients' completeness error is %.2g%% of "
                                            + "f(x) - f(x') (tolerance %.2g%%) at %d steps; try " + Setting.STEPS + " %d", chunk.get(i).getFileName(),
                                            className, 100 * rel, 100 * r.tolerance(), steps, IntegratedGradients.stepsFor(steps, rel, r.tolerance()));
                                    warnings.add(line);
                                    warn.accept(line);
                                }
                            }
                            double del = Double.NaN;
                            double ins = Double.NaN;
                            if (r.metrics().contains("deletion")) {
                                del = Metrics.auc(Metrics.curve(ctx, x.sample(i), x.c(), x.h(), x.w(), map, cls, false, r.metricSteps()));
                            }
                            if (r.metrics().contains("insertion")) {
                                ins = Metrics.auc(Metrics.curve(ctx, x.sample(i), x.c(), x.h(), x.w(), map, cls, true, r.metricSteps()));
                            }
                            rows.add(new Row(chunk.get(i).toString(), method, cls, className, probs[i][cls], r.score().cliName(),
                                    ExplainContext.pick(new float[][] {logits[i]}, new int[] {cls}, r.score())[0], layerOf(methods.get(method)), file,
                                    completeness, del, ins));
                            List<String> caption = new ArrayList<>();
                            caption.add(method + (layerOf(methods.get(method)).isEmpty() ? "" : " @" + layerOf(methods.get(method)))
                                    + (methods.get(method) instanceof ScoreCam sc && sc.maxChannels() > 0 ? " (faster, " + sc.used() + " ch)" : ""));
                            caption.add(String.format(Locale.ROOT, "%s p=%.3f", className, probs[i][cls]));
                            caption.add(r.score().cliName() + (m.signed() ? ", signed" : ""));
                            tiles.add(ExplainPictures.tile(ExplainPictures.overlay(view, map, m.height(), m.width(), m.signed(),
                                    r.colormap(), r.opacity()), caption, 160));
                            if (grids.containsKey(method)) {
                                Occlusion.Grids g = grids.get(method)[i][k];
                                String png = stem + "/occlusion-" + fileName(className) + ".png";
                                Png.write(dir.resolve(png), occlusionFigure(net, g, className));
                                files.add(png);
                                String feature = stem + "/occlusion-feature-" + fileName(className) + ".npy";
                                Npy.write(dir.resolve(feature), g.feature(), g.rows(), g.cols());
                                files.add(feature);
                                String prob = stem + "/occlusion-probability-" + fileName(className) + ".npy";
                                Npy.write(dir.resolve(prob), g.probability(), g.rows(), g.cols());
                                files.add(prob);
                                float[] topc = new float[g.topClass().length];
                                for (int q = 0; q < topc.length; q++) {
                                    topc[q] = g.topClass()[q];
                                }
                                String topFile = stem + "/occlusion-top-class-" + fileName(className) + ".npy";
                                Npy.write(dir.resolve(topFile), topc, g.rows(), g.cols());
                                files.add(topFile);
                            }
                        }
                    }
                    String title = net.name() + " - " + chunk.get(i).getFileName() + " - score " + r.score().cliName();
                    Png.write(dir.resolve(stem + "/panel.png"), ExplainPictures.panel(title, tiles));
                    files.add(stem + "/panel.png");
                }
            }
        } finally {
            progress.finish();
        }
        String csv = csv(r.network().name(), rows);
        AtomicFiles.write(dir.resolve("explain.csv"), (OutputStream o) -> o.write(csv.getBytes(StandardCharsets.UTF_8)));
        files.add("explain.csv");
        String html = html(r, rows, files);
        AtomicFiles.write(dir.resolve("index.html"), (OutputStream o) -> o.write(html.getBytes(StandardCharsets.UTF_8)));
        files.add("index.html");
        return new Result(rows, files, warnings);
    }

    static String layerOf(Attribution a) {
        if (a instanceof Cam c) {
            return c.layer();
        } else if (a instanceof ScoreCam s) {
            return s.layer();
        } else if (a instanceof GuidedGradCam g) {
            return g.layer();
        }
        return "";
    }

    /** Zeiler &amp; Fergus Fig. 7 (b), (d), (e) for one image and class: three grids with a legend of the classes in (e). */
    static BufferedImage occlusionFigure(Network net, Occlusion.Grids g, String className) {
        int scale = Math.max(4, 160 / Math.max(g.rows(), g.cols()));
        List<BufferedImage> tiles = new ArrayList<>();
        tiles.add(ExplainPictures.tile(grid(g.feature(), g.rows(), g.cols(), scale, false), List.of("(b) total activation",
                "map " + g.featureMap() + " of " + g.layer()), 0));
        tiles.add(ExplainPictures.tile(grid(g.probability(), g.rows(), g.cols(), scale, true), List.of("(d) p(" + className + ")",
                "0 to 1, viridis"), 0));
        int[] px = new int[g.rows() * g.cols()];
        Map<Integer, Integer> counts = new LinkedHashMap<>();
        for (int p = 0; p < px.length; p++) {
            counts.merge(g.topClass()[p], 1, Integer::sum);
        }
        List<Integer> legend = new ArrayList<>(counts.keySet());
        legend.sort((a, b) -> counts.get(b) - counts.get(a));
        for (int p = 0; p < px.length; p++) {
            int rank = legend.indexOf(g.topClass()[p]);
            px[p] = ExplainPictures.category(rank);
        }
        BufferedImage cat = io.convscope.render.Images.upscale(ExplainPictures.fromPixels(g.cols(), g.rows(), px), scale);
        List<String> cap = new ArrayList<>();
        cap.add("(e) most probable class");
        for (int i = 0; i < Math.min(legend.size(), 5); i++) {
            cap.add("#" + (i + 1) + " " + net.label(legend.get(i)));
        }
        BufferedImage t = ExplainPictures.tile(cat, cap, 0);
        // a colour key before each legend line
        int y = cat.getHeight() + 3 + io.convscope.render.Text.LINE;
        for (int i = 0; i < Math.min(legend.size(), 5); i++) {
            io.convscope.render.Images.fill(t, 1, y, 4, 7, ExplainPictures.category(i));
            y += io.convscope.render.Text.LINE;
        }
        tiles.add(t);
        return ExplainPictures.panel("occlusion " + g.window() + " px window, stride " + g.stride(), tiles);
    }

    private static BufferedImage grid(float[] v, int rows, int cols, int scale, boolean unit) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float f : v) {
            min = Math.min(min, f);
            max = Math.max(max, f);
        }
        int[] px = new int[v.length];
        for (int p = 0; p < v.length; p++) {
            float t = unit ? v[p] : (max > min ? (v[p] - min) / (max - min) : 0f);
            px[p] = Colormap.VIRIDIS.rgb(t);
        }
        return io.convscope.render.Images.upscale(ExplainPictures.fromPixels(cols, rows, px), scale);
    }

    /** The file stem of an image ("chelsea" for chelsea.png), made unique within the run. */
    static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        String s = (dot > 0 ? n.substring(0, dot) : n).replaceAll("[^A-Za-z0-9._-]+", "_");
        return s.isEmpty() ? "image" : s;
    }

    private static String unique(String stem, Set<String> used) {
        String s = stem;
        for (int i = 2; !used.add(s); i++) {
            s = stem + "-" + i;
        }
        return s;
    }

    /** A class name as part of a file name: "Egyptian cat" → "Egyptian_cat". */
    public static String fileName(String className) {
        String s = className.strip().replaceAll("[^A-Za-z0-9+-]+", "_").replaceAll("^_+|_+$", "");
        return s.isEmpty() ? "class" : s.length() > 60 ? s.substring(0, 60) : s;
    }

    static String csv(String model, List<Row> rows) {
        StringBuilder b = new StringBuilder("image,model,method,class_index,class,probability,score,score_value,layer,map,"
                + "completeness_error,deletion_auc,insertion_auc\n");
        for (Row r : rows) {
            b.append(q(r.image())).append(',').append(q(model)).append(',').append(r.method()).append(',').append(r.classIndex()).append(',')
                    .append(q(r.className())).append(',').append(String.format(Locale.ROOT, "%.6f", r.probability())).append(',')
                    .append(r.score()).append(',').append(String.format(Locale.ROOT, "%.6f", r.scoreValue())).append(',')
                    .append(q(r.layer())).append(',').append(q(r.file())).append(',').append(num(r.completeness())).append(',')
                    .append(num(r.deletion())).append(',').append(num(r.insertion())).append('\n');
        }
        return b.toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }

    private static String q(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** The page ({@link Html.Page}): per image its panel, occlusion figures and a table of the rows; every file linked. */
    static String html(Request r, List<Row> rows, List<String> files) {
        List<String> all = new ArrayList<>(files);
        all.add("index.html");
        Html.Page h = new Html.Page("Explanations by " + r.network().name(), all);
        h.section("overview", "Overview", 1, true);
        h.add("<p>Methods: " + Html.escape(String.join(", ", r.methods())) + "; score: <code>" + Html.escape(r.score().cliName())
                + "</code>. All rows: " + h.link("explain.csv") + ".</p>\n");
        h.end();
        h.navHeading("Images");
        List<List<String>> table = new ArrayList<>();
        String current = null;
        for (int k = 0; k <= rows.size(); k++) {
            Row row = k < rows.size() ? rows.get(k) : null;
            String stem = row == null ? null : row.file().substring(0, row.file().indexOf('/'));
            if (current != null && !current.equals(stem)) {
                h.add(Html.table(List.of("method", "class", "p", "layer", "map", "completeness error", "deletion AUC", "insertion AUC"),
                        table, java.util.Set.of(0, 1, 3, 4)));
                h.end();
                table = new ArrayList<>();
            }
            if (row == null) {
                break;
            }
            if (!stem.equals(current)) {
                current = stem;
                h.section("image-" + stem, row.image(), 1, true);
                h.add(h.picture(stem + "/panel.png", "every method"));
                for (String f : files) {
                    if (f.startsWith(stem + "/occlusion-") && f.endsWith(".png")) {
                        h.add(h.picture(f, "occlusion"));
                    }
                }
            }
            table.add(List.of(Html.escape(row.method()), Html.escape(row.className()), String.format(Locale.ROOT, "%.3f", row.probability()),
                    Html.escape(row.layer()), h.link(row.file()), num(row.completeness()), num(row.deletion()), num(row.insertion())));
        }
        h.files("Files", all, false);
        return h.html();
    }
}
