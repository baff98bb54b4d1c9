package io.convscope.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Adam optimizer with Keras's update rule (Kingma &amp; Ba, section 2, "efficient version"):
 *
 * <pre>
 *   m   = β1·m + (1−β1)·g
 *   v   = β2·v + (1−β2)·g²
 *   α_t = lr · √(1−β2^t) / (1−β1^t)
 *   p  -= α_t · m / (√v + ε)
 * </pre>
 *
 * <p>Moments live in a manager of their own, created on the parameters' device; {@link #close} frees
 * them. The update is done in place on the parameter arrays and reads their gradients, which it then
 * zeroes (PyTorch accumulates gradients across backward passes). Call it outside a gradient collector
 * so that the updates are not recorded.
 */
public final class Adam implements AutoCloseable {
    private final float lr;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final NDManager state;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private int t;

    /** Adam with Keras's defaults for everything but the learning rate: β1 0.9, β2 0.999, ε 1e-7. */
    public Adam(NDManager parent, float learningRate) {
        this(parent, learningRate, 0.9f, 0.999f, 1e-7f);
    }

    public Adam(NDManager parent, float learningRate, float beta1, float beta2, float epsilon) {
        if (!(learningRate > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0)) {
            throw new IllegalArgumentException("Adam needs lr > 0, 0 ≤ β1, β2 < 1 and ε > 0");
        }
        this.lr = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.state = parent.newSubManager();
    }

    /** How many updates have been made. */
    public int iterations() {
        return t;
    }

    /**
     * One update of every parameter from its current gradient, at learning rate {@code learningRate}
     * (pass {@link #learningRate()} for a constant rate). Temporary arrays go to {@code scratch}.
     */
    public void step(Map<String, NDArray> params, NDManager scratch, float learningRate) {
        t++;
        double alpha = learningRate * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray p = e.getValue();
            NDArray g = p.getGradient();
            g.attach(scratch);
            NDArray mi = m.computeIfAbsent(e.getKey(), k -> state.zeros(p.getShape(), p.getDataType(), p.getDevice()));
            NDArray vi = v.computeIfAbsent(e.getKey(), k -> state.zeros(p.getShape(), p.getDataType(), p.getDevice()));
            mi.muli(beta1).addi(g.mul(1 - beta1));
            vi.muli(beta2).addi(g.square().muli(1 - beta2));
            NDArray denom = scratch(vi.sqrt(), scratch).addi(epsilon);
            NDArray update = scratch(mi.div(denom), scratch).muli((float) alpha);
            p.subi(update);
            g.subi(g);
        }
    }

    public void step(Map<String, NDArray> params, NDManager scratch) {
        step(params, scratch, lr);
    }

    public float learningRate() {
        return lr;
    }

    private static NDArray scratch(NDArray a, NDManager scratch) {
        a.attach(scratch);
        return a;
    }

    @Override
    public void close() {
        state.close();
    }
}
