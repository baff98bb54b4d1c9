package io.convscope.explain;

import io.convscope.ConvscopeException;
import io.convscope.Setting;
import io.convscope.image.ImageTensor;
import io.convscope.util.Progress;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * SmoothGrad (Smilkov et al. 2017) around any gradient method: the mean of its maps over {@code samples}
 * copies of the image with Gaussian noise of deviation {@code noise} × (max − min of the image) added,
 * seeded. The copies of one image go through the inner method as one batch.
 */
public final class SmoothGrad implements Attribution.Stepped {
    private final Attribution inner;
    private final double noise;
    private final int samples;
    private final long seed;

    public SmoothGrad(Attribution inner, double noise, int samples, long seed) {
        if (samples < 1) {
            throw new ConvscopeException(Setting.SAMPLES + " must be at least 1");
        }
        if (!(noise >= 0 && noise <= 10)) {
            throw new ConvscopeException(Setting.NOISE + " must be between 0 and 10 (a fraction of the image's value range)");
        }
        this.inner = inner;
        this.noise = noise;
        this.samples = samples;
        this.seed = seed;
    }

    @Override
    public String name() {
        return "smoothgrad";
    }

    /** The method whose maps are averaged. */
    public Attribution inner() {
        return inner;
    }

    @Override
    public long work(int images) {
        return images * inner.work(samples);
    }

    @Override
    public Maps compute(ImageTensor x, int[] targets, Progress progress) {
        long per = inner.work(samples);
        int size = x.sampleSize();
        List<float[]> maps = new ArrayList<>();
        boolean signed = false;
        for (int i = 0; i < x.n(); i++) {
            float[] xi = x.sample(i);
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (float v : xi) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            double sigma = noise * (max - min);
            SplittableRandom r = new SplittableRandom(seed + i);
            float[] noisy = new float[samples * size];
            for (int k = 0; k < samples; k++) {
                for (int p = 0; p < size; p++) {
                    noisy[k * size + p] = (float) (xi[p] + sigma * gaussian(r));
                }
            }
            ImageTensor batch = new ImageTensor(noisy, samples, x.c(), x.h(), x.w(), Collections.nCopies(samples, "noisy"));
            Maps m = inner.attribute(batch, new int[] {targets[i]}, Steps.after(progress, i * per));
            signed = m.signed();
            float[] mean = new float[m.height() * m.width()];
            for (int k = 0; k < samples; k++) {
                float[] v = m.map(k);
                for (int p = 0; p < mean.length; p++) {
                    mean[p] += v[p] / samples;
                }
            }
            maps.add(mean);
        }
        return new Maps(maps, x.h(), x.w(), signed);
    }

    static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
