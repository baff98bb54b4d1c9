package io.convscope.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Tensors#slice} and {@link Tensors#window} against the same selection made on the host, values and gradients. */
class TensorsSliceTest {
    private static final long[] SHAPE = {2, 3, 5, 4};

    private static float[] values() {
        float[] v = new float[2 * 3 * 5 * 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i * 0.37) * 3;
        }
        return v;
    }

    private static int offset(long[] at) {
        long o = 0;
        for (int i = 0; i < SHAPE.length; i++) {
            o = o * SHAPE[i] + at[i];
        }
        return (int) o;
    }

    /** Values and ∂(Σ y·k)/∂x, with k[i] = i + 1, of {@code y = f(x)}; the kept entries' offsets in x, in order, by brute force. */
    private static void check(java.util.function.Function<NDArray, NDArray> f, java.util.function.Predicate<long[]> kept) {
        float[] v = values();
        java.util.List<Integer> offsets = new java.util.ArrayList<>();
        long[] at = new long[4];
        for (at[0] = 0; at[0] < SHAPE[0]; at[0]++) {
            for (at[1] = 0; at[1] < SHAPE[1]; at[1]++) {
                for (at[2] = 0; at[2] < SHAPE[2]; at[2]++) {
                    for (at[3] = 0; at[3] < SHAPE[3]; at[3]++) {
                        if (kept.test(at)) {
                            offsets.add(offset(at));
                        }
                    }
                }
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(v, new Shape(SHAPE));
            x.setRequiresGradient(true);
            float[] got;
            try (GradientCollector gc = ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray y = f.apply(x);
                got = y.toFloatArray();
                NDArray k = m.arange(1f, got.length + 1f).reshape(y.getShape());
                gc.backward(y.mul(k).sum());
            }
            float[] want = new float[offsets.size()];
            float[] wantGrad = new float[v.length];
            for (int i = 0; i < want.length; i++) {
                want[i] = v[offsets.get(i)];
                wantGrad[offsets.get(i)] = i + 1;
            }
            assertArrayEquals(want, got);
            assertArrayEquals(wantGrad, x.getGradient().toFloatArray());
        }
    }

    @Test
    void sliceTakesOneAxisRangeWithItsGradient() {
        for (int axis = 0; axis < 4; axis++) {
            int a = axis;
            long n = SHAPE[axis];
            check(x -> Tensors.slice(x, a, 1, n), at -> at[a] >= 1);
            check(x -> Tensors.slice(x, a, 0, n - 1), at -> at[a] < n - 1);
            check(x -> Tensors.slice(x, a, 0, 1), at -> at[a] == 0);
            check(x -> Tensors.slice(x, a, 0, n), at -> true);
        }
        assertEquals(new Shape(2, 3, 2, 4), Tensors.slice(NDManager.newBaseManager().zeros(new Shape(SHAPE)), 2, 3, 5).getShape());
        assertThrows(IllegalArgumentException.class, () -> Tensors.slice(NDManager.newBaseManager().zeros(new Shape(SHAPE)), 4, 0, 1));
    }

    @Test
    void windowCropsTheLastTwoAxes() {
        check(x -> Tensors.window(x, 1, 4, 2, 4), at -> at[2] >= 1 && at[2] < 4 && at[3] >= 2);
        check(x -> Tensors.window(x, 0, 5, 0, 1), at -> at[3] == 0);
    }
}
