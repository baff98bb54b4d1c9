package io.convscope.render;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * One value per channel as vertical bars, for a layer whose maps are 1×1 (a global pooling kept as
 * (C, 1, 1)): a grid would draw C squares of one colour each. Bars rise from a zero line (fall below
 * it for negative values), {@link #barWidth} pixels each; the axis is labelled with the largest and
 * smallest value and the channel numbers at its ends, and the highest bars are named under the chart
 * ("#285 Egyptian cat 17.2"). Drawn with the {@link Text} bitmap font, so the same values give the
 * same pixels.
 */
public final class BarChart {
    /** The bars' colour. */
    static final int BAR = 0x3b528b;
    /** The colour of the highest bars, which are named. */
    static final int TOP = 0xd62728;
    private static final int AXIS = 0x000000;
    private static final int LABEL = 0x303030;
    /** Height of the plotting area in pixels. */
    public static final int PLOT_HEIGHT = 160;
    /** Where the plotting area starts, from the top. */
    public static final int PLOT_TOP = 8 + Text.LINE + 4;
    private static final int MARGIN = 8;

    private BarChart() {
    }

    /** Width in pixels of each of {@code n} bars: wide bars for few channels, one pixel from 1,000 on. */
    public static int barWidth(int n) {
        return Math.max(1, Math.min(12, 1000 / Math.max(1, n)));
    }

    /**
     * The chart of {@code values} under {@code title}, the {@code top} highest named with {@code names}
     * (a channel's name or null) and {@code format} (the value as text).
     */
    public static BufferedImage render(String title, float[] values, int top, IntFunction<String> names,
                                       java.util.function.DoubleFunction<String> format) {
        int n = values.length;
        int bw = barWidth(n);
        double max = 0;
        double min = 0;
        for (float v : values) {
            if (Float.isFinite(v)) {
                max = Math.max(max, v);
                min = Math.min(min, v);
            }
        }
        double span = max - min > 0 ? max - min : 1;
        String maxText = format.apply(max);
        String minText = format.apply(min);
        int axisLabel = Math.max(Text.width(maxText, 1), Text.width(minText, 1)) + 4;
        // the highest channels, named under the chart
        Integer[] order = new Integer[n];
        for (int c = 0; c < n; c++) {
            order[c] = c;
        }
        Arrays.sort(order, (a, b) -> Float.compare(finite(values[b]), finite(values[a])) != 0
                ? Float.compare(finite(values[b]), finite(values[a])) : Integer.compare(a, b));
        int k = Math.min(top, n);
        boolean[] named = new boolean[n];
        List<String> lines = new ArrayList<>();
        for (int j = 0; j < k; j++) {
            int c = order[j];
            named[c] = true;
            String name = names.apply(c);
            lines.add("#" + c + (name == null ? "" : " " + name) + "  " + format.apply(values[c]));
        }
        int plotW = n * bw;
        int textW = Text.width(title, 1);
        for (String line : lines) {
            textW = Math.max(textW, Text.width(line, 1));
        }
        int width = Math.max(MARGIN + axisLabel + plotW, textW) + 2 * MARGIN;
        int plotX = MARGIN + axisLabel;
        int plotY = PLOT_TOP;
        int height = plotY + PLOT_HEIGHT + 4 + Text.LINE + 6 + lines.size() * Text.LINE + MARGIN;
        BufferedImage img = Images.create(width, height, Grid.BACKGROUND);
        Text.draw(img, MARGIN, MARGIN, title, Grid.TITLE, 1);
        int zero = plotY + (int) Math.round(max / span * (PLOT_HEIGHT - 1));
        for (int c = 0; c < n; c++) {
            float v = values[c];
            if (!Float.isFinite(v) || v == 0) {
                continue;
            }
            int y = plotY + (int) Math.round((max - v) / span * (PLOT_HEIGHT - 1));
            int y0 = Math.min(y, zero);
            int y1 = Math.max(y, zero);
            Images.fill(img, plotX + c * bw, y0, bw > 2 ? bw - 1 : bw, y1 - y0 + 1, named[c] ? TOP : BAR);
        }
        Images.fill(img, plotX, zero, plotW, 1, AXIS);
        Images.fill(img, plotX - 1, plotY, 1, PLOT_HEIGHT, AXIS);
        Text.draw(img, plotX - 3 - Text.width(maxText, 1), plotY, maxText, LABEL, 1);
        Text.draw(img, plotX - 3 - Text.width(minText, 1), plotY + PLOT_HEIGHT - Text.HEIGHT, minText, LABEL, 1);
        int under = plotY + PLOT_HEIGHT + 4;
        Text.draw(img, plotX, under, "0", LABEL, 1);
        String last = Integer.toString(n - 1);
        Text.draw(img, Math.max(plotX + Text.ADVANCE * 2, plotX + plotW - Text.width(last, 1)), under, last, LABEL, 1);
        String axis = "channel";
        Text.draw(img, plotX + (plotW - Text.width(axis, 1)) / 2, under, axis, LABEL, 1);
        int y = under + Text.LINE + 6;
        for (String line : lines) {
            Text.draw(img, MARGIN, y, line, TOP, 1);
            y += Text.LINE;
        }
        return img;
    }

    private static float finite(float v) {
        return Float.isFinite(v) ? v : Float.NEGATIVE_INFINITY;
    }
}
