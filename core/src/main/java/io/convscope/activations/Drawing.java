package io.convscope.activations;

import io.convscope.render.Gif;
import io.convscope.render.Images;
import io.convscope.render.Png;
import io.convscope.util.AtomicFiles;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One run of {@link ActivationViews#render}, as the views see it: the activations, the options, the
 * file names, where files go and what has been written, pixel arrays to reuse and each view's state.
 * Safe to use from the drawing threads.
 */
final class Drawing {
    private final Activations acts;
    private final ActivationViews.Options opt;
    private final FilePlan plan;
    private final Path dir;
    private final List<String> written = Collections.synchronizedList(new java.util.ArrayList<>());
    private final Pool canvases = new Pool(48L << 20);
    private final Map<ActivationView, Object> state = new ConcurrentHashMap<>();

    Drawing(Activations acts, ActivationViews.Options opt, FilePlan plan, Path dir) {
        this.acts = acts;
        this.opt = opt;
        this.plan = plan;
        this.dir = dir;
    }

    Activations acts() {
        return acts;
    }

    ActivationViews.Options options() {
        return opt;
    }

    FilePlan plan() {
        return plan;
    }

    int imageCount() {
        return acts.imageCount();
    }

    /** The files written so far, relative to the output folder. */
    List<String> written() {
        synchronized (written) {
            return List.copyOf(written);
        }
    }

    /** "7_sneaker.png · block1_conv1 · 28×28 · 32 channels". */
    String label(int image, LayerActivations l) {
        return ActivationViews.label(acts, image, l);
    }

    /**
     * What {@code view} keeps during this run: made by {@code init} on first use (once, whichever
     * thread asks first), the same object afterwards.
     */
    @SuppressWarnings("unchecked")
    <T> T state(ActivationView view, Supplier<T> init) {
        return (T) state.computeIfAbsent(view, v -> init.get());
    }

    /** Writes {@code img} as PNG to {@code rel}. */
    void png(String rel, BufferedImage img) {
        Png.write(dir.resolve(rel), img);
        written.add(rel);
    }

    /**
     * Writes {@code img}, drawn into an array from {@link #canvas}, as PNG to {@code rel} and gives its
     * array back for the next picture of the same size.
     */
    void pngAndReuse(String rel, BufferedImage img) {
        png(rel, img);
        canvases.give(Images.pixels(img));
    }

    /** An array of exactly {@code n} pixels to draw a picture into (see {@link #pngAndReuse}). */
    int[] canvas(int n) {
        return canvases.take(n);
    }

    /** Writes {@code gif} to {@code rel}. */
    void gif(String rel, Gif gif) {
        gif.write(dir.resolve(rel));
        written.add(rel);
    }

    /** Writes {@code content} as UTF-8 to {@code rel}. */
    void text(String rel, String content) {
        AtomicFiles.write(dir.resolve(rel), out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
        written.add(rel);
    }

    /**
     * Pixel arrays of sheets already written, for the next sheets of the same size (the layers of a
     * block give sheets of one size, and so does a layer for every image): large new arrays cost
     * their zeroing and, while the heap grows, page faults. Holds at most {@code limit} bytes, the
     * arrays given back last. (Most sheets are large enough for G1 to keep them outside the young
     * generation; a pool of the maps' small unit arrays made drawing slower: they survived young
     * collections and were copied in each.)
     */
    private static final class Pool {
        private final long limit;
        private final ArrayDeque<int[]> free = new ArrayDeque<>();
        private long bytes;

        Pool(long limit) {
            this.limit = limit;
        }

        /** An array of exactly {@code n} pixels: one given back, or a new one. */
        synchronized int[] take(int n) {
            for (Iterator<int[]> it = free.iterator(); it.hasNext();) {
                int[] a = it.next();
                if (a.length == n) {
                    it.remove();
                    bytes -= 4L * n;
                    return a;
                }
            }
            return new int[n];
        }

        /** An array no longer drawn on or read. */
        synchronized void give(int[] a) {
            free.addFirst(a);
            bytes += 4L * a.length;
            while (bytes > limit) {
                bytes -= 4L * free.removeLast().length;
            }
        }
    }
}
