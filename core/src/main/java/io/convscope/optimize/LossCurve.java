package io.convscope.optimize;

import io.convscope.render.LinePlot;
import io.convscope.render.Png;
import io.convscope.util.AtomicFiles;

import java.awt.image.BufferedImage;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Records the loss of every step, in total and per kind of term (the terms' first words: "content",
 * "style", "tv"; terms of one kind summed, so five style layers make one "style" curve), and writes
 * them as a CSV file and a line plot once the run is over. Writing is left to the caller, so that a
 * run that fails leaves no half-written file.
 */
public final class LossCurve implements Listener {
    private List<String> names = List.of();
    private List<String> kinds = List.of();
    private final List<Double> totals = new ArrayList<>();
    private final List<double[]> terms = new ArrayList<>();

    @Override
    public void start(int steps, List<String> termNames) {
        names = List.copyOf(termNames);
        kinds = Listeners.kinds(termNames);
        totals.clear();
        terms.clear();
    }

    @Override
    public void step(int step, double loss, double[] values, Supplier<float[]> image) {
        totals.add(loss);
        terms.add(values == null ? new double[names.size()] : values.clone());
    }

    /** The kinds of terms, in the objective's order. */
    public List<String> kinds() {
        return kinds;
    }

    /** Steps recorded. */
    public int steps() {
        return totals.size();
    }

    /** The total loss per step. */
    public double[] total() {
        double[] t = new double[totals.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = totals.get(i);
        }
        return t;
    }

    /** One kind's weighted loss per step (its terms summed). */
    public double[] series(String kind) {
        int k = kinds.indexOf(kind);
        if (k < 0) {
            throw new IllegalArgumentException("no term of kind '" + kind + "'; kinds: " + kinds);
        }
        double[] out = new double[terms.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Listeners.byKind(names, terms.get(i))[k];
        }
        return out;
    }

    /**
     * The CSV: {@code step,loss,} each kind, then each term on its own when a kind has several
     * (e.g. {@code style block1_conv1}); weighted values, as the optimiser saw them.
     */
    public String csv() {
        List<Integer> single = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String kind = Listeners.kind(names.get(i));
            long same = names.stream().filter(n -> Listeners.kind(n).equals(kind)).count();
            if (same > 1) {
                single.add(i);
            }
        }
        StringBuilder sb = new StringBuilder("step,loss");
        for (String k : kinds) {
            sb.append(',').append(k.replace(',', ' '));
        }
        for (int i : single) {
            sb.append(',').append(names.get(i).replace(',', ' '));
        }
        sb.append('\n');
        for (int s = 0; s < totals.size(); s++) {
            sb.append(s + 1).append(',').append(Listeners.num(totals.get(s)));
            for (double v : Listeners.byKind(names, terms.get(s))) {
                sb.append(',').append(Listeners.num(v));
            }
            for (int i : single) {
                sb.append(',').append(Listeners.num(terms.get(s)[i]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * The curves (total and each kind) over the steps, on a logarithmic axis. Values below a
     * millionth of the largest are left out (a gap): a run that starts at the content image starts
     * with a content loss of almost 0, which would stretch the axis over many empty decades.
     */
    public BufferedImage plot(String title) {
        double[] x = new double[totals.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
        }
        double[] total = total();
        double max = 0;
        for (double v : total) {
            max = Double.isFinite(v) ? Math.max(max, Math.abs(v)) : max;
        }
        LinePlot p = new LinePlot(title).xLabel("step").yLabel("loss (weighted)").logY(true).series("total", x, floor(total, max));
        for (String k : kinds) {
            p.series(k, x, floor(series(k), max));
        }
        return p.render();
    }

    private static double[] floor(double[] v, double max) {
        double[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] < max * 1e-6) {
                out[i] = Double.NaN;
            }
        }
        return out;
    }

    /** Writes {@link #csv} to {@code file} (a temporary file, then a rename). */
    public void writeCsv(Path file) {
        String text = csv();
        AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            w.write(text);
            w.flush();
        });
    }

    /** Writes {@link #plot} to {@code file} as PNG. */
    public void writePlot(Path file, String title) {
        Png.write(file, plot(title));
    }
}
