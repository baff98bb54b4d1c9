package io.convscope.optimize;

import io.convscope.image.ImageTensor;
import io.convscope.network.Preprocessing;
import io.convscope.render.Compose;
import io.convscope.render.Gif;
import io.convscope.util.AtomicFiles;
import io.convscope.util.Progress;

import java.awt.image.BufferedImage;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/** The listeners people want: a progress bar with the loss, a GIF of the image, a metrics file. */
public final class Listeners {
    private Listeners() {
    }

    /** An image of the batch as a picture: values in [0, 1], C×H×W, one or three channels. */
    public static BufferedImage picture(float[] images, int[] shape, int index) {
        int size = shape[1] * shape[2] * shape[3];
        return ImageTensor.toImage(images, index * size, shape[1], shape[2], shape[3], Preprocessing.UNIT);
    }

    /**
     * A bar: "classviz  [=====>   ]  40%  80/200  3.1/s  ETA 0:39  loss -12.3  class logit 12.5 (maximised)"
     * (see {@link #status}). With several terms
     * it shows each kind of term (the name's first word), terms of one kind summed: "loss 0.81  content
     * 0.42  style 0.37  tv 0.02" for a content term, five style layers and TV.
     */
    public static Listener progress(Progress progress, String what) {
        return new Listener() {
            private List<String> names = List.of();
            private List<String> kinds = List.of();

            @Override
            public void start(int steps, List<String> terms) {
                names = terms;
                kinds = kinds(terms);
                progress.start(what, steps, Progress.Unit.STEPS);
            }

            @Override
            public void step(int step, double loss, double[] terms, Supplier<float[]> image) {
                progress.status(status(loss, names, kinds, terms));
                progress.advance(step);
            }

            @Override
            public void finish() {
                progress.finish();
            }
        };
    }

    /**
     * The note beside the bar: the loss (minimised), then each kind of term. A maximised term (a class
     * logit, a channel's or a neuron's activation) enters the loss negated; it is shown with its own
     * sign and says so: "loss -1.53e+02  class logit 155 (maximised)  tv 0.021".
     */
    static String status(double loss, List<String> names, List<String> kinds, double[] terms) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "loss %.3g", loss));
        if (terms == null || terms.length == 0 || (terms.length == 1 && !maximised(kinds.get(0)))) {
            return sb.toString();
        }
        double[] byKind = byKind(names, terms);
        for (int i = 0; i < byKind.length; i++) {
            String k = kinds.get(i);
            if (maximised(k)) {
                sb.append(String.format(Locale.ROOT, "  %s %.3g (maximised)", MAXIMISED.get(k), -byKind[i]));
            } else {
                sb.append(String.format(Locale.ROOT, "  %s %.3g", k, byKind[i]));
            }
        }
        return sb.toString();
    }

    /** The kinds of {@link Objective} term that are maximised (the loss holds their negative), with what the value is. */
    private static final java.util.Map<String, String> MAXIMISED = java.util.Map.of(
            "class", "class logit", "channel", "channel mean", "neuron", "neuron");

    private static boolean maximised(String kind) {
        return MAXIMISED.containsKey(kind);
    }

    /** The kind of a term: its name's first word ("style" for "style block1_conv1"). */
    public static String kind(String term) {
        int space = term.indexOf(' ');
        return space < 0 ? term : term.substring(0, space);
    }

    /** The kinds of the terms, in order of first appearance, each once. */
    public static List<String> kinds(List<String> terms) {
        List<String> k = new ArrayList<>();
        for (String t : terms) {
            if (!k.contains(kind(t))) {
                k.add(kind(t));
            }
        }
        return k;
    }

    /** The terms' values summed per {@link #kinds kind}. */
    public static double[] byKind(List<String> names, double[] terms) {
        List<String> k = kinds(names);
        double[] out = new double[k.size()];
        for (int i = 0; i < terms.length; i++) {
            out[k.indexOf(kind(names.get(i)))] += terms[i];
        }
        return out;
    }

    /**
     * Adds a frame to {@code gif} at step 1, every {@code every} steps and at the last (the batch side
     * by side); the caller writes the GIF when the run has succeeded, so that a failed run leaves no
     * file behind.
     */
    public static Listener frames(Gif gif, int every, int[] shape, int delayMs) {
        if (every < 1) {
            throw new IllegalArgumentException("a GIF frame needs every ≥ 1 steps");
        }
        return new Listener() {
            private int steps;

            @Override
            public void start(int total, List<String> terms) {
                steps = total;
            }

            @Override
            public void step(int step, double loss, double[] terms, Supplier<float[]> image) {
                if (step % every == 0 || step == steps || step == 1) {
                    float[] x = image.get();
                    List<BufferedImage> row = new ArrayList<>();
                    for (int i = 0; i < shape[0]; i++) {
                        row.add(picture(x, shape, i));
                    }
                    gif.add(row.size() == 1 ? row.get(0) : Compose.row(row, 4, 0xffffff), step == steps ? delayMs * 4 : delayMs);
                }
            }
        };
    }

    /**
     * A GIF of the batch (images side by side) every {@code every} steps and at the last, written
     * to {@code file} when the run finishes.
     */
    public static Listener gif(Path file, int every, int[] shape, int delayMs) {
        Gif gif = new Gif();
        Listener frames = frames(gif, every, shape, delayMs);
        return new Listener() {
            @Override
            public void start(int total, List<String> terms) {
                frames.start(total, terms);
            }

            @Override
            public void step(int step, double loss, double[] terms, Supplier<float[]> image) {
                frames.step(step, loss, terms, image);
            }

            @Override
            public void finish() {
                if (gif.size() > 0) {
                    gif.write(file);
                }
            }
        };
    }

    /** A CSV file with one row per step: step, loss, then each term. */
    public static Listener metrics(Path file) {
        return new Listener() {
            private final StringBuilder csv = new StringBuilder();

            @Override
            public void start(int steps, List<String> terms) {
                csv.append("step,loss");
                for (String t : terms) {
                    csv.append(',').append(t.replace(',', ' '));
                }
                csv.append('\n');
            }

            @Override
            public void step(int step, double loss, double[] terms, Supplier<float[]> image) {
                csv.append(step).append(',').append(num(loss));
                for (double t : terms) {
                    csv.append(',').append(num(t));
                }
                csv.append('\n');
            }

            @Override
            public void finish() {
                AtomicFiles.write(file, out -> {
                    Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
                    w.write(csv.toString());
                    w.flush();
                });
            }
        };
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
