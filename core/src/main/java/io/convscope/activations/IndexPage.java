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
        // the folders that hold files, so that a layer without channel images is not asked about each channel
        Set<String> folders = new java.util.HashSet<>();
        for (String f : files) {
            int slash = f.lastIndexOf('/');
            if (slash > 0) {
                folders.add(f.substring(0, slash));
            }
        }
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
            if (written.contains(plan.layersGif(i))) {
                h.append("<br>").append(link(plan.layersGif(i), "GIF through the layers", written));
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
            if (written.contains(plan.compare(l))) {
                h.append("<p>All images: ").append(link(plan.compare(l), written)).append("</p>\n")
                        .append("<img src=\"").append(attr(plan.compare(l))).append("\" alt=\"compare ").append(attr(l.name()))
                        .append("\">\n");
            }
            for (int i = 0; i < acts.imageCount(); i++) {
                LayerStats st = l.stats().get(i);
                ChannelStats s = st.layer();
                h.append("<h3>").append(esc(acts.imageNames().get(i))).append("</h3>\n");
                h.append("<p>mean ").append(StatsReport.num(s.mean())).append(", std ").append(StatsReport.num(s.std()))
                        .append(", max ").append(StatsReport.num(s.max())).append(", zeros ")
                        .append(String.format(Locale.ROOT, "%.1f%%", 100 * s.zeros())).append(", dead channels ")
                        .append(st.deadChannels()).append('/').append(l.channels()).append("</p>\n");
                if (written.contains(plan.grid(i, l))) {
                    h.append("<figure><img src=\"").append(attr(plan.grid(i, l))).append("\" alt=\"").append(attr(l.name()))
                            .append(" grid\"><figcaption>all channels: ").append(link(plan.grid(i, l), written))
                            .append("</figcaption></figure>\n");
                }
                if (written.contains(plan.top(i, l))) {
                    h.append("<figure><img src=\"").append(attr(plan.top(i, l))).append("\" alt=\"").append(attr(l.name()))
                            .append(" top channels\"><figcaption>top channels: ").append(link(plan.top(i, l), written))
                            .append("</figcaption></figure>\n");
                }
                h.append("<p>Top channels by ").append(opt.rank().name().toLowerCase(Locale.ROOT)).append(": ");
                List<String> tops = new ArrayList<>();
                for (LayerStats.Ranked r : st.top(opt.topK(), opt.rank())) {
                    tops.add("#" + r.channel() + " (" + StatsReport.num(r.score()) + ")");
                }
                h.append(esc(String.join(", ", tops))).append("</p>\n");
                if (written.contains(plan.channelsGif(i, l))) {
                    h.append("<p>").append(link(plan.channelsGif(i, l), "GIF through the channels", written)).append("</p>\n");
                }
                List<String> channelFiles = new ArrayList<>();
                int channels = folders.contains(plan.channelsFolder(i, l)) ? l.channels() : 0;
                for (int c = 0; c < channels; c++) {
                    if (written.contains(plan.channel(i, l, c))) {
                        channelFiles.add(link(plan.channel(i, l, c), Integer.toString(c), written));
                    }
                }
                if (!channelFiles.isEmpty()) {
                    h.append("<details><summary>").append(channelFiles.size()).append(" channel images</summary><p>")
                            .append(String.join(" ", channelFiles)).append("</p></details>\n");
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
