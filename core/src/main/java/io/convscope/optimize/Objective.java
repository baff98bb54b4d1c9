package io.convscope.optimize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.convscope.ConvscopeException;
import io.convscope.engine.Tensors;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A quantity to minimise, made of named, weighted terms that add and scale like numbers
 * (Lucid's objective algebra): {@code Objective.content("block3_conv1", target).plus(Objective.tv().times(1e-2))}.
 *
 * <p>Every term gives one value per image of the batch, so a batch optimises independent images
 * at once (for example one channel or one class per image); the optimiser minimises the sum over
 * the batch. Terms that maximise something (a channel's mean, a class logit) are written as their
 * negatives.
 */
public final class Objective {

    /** A term's values: one per image, shape (N). */
    @FunctionalInterface
    public interface Term {
        NDArray apply(Forward f);
    }

    /** One weighted part of an objective. */
    public record Part(String name, double weight, Set<String> layers, Term term) {
    }

    private final List<Part> parts;

    private Objective(List<Part> parts) {
        this.parts = List.copyOf(parts);
    }

    /** A single term reading {@code layers} (none for image regularizers). */
    public static Objective of(String name, Collection<String> layers, Term term) {
        return new Objective(List.of(new Part(name, 1.0, Set.copyOf(layers), term)));
    }

    /** Both objectives' terms. */
    public Objective plus(Objective other) {
        List<Part> all = new ArrayList<>(parts);
        all.addAll(other.parts);
        return new Objective(all);
    }

    /** Every term's weight multiplied by {@code w}. */
    public Objective times(double w) {
        List<Part> scaled = new ArrayList<>();
        for (Part p : parts) {
            scaled.add(new Part(p.name, p.weight * w, p.layers, p.term));
        }
        return new Objective(scaled);
    }

    public List<Part> parts() {
        return parts;
    }

    /** The layers the terms read, in the order the terms name them. */
    public Set<String> layers() {
        Set<String> s = new LinkedHashSet<>();
        for (Part p : parts) {
            s.addAll(p.layers);
        }
        return s;
    }

    /** The terms' names, in order. */
    public List<String> names() {
        List<String> n = new ArrayList<>();
        for (Part p : parts) {
            n.add(p.name);
        }
        return n;
    }

    /**
     * The weighted total per image (N) and each weighted term's batch mean (T), both still on the
     * engine's side, so that a step reads them back once, together ({@link #host}).
     */
    public record Value(NDArray perImage, NDArray termMeans) {
        /** The sum over the batch (the loss), then the terms' means, in one read: T + 1 values. */
        public float[] host() {
            NDArray loss = perImage.sum().reshape(1);
            return loss.concat(termMeans).toFloatArray();
        }
    }

    /** Evaluates every term once. */
    public Value evaluate(Forward f) {
        NDArray total = null;
        NDArray[] means = new NDArray[parts.size()];
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            NDArray v = p.term.apply(f);
            if (v.getShape().dimension() != 1 || v.getShape().get(0) != f.batch()) {
                throw new IllegalStateException("term '" + p.name + "' gave shape " + v.getShape() + ", not (" + f.batch() + ")");
            }
            NDArray w = p.weight == 1.0 ? v : v.mul(Tensors.scalar(v, (float) p.weight));
            means[i] = w.mean().reshape(1);
            total = total == null ? w : total.add(w);
        }
        return new Value(total, means.length == 1 ? means[0] : ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(means)));
    }

    // ---- terms ---------------------------------------------------------------------------------

    /**
     * Feature-map reconstruction (Mahendran &amp; Vedaldi): ‖Φ(x) − Φ₀‖² / ‖Φ₀‖² per image, so that 0
     * is a perfect match and 1 is as far as an all-zero map. {@code target} has the layer's shape
     * with a batch of 1 (shared by every image) or N, and must outlive the optimisation.
     */
    public static Objective content(String layer, NDArray target) {
        NDArray norm = perImage(target.square(), false).maximum(1e-12f);
        return of("content " + layer, List.of(layer), f -> {
            NDArray a = f.layer(layer);
            return perImage(a.sub(target).square(), false).div(norm);
        });
    }

    /**
     * Maximises the mean of one channel per image (channels[i] for image i): −mean_{h,w} Φ[i, c].
     * A channel of −1 leaves that image out of this term (its value is 0), so that one batch can
     * mix targets from several layers.
     */
    public static Objective channel(String layer, int... channels) {
        return of("channel " + layer, List.of(layer), f -> {
            NDArray a = f.layer(layer);
            checkBatch(channels.length, f, "channel");
            Shape s = a.getShape();
            NDArray mask = oneHot(a.getManager(), channels, s.get(1), a);
            NDArray means = a.reshape(s.get(0), s.get(1), -1).mean(new int[] {2});
            return means.mul(mask).sum(new int[] {1}).neg();
        });
    }

    /** Maximises one channel's value at the centre of the map, per image. */
    public static Objective neuron(String layer, int... channels) {
        return of("neuron " + layer, List.of(layer), f -> {
            NDArray a = f.layer(layer);
            checkBatch(channels.length, f, "neuron");
            Shape s = a.getShape();
            NDArray centre = a.get("..., " + s.get(2) / 2 + ", " + s.get(3) / 2);
            return centre.mul(oneHot(a.getManager(), channels, s.get(1), a)).sum(new int[] {1}).neg();
        });
    }

    /**
     * Maximises a class score per image: −logit[i, classes[i]] of {@code layer}, which must be the
     * pre-softmax scores (see {@link Logits}).
     */
    public static Objective classLogit(String layer, int... classes) {
        return of("class " + layer, List.of(layer), f -> {
            NDArray a = f.layer(layer);
            checkBatch(classes.length, f, "class");
            NDArray flat = a.reshape(a.getShape().get(0), -1);
            return flat.mul(oneHot(a.getManager(), classes, flat.getShape().get(1), a)).sum(new int[] {1}).neg();
        });
    }

    /**
     * The Gram matrix of a layer's maps, G = F·Fᵀ / (H·W) for F the (C, H·W) matrix of one image:
     * channel co-occurrence, independent of where things are (Gatys et al.'s style statistics,
     * normalised by the map size so that layers of every size weigh alike).
     */
    public static NDArray gram(NDArray maps) {
        Shape s = maps.getShape();
        long c = s.get(1);
        long hw = s.get(2) * s.get(3);
        long n = s.get(0);
        NDArray scale = Tensors.scalar(maps, (float) hw);
        if (n == 1) {
            return gram2d(maps.reshape(c, hw)).reshape(1, c, c).div(scale);
        }
        NDArray[] g = new NDArray[(int) n];
        for (int i = 0; i < n; i++) {
            g[i] = gram2d(maps.get(i).reshape(c, hw));
        }
        return NDArrays.stack(new NDList(g)).div(scale);
    }

    /**
     * F·Fᵀ of one (C, H·W) matrix, as a 2-d matrix product: PyTorch's backward of a 2-d product hands
     * the transposed factor's gradient back in that factor's own layout, so the two halves of ∂/∂F
     * add up contiguously. A batched product (bmm) does not: its second half came back transposed,
     * and adding it read one operand across the grain (VGG19's block1 maps at 256 px: the Gram's
     * forward and backward 40 ms with bmm, 22 ms as here).
     */
    private static NDArray gram2d(NDArray f) {
        return f.matMul(f.transpose(1, 0));
    }

    /**
     * Style: mean over C×C of (G(x) − G_target)², per image. {@code targetGram} is (1, C, C) or
     * (N, C, C) and must outlive the optimisation.
     */
    public static Objective style(String layer, NDArray targetGram) {
        return of("style " + layer, List.of(layer), f -> perImage(gram(f.layer(layer)).sub(targetGram).square(), true));
    }

    /**
     * Style as a relative error: ‖G(x) − G_target‖² / ‖G_target‖² per image (sums over C×C), so that 0
     * is a perfect match and 1 is as far as an all-zero map, whatever the scale of the layer's values.
     * Weights then mean the same for every layer and every model (a VGG with ImageNet weights, random
     * weights, SqueezeNet), where the plain {@link #style} differs between layers by orders of
     * magnitude. {@code targetGram} is (1, C, C) or (N, C, C) and must outlive the optimisation.
     */
    public static Objective styleNormalized(String layer, NDArray targetGram) {
        NDArray norm = perImage(targetGram.square(), false).maximum(1e-12f);
        return of("style " + layer, List.of(layer), f -> perImage(gram(f.layer(layer)).sub(targetGram).square(), false).div(norm));
    }

    /** L2 penalty: mean of (x − ½)² per image, which pulls pixels towards grey. */
    public static Objective l2() {
        return of("l2", List.of(), f -> perImage(f.image().sub(0.5f).square(), true));
    }

    /** α-norm penalty (Mahendran &amp; Vedaldi): mean of |x − ½|^α per image. */
    public static Objective alphaNorm(double alpha) {
        if (!(alpha > 0)) {
            throw new ConvscopeException("the α of the α-norm must be positive");
        }
        return of("alpha-norm", List.of(), f -> perImage(f.image().sub(0.5f).abs().add(1e-8f).pow(Tensors.scalar(f.image(), (float) alpha)), true));
    }

    /**
     * Total variation (squared differences, β = 2): mean over pixels of (x[h+1,w] − x[h,w])² +
     * (x[h,w+1] − x[h,w])², per image. Penalises high-frequency noise.
     */
    public static Objective tv() {
        return of("tv", List.of(), f -> {
            NDArray x = f.image();
            Shape s = x.getShape();
            NDArray dh = Tensors.slice(x, 2, 1, s.get(2)).sub(Tensors.slice(x, 2, 0, s.get(2) - 1)).square();
            NDArray dw = Tensors.slice(x, 3, 1, s.get(3)).sub(Tensors.slice(x, 3, 0, s.get(3) - 1)).square();
            return perImage(dh, true).add(perImage(dw, true));
        });
    }

    private static void checkBatch(int targets, Forward f, String what) {
        if (targets != 1 && targets != f.batch()) {
            throw new ConvscopeException(targets + " " + what + " targets for a batch of " + f.batch());
        }
    }

    /** (N, K) one-hot rows (all zero for −1); one index is broadcast to every image. */
    private static NDArray oneHot(NDManager m, int[] idx, long k, NDArray like) {
        int n = (int) like.getShape().get(0);
        float[] v = new float[(int) (n * k)];
        for (int i = 0; i < n; i++) {
            int c = idx.length == 1 ? idx[0] : idx[i];
            if (c == -1) {
                continue;
            }
            if (c < 0 || c >= k) {
                throw new ConvscopeException("index " + c + " is out of range: the layer has " + k);
            }
            v[(int) (i * k + c)] = 1f;
        }
        return m.create(v, new Shape(n, k)).toDevice(like.getDevice(), false);
    }

    /** Sum or mean over everything but the batch axis (DJL's PyTorch reductions take one axis). */
    static NDArray perImage(NDArray a, boolean mean) {
        NDArray flat = a.reshape(a.getShape().get(0), -1);
        return mean ? flat.mean(new int[] {1}) : flat.sum(new int[] {1});
    }
}
