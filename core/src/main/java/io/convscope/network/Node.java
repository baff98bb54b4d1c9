package io.convscope.network;

import java.util.List;
import java.util.Map;

/**
 * One named layer of a {@link Network}: what it computes, which nodes feed it (in order), its
 * inferred output shape and its parameters (in convscope's layout, keyed by Keras weight name:
 * "kernel", "bias", "gamma", …).
 */
public record Node(String name, Layer layer, List<String> inputs, TensorShape outputShape, Map<String, Tensor> params) {
    public Node {
        inputs = List.copyOf(inputs);
        params = Map.copyOf(params);
    }

    public long paramCount() {
        long n = 0;
        for (Tensor t : params.values()) {
            n += t.size();
        }
        return n;
    }
}
