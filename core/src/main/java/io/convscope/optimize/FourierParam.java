package io.convscope.optimize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.convscope.ConvscopeException;
import io.convscope.engine.Tensors;

import java.util.SplittableRandom;

/**
 * A decorrelated parameterization (Olah et al., "Feature Visualization", 2017, as in Lucid): the
 * variables are the real and imaginary parts of the image's 2-d Fourier spectrum, scaled by
 * 1/frequency so that every frequency is equally easy to change, and the colours are mixed through
 * the square root of ImageNet's colour covariance, so that the optimiser works in a space where
 * natural images are closer to white noise. image = σ(colour · Re(IDFT(spectrum · scale)) / 4).
 *
 * <p>The inverse DFT is the engine's 2-d FFT with the orthonormal scaling: x[h, w] = 1/√(HW) ·
 * Σ_u Σ_v Re(Z[u, v] · e^{2πi(uh/H + vw/W)}) over the full spectrum. (Lucent keeps only the half
 * spectrum of a real image; tried here, it changed the optimisation's course enough that 60 L-BFGS
 * steps of a 28 px Fourier reconstruction stalled at error 0.30 where the full spectrum reaches
 * below 0.02, so the full spectrum stays: the same function as the former four matrix products.)
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
    private final float[] color;

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
        this.color = flatten(COLOR);
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
        NDArray x = spatial(p);
        NDManager m = p.getManager();
        if (c == 3) {
            NDArray mix = m.create(color, new Shape(3, 3)).toDevice(p.getDevice(), false);
            // (N, 3, H, W) → mix channels: out[n, i] = Σ_j COLOR[i][j] · x[n, j]
            x = mix.matMul(x.reshape(n, 3, (long) h * w)).reshape(n, 3, h, w);
        }
        return ai.djl.nn.Activation.sigmoid(x.div(Tensors.scalar(x, 4f))); // Lucid's "magic" 4: a gentler start
    }

    /**
     * The real image (N, C, H, W) of the scaled spectrum, before colour mixing and the sigmoid: the
     * orthonormal inverse 2-d DFT of spectrum · {@link #scales}.
     */
    NDArray spatial(NDArray p) {
        NDManager m = p.getManager();
        NDArray s = m.create(scale, new Shape(1, 1, 1, h, w)).toDevice(p.getDevice(), false);
        // Re(IDFT(S·(A + iB))) = Re(IDFT(S·A)) − Im(IDFT(S·B)): the engine's inverse FFT of the real and the
        // imaginary parts as two real arrays, so that no complex array has to be built from real ones
        // (DJL's complex() and casts to complex carry no gradient)
        NDArray y = p.reshape(2, n, c, h, w).mul(s).ifft2(new long[] {h, w}, new long[] {3, 4}).real(); // (2, N, C, H, W, 2)
        // y[0, …, 0] − y[1, …, 1] as a product with (1, 0) and (0, −1): the backward pass of two selections
        // zero-fills the whole of y twice over (forward and backward at 224 px: 5.4 ms so, 4.8 ms as here)
        NDArray pick = m.create(new float[] {1, 0, 0, -1}, new Shape(2, 2, 1)).toDevice(p.getDevice(), false);
        return y.reshape(2, (long) n * c * h * w, 2).matMul(pick).sum(new int[] {0}).reshape(n, c, h, w);
    }

    /**
     * What the spectrum (row-major H × W) is multiplied by before the engine's inverse FFT:
     * 1 / max(f, 1/max(H, W)), f the frequency in cycles per pixel (decay power 1), times √(HW),
     * because the engine's inverse FFT divides by H·W where the orthonormal transform divides by √(HW).
     */
    static float[] scales(int h, int w) {
        float[] s = new float[h * w];
        double floor = 1.0 / Math.max(h, w);
        double root = Math.sqrt((double) h * w);
        for (int u = 0; u < h; u++) {
            double fu = Math.min(u, h - u) / (double) h;
            for (int v = 0; v < w; v++) {
                double fv = Math.min(v, w - v) / (double) w;
                double f = Math.sqrt(fu * fu + fv * fv);
                s[u * w + v] = (float) (root / Math.max(f, floor));
            }
        }
        return s;
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
