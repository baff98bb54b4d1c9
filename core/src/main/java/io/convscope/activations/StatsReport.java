package io.convscope.activations;

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
     * A table with one row per layer: shape, mean, std, max, fraction of zeros and the channels that
     * are all zero ("zero here": for this image, not "dead", which is a channel's state over a whole
     * data set). For several images the figures are over all of them, and a channel counts when it
     * is all zero for every image.
     */
    public static String table(Activations acts) {
        StringBuilder sb = new StringBuilder();
        int nameWidth = "layer".length();
        for (LayerActivations l : acts.layers()) {
            nameWidth = Math.max(nameWidth, l.name().length());
        }
        // numbers take up to 12 characters ("-1.23457e-05"): a column is as wide as its widest value
        int typeWidth = 16;
        int shapeWidth = 14;
        int numWidth = 10;
        List<String[]> rows = new ArrayList<>();
        for (LayerActivations l : acts.layers()) {
            ChannelStats s = overall(l);
            String[] r = {l.name(), l.type(), l.shape().toHwcString(), num(s.mean()), num(s.std()), num(s.max()),
                String.format(Locale.ROOT, "%.1f%%", 100 * s.zeros()), deadEverywhere(l) + "/" + l.channels()};
            rows.add(r);
            typeWidth = Math.max(typeWidth, r[1].length());
            shapeWidth = Math.max(shapeWidth, r[2].length());
            for (int k = 3; k < 6; k++) {
                numWidth = Math.max(numWidth, r[k].length());
            }
        }
        String fmt = "%-" + (nameWidth + 2) + "s %-" + typeWidth + "s %-" + shapeWidth + "s %" + numWidth + "s %"
                + numWidth + "s %" + numWidth + "s %7s %10s%n";
        if (acts.imageCount() > 1) {
            sb.append("over ").append(acts.imageCount()).append(" images\n");
        }
        sb.append(String.format(Locale.ROOT, fmt, "layer", "type", "shape (H×W×C)", "mean", "std", "max", "zeros", "zero here"));
        for (String[] r : rows) {
            sb.append(String.format(Locale.ROOT, fmt, (Object[]) r));
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

    /**
     * {@code stats.json}: per layer, per image the layer's and every channel's statistics and the top
     * channels. Written by hand in the layout of Gson's pretty printing (two-space indents, one value a
     * line; doubles and floats as {@link Double#toString} and {@link Float#toString} write them),
     * without building a tree of some hundred thousand objects first.
     */
    public static String json(Activations acts, int topK, LayerStats.Rank rank) {
        Json j = new Json(new StringBuilder(1 << 16));
        j.open('{');
        j.name("network").string(acts.network());
        j.name("images").open('[');
        for (String n : acts.imageNames()) {
            j.string(n);
        }
        j.close(']');
        j.name("rank").string(rank.name().toLowerCase(Locale.ROOT));
        j.name("layers").open('[');
        for (LayerActivations l : acts.layers()) {
            j.open('{');
            j.name("position").number(l.position());
            j.name("name").string(l.name());
            j.name("type").string(l.type());
            j.name("shape_hwc").open('[').number(l.height()).number(l.width()).number(l.channels()).close(']');
            j.name("images").open('[');
            for (int i = 0; i < acts.imageCount(); i++) {
                LayerStats st = l.stats().get(i);
                j.open('{');
                stats(j, st.layer());
                j.name("image").string(acts.imageNames().get(i));
                j.name("dead_channels").number(st.deadChannels());
                j.name("top").open('[');
                for (LayerStats.Ranked r : st.top(topK, rank)) {
                    j.open('{').name("channel").number(r.channel()).name("score").number(r.score()).close('}');
                }
                j.close(']');
                j.name("channels").open('[');
                for (ChannelStats c : st.channels()) {
                    j.open('{');
                    stats(j, c);
                    j.close('}');
                }
                j.close(']');
                j.close('}');
            }
            j.close(']');
            j.close('}');
        }
        j.close(']');
        j.close('}');
        return j.text() + "\n";
    }

    private static void stats(Json j, ChannelStats s) {
        j.name("mean").number(s.mean());
        j.name("std").number(s.std());
        j.name("min").number(s.min());
        j.name("max").number(s.max());
        j.name("sum").number(s.sum());
        j.name("zeros").number(s.zeros());
    }

    /** A pretty-printing JSON writer: objects and arrays one member a line, indented by two spaces. */
    private static final class Json {
        private final StringBuilder sb;
        private int depth;
        /** Nothing written yet in the innermost object or array. */
        private boolean empty = true;
        /** A member's name was just written: its value follows on the same line. */
        private boolean named;

        Json(StringBuilder sb) {
            this.sb = sb;
        }

        Json open(char bracket) {
            beforeValue();
            sb.append(bracket);
            depth++;
            empty = true;
            return this;
        }

        Json close(char bracket) {
            depth--;
            if (!empty) {
                newline();
            }
            sb.append(bracket);
            empty = false;
            return this;
        }

        Json name(String name) {
            separate();
            quote(name);
            sb.append(": ");
            named = true;
            return this;
        }

        Json string(String s) {
            beforeValue();
            quote(s);
            return this;
        }

        Json number(int v) {
            beforeValue();
            sb.append(v);
            return this;
        }

        Json number(double v) {
            beforeValue();
            sb.append(Double.toString(v));
            return this;
        }

        Json number(float v) {
            beforeValue();
            sb.append(Float.toString(v));
            return this;
        }

        String text() {
            return sb.toString();
        }

        private void beforeValue() {
            if (named) {
                named = false;
            } else if (depth > 0) {
                separate();
            }
        }

        private void separate() {
            if (!empty) {
                sb.append(',');
            }
            newline();
            empty = false;
        }

        private void newline() {
            sb.append('\n');
            for (int i = 0; i < depth; i++) {
                sb.append("  ");
            }
        }

        /** A JSON string, escaped as Gson does without HTML escaping. */
        private void quote(String s) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\t' -> sb.append("\\t");
                    case '\b' -> sb.append("\\b");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\f' -> sb.append("\\f");
                    case '\u2028' -> sb.append("\\u2028");
                    case '\u2029' -> sb.append("\\u2029");
                    default -> {
                        if (c < 0x20) {
                            sb.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
        }
    }

    /** A number in at most 6 significant digits, without locale: {@code 0.123457}, {@code 1.5e+03}. */
    public static String num(double v) {
        return significant(v, 6);
    }

    /**
     * {@code v} rounded to {@code digits} significant digits, as {@code String.format(Locale.ROOT,
     * "%.<digits>g", v)} writes it but without the trailing zeros of the fraction (nor the point when
     * none is left): decimal from 10⁻⁴ up to 10^digits, else {@code 1.5e+07}; 0 for ±0, and
     * {@code NaN}, {@code Infinity}. Built by hand from {@link Double#toString}'s shortest digits,
     * which the formatter rounds half up as here (checked against it in the tests): the statistics
     * files hold six such numbers per channel, and {@link java.util.Formatter} took most of their time.
     */
    static String significant(double v, int digits) {
        if (v == 0) {
            return "0";
        }
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "Infinity" : "-Infinity";
        }
        // the shortest decimal digits of |v|: "123.45", "0.00123" or "1.2345E-7"
        String s = Double.toString(Math.abs(v));
        int e = s.indexOf('E');
        int mantissaEnd = e < 0 ? s.length() : e;
        char[] d = new char[mantissaEnd + 1];
        int n = 0;
        int point = mantissaEnd;
        for (int i = 0; i < mantissaEnd; i++) {
            char c = s.charAt(i);
            if (c == '.') {
                point = i;
            } else {
                d[n++] = c;
            }
        }
        // |v| = 0.D × 10^exp, D = d[first, last) without leading or trailing zeros
        int exp = point + (e < 0 ? 0 : Integer.parseInt(s.substring(e + 1)));
        int first = 0;
        while (first < n && d[first] == '0') {
            first++;
            exp--;
        }
        int last = n;
        while (last > first && d[last - 1] == '0') {
            last--;
        }
        int len = last - first;
        System.arraycopy(d, first, d, 0, len);
        if (len > digits) {
            boolean up = d[digits] >= '5';
            len = digits;
            if (up) {
                int i = digits - 1;
                while (i >= 0 && d[i] == '9') {
                    i--;
                }
                if (i < 0) {
                    d[0] = '1'; // 9.99…95 becomes 10
                    len = 1;
                    exp++;
                } else {
                    d[i]++;
                    len = i + 1;
                }
            }
            while (len > 1 && d[len - 1] == '0') {
                len--;
            }
        }
        StringBuilder sb = new StringBuilder(16);
        if (v < 0) {
            sb.append('-');
        }
        if (exp >= -3 && exp <= digits) {
            if (exp <= 0) {
                sb.append("0.");
                for (int i = 0; i < -exp; i++) {
                    sb.append('0');
                }
                sb.append(d, 0, len);
            } else {
                for (int i = 0; i < exp; i++) {
                    sb.append(i < len ? d[i] : '0');
                }
                if (len > exp) {
                    sb.append('.').append(d, exp, len - exp);
                }
            }
        } else {
            sb.append(d[0]);
            if (len > 1) {
                sb.append('.').append(d, 1, len - 1);
            }
            int x = exp - 1;
            sb.append('e').append(x < 0 ? '-' : '+');
            x = Math.abs(x);
            if (x < 10) {
                sb.append('0');
            }
            sb.append(x);
        }
        return sb.toString();
    }

    private static String csv(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
