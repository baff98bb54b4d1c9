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
import io.convscope.util.Progress;

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
 * occlusion's Fig. 7 maps, {@code explain.csv} and {@code index.html}. Everything is computed before
 * the first file is written, and each file is written atomically: a failed run leaves no new files.
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

    private record Pending(Path file, Object content) { }

    /** Runs the request; {@code warn} receives one line per warning (also kept in the result). */
    public static Result run(Request r, Progress progress, Consumer<String> warn) {
        Network net = r.network();
        if (!net.inputShape().isSpatial()) {
            throw new ConvscopeException(net.name() + " does not take images (input " + net.inputShape().toKerasString() + ")");
        }
        if (r.opacity() < 0 || r.opacity() > 1) {
            throw new ConvscopeException(Setting.OPACITY + " must be between 0 and 1");
        }
        List<String> warnings = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        List<Pending> pending = new ArrayList<>();
        try (ExplainContext ctx = ExplainContext.of(net, r.score(), r.device(), r.batch())) {
            r.targets().fixed(net, ctx.classes()); // names and indices checked before any image is read
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
            var input = ImageTensor.withSize(net.inputShape(), h, w);
            Set<String> stems = new HashSet<>();
            progress.start("explaining " + r.images().size() + (r.images().size() == 1 ? " image" : " images"), r.images().size(),
                    Progress.Unit.STEPS);
            int done = 0;
            try {
                for (int start = 0; start < r.images().size(); start += r.batch()) {
                    List<Path> chunk = r.images().subList(start, Math.min(r.images().size(), start + r.batch()));
                    ImageTensor x = ImageTensor.load(chunk, input, net.preprocessing(), r.resize());
                    float[][] logits = ctx.logits(x);
                    float[][] probs = ExplainContext.softmax(logits);
                    int[][] targets = r.targets().resolve(net, probs);
                    int perImage = targets[0].length;
                    // maps[method][rank] for the whole chunk
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
                                for (int i = 0; i < x.n(); i++) {
                                    g[i][k] = o.grids(x, i, t[i]);
                                    attr.add(g[i][k].attribution());
                                }
                                byRank[k] = new Maps(attr, x.h(), x.w(), true);
                            } else {
                                byRank[k] = e.getValue().attribute(x, t);
                            }
                        }
                        maps.put(e.getKey(), byRank);
                    }
                    for (int i = 0; i < x.n(); i++) {
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
                                pending.add(new Pending(r.out().resolve(file), new NpyContent(map, m.height(), m.width())));
                                double completeness = Double.NaN;
                                if (m.completeness() != null) {
                                    completeness = m.completeness()[i];
                                    double rel = Math.abs(completeness) / Math.max(1e-12, Math.abs(m.delta()[i]));
                                    if (rel > r.tolerance()) {
                                        int steps = methods.get(method) instanceof IntegratedGradients ig ? ig.steps() : r.settings().steps();
                                        String line = String.format(Locale.ROOT, "%s, %s: integrated gradients' completeness error is %.2g%% of "
                                                + "f(x) - f(x') (tolerance %.2g%%); try " + Setting.STEPS + " %d", chunk.get(i).getFileName(), className,
                                                100 * rel, 100 * r.tolerance(), IntegratedGradients.stepsFor(steps, rel, r.tolerance()));
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
                                        ExplainContext.pick(new float[][] {logits[i]}, new int[] {cls}, r.score())[0], layerOf(methods.get(method)), file, completeness, del, ins));
                                List<String> caption = new ArrayList<>();
                                caption.add(method + (layerOf(methods.get(method)).isEmpty() ? "" : " @" + layerOf(methods.get(method))));
                                caption.add(String.format(Locale.ROOT, "%s p=%.3f", className, probs[i][cls]));
                                caption.add(r.score().cliName() + (m.signed() ? ", signed" : ""));
                                tiles.add(ExplainPictures.tile(ExplainPictures.overlay(view, map, m.height(), m.width(), m.signed(),
                                        r.colormap(), r.opacity()), caption, 160));
                                if (grids.containsKey(method)) {
                                    Occlusion.Grids g = grids.get(method)[i][k];
                                    String png = stem + "/occlusion-" + fileName(className) + ".png";
                                    pending.add(new Pending(r.out().resolve(png), occlusionFigure(net, g, className)));
                                    pending.add(new Pending(r.out().resolve(stem + "/occlusion-feature-" + fileName(className) + ".npy"),
                                            new NpyContent(g.feature(), g.rows(), g.cols())));
                                    pending.add(new Pending(r.out().resolve(stem + "/occlusion-probability-" + fileName(className) + ".npy"),
                                            new NpyContent(g.probability(), g.rows(), g.cols())));
                                    float[] topc = new float[g.topClass().length];
                                    for (int q = 0; q < topc.length; q++) {
                                        topc[q] = g.topClass()[q];
                                    }
                                    pending.add(new Pending(r.out().resolve(stem + "/occlusion-top-class-" + fileName(className) + ".npy"),
                                            new NpyContent(topc, g.rows(), g.cols())));
                                }
                            }
                        }
                        String title = net.name() + " - " + chunk.get(i).getFileName() + " - score " + r.score().cliName();
                        pending.add(new Pending(r.out().resolve(stem + "/panel.png"), ExplainPictures.panel(title, tiles)));
                        progress.advance(++done);
                    }
                }
            } finally {
                progress.finish();
            }
        }
        // everything computed: now the files
        List<String> files = new ArrayList<>();
        for (Pending p : pending) {
            if (p.content() instanceof BufferedImage img) {
                Png.write(p.file(), img);
            } else if (p.content() instanceof NpyContent n) {
                Npy.write(p.file(), n.values(), n.h(), n.w());
            }
            files.add(r.out().relativize(p.file()).toString().replace('\\', '/'));
        }
        String csv = csv(r.network().name(), rows);
        AtomicFiles.write(r.out().resolve("explain.csv"), (OutputStream o) -> o.write(csv.getBytes(StandardCharsets.UTF_8)));
        files.add("explain.csv");
        String html = html(r, rows, files);
        AtomicFiles.write(r.out().resolve("index.html"), (OutputStream o) -> o.write(html.getBytes(StandardCharsets.UTF_8)));
        files.add("index.html");
        return new Result(rows, files, warnings);
    }

    private record NpyContent(float[] values, int h, int w) { }

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

    static String html(Request r, List<Row> rows, List<String> files) {
        StringBuilder h = new StringBuilder();
        String title = "Explanations by " + r.network().name();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").append(Html.escape(title))
                .append("</title>\n<style>\nbody{font-family:system-ui,sans-serif;margin:1.5em;background:#fafafa;color:#222}\n")
                .append("img{max-width:100%;border:1px solid #ddd;background:#fff}h2{margin-top:2em;border-bottom:1px solid #ccc}\n")
                .append("table{border-collapse:collapse}td,th{padding:2px 8px;border:1px solid #ddd}th{background:#eee}\n</style>\n</head>\n<body>\n");
        h.append("<h1>").append(Html.escape(title)).append("</h1>\n<p>Methods: ").append(Html.escape(String.join(", ", r.methods())))
                .append("; score: <code>").append(r.score().cliName()).append("</code>. All rows: <a href=\"explain.csv\">explain.csv</a>.</p>\n");
        String current = null;
        for (Row row : rows) {
            String stem = row.file().substring(0, row.file().indexOf('/'));
            if (!stem.equals(current)) {
                if (current != null) {
                    h.append("</table>\n");
                }
                current = stem;
                h.append("<h2>").append(Html.escape(row.image())).append("</h2>\n<img src=\"").append(Html.escape(stem + "/panel.png"))
                        .append("\" alt=\"panel of ").append(Html.escape(row.image())).append("\">\n");
                for (String f : files) {
                    if (f.startsWith(stem + "/occlusion-") && f.endsWith(".png")) {
                        h.append("<br><img src=\"").append(Html.escape(f)).append("\" alt=\"occlusion\">\n");
                    }
                }
                h.append("<table>\n<tr><th>method</th><th>class</th><th>p</th><th>layer</th><th>map</th><th>completeness error</th>")
                        .append("<th>deletion AUC</th><th>insertion AUC</th></tr>\n");
            }
            h.append("<tr><td>").append(Html.escape(row.method())).append("</td><td>").append(Html.escape(row.className())).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.3f", row.probability())).append("</td><td>").append(Html.escape(row.layer()))
                    .append("</td><td><a href=\"").append(Html.escape(row.file())).append("\">").append(Html.escape(row.file()))
                    .append("</a></td><td>").append(num(row.completeness())).append("</td><td>").append(num(row.deletion()))
                    .append("</td><td>").append(num(row.insertion())).append("</td></tr>\n");
        }
        if (current != null) {
            h.append("</table>\n");
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }
}
