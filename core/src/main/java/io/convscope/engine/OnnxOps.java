package io.convscope.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.convscope.network.Layer;

import java.util.ArrayList;
import java.util.List;

/**
 * Engine implementations of the layers ONNX graphs need beyond the Keras set: any rank, batch on
 * axis 0, layer axes counted without the batch. Everything is built from differentiable NDArray
 * operations, so input gradients work through them.
 */
final class OnnxOps {
    private OnnxOps() {
    }

    static NDArray arith(Layer.Arith a, List<NDArray> in, NDArray b) {
        NDArray x = in.get(0);
        List<NDArray> ops = new ArrayList<>(in);
        if (a.constIndex() >= 0) {
            ops.add(Math.min(a.constIndex(), ops.size()), b);
        }
        NDArray acc = ops.get(0);
        for (int i = 1; i < ops.size(); i++) {
            NDArray o = ops.get(i);
            acc = switch (a.op()) {
                case ADD -> acc.add(o);
                case SUB -> acc.sub(o);
                case MUL -> acc.mul(o);
                case DIV -> acc.div(o);
                case MAX -> acc.maximum(o);
                case MIN -> acc.minimum(o);
                case POW -> acc.pow(o);
            };
        }
        return acc == x ? Engine.same(x) : acc;
    }

    static NDArray permute(NDArray x, Layer.Permute pm) {
        int[] axes = new int[pm.perm().length + 1];
        for (int i = 0; i < pm.perm().length; i++) {
            axes[i + 1] = pm.perm()[i] + 1;
        }
        return x.transpose(axes);
    }

    static NDArray view(NDArray x, Layer.View v) {
        long[] s = x.getShape().getShape();
        int[] sample = new int[s.length - 1];
        for (int i = 0; i < sample.length; i++) {
            sample[i] = (int) s[i + 1];
        }
        int[] t = v.resolve(sample);
        long[] target = new long[t.length + 1];
        target[0] = s[0];
        for (int i = 0; i < t.length; i++) {
            target[i + 1] = t[i];
        }
        return x.reshape(target);
    }

    static NDArray slice(NDArray x, Layer.Slice sl) {
        NDArray y = x;
        for (int i = 0; i < sl.axes().length; i++) {
            long[] idx = new long[sl.counts()[i]];
            for (int j = 0; j < idx.length; j++) {
                idx[j] = sl.starts()[i] + (long) j * sl.steps()[i];
            }
            NDArray next = Tensors.select(y, sl.axes()[i] + 1, idx);
            if (y != x) {
                y.close();
            }
            y = next;
        }
        return y == x ? Engine.same(x) : y;
    }

