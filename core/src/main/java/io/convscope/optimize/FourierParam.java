package io.convscope.optimize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.convscope.ConvscopeException;

import java.util.SplittableRandom;

/**
 * A decorrelated parameterization (Olah et al., "Feature Visualization", 2017, as in Lucid): the
 * variables are the real and imaginary parts of the image's 2-d Fourier spectrum, scaled by
 * 1/frequency so that every frequency is equally easy to change, and the colours are mixed through
 * the square root of ImageNet's colour covariance, so that the optimiser works in a space where
 * natural images are closer to white noise. image = σ(colour · Re(IDFT(spectrum · scale))).
 *
 * <p>The inverse DFT is four real matrix products per image (cos and sin bases along each axis):
 * x = C_h·A·C_wᵀ − S_h·A·S_wᵀ − S_h·B·C_wᵀ − C_h·B·S_wᵀ, exact and differentiable without complex
 * numbers.
 */
public final class FourierParam implements ImageParam {
    /**
     * The square root of ImageNet's RGB colour covariance (Lucid's color_correlation_svd_sqrt),
     * divided by the largest column norm so that it keeps the scale.
     */
    static final float[][] COLOR = normalised(new float[][] {
        {0.26f, 0.09f, 0.02f},
        {0.27f, 0.00f, -0.05f},
        {0.27f, -0.09f, 0.03f}});

    private final int n;
    private final int c;
    private final int h;
    private final int w;
    private final double initStd;
    private final float[] scale;

    /** @param initStd standard deviation of the starting spectrum (Lucid: 0.01) */
    public FourierParam(int n, int c, int h, int w, double initStd) {
        if (n < 1 || c < 1 || h < 1 || w < 1) {
            throw new ConvscopeException("image size must be positive");
        }
        this.n = n;
        this.c = c;
        this.h = h;
        this.w = w;
        this.initStd = initStd;
        this.scale = scales(h, w);
    }

    @Override
    public int[] imageShape() {
        return new int[] {n, c, h, w};
    }

    /** (2, N, C, H, W): real parts, then imaginary parts. */
    @Override
    public long[] shape() {
        return new long[] {2, n, c, h, w};
    }

    @Override
    public float[] init(SplittableRandom random) {
        float[] p = new float[size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (PixelParam.gaussian(random) * initStd);
        }
        return p;
    }

    @Override
    public NDArray image(NDArray p) {
        NDManager m = p.getManager();
        var dev = p.getDevice();
        NDArray s = m.create(scale, new Shape(1, 1, h, w)).toDevice(dev, false);
        NDArray spec = p.reshape(2, n, c, h, w);
        NDArray a = spec.get(0).mul(s);
        NDArray b = spec.get(1).mul(s);
        NDArray ch = m.create(basis(h, true), new Shape(h, h)).toDevice(dev, false);
        NDArray sh = m.create(basis(h, false), new Shape(h, h)).toDevice(dev, false);
        NDArray cwT = m.create(basis(w, true), new Shape(w, w)).toDevice(dev, false);
        NDArray swT = m.create(basis(w, false), new Shape(w, w)).toDevice(dev, false);
        // bases are symmetric: basis[u][k] = cos(2πuk/N), so transposes are themselves
        NDArray x = ch.matMul(a).matMul(cwT).sub(sh.matMul(a).matMul(swT))
                .sub(sh.matMul(b).matMul(cwT)).sub(ch.matMul(b).matMul(swT));
        if (c == 3) {
            NDArray mix = m.create(flatten(COLOR), new Shape(3, 3)).toDevice(dev, false);
            // (N, 3, H, W) → mix channels: out[n, i] = Σ_j COLOR[i][j] · x[n, j]
            x = mix.matMul(x.reshape(n, 3, (long) h * w)).reshape(n, 3, h, w);
        }
        return ai.djl.nn.Activation.sigmoid(x.div(io.convscope.engine.Tensors.scalar(x, 4f))); // Lucid's "magic" 4: a gentler start
    }

    /** 1 / max(f, 1/max(H, W)) × √(H·W), f the frequency in cycles per pixel (decay power 1). */
    static float[] scales(int h, int w) {
        float[] s = new float[h * w];
        double floor = 1.0 / Math.max(h, w);
        for (int u = 0; u < h; u++) {
            double fu = Math.min(u, h - u) / (double) h;
            for (int v = 0; v < w; v++) {
                double fv = Math.min(v, w - v) / (double) w;
                double f = Math.sqrt(fu * fu + fv * fv);
                // normalised inverse DFT: 1/√(HW); the spectrum scale: √(HW) / max(f, floor)
                s[u * w + v] = (float) (1.0 / Math.max(f, floor) / Math.sqrt((double) h * w));
            }
        }
        return s;
    }

    /** Row-major N×N matrix cos(2πuk/N) or sin(2πuk/N). */
    static float[] basis(int size, boolean cos) {
        float[] b = new float[size * size];
        for (int u = 0; u < size; u++) {
            for (int k = 0; k < size; k++) {
                double t = 2 * Math.PI * ((long) u * k % size) / size;
                b[u * size + k] = (float) (cos ? Math.cos(t) : Math.sin(t));
            }
        }
        return b;
    }

    private static float[][] normalised(float[][] m) {
        double max = 0;
        for (int j = 0; j < 3; j++) {
            double norm = 0;
            for (int i = 0; i < 3; i++) {
                norm += m[i][j] * m[i][j];
            }
            max = Math.max(max, Math.sqrt(norm));
        }
        float[][] out = new float[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                out[i][j] = (float) (m[i][j] / max);
            }
        }
        return out;
    }

    private static float[] flatten(float[][] m) {
        float[] f = new float[9];
        for (int i = 0; i < 3; i++) {
            System.arraycopy(m[i], 0, f, i * 3, 3);
        }
        return f;
    }
}
