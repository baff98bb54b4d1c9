package io.convscope.activations;

import io.convscope.render.Html;
import io.convscope.render.Normalization;

import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code index.html} of an activations run, made with {@link Html.Page}: a side bar with every section;
 * an overview (settings, colour bar, statistics files); a section per image (the input, the model's
 * top classes when it has a classifier with labels, the image's figures per layer); the table of
 * layers; then a folding section per layer with a sub-section per image holding each view's pictures
 * at natural size (grid tiles open their channel) and links to every file written. On a large run
 * (more than {@link #OPEN_LIMIT} layer × image sections) only the first image and the first layer are unfolded.
 */
public final class IndexPage {
    /** Up to this many layer × image sections, every section of the page is unfolded. */
    static final int OPEN_LIMIT = 12;
    /** How many classes each image shows. */
    static final int TOP_CLASSES = 5;

    private IndexPage() {
    }

    /**
     * The page.
     *
     * @param files every file the run wrote (relative paths), for the links
     */
    public static String html(Activations acts, FilePlan plan, ActivationViews.Options opt, List<String> files) {
        Page page = new Page(acts, plan, opt, new Html.Page("Activations of " + acts.network(), files));
        Html.Page h = page.html;
        List<ActivationView> views = ActivationViews.active(opt);
        int images = acts.imageCount();
        List<LayerActivations> layers = acts.layers();
        String rank = opt.rank().name().toLowerCase(Locale.ROOT);

        h.section("overview", "Overview", 1, true);
        h.add("<p>" + layers.size() + (layers.size() == 1 ? " layer, " : " layers, ") + images + (images == 1 ? " image" : " images")
                + "; normalization <code>" + esc(opt.normalization().cliName()) + "</code>, colormap <code>"
                + esc(opt.colormap().cliName()) + "</code>, top-k ranked by <code>" + esc(rank) + "</code>.</p>\n");
        h.add("<p>Colours: " + Html.colorBar(opt.colormap(), ticks(opt.normalization())) + " <span class=\"muted\">"
                + esc(scaleText(opt.normalization())) + "</span></p>\n");
        h.add("<p>Statistics: " + h.links(List.of(FilePlan.STATS_CSV, FilePlan.CHANNEL_STATS_CSV, FilePlan.STATS_JSON))
                + ". A click on a tile of a grid opens that channel.</p>\n");
        h.end();

        boolean allOpen = (long) layers.size() * images <= OPEN_LIMIT;
        h.navHeading("Images");
        for (int i = 0; i < images; i++) {
            String name = ActivationViews.fileName(acts.imageNames().get(i));
            h.section(imageId(plan, i), name, 1, allOpen || i == 0);
            StringBuilder cap = new StringBuilder(esc(acts.imageNames().get(i)));
            for (ActivationView v : views) {
                cap.append(v.inputHtml(page, i));
            }
            h.add("<div>" + h.thumbnail(plan.input(i), "input " + name, cap.toString()) + predictions(acts, i) + "</div>\n");
            List<List<String>> rows = new ArrayList<>();
            for (LayerActivations l : layers) {
                ChannelStats s = l.stats().get(i).layer();
                rows.add(List.of(Integer.toString(l.position()), "<a href=\"#" + esc(sectionId(plan, l, i)) + "\">" + esc(l.name())
                        + "</a>", StatsReport.num(s.mean()), StatsReport.num(s.max()), percent(s.zeros()),
                        l.stats().get(i).deadChannels() + "/" + l.channels()));
            }
            h.add(Html.table(List.of("#", "layer", "mean", "max", "zeros", "dead"), rows, Set.of(1)));
            h.end();
        }

        h.navHeading("Layers");
        h.section("layers", "All layers", 1, true);
        List<List<String>> rows = new ArrayList<>();
        for (LayerActivations l : layers) {
            ChannelStats s = StatsReport.overall(l);
            rows.add(List.of(Integer.toString(l.position()), "<a href=\"#" + esc(plan.stem(l)) + "\">" + esc(l.name()) + "</a>",
                    esc(l.type()), esc(l.shape().toHwcString()), StatsReport.num(s.mean()), StatsReport.num(s.std()),
                    StatsReport.num(s.max()), percent(s.zeros()), StatsReport.deadEverywhere(l) + "/" + l.channels()));
        }
        h.add(Html.table(List.of("#", "layer", "type", "H×W×C", "mean", "std", "max", "zeros", "dead"), rows, Set.of(1, 2)));
        if (images > 1) {
            h.paragraph("Figures over all images; a channel is dead when it is all zero for every image.");
        }
        h.end();

        for (LayerActivations l : layers) {
            boolean open = allOpen || l == layers.get(0);
            h.section(plan.stem(l), l.position() + ". " + l.name() + " (" + l.type() + ", " + l.height() + "×" + l.width() + ", "
                    + l.channels() + (l.channels() == 1 ? " channel)" : " channels)"), l.position() + ". " + l.name(), 1, open);
            for (ActivationView v : views) {
                h.add(v.layerHtml(page, l));
            }
            for (int i = 0; i < images; i++) {
                LayerStats st = l.stats().get(i);
                ChannelStats s = st.layer();
                String name = ActivationViews.fileName(acts.imageNames().get(i));
                h.section(sectionId(plan, l, i), name, name, 2, open);
                h.add("<p>mean " + StatsReport.num(s.mean()) + ", std " + StatsReport.num(s.std()) + ", max " + StatsReport.num(s.max())
                        + ", zeros " + percent(s.zeros()) + ", dead channels " + st.deadChannels() + "/" + l.channels() + "</p>\n");
                if (opt.normalization() == Normalization.LAYER) {
                    h.add("<p>Colours of this layer and image: " + Html.colorBar(opt.colormap(),
                            List.of(StatsReport.num(s.min()), StatsReport.num(s.max()))) + "</p>\n");
                }
                for (ActivationView v : views) {
                    h.add(v.pictureHtml(page, l, i));
                }
                List<String> tops = new ArrayList<>();
                for (LayerStats.Ranked r : st.top(opt.topK(), opt.rank())) {
                    tops.add("#" + r.channel() + " (" + StatsReport.num(r.score()) + ")");
                }
                h.add("<p>Top channels by " + esc(rank) + ": " + esc(String.join(", ", tops)) + "</p>\n");
                for (ActivationView v : views) {
                    h.add(v.linkHtml(page, l, i));
                }
                h.end();
            }
            h.end();
        }

        h.navHeading("Files");
        h.files("All files", files, false);
        return h.html();
    }

    /** The id of image {@code i}'s section: {@code image-7_sneaker}. */
    static String imageId(FilePlan plan, int i) {
        return "image-" + plan.folder(i);
    }

    /** The id of layer {@code l}'s sub-section for image {@code i}: {@code 01_block1_conv1--7_sneaker}. */
    static String sectionId(FilePlan plan, FilePlan.Layer l, int i) {
        return plan.stem(l) + "--" + plan.folder(i);
    }

    /** The image's most probable classes, as a short table; nothing when the run computed none. */
    private static String predictions(Activations acts, int image) {
        if (!acts.hasPredictions()) {
            return "";
        }
        List<List<String>> rows = new ArrayList<>();
        for (Activations.Guess g : acts.top(image, TOP_CLASSES)) {
            rows.add(List.of(esc(g.label()), Integer.toString(g.index()),
                    g.probability() < 0.00005f ? "< 0.01 %" : String.format(Locale.ROOT, "%.2f %%", 100.0 * g.probability())));
        }
        return "<figure class=\"pred\"><figcaption>The model's top classes</figcaption>"
                + Html.table(List.of("class", "index", "probability"), rows, Set.of(0)) + "</figure>\n";
    }

    /** The colour bar's labels under a normalization. */
    static List<String> ticks(Normalization n) {
        return switch (n) {
            case STANDARDIZE -> List.of("μ−2σ", "μ−σ", "μ", "μ+σ", "μ+2σ");
            case MINMAX -> List.of("channel min", "channel max");
            case LAYER -> List.of("layer min", "layer max");
        };
    }

    private static String scaleText(Normalization n) {
        return switch (n) {
            case STANDARDIZE -> "each channel on its own scale: its mean μ in the middle, σ its standard deviation, beyond ±2σ the ends";
            case MINMAX -> "each channel from its own minimum to its maximum";
            case LAYER -> "one scale per layer and image, so that channels compare (its range is shown with each picture)";
        };
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    /**
     * What a view's part of the page needs: the file names, the options, which files were written,
     * and links, pictures and escaping as the page makes them.
     */
    static final class Page {
        private final Activations acts;
        private final FilePlan plan;
        private final ActivationViews.Options opt;
        private final Html.Page html;
        private final Map<LayerActivations, List<Rectangle>> tiles = new HashMap<>();

        Page(Activations acts, FilePlan plan, ActivationViews.Options opt, Html.Page html) {
            this.acts = acts;
            this.plan = plan;
            this.opt = opt;
            this.html = html;
        }

        FilePlan plan() {
            return plan;
        }

        ActivationViews.Options options() {
            return opt;
        }

        /** Whether the run wrote {@code file}. */
        boolean wrote(String file) {
            return html.wrote(file);
        }

        /** A link to {@code file} showing its name (plain text when it was not written). */
        String link(String file) {
            return html.link(file);
        }

        /** A link to {@code file} showing {@code text} (plain text when it was not written). */
        String link(String file, String text) {
            return html.link(file, text);
        }

        /** {@code file} at its natural size in a scrollable box, captioned; nothing when it was not written. */
        String picture(String file, String caption) {
            return html.picture(file, caption);
        }

        /** {@link #picture(String, String)} whose tiles open their channel (see {@link Html.Tiles}). */
        String picture(String file, String caption, Html.Tiles tiles) {
            return html.picture(file, caption, tiles);
        }

        /**
         * Where the grid of layer {@code l} puts each channel (the same for every image), a click opening
         * {@code target} ({@code {c}} the channel number, {@code digits} digits) or, when null, the tile enlarged.
         */
        Html.Tiles gridTiles(LayerActivations l, String target, int digits) {
            List<Rectangle> r = tiles.computeIfAbsent(l, k -> ActivationViews.gridTiles(k.channels(), k.width(), k.height(), opt,
                    c -> acts.channelName(k, c)));
            int cols = Math.min(opt.columns(), r.size());
            Rectangle first = r.get(0);
            int stepX = cols > 1 ? r.get(1).x - first.x : first.width;
            int stepY = r.size() > cols ? r.get(cols).y - first.y : first.height;
            return new Html.Tiles(first.x, first.y, stepX, stepY, first.width, first.height, cols, r.size(), target, digits,
                    l.name() + " · channel ");
        }
    }

    /** Text for HTML element content. */
    public static String esc(String s) {
        return Html.escape(s);
    }
}
