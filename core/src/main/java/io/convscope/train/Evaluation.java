package io.convscope.train;

import java.util.List;
import java.util.Locale;

/**
 * How a classifier did on a labelled set: the confusion matrix ({@code confusion[true][predicted]})
 * and the mean cross-entropy loss, from which accuracy and per-class accuracy follow.
 */
public record Evaluation(int[][] confusion, double loss) {

    public int classes() {
        return confusion.length;
    }

    /** Number of images evaluated. */
    public int count() {
        int n = 0;
        for (int[] row : confusion) {
            for (int c : row) {
                n += c;
            }
        }
        return n;
    }

    public int correct() {
        int n = 0;
        for (int i = 0; i < confusion.length; i++) {
            n += confusion[i][i];
        }
        return n;
    }

    /** Fraction of images whose most probable class is the true one. */
    public double accuracy() {
        int n = count();
        return n == 0 ? 0 : (double) correct() / n;
    }

    /** For each true class, the fraction of its images predicted correctly (NaN for a class with none). */
    public double[] perClassAccuracy() {
        double[] acc = new double[confusion.length];
        for (int i = 0; i < confusion.length; i++) {
            int n = 0;
            for (int c : confusion[i]) {
                n += c;
            }
            acc[i] = n == 0 ? Double.NaN : (double) confusion[i][i] / n;
        }
        return acc;
    }

    /** A small report: overall accuracy, then one line per class. */
    public String format(List<String> labels) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "accuracy %.4f (%d/%d), loss %.4f%n",
                accuracy(), correct(), count(), loss));
        double[] per = perClassAccuracy();
        for (int i = 0; i < per.length; i++) {
            String name = i < labels.size() ? labels.get(i) : "class " + i;
            sb.append(String.format(Locale.ROOT, "  %-12s %.4f%n", name, per[i]));
        }
        return sb.toString();
    }
}
