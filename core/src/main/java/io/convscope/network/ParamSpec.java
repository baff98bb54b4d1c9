package io.convscope.network;

/**
 * A parameter a layer expects: its name, its shape in convscope's layout, how to initialize it when
 * a model is built without weights, and whether training updates it (Keras's "trainable").
 */
public record ParamSpec(String name, int[] shape, Init init, boolean trainable, int fanIn, int fanOut) {
    public enum Init { GLOROT_UNIFORM, ZEROS, ONES }

    public static ParamSpec weight(String name, int[] shape, int fanIn, int fanOut) {
        return new ParamSpec(name, shape, Init.GLOROT_UNIFORM, true, fanIn, fanOut);
    }

    public static ParamSpec constant(String name, int[] shape, Init init, boolean trainable) {
        return new ParamSpec(name, shape, init, trainable, 0, 0);
    }

    public long size() {
        return Tensor.size(shape);
    }
}
