package io.convscope.activations;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code index.html} of an activations run: the input images, then each layer in network order with
 * its shape, statistics, top channels and pictures, and links to every file written. Static and
 * self-contained: inline CSS, no scripts, no external assets; every name is HTML-escaped and every
 * link is a relative path.
 */
public final class IndexPage {
    private IndexPage() {
    }

    /**
     * The page.
     *
     * @param files every file the run wrote (relative paths), for the links
     */
    public static String html(Activations acts, FilePlan plan, ActivationViews.Options opt, List<String> files) {
        Set<String> written = Set.copyOf(files);
        Page page = new Page(plan, opt, written);
        List<ActivationView> views = ActivationViews.active(opt);
        StringBuilder h = new StringBuilder(8192);
        String title = "Activations of " + acts.network();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").append(esc(title))
                .append("</title>\n<style>\n")
                .append("body{font-family:system-ui,sans-serif;margin:1.5em;background:#fafafa;color:#222}\n")
                .append("h2{margin-top:2em;border-bottom:1px solid #ccc}\n")
                .append("img{image-rendering:pixelated;max-width:100%;border:1px solid #ddd;background:#fff}\n")
                .append("table{border-collapse:collapse;margin:.5em 0}td,th{padding:2px 8px;border:1px solid #ddd;text-align:right}\n")
                .append("th{background:#eee}td.l,th.l{text-align:left}.inputs img{width:160px;margin-right:8px}\n")
                .append("figure{display:inline-block;margin:0 12px 12px 0;vertical-align:top}figcaption{font-size:90%}\n")
                .append("details{margin:.5em 0}code{background:#eee;padding:0 3px}\n")
                .append("</style>\n</head>\n<body>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n");
        h.append("<p>").append(acts.layers().size()).append(" layers, ").append(acts.imageCount())
                .append(acts.imageCount() == 1 ? " image" : " images").append("; normalization <code>")
                .append(esc(opt.normalization().name().toLowerCase(Locale.ROOT))).append("</code>, colormap <code>")
                .append(esc(opt.colormap().name().toLowerCase(Locale.ROOT))).append("</code>, top-k ranked by <code>")
                .append(esc(opt.rank().name().toLowerCase(Locale.ROOT))).append("</code>. Statistics: ")
                .append(link(FilePlan.STATS_CSV, written)).append(", ").append(link(FilePlan.CHANNEL_STATS_CSV, written))
                .append(", ").append(link(FilePlan.STATS_JSON, written)).append(".</p>\n");

        h.append("<div class=\"inputs\">\n");
        for (int i = 0; i < acts.imageCount(); i++) {
            h.append("<figure>");
            if (written.contains(plan.input(i))) {
                h.append("<img src=\"").append(attr(plan.input(i))).append("\" alt=\"input ").append(attr(acts.imageNames().get(i)))
                        .append("\">");
            }
            h.append("<figcaption>").append(esc(acts.imageNames().get(i)));
            for (ActivationView v : views) {
                h.append(v.inputHtml(page, i));
            }
            h.append("</figcaption></figure>\n");
        }
        h.append("</div>\n");

        h.append("<h2>Layers</h2>\n<table>\n<tr><th>#</th><th class=\"l\">layer</th><th class=\"l\">type</th>"
                + "<th>H×W×C</th><th>mean</th><th>std</th><th>max</th><th>zeros</th><th>dead</th></tr>\n");
        for (LayerActivations l : acts.layers()) {
            ChannelStats s = StatsReport.overall(l);
            h.append("<tr><td>").append(l.position()).append("</td><td class=\"l\"><a href=\"#").append(attr(plan.stem(l)))
                    .append("\">").append(esc(l.name())).append("</a></td><td class=\"l\">").append(esc(l.type()))
                    .append("</td><td>").append(esc(l.shape().toHwcString())).append("</td><td>").append(StatsReport.num(s.mean()))
                    .append("</td><td>").append(StatsReport.num(s.std())).append("</td><td>").append(StatsReport.num(s.max()))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%.1f%%", 100 * s.zeros())).append("</td><td>")
                    .append(StatsReport.deadEverywhere(l)).append('/').append(l.channels()).append("</td></tr>\n");
        }
        h.append("</table>\n");
        if (acts.imageCount() > 1) {
            h.append("<p>Figures over all images; a channel is dead when it is all zero for every image.</p>\n");
        }

        for (LayerActivations l : acts.layers()) {
            h.append("<h2 id=\"").append(attr(plan.stem(l))).append("\">").append(l.position()).append(". ")
                    .append(esc(l.name())).append(" <small>(").append(esc(l.type())).append(", ")
                    .append(l.height()).append("×").append(l.width()).append(", ").append(l.channels())
                    .append(" channels)</small></h2>\n");
            for (ActivationView v : views) {
                h.append(v.layerHtml(page, l));
            }
            for (int i = 0; i < acts.imageCount(); i++) {
                LayerStats st = l.stats().get(i);
                ChannelStats s = st.layer();
                h.append("<h3>").append(esc(acts.imageNames().get(i))).append("</h3>\n");
                h.append("<p>mean ").append(StatsReport.num(s.mean())).append(", std ").append(StatsReport.num(s.std()))
                        .append(", max ").append(StatsReport.num(s.max())).append(", zeros ")
                        .append(String.format(Locale.ROOT, "%.1f%%", 100 * s.zeros())).append(", dead channels ")
                        .append(st.deadChannels()).append('/').append(l.channels()).append("</p>\n");
                for (ActivationView v : views) {
                    h.append(v.pictureHtml(page, l, i));
                }
                h.append("<p>Top channels by ").append(opt.rank().name().toLowerCase(Locale.ROOT)).append(": ");
                List<String> tops = new ArrayList<>();
                for (LayerStats.Ranked r : st.top(opt.topK(), opt.rank())) {
                    tops.add("#" + r.channel() + " (" + StatsReport.num(r.score()) + ")");
                }
                h.append(esc(String.join(", ", tops))).append("</p>\n");
                for (ActivationView v : views) {
                    h.append(v.linkHtml(page, l, i));
                }
            }
        }
        h.append("<h2>All files</h2>\n<ul>\n");
        for (String f : files) {
            h.append("<li>").append(link(f, written)).append("</li>\n");
        }
        h.append("</ul>\n</body>\n</html>\n");
        return h.toString();
    }

