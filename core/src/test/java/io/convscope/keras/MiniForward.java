package io.convscope.keras;

import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.network.Padding;
import io.convscope.network.Tensor;
import io.convscope.network.TensorShape;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A loop-by-loop forward pass of one sample through a Network (channels-first), for the layers the
 * importer tests use. Test code only: it checks imported weights numerically without the Engine.
 */
final class MiniForward {
    private MiniForward() {
    }

    /** Runs the network; returns every node's output (flat, in the node's channels-first layout). */
    static Map<String, float[]> run(Network net, float[] input) {
        Map<String, float[]> v = new HashMap<>();
        for (Node n : net.nodes()) {
            Layer l = n.layer();
            TensorShape out = n.outputShape();
            if (l instanceof Layer.Input) {
                v.put(n.name(), input);
                continue;
            }
            List<float[]> in = n.inputs().stream().map(v::get).toList();
            TensorShape s = net.node(n.inputs().get(0)).outputShape();
            float[] x = in.get(0);
            float[] y;
            if (l instanceof Layer.Conv2D c) {
                y = conv(x, s, p(n, "kernel"), c.useBias() ? p(n, "bias") : null, out, c.kh(), c.kw(), c.sh(), c.sw(),
                        c.dh(), c.dw(), c.padding(), c.groups());
                y = act(y, out, c.activation());
            } else if (l instanceof Layer.DepthwiseConv2D d) {
                y = conv(x, s, p(n, "depthwise_kernel"), d.useBias() ? p(n, "bias") : null, out, d.kh(), d.kw(), d.sh(),
                        d.sw(), d.dh(), d.dw(), d.padding(), s.channels());
                y = act(y, out, d.activation());
            } else if (l instanceof Layer.SeparableConv2D d) {
                TensorShape mid = TensorShape.chw(s.channels() * d.multiplier(), out.height(), out.width());
                float[] m = conv(x, s, p(n, "depthwise_kernel"), null, mid, d.kh(), d.kw(), d.sh(), d.sw(), d.dh(), d.dw(),
                        d.padding(), s.channels());
                y = conv(m, mid, p(n, "pointwise_kernel"), d.useBias() ? p(n, "bias") : null, out, 1, 1, 1, 1, 1, 1,
                        Padding.VALID, 1);
                y = act(y, out, d.activation());
            } else if (l instanceof Layer.Pool2D pl) {
                y = pool(x, s, out, pl);
            } else if (l instanceof Layer.GlobalPool g) {
                int hw = s.height() * s.width();
                y = new float[s.channels()];
                for (int c = 0; c < s.channels(); c++) {
                    float acc = g.max() ? Float.NEGATIVE_INFINITY : 0;
                    for (int i = 0; i < hw; i++) {
                        acc = g.max() ? Math.max(acc, x[c * hw + i]) : acc + x[c * hw + i];
                    }
                    y[c] = g.max() ? acc : acc / hw;
                }
            } else if (l instanceof Layer.BatchNorm bn) {
                int c = s.channels();
                int per = x.length / c;
                float[] gamma = bn.scale() ? p(n, "gamma") : null;
                float[] beta = bn.center() ? p(n, "beta") : null;
                float[] mean = p(n, "moving_mean");
                float[] var = p(n, "moving_variance");
                y = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    int ch = i / per;
                    float z = (float) ((x[i] - mean[ch]) / Math.sqrt(var[ch] + bn.epsilon()));
                    y[i] = z * (gamma == null ? 1 : gamma[ch]) + (beta == null ? 0 : beta[ch]);
                }
            } else if (l instanceof Layer.Identity) {
                y = x;
            } else if (l instanceof Layer.Flatten f) {
                y = f.channelsLast() && s.isSpatial() ? toHwc(x, s) : x;
            } else if (l instanceof Layer.Dense d) {
                float[] k = p(n, "kernel");
                float[] b = d.useBias() ? p(n, "bias") : null;
                int in0 = x.length;
                y = new float[d.units()];
                for (int u = 0; u < d.units(); u++) {
                    double acc = b == null ? 0 : b[u];
                    for (int j = 0; j < in0; j++) {
                        acc += (double) k[u * in0 + j] * x[j];
                    }
                    y[u] = (float) acc;
                }
                y = act(y, out, d.activation());
            } else if (l instanceof Layer.Act a) {
                y = act(x, out, a.activation());
            } else if (l instanceof Layer.Merge m && m.op() == Layer.Merge.Op.ADD) {
                y = x.clone();
                for (int k = 1; k < in.size(); k++) {
                    for (int i = 0; i < y.length; i++) {
                        y[i] += in.get(k)[i];
                    }
                }
            } else if (l instanceof Layer.Concatenate c && c.axis() == 0) {
                y = new float[(int) out.size()];
                int pos = 0;
                for (float[] part : in) {
                    System.arraycopy(part, 0, y, pos, part.length);
                    pos += part.length;
                }
            } else {
                throw new UnsupportedOperationException("MiniForward: " + l);
            }
            v.put(n.name(), y);
        }
        return v;
    }

    static float[] p(Node n, String name) {
        Tensor t = n.params().get(name);
        return t.toArray();
    }

    /** (C, H, W) → (H, W, C) order. */
    static float[] toHwc(float[] x, TensorShape s) {
        int c = s.channels(), h = s.height(), w = s.width();
        float[] y = new float[x.length];
        for (int ci = 0; ci < c; ci++) {
            for (int i = 0; i < h * w; i++) {
                y[i * c + ci] = x[ci * h * w + i];
            }
        }
        return y;
    }

    /** (H, W, C) → (C, H, W) order. */
    static float[] toChw(float[] x, int h, int w, int c) {
        float[] y = new float[x.length];
        for (int ci = 0; ci < c; ci++) {
            for (int i = 0; i < h * w; i++) {
                y[ci * h * w + i] = x[i * c + ci];
            }
        }
        return y;
    }

    private static float[] conv(float[] x, TensorShape s, float[] k, float[] bias, TensorShape out, int kh, int kw,
                                int sh, int sw, int dh, int dw, Padding pad, int groups) {
        int cin = s.channels(), h = s.height(), w = s.width();
        int cout = out.channels(), oh = out.height(), ow = out.width();
        int[] p = pad.resolve(h, w, kh, kw, sh, sw, dh, dw);
        int cg = cin / groups, og = cout / groups;
        float[] y = new float[cout * oh * ow];
        for (int o = 0; o < cout; o++) {
            int g = o / og;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double acc = bias == null ? 0 : bias[o];
                    for (int ci = 0; ci < cg; ci++) {
                        int c = g * cg + ci;
                        for (int ky = 0; ky < kh; ky++) {
                            int iy = oy * sh - p[0] + ky * dh;
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            for (int kx = 0; kx < kw; kx++) {
                                int ix = ox * sw - p[2] + kx * dw;
                                if (ix < 0 || ix >= w) {
                                    continue;
                                }
                                acc += (double) x[(c * h + iy) * w + ix] * k[((o * cg + ci) * kh + ky) * kw + kx];
                            }
                        }
                    }
                    y[(o * oh + oy) * ow + ox] = (float) acc;
                }
            }
        }
        return y;
    }

    private static float[] pool(float[] x, TensorShape s, TensorShape out, Layer.Pool2D pl) {
        int c = s.channels(), h = s.height(), w = s.width(), oh = out.height(), ow = out.width();
        int[] p = pl.padding().resolve(h, w, pl.kh(), pl.kw(), pl.sh(), pl.sw(), 1, 1);
        float[] y = new float[c * oh * ow];
        for (int ci = 0; ci < c; ci++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float acc = pl.max() ? Float.NEGATIVE_INFINITY : 0;
                    int count = 0;
                    for (int ky = 0; ky < pl.kh(); ky++) {
                        for (int kx = 0; kx < pl.kw(); kx++) {
                            int iy = oy * pl.sh() - p[0] + ky, ix = ox * pl.sw() - p[2] + kx;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                continue;
                            }
                            float v = x[(ci * h + iy) * w + ix];
                            acc = pl.max() ? Math.max(acc, v) : acc + v;
                            count++;
                        }
                    }
                    y[(ci * oh + oy) * ow + ox] = pl.max() ? acc : acc / count;
                }
            }
        }
        return y;
    }

    private static float[] act(float[] x, TensorShape s, Activation a) {
        float[] y = x.clone();
        switch (a) {
            case LINEAR -> { }
            case RELU -> {
                for (int i = 0; i < y.length; i++) {
                    y[i] = Math.max(0, y[i]);
                }
            }
            case SIGMOID -> {
                for (int i = 0; i < y.length; i++) {
                    y[i] = (float) (1 / (1 + Math.exp(-y[i])));
                }
            }
            case SOFTMAX -> {
                int c = s.isSpatial() ? s.channels() : y.length;
                int per = y.length / c;
                for (int i = 0; i < per; i++) {
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int k = 0; k < c; k++) {
                        max = Math.max(max, y[k * per + i]);
                    }
                    for (int k = 0; k < c; k++) {
                        sum += Math.exp(y[k * per + i] - max);
                    }
                    for (int k = 0; k < c; k++) {
                        y[k * per + i] = (float) (Math.exp(y[k * per + i] - max) / sum);
                    }
                }
            }
            default -> throw new UnsupportedOperationException("MiniForward activation " + a);
        }
        return y;
    }
}
