package io.convscope.activations;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The statistics of an activations run as text: a table for the terminal, CSV (per layer and per
 * channel) and JSON. Numbers are written with {@link Locale#ROOT}, so the same run gives the same
 * bytes everywhere.
 */
public final class StatsReport {
    private StatsReport() {
    }

    /**
     * A table with one row per layer: shape, mean, std, max, fraction of zeros and dead channels. For
     * several images the figures are over all of them, and a channel counts as dead when it is all
     * zero for every image.
     */
    public static String table(Activations acts) {
        StringBuilder sb = new StringBuilder();
        int nameWidth = "layer".length();
        for (LayerActivations l : acts.layers()) {
            nameWidth = Math.max(nameWidth, l.name().length());
        }
        String fmt = "%-" + (nameWidth + 2) + "s %-16s %-14s %10s %10s %10s %7s %8s%n";
        if (acts.imageCount() > 1) {
            sb.append("over ").append(acts.imageCount()).append(" images\n");
        }
        sb.append(String.format(Locale.ROOT, fmt, "layer", "type", "shape (H×W×C)", "mean", "std", "max", "zeros", "dead"));
        for (LayerActivations l : acts.layers()) {
            ChannelStats s = overall(l);
            sb.append(String.format(Locale.ROOT, fmt, l.name(), l.type(), l.shape().toHwcString(),
                    num(s.mean()), num(s.std()), num(s.max()), String.format(Locale.ROOT, "%.1f%%", 100 * s.zeros()),
                    deadEverywhere(l) + "/" + l.channels()));
        }
        return sb.toString();
    }

    /** The layer's statistics over all images. */
    public static ChannelStats overall(LayerActivations l) {
        List<ChannelStats> parts = new ArrayList<>();
        for (LayerStats s : l.stats()) {
            parts.add(s.layer());
        }
        return ChannelStats.combine(parts);
    }

    /** Channels that are all zero for every image. */
    public static int deadEverywhere(LayerActivations l) {
        int n = 0;
        for (int c = 0; c < l.channels(); c++) {
            boolean dead = true;
            for (LayerStats s : l.stats()) {
                dead &= s.channels().get(c).dead();
            }
            if (dead) {
                n++;
            }
        }
        return n;
    }

    /** {@code stats.csv}: one row per image and layer. */
    public static String layersCsv(Activations acts) {
        StringBuilder sb = new StringBuilder("image,position,layer,type,height,width,channels,mean,std,min,max,zeros,dead_channels\n");
        for (int i = 0; i < acts.imageCount(); i++) {
            for (LayerActivations l : acts.layers()) {
                LayerStats st = l.stats().get(i);
                ChannelStats s = st.layer();
                sb.append(csv(acts.imageNames().get(i))).append(',').append(l.position()).append(',').append(csv(l.name()))
                        .append(',').append(csv(l.type())).append(',').append(l.height()).append(',').append(l.width())
                        .append(',').append(l.channels()).append(',').append(num(s.mean())).append(',').append(num(s.std()))
                        .append(',').append(num(s.min())).append(',').append(num(s.max())).append(',').append(num(s.zeros()))
                        .append(',').append(st.deadChannels()).append('\n');
            }
        }
        return sb.toString();
    }

    /** {@code channel_stats.csv}: one row per image, layer and channel. */
    public static String channelsCsv(Activations acts) {
        StringBuilder sb = new StringBuilder("image,position,layer,channel,mean,std,min,max,sum,zeros\n");
        for (int i = 0; i < acts.imageCount(); i++) {
            String img = csv(acts.imageNames().get(i));
            for (LayerActivations l : acts.layers()) {
                String name = csv(l.name());
                List<ChannelStats> ch = l.stats().get(i).channels();
                for (int c = 0; c < ch.size(); c++) {
                    ChannelStats s = ch.get(c);
                    sb.append(img).append(',').append(l.position()).append(',').append(name).append(',').append(c)
                            .append(',').append(num(s.mean())).append(',').append(num(s.std())).append(',').append(num(s.min()))
                            .append(',').append(num(s.max())).append(',').append(num(s.sum())).append(',').append(num(s.zeros()))
                            .append('\n');
                }
            }
        }
        return sb.toString();
    }

    /** {@code stats.json}: per layer, per image the layer's and every channel's statistics and the top channels. */
    public static String json(Activations acts, int topK, LayerStats.Rank rank) {
        JsonObject root = new JsonObject();
        root.addProperty("network", acts.network());
        JsonArray images = new JsonArray();
        acts.imageNames().forEach(images::add);
        root.add("images", images);
        root.addProperty("rank", rank.name().toLowerCase(Locale.ROOT));
        JsonArray layers = new JsonArray();
        for (LayerActivations l : acts.layers()) {
            JsonObject o = new JsonObject();
            o.addProperty("position", l.position());
            o.addProperty("name", l.name());
            o.addProperty("type", l.type());
            JsonArray shape = new JsonArray();
            shape.add(l.height());
            shape.add(l.width());
            shape.add(l.channels());
            o.add("shape_hwc", shape);
            JsonArray per = new JsonArray();
            for (int i = 0; i < acts.imageCount(); i++) {
                LayerStats st = l.stats().get(i);
                JsonObject s = stats(st.layer());
                s.addProperty("image", acts.imageNames().get(i));
                s.addProperty("dead_channels", st.deadChannels());
                JsonArray top = new JsonArray();
                for (LayerStats.Ranked r : st.top(topK, rank)) {
                    JsonObject t = new JsonObject();
                    t.addProperty("channel", r.channel());
                    t.addProperty("score", r.score());
                    top.add(t);
                }
                s.add("top", top);
                JsonArray ch = new JsonArray();
                for (ChannelStats c : st.channels()) {
                    ch.add(stats(c));
                }
                s.add("channels", ch);
                per.add(s);
            }
            o.add("images", per);
            layers.add(o);
        }
        root.add("layers", layers);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root) + "\n";
    }

    private static JsonObject stats(ChannelStats s) {
        JsonObject o = new JsonObject();
        o.addProperty("mean", s.mean());
        o.addProperty("std", s.std());
        o.addProperty("min", s.min());
        o.addProperty("max", s.max());
        o.addProperty("sum", s.sum());
        o.addProperty("zeros", s.zeros());
        return o;
    }

    /** A number in at most 6 significant digits, without locale: {@code 0.123457}, {@code 1.5e+03}. */
    public static String num(double v) {
        if (v == 0) {
            return "0";
        }
        return String.format(Locale.ROOT, "%.6g", v).replaceAll("(\\.\\d*?)0+(e|$)", "$1$2").replace(".e", "e")
                .replaceAll("\\.$", "");
    }

    private static String csv(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