    /**
     * What a view's part of the page needs: the file names, the options, which files were written,
     * and links and escaping as the page makes them.
     */
    static final class Page {
        private final FilePlan plan;
        private final ActivationViews.Options opt;
        private final Set<String> written;

        Page(FilePlan plan, ActivationViews.Options opt, Set<String> written) {
            this.plan = plan;
            this.opt = opt;
            this.written = written;
        }

        FilePlan plan() {
            return plan;
        }

        ActivationViews.Options options() {
            return opt;
        }

        /** Whether the run wrote {@code file}. */
        boolean wrote(String file) {
            return written.contains(file);
        }

        /** A link to {@code file} showing its name (plain text when it was not written). */
        String link(String file) {
            return IndexPage.link(file, file, written);
        }

        /** A link to {@code file} showing {@code text} (plain text when it was not written). */
        String link(String file, String text) {
            return IndexPage.link(file, text, written);
        }

        /** Text for an attribute value. */
        String attr(String s) {
            return IndexPage.attr(s);
        }

        /**
         * A figure of {@code file} (when written) with {@code alt} text and the caption
         * "{@code caption}: link"; else nothing.
         */
        String figure(String file, String alt, String caption) {
            if (!wrote(file)) {
                return "";
            }
            return "<figure><img src=\"" + attr(file) + "\" alt=\"" + attr(alt) + "\"><figcaption>" + esc(caption) + ": "
                    + link(file) + "</figcaption></figure>\n";
        }
    }

    private static String link(String file, Set<String> written) {
        return link(file, file, written);
    }

    private static String link(String file, String text, Set<String> written) {
        if (!written.contains(file)) {
            return esc(text);
        }
        return "<a href=\"" + attr(href(file)) + "\">" + esc(text) + "</a>";
    }

    /** A relative URL: each path segment percent-encoded where needed. */
    static String href(String file) {
        StringBuilder sb = new StringBuilder();
        byte[] b = file.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (byte x : b) {
            int c = x & 0xFF;
            if (c < 128 && (Character.isLetterOrDigit(c) || "-_./~".indexOf(c) >= 0)) {
                sb.append((char) c);
            } else {
                sb.append(String.format(Locale.ROOT, "%%%02X", c));
            }
        }
        return sb.toString();
    }

    /** Text for HTML element content. */
    public static String esc(String s) {
        return io.convscope.render.Html.escape(s);
    }

    private static String attr(String s) {
        return esc(s);
    }
}
