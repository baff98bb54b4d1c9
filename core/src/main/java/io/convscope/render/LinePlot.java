package io.convscope.render;

import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A plain line chart as an image (loss curves and the like): several named series over steps, a
 * linear or logarithmic y axis, tick labels and a legend in the {@link Text} bitmap font, so the same
 * numbers always give the same pixels. The x axis is numeric, or categorical ({@link #categories}:
 * one named slot per point, e.g. layers in network order). The title is drawn at twice the size when
 * it fits, else at the normal size, else shortened with {@code …}: never cut at the image's edges. Non-finite values (and, on a log axis, values ≤ 0) leave a gap
 * in their line.
 *
 * <pre>{@code
 * BufferedImage png = new LinePlot("style transfer").xLabel("step").yLabel("loss").logY(true)
 *         .series("total", total).series("content", content).render();
 * }</pre>
 */
public final class LinePlot {
    /** Series colours in order (matplotlib's tab10), repeated after ten series. */
    private static final int[] COLORS = {
        0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf,
    };
    private static final int AXIS = 0x000000;
    private static final int GRIDLINE = 0xe4e4e4;
    private static final int LABEL = 0x303030;

    private record Series(String name, double[] x, double[] y) {
    }

    private final String title;
    private String xLabel = "";
    private String yLabel = "";
    private boolean logY;
    private List<String> categories;
    private int width = 640;
    private int height = 400;
    private final List<Series> series = new ArrayList<>();

    /** The colour (0xRRGGBB) of the {@code i}-th series: matplotlib's tab10, repeated after ten series. */
    public static int color(int i) {
        return COLORS[i % COLORS.length];
    }

    /** A chart with this title (may be empty), 640 × 400 pixels, linear axes. */
    public LinePlot(String title) {
        this.title = title == null ? "" : title;
    }

    /** Label under the x axis. */
    public LinePlot xLabel(String label) {
        this.xLabel = label == null ? "" : label;
        return this;
    }

    /** Label over the y axis. */
    public LinePlot yLabel(String label) {
        this.yLabel = label == null ? "" : label;
        return this;
    }

    /**
     * A logarithmic y axis: ticks at powers of ten, labelled {@code 0.001 … 10000} when all of them are
     * in that range, else {@code 1e-5, 1e0, 1e5} style.
     */
    public LinePlot logY(boolean log) {
        this.logY = log;
        return this;
    }

    /**
     * A categorical x axis: point i of every series is at slot i, labelled {@code names.get(i)} under
     * the axis (in two staggered rows when they do not fit side by side, shortened with {@code …} when
     * not even that fits), and every point is marked.
     */
    public LinePlot categories(List<String> names) {
        this.categories = List.copyOf(names);
        return this;
    }

    /** Image size in pixels (at least 160 × 120). */
    public LinePlot size(int width, int height) {
        this.width = Math.max(160, width);
        this.height = Math.max(120, height);
        return this;
    }

    /** A series whose i-th value is at x = i (steps 0, 1, 2, …). */
    public LinePlot series(String name, double[] y) {
        double[] x = new double[y.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        return series(name, x, y);
    }

    /** A series with explicit x values (same length as {@code y}). */
    public LinePlot series(String name, double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException(name + ": " + x.length + " x values, " + y.length + " y values");
        }
        series.add(new Series(name == null ? "" : name, x.clone(), y.clone()));
        return this;
    }

    /** Draws the chart. */
    public BufferedImage render() {
        BufferedImage img = Images.create(width, height, Grid.BACKGROUND);
        double xmin = Double.POSITIVE_INFINITY;
        double xmax = Double.NEGATIVE_INFINITY;
        double ymin = Double.POSITIVE_INFINITY;
        double ymax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x.length; i++) {
                double y = yValue(s.y[i]);
                if (Double.isFinite(s.x[i]) && Double.isFinite(y)) {
                    xmin = Math.min(xmin, s.x[i]);
                    xmax = Math.max(xmax, s.x[i]);
                    ymin = Math.min(ymin, y);
                    ymax = Math.max(ymax, y);
                }
            }
        }
        if (categories != null && !categories.isEmpty()) {
            xmin = -0.5;
            xmax = categories.size() - 0.5;
        }
        if (xmin > xmax) { // nothing to draw
            xmin = 0;
            xmax = 1;
            ymin = 0;
            ymax = 1;
        }
        if (xmin == xmax) {
            xmin -= 1;
            xmax += 1;
        }
        if (ymin == ymax) {
            double d = logY ? 1 : Math.max(1e-12, Math.abs(ymin) * 0.1 + (ymin == 0 ? 1 : 0));
            ymin -= d;
            ymax += d;
        }
        // y ticks (in axis units: log10 of the value on a log axis)
        List<Double> yTicks = new ArrayList<>();
        double ystep;
        if (logY) {
            ymin = Math.floor(ymin);
            ymax = Math.ceil(ymax);
            ystep = Math.max(1, Math.ceil((ymax - ymin) / 8));
            for (double t = ymin; t <= ymax + 1e-9; t += ystep) {
                yTicks.add(t);
            }
        } else {
            ystep = niceStep((ymax - ymin) / 6);
            ymin = Math.floor(ymin / ystep) * ystep;
            ymax = Math.ceil(ymax / ystep - 1e-9) * ystep;
            for (int k = 0; ymin + k * ystep <= ymax + ystep * 1e-6; k++) {
                yTicks.add(ymin + k * ystep);
            }
        }
        List<String> yLabels = new ArrayList<>();
        int labelW = 0;
        boolean plainDecades = !yTicks.isEmpty() && yTicks.get(0) >= -3 && yTicks.get(yTicks.size() - 1) <= 4;
        for (double t : yTicks) {
            String l = !logY ? format(t, ystep)
                    : plainDecades ? format(Math.pow(10, t), Math.pow(10, t)) : "1e" + Math.round(t);
            yLabels.add(l);
            labelW = Math.max(labelW, Text.width(l, 1));
        }
        int top = 10 + (title.isEmpty() ? 0 : Text.LINE * 2 + 4) + (yLabel.isEmpty() ? 0 : Text.LINE + 4);
        int left = 10 + labelW + 6;
        int right = width - 16;
        int pw = right - left;
        CategoryLabels cats = categoryLabels(pw);
        List<String> catLabels = cats == null ? null : cats.labels();
        boolean staggered = cats != null && cats.staggered();
        int bottom = height - 10 - Text.LINE - 6 - (xLabel.isEmpty() ? 0 : Text.LINE + 4) - (staggered ? Text.LINE : 0);
        int ph = bottom - top;
        if (!title.isEmpty()) {
            int scale = Text.width(title, 2) <= width - 20 ? 2 : 1;
            String t = Text.fit(title, width - 20, scale);
            Text.draw(img, Math.max(10, (width - Text.width(t, scale)) / 2), 10 + (2 - scale) * Text.LINE / 2, t, AXIS, scale);
        }
        if (!yLabel.isEmpty()) {
            Text.draw(img, 10, top - Text.LINE - 4, yLabel, LABEL, 1);
        }
        if (!xLabel.isEmpty()) {
            Text.draw(img, left + (pw - Text.width(xLabel, 1)) / 2, height - 10 - Text.HEIGHT, xLabel, LABEL, 1);
        }
        for (int k = 0; k < yTicks.size(); k++) {
            int py = yPixel(yTicks.get(k), ymin, ymax, top, ph);
            Images.fill(img, left + 1, py, pw, 1, GRIDLINE);
            Images.fill(img, left - 4, py, 4, 1, AXIS);
            String l = yLabels.get(k);
            Text.draw(img, left - 6 - Text.width(l, 1), py - 3, l, LABEL, 1);
        }
        if (catLabels != null) {
            for (int i = 0; i < catLabels.size(); i++) {
                int px = xPixel(i, xmin, xmax, left, pw);
                Images.fill(img, px, top, 1, ph, GRIDLINE);
                Images.fill(img, px, bottom, 1, 4, AXIS);
                String l = catLabels.get(i);
                int lw = Text.width(l, 1);
                int lx = Math.max(0, Math.min(width - lw, px - lw / 2));
                Text.draw(img, lx, bottom + 6 + (staggered && i % 2 == 1 ? Text.LINE : 0), l, LABEL, 1);
            }
        } else {
            double xstep = niceStep((xmax - xmin) / 6);
            for (double t = Math.ceil(xmin / xstep - 1e-9) * xstep; t <= xmax + xstep * 1e-6; t += xstep) {
                int px = xPixel(t, xmin, xmax, left, pw);
                Images.fill(img, px, top, 1, ph, GRIDLINE);
                Images.fill(img, px, bottom, 1, 4, AXIS);
                String l = format(t, xstep);
                Text.draw(img, px - Text.width(l, 1) / 2, bottom + 6, l, LABEL, 1);
            }
        }
        Images.fill(img, left, top, 1, ph + 1, AXIS);
        Images.fill(img, left, bottom, pw + 1, 1, AXIS);
        for (int si = 0; si < series.size(); si++) {
            Series s = series.get(si);
            int color = COLORS[si % COLORS.length];
            int lastX = 0;
            int lastY = 0;
            boolean have = false;
            for (int i = 0; i < s.x.length; i++) {
                double y = yValue(s.y[i]);
                if (!Double.isFinite(s.x[i]) || !Double.isFinite(y)) {
                    have = false;
                    continue;
                }
                int px = xPixel(s.x[i], xmin, xmax, left, pw);
                int py = yPixel(y, ymin, ymax, top, ph);
                if (have) {
                    Images.line(img, lastX, lastY, px, py, color, 2);
                } else {
                    Images.fill(img, px - 1, py - 1, 2, 2, color);
                }
                if (categories != null) {
                    Images.fill(img, px - 2, py - 2, 5, 5, color);
                }
                lastX = px;
                lastY = py;
                have = true;
            }
        }
        legend(img, right);
        return img;
    }

    /** Category labels as drawn, in one row or in two staggered rows. */
    private record CategoryLabels(List<String> labels, boolean staggered) {
    }

    /** The category labels as drawn for a plot area {@code pw} wide, or null for a numeric axis. */
    private CategoryLabels categoryLabels(int pw) {
        if (categories == null || categories.isEmpty()) {
            return null;
        }
        int n = categories.size();
        int slot = pw / n;
        int widest = 0;
        for (String c : categories) {
            widest = Math.max(widest, Text.width(c, 1));
        }
        List<String> out = new ArrayList<>();
        if (widest <= slot - Text.ADVANCE || n == 1) {
            for (String c : categories) {
                out.add(Text.fit(c, Math.max(slot - Text.ADVANCE, Math.min(width - 20, widest)), 1));
            }
            return new CategoryLabels(out, false);
        }
        int room = 2 * slot - Text.ADVANCE; // staggered: a label may use its neighbours' half slots
        for (String c : categories) {
            out.add(Text.fit(c, room, 1));
        }
        return new CategoryLabels(out, true);
    }

    private void legend(BufferedImage img, int right) {
        if (series.isEmpty() || (series.size() == 1 && series.get(0).name().isEmpty())) {
            return;
        }
        int w = 0;
        for (Series s : series) {
            w = Math.max(w, Text.width(s.name(), 1));
        }
        int boxW = w + 30;
        int boxH = series.size() * Text.LINE + 8;
        int x = right - boxW - 6;
        int y = 10 + (title.isEmpty() ? 0 : Text.LINE * 2 + 4) + (yLabel.isEmpty() ? 0 : Text.LINE + 4) + 6;
        Images.fill(img, x, y, boxW, boxH, 0xbbbbbb);
        Images.fill(img, x + 1, y + 1, boxW - 2, boxH - 2, Grid.BACKGROUND);
        for (int i = 0; i < series.size(); i++) {
            int ly = y + 5 + i * Text.LINE;
            Images.fill(img, x + 6, ly + 3, 14, 2, COLORS[i % COLORS.length]);
            Text.draw(img, x + 24, ly, series.get(i).name(), LABEL, 1);
        }
    }

    private double yValue(double v) {
        if (!logY) {
            return v;
        }
        return v > 0 ? Math.log10(v) : Double.NaN;
    }

    private static int xPixel(double x, double xmin, double xmax, int left, int pw) {
        return left + (int) Math.round((x - xmin) / (xmax - xmin) * pw);
    }

    private static int yPixel(double y, double ymin, double ymax, int top, int ph) {
        return top + ph - (int) Math.round((y - ymin) / (ymax - ymin) * ph);
    }

    /** The smallest of 1, 2, 5 × 10^k that is at least {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0) || !Double.isFinite(raw)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw * (1 - 1e-9)) {
                return m * p;
            }
        }
        return 10 * p;
    }

    /**
     * A tick label: plain decimals enough for {@code step} (e.g. {@code 0.25}, {@code 1500}), or
     * {@code 2.5e-4} style for values under 0.001 or from 100,000 on.
     */
    static String format(double v, double step) {
        if (step > 0 && Double.isFinite(step)) {
            v = Math.round(v / step) * step; // a tick sum's rounding residue is not a digit to show
        }
        if (Math.abs(v) < Math.abs(step) * 1e-9 || v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1e5 || a < 1e-3) {
            int e = (int) Math.floor(Math.log10(a));
            double m = v / Math.pow(10, e);
            String ms = new BigDecimal(m).round(new MathContext(3)).stripTrailingZeros().toPlainString();
            if (ms.equals("10") || ms.equals("-10")) { // rounding carried over
                ms = v < 0 ? "-1" : "1";
                e++;
            }
            return ms + "e" + e;
        }
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(Math.abs(step)) + 1e-9));
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
