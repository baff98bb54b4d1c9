package io.convscope.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Differentiable index selection and linear resampling along one axis, shared by the ONNX layers and the optimisation transforms. */
public final class Tensors {
    private Tensors() {
    }

    /**
     * The number {@code v} as a scalar tensor on {@code like}'s device, owned by {@code like}'s
     * manager. Use it instead of the {@code Number} overloads ({@code x.mul(2f)}, {@code div},
     * {@code pow}, {@code maximum}, {@code minimum}) wherever a gradient may flow: DJL makes the
     * scalar on a direct buffer and frees it as soon as the operation returns, but autograd keeps it
     * for the backward pass, so a garbage collection in between lets the backward pass read freed
     * memory (garbage gradients, now and then a NaN). This scalar lives until the step's manager closes.
     */
    public static NDArray scalar(NDArray like, float v) {
        return like.getManager().create(v).toDevice(like.getDevice(), false);
    }

    /** The entries {@code idx} along {@code axis} (full-tensor axis), as torch.index_select. */
    public static NDArray select(NDArray x, int axis, long[] idx) {
        long[] s = x.getShape().getShape();
        long[] viewShape = new long[s.length];
        java.util.Arrays.fill(viewShape, 1);
        viewShape[axis] = idx.length;
        long[] outShape = s.clone();
        outShape[axis] = idx.length;
        NDArray index = x.getManager().create(idx).toDevice(x.getDevice(), false).reshape(viewShape).broadcast(new Shape(outShape));
        return x.gather(index, axis);
    }

    /** Applies the row-major (out × in) matrix {@code m} along full-tensor axis {@code axis}. */
    public static NDArray alongAxis(NDArray x, int axis, float[] m, int out, int in) {
        int last = x.getShape().dimension() - 1;
        NDArray mt = x.getManager().create(m, new Shape(out, in)).toDevice(x.getDevice(), false).transpose();
        if (axis == last) {
            return x.matMul(mt);
        }
        return x.swapAxes(axis, last).matMul(mt).swapAxes(axis, last);
    }
}