    static NDArray gather(NDArray x, Layer.Gather g) {
        int axis = g.axis() + 1;
        long dim = x.getShape().get(axis);
        long[] idx = new long[g.indices().length];
        for (int i = 0; i < idx.length; i++) {
            long v = g.indices()[i];
            idx[i] = v < 0 ? v + dim : v;
            if (idx[i] < 0 || idx[i] >= dim) {
                throw new IllegalArgumentException("Gather index " + v + " is outside 0.." + (dim - 1));
            }
        }
        NDArray y = Tensors.select(x, axis, idx);
        long[] s = x.getShape().getShape();
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < axis; i++) {
            out.add(s[i]);
        }
        for (int d : g.indicesShape()) {
            out.add((long) d);
        }
        for (int i = axis + 1; i < s.length; i++) {
            out.add(s[i]);
        }
        return y.reshape(out.stream().mapToLong(Long::longValue).toArray());
    }

    static NDArray softmax(NDArray x, Layer.Softmax sm) {
        int axis = sm.axis() + 1;
        if (sm.flattenFrom()) {
            long[] s = x.getShape().getShape();
            long[] flat = new long[axis + 1];
            System.arraycopy(s, 0, flat, 0, axis);
            flat[axis] = -1;
            NDArray f = x.reshape(flat);
            return (sm.log() ? f.logSoftmax(-1) : f.softmax(-1)).reshape(x.getShape());
        }
        return sm.log() ? x.logSoftmax(axis) : x.softmax(axis);
    }

    static NDArray prelu(NDArray x, NDArray slope) {
        return x.maximum(k(x, 0f)).add(x.minimum(k(x, 0f)).mul(slope));
    }

    static NDArray instanceNorm(NDArray x, Layer.InstanceNorm n, NDArray gammaParam, NDArray betaParam) {
        Shape s = x.getShape();
        long c = s.get(1);
        NDArray flat = x.reshape(s.get(0), c, -1);
        NDArray mean = flat.mean(new int[] {2}, true);
        NDArray centred = flat.sub(mean);
        NDArray var = centred.square().mean(new int[] {2}, true);
        NDArray y = centred.div(var.add(n.epsilon()).sqrt());
        NDArray gamma = gammaParam.reshape(1, c, 1);
        NDArray beta = betaParam.reshape(1, c, 1);
        return y.mul(gamma).add(beta).reshape(s);
    }

    /** A number as a tensor that outlives the backward pass (see {@link Tensors#scalar}). */
    private static NDArray k(NDArray like, float v) {
        return Tensors.scalar(like, v);
    }

    static NDArray unary(NDArray x, Layer.Unary u) {
        float a = u.alpha();
        float b = u.beta();
        return switch (u.fn()) {
            case LEAKY_RELU -> x.maximum(k(x, 0f)).add(x.minimum(k(x, 0f)).mul(k(x, a)));
            case ELU -> x.maximum(k(x, 0f)).add(x.minimum(k(x, 0f)).exp().sub(1f).mul(k(x, a)));
            case SELU -> x.maximum(k(x, 0f)).add(x.minimum(k(x, 0f)).exp().sub(1f).mul(k(x, a))).mul(k(x, b));
            case HARD_SIGMOID -> x.mul(k(x, a)).add(b).maximum(k(x, 0f)).minimum(k(x, 1f));
            case HARD_SWISH -> x.mul(x.div(k(x, 6f)).add(0.5f).maximum(k(x, 0f)).minimum(k(x, 1f)));
            case CLIP -> {
                NDArray y = x;
                if (a != Float.NEGATIVE_INFINITY) {
                    y = y.maximum(k(x, a));
                }
                if (b != Float.POSITIVE_INFINITY) {
                    y = y.minimum(k(x, b));
                }
                yield y == x ? Engine.same(x) : y;
            }
            case ABS -> x.abs();
            case NEG -> x.neg();
            case EXP -> x.exp();
            case LOG -> x.log();
            case SQRT -> x.sqrt();
            case RECIPROCAL -> x.pow(k(x, -1f));
            case SOFTPLUS -> ai.djl.nn.Activation.softPlus(x);
            case SOFTSIGN -> x.div(x.abs().add(1f));
            case FLOOR -> x.floor();
            case CEIL -> x.ceil();
        };
    }

    static NDArray pad(NDArray x, Layer.Pad pd) {
        int rank = x.getShape().dimension() - 1;
        int[] pads = pd.pads();
        if (pd.mode() == Layer.Pad.Mode.CONSTANT) {
            long[] spec = new long[2 * rank];
            for (int i = 0; i < rank; i++) {
                int axis = rank - 1 - i; // torch pads from the last axis
                spec[2 * i] = pads[axis];
                spec[2 * i + 1] = pads[axis + rank];
            }
            return x.pad(new Shape(spec), pd.value());
        }
        NDArray y = x;
        for (int axis = 0; axis < rank; axis++) {
            int b = pads[axis];
            int e = pads[axis + rank];
            if (b == 0 && e == 0) {
                continue;
            }
            int n = (int) y.getShape().get(axis + 1);
            long[] idx = new long[n + b + e];
            for (int i = 0; i < idx.length; i++) {
                int j = i - b;
                if (pd.mode() == Layer.Pad.Mode.EDGE) {
                    j = Math.max(0, Math.min(n - 1, j));
                } else {
                    if (n == 1) {
                        j = 0;
                    } else {
                        int period = 2 * (n - 1);
                        j = Math.floorMod(j, period);
                        if (j >= n) {
                            j = period - j;
                        }
                    }
                }
                idx[i] = j;
            }
            NDArray next = Tensors.select(y, axis + 1, idx);
            if (y != x) {
                y.close();
            }
            y = next;
        }
        return y == x ? Engine.same(x) : y;
    }

    static NDArray resize(NDArray x, Layer.Resize r) {
        NDArray y = x;
        int rank = x.getShape().dimension() - 1;
        for (int axis = 0; axis < rank; axis++) {
            int in = (int) y.getShape().get(axis + 1);
            int out = r.outSize(axis, in);
            double scale = r.sizes().length > 0 ? (double) out / in : r.scales()[axis];
            if (out == in && scale == 1.0) {
                continue;
            }
            NDArray next;
            if (r.mode().equals("nearest")) {
                long[] idx = new long[out];
                for (int o = 0; o < out; o++) {
                    double c = coordinate(r.coordinates(), o, scale, in, out);
                    double f = Math.floor(c);
                    long i = switch (r.nearestMode()) {
                        case "floor" -> (long) f;
                        case "ceil" -> (long) Math.ceil(c);
                        case "round_prefer_ceil" -> c - f == 0.5 ? (long) f + 1 : Math.round(c);
                        default -> c - f == 0.5 ? (long) f : Math.round(c);
                    };
                    idx[o] = Math.max(0, Math.min(in - 1, i));
                }
                next = Tensors.select(y, axis + 1, idx);
            } else if (r.mode().equals("cubic")) {
                next = Tensors.alongAxis(y, axis + 1, cubicMatrix(r, scale, in, out), out, in);
            } else {
                float[] m = new float[out * in];
                for (int o = 0; o < out; o++) {
                    double c = coordinate(r.coordinates(), o, scale, in, out);
                    c = Math.max(0, Math.min(in - 1, c));
                    int lo = (int) Math.floor(c);
                    int hi = Math.min(lo + 1, in - 1);
                    double w = c - lo;
                    m[o * in + lo] += (float) (1 - w);
                    m[o * in + hi] += (float) w;
                }
                next = Tensors.alongAxis(y, axis + 1, m, out, in);
            }
            if (y != x) {
                y.close();
            }
            y = next;
        }
        return y == x ? Engine.same(x) : y;
    }

    /**
     * Row-major (out × in) matrix of ONNX's cubic interpolation: four taps around the source
     * coordinate with Keys' coefficients for {@code a = cubicA}; taps outside the input repeat the
     * edge, or with {@code excludeOutside} get weight 0 and the rest are renormalized.
     */
    static float[] cubicMatrix(Layer.Resize r, double scale, int in, int out) {
        double a = r.cubicA();
        float[] m = new float[out * in];
        for (int o = 0; o < out; o++) {
            double c = coordinate(r.coordinates(), o, scale, in, out);
            int base = (int) Math.floor(c);
            double t = c - base;
            double[] w = new double[4];
            for (int k = 0; k < 4; k++) {
                double dist = Math.abs(t - (k - 1)); // distance of tap base-1+k
                w[k] = dist <= 1 ? ((a + 2) * dist - (a + 3)) * dist * dist + 1
                        : dist < 2 ? ((a * dist - 5 * a) * dist + 8 * a) * dist - 4 * a : 0;
            }
            double sum = 0;
            for (int k = 0; k < 4; k++) {
                int idx = base - 1 + k;
                if (r.excludeOutside() && (idx < 0 || idx >= in)) {
                    w[k] = 0;
                }
                sum += w[k];
            }
            for (int k = 0; k < 4; k++) {
                int idx = Math.max(0, Math.min(in - 1, base - 1 + k));
                double v = r.excludeOutside() ? w[k] / sum : w[k];
                m[o * in + idx] += (float) v;
            }
        }
        return m;
    }

    /** Input coordinate of output index {@code o} (ONNX coordinate_transformation_mode). */
    static double coordinate(String mode, int o, double scale, int in, int out) {
        return switch (mode) {
            case "asymmetric" -> o / scale;
            case "align_corners" -> in * scale - 1 <= 0 ? 0 : o * (in - 1) / (in * scale - 1);
            case "pytorch_half_pixel" -> out > 1 ? (o + 0.5) / scale - 0.5 : 0;
            case "tf_half_pixel_for_nn" -> (o + 0.5) / scale;
            default -> (o + 0.5) / scale - 0.5; // half_pixel
        };
    }

    static NDArray reduce(NDArray x, Layer.Reduce r) {
        int[] axes = r.axes().clone();
        java.util.Arrays.sort(axes);
        NDArray y = x;
        for (int i = axes.length - 1; i >= 0; i--) {
            int[] a = {axes[i] + 1};
            NDArray next = switch (r.op()) {
                case MEAN -> y.mean(a, true);
                case SUM -> y.sum(a, true);
                case MAX -> y.max(a, true);
                case MIN -> y.min(a, true);
            };
            if (y != x) {
                y.close();
            }
            y = next;
        }
        if (!r.keepDims() && axes.length > 0) {
            int[] full = new int[axes.length];
            for (int i = 0; i < axes.length; i++) {
                full[i] = axes[i] + 1;
            }
            y = y.squeeze(full);
        }
        return y == x ? Engine.same(x) : y;
    }

    static NDArray lrn(NDArray x, Layer.LRN l) {
        int rank = x.getShape().dimension();
        long c = x.getShape().get(1);
        int before = (l.size() - 1) / 2;
        int after = l.size() - 1 - before;
        NDArray sq = x.square();
        long[] spec = new long[2 * (rank - 1)];
        spec[spec.length - 2] = before;
        spec[spec.length - 1] = after;
        NDArray padded = sq.pad(new Shape(spec), 0);
        NDArray sum = null;
        for (int i = 0; i < l.size(); i++) {
            NDArray part = Tensors.slice(padded, 1, i, i + c);
            sum = sum == null ? part : sum.add(part);
        }
        return x.div(sum.mul(k(x, l.alpha() / l.size())).add(l.bias()).pow(k(x, l.beta())));
    }

    static NDArray convTranspose(NDArray x, Layer.ConvTranspose2D t, NDArray w, NDArray b) {
        int inH = (int) x.getShape().get(2);
        int inW = (int) x.getShape().get(3);
        NDArray y = transposedConv(x, w, t.sh(), t.sw(), t.dh(), t.dw(), t.groups());
        int[] c = t.crop(inH, inW);
        long rh = y.getShape().get(2);
        long rw = y.getShape().get(3);
        long padTop = Math.max(0, -c[0]);
        long padBottom = Math.max(0, c[0] + c[1] - rh);
        long padLeft = Math.max(0, -c[2]);
        long padRight = Math.max(0, c[2] + c[3] - rw);
        if (padTop + padBottom + padLeft + padRight > 0) {
            y = y.pad(new Shape(padLeft, padRight, padTop, padBottom), 0);
        }
        long top = c[0] + padTop;
        long left = c[2] + padLeft;
        y = Tensors.window(y, top, top + c[1], left, left + c[3]);
        if (b != null) {
            y = y.add(b.reshape(1, -1, 1, 1));
        }
        return y;
    }

    /**
     * The full transposed convolution (no padding) as a convolution of the input with zeros inserted
     * between its pixels, padded by the dilated kernel size − 1, with the kernel flipped and its
     * in/out channels swapped per group. Output size (in − 1)·s + (k − 1)·d + 1 per axis.
     */
    static NDArray transposedConv(NDArray x, NDArray w, int sh, int sw, int dh, int dw, int groups) {
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long wd = s.get(3);
        NDArray z = x;
        if (sh > 1 || sw > 1) {
            NDArray spread = x.reshape(n, c, h, 1, wd, 1).pad(new Shape(0, sw - 1, 0, 0, 0, sh - 1), 0);
            z = Tensors.window(spread.reshape(n, c, h * sh, wd * sw), 0, (h - 1) * sh + 1, 0, (wd - 1) * sw + 1);
        }
        Shape ws = w.getShape();
        long kh = ws.get(2);
        long kw = ws.get(3);
        long outPerGroup = ws.get(1);
        long inPerGroup = c / groups;
        NDArray k = w.reshape(groups, inPerGroup, outPerGroup, kh, kw).transpose(0, 2, 1, 3, 4)
                .reshape(groups * outPerGroup, inPerGroup, kh, kw).flip(2, 3);
        long ph = (kh - 1) * dh;
        long pw = (kw - 1) * dw;
        return Convolution.conv2d(z, k, null, new Shape(1, 1), new Shape(ph, pw), new Shape(dh, dw), groups);
    }
}
