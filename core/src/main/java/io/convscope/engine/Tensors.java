package io.convscope.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Differentiable index selection and linear resampling along one axis, shared by the ONNX layers and the optimisation transforms. */
public final class Tensors {
    private Tensors() {
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
