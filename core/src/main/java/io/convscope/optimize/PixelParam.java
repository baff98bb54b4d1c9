package io.convscope.optimize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.convscope.ConvscopeException;

import java.util.SplittableRandom;

/**
 * Every pixel is a variable, squashed into [0, 1] by a sigmoid: image = σ(p). Starts from faint
 * noise around grey, or from a given image ({@link #encode}).
 */
public final class PixelParam implements ImageParam {
    private final int n;
    private final int c;
    private final int h;
    private final int w;
    private final double noise;

    /** @param noise standard deviation of the start around grey, in logit units (0.5 is faint, 2 is strong) */
    public PixelParam(int n, int c, int h, int w, double noise) {
        if (n < 1 || c < 1 || h < 1 || w < 1) {
            throw new ConvscopeException("image size must be positive, got " + n + "×" + c + "×" + h + "×" + w);
        }
        this.n = n;
        this.c = c;
        this.h = h;
        this.w = w;
        this.noise = noise;
    }

    @Override
    public int[] imageShape() {
        return new int[] {n, c, h, w};
    }

    @Override
    public long[] shape() {
        return new long[] {n, c, h, w};
    }

    @Override
    public float[] init(SplittableRandom random) {
        float[] p = new float[size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (gaussian(random) * noise);
        }
        return p;
    }

    @Override
    public NDArray image(NDArray p) {
        return ai.djl.nn.Activation.sigmoid(p.reshape(new Shape(n, c, h, w)));
    }

    /** Parameters whose image is {@code image01} (values clamped to [0.001, 0.999] first). */
    public float[] encode(float[] image01) {
        if (image01.length != size()) {
            throw new IllegalArgumentException("image has " + image01.length + " values, the parameters " + size());
        }
        float[] p = new float[image01.length];
        for (int i = 0; i < p.length; i++) {
            double v = Math.min(0.999, Math.max(0.001, image01[i]));
            p[i] = (float) Math.log(v / (1 - v));
        }
        return p;
    }

    /** The image of parameters {@code p}, on the host. */
    public float[] decode(float[] p) {
        float[] x = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            x[i] = (float) (1 / (1 + Math.exp(-p[i])));
        }
        return x;
    }

    static double gaussian(SplittableRandom r) {
        // Box–Muller: the same numbers on every JVM
        double u = 1 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
