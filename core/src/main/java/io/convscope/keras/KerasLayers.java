package io.convscope.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.convscope.ConvscopeException;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Padding;
import io.convscope.network.TensorShape;

import java.util.List;
import java.util.Locale;

/** Turns one Keras layer config (either generation) into a {@link Layer}. */
final class KerasLayers {
    /** Layer classes the importer reads, in the order the error message lists them. */
    static final List<String> SUPPORTED = List.of("InputLayer", "Conv2D", "DepthwiseConv2D", "SeparableConv2D",
            "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "BatchNormalization",
            "Dropout", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization",
            "Identity", "Flatten", "Dense", "Activation", "ReLU", "LeakyReLU", "Softmax", "Add", "Subtract", "Multiply",
            "Average", "Maximum", "Minimum", "Concatenate", "ZeroPadding2D", "Cropping2D", "UpSampling2D", "Rescaling",
            "Reshape", "Sequential", "Functional");

    private KerasLayers() {
    }

    /**
     * The layer for a Keras class and config. {@code in} are the input shapes (convscope layout),
     * {@code keras3} says which generation wrote the file (it changes {@code hard_sigmoid}).
     */
    static Layer convert(String cls, JsonObject cfg, String node, List<TensorShape> in, boolean keras3) {
        Cfg c = new Cfg(cfg, node, cls);
        return switch (cls) {
            case "Conv2D", "Convolution2D" -> {
                c.channelsLast();
                int[] k = c.pair("kernel_size", -1);
                int[] s = c.pair("strides", 1);
                int[] d = c.pair("dilation_rate", 1);
                yield new Layer.Conv2D(c.integer("filters", -1), k[0], k[1], s[0], s[1], d[0], d[1], c.padding(),
                        c.integer("groups", 1), c.bool("use_bias", true), c.activation(keras3));
            }
            case "DepthwiseConv2D" -> {
                c.channelsLast();
                int[] k = c.pair("kernel_size", -1);
                int[] s = c.pair("strides", 1);
                int[] d = c.pair("dilation_rate", 1);
                yield new Layer.DepthwiseConv2D(c.integer("depth_multiplier", 1), k[0], k[1], s[0], s[1], d[0], d[1],
                        c.padding(), c.bool("use_bias", true), c.activation(keras3));
            }
            case "SeparableConv2D", "SeparableConvolution2D" -> {
                c.channelsLast();
                int[] k = c.pair("kernel_size", -1);
                int[] s = c.pair("strides", 1);
                int[] d = c.pair("dilation_rate", 1);
                yield new Layer.SeparableConv2D(c.integer("filters", -1), c.integer("depth_multiplier", 1), k[0], k[1],
                        s[0], s[1], d[0], d[1], c.padding(), c.bool("use_bias", true), c.activation(keras3));
            }
            case "MaxPooling2D", "MaxPool2D", "AveragePooling2D", "AvgPool2D" -> {
                c.channelsLast();
                int[] k = c.pair("pool_size", 2);
                int[] s = c.has("strides") ? c.pair("strides", 1) : k;
                yield new Layer.Pool2D(cls.startsWith("Max"), k[0], k[1], s[0], s[1], c.padding(), false, false);
            }
            case "GlobalAveragePooling2D", "GlobalAvgPool2D", "GlobalMaxPooling2D", "GlobalMaxPool2D" -> {
                c.channelsLast();
                yield new Layer.GlobalPool(cls.startsWith("GlobalMax"), c.bool("keepdims", false));
            }
            case "BatchNormalization" -> {
                if (c.bool("renorm", false)) {
                    throw c.error("uses batch renormalization (renorm=True), which is not supported");
                }
                int axis = c.singleAxis("axis", -1);
                TensorShape x = single(in, c);
                if (x.rank() > 1 && !x.isSpatial()) {
                    throw c.error("normalizes a " + x.toKerasString() + " tensor; only image or flat tensors are supported");
                }
                if (!isChannelAxis(axis, x)) {
                    throw c.error("normalizes axis " + axis + " of a " + x.toKerasString()
                            + " tensor; only the channel (last) axis is supported");
                }
                yield new Layer.BatchNorm((float) c.number("epsilon", 1e-3), c.bool("center", true), c.bool("scale", true));
            }
            case "Dropout", "SpatialDropout2D", "GaussianDropout", "AlphaDropout" ->
                    new Layer.Identity(cls, (float) c.number("rate", 0));
            case "GaussianNoise", "ActivityRegularization", "Identity" -> new Layer.Identity(cls, 0f);
            case "Flatten" -> {
                c.channelsLast();
                yield new Layer.Flatten(true);
            }
            case "Dense" -> {
                if (c.has("lora_rank") && c.number("lora_rank", 0) > 0) {
                    throw c.error("has LoRA weights (lora_rank), which are not supported; merge them first");
                }
                yield new Layer.Dense(c.integer("units", -1), c.bool("use_bias", true), c.activation(keras3));
            }
            case "Activation" -> new Layer.Act("Activation", c.activation(keras3));
            case "Softmax" -> {
                int axis = c.singleAxis("axis", -1);
                if (!isChannelAxis(axis, single(in, c))) {
                    throw c.error("takes the softmax over axis " + axis + "; only the last (channel) axis is supported");
                }
                yield new Layer.Act("Softmax", Activation.SOFTMAX);
            }
            case "ReLU" -> {
                double max = c.has("max_value") ? c.number("max_value", Double.POSITIVE_INFINITY) : Double.POSITIVE_INFINITY;
                yield new Layer.ReLU((float) max, (float) c.number("negative_slope", 0), (float) c.number("threshold", 0));
            }
            case "LeakyReLU" -> new Layer.LeakyReLU((float) (c.has("negative_slope") ? c.number("negative_slope", 0.3)
                    : c.number("alpha", 0.3)));
            case "Add" -> new Layer.Merge(Layer.Merge.Op.ADD);
            case "Subtract" -> new Layer.Merge(Layer.Merge.Op.SUBTRACT);
            case "Multiply" -> new Layer.Merge(Layer.Merge.Op.MULTIPLY);
            case "Average" -> new Layer.Merge(Layer.Merge.Op.AVERAGE);
            case "Maximum" -> new Layer.Merge(Layer.Merge.Op.MAXIMUM);
            case "Minimum" -> new Layer.Merge(Layer.Merge.Op.MINIMUM);
            case "Concatenate" -> new Layer.Concatenate(concatAxis(c.singleAxis("axis", -1), in, c));
            case "ZeroPadding2D" -> {
                c.channelsLast();
                int[] p = c.fourSides("padding", 1);
                yield new Layer.ZeroPadding2D(p[0], p[1], p[2], p[3]);
            }
            case "Cropping2D" -> {
                c.channelsLast();
                int[] p = c.fourSides("cropping", 0);
                yield new Layer.Cropping2D(p[0], p[1], p[2], p[3]);
            }
            case "UpSampling2D" -> {
                c.channelsLast();
                int[] s = c.pair("size", 2);
                String interp = c.string("interpolation", "nearest");
                if (!interp.equals("nearest") && !interp.equals("bilinear")) {
                    throw c.error("uses interpolation='" + interp + "'; only nearest and bilinear are supported");
                }
                yield new Layer.UpSampling2D(s[0], s[1], interp.equals("bilinear"));
            }
            case "Rescaling" -> new Layer.Rescaling((float) c.scalar("scale", 1), (float) c.scalar("offset", 0));
            case "Reshape" -> new Layer.Reshape(c.ints("target_shape"));
            default -> throw unsupported(node, cls);
        };
    }

    static ConvscopeException unsupported(String node, String cls) {
        String head = "layer '" + node + "' is a " + cls;
        String why = switch (cls) {
            case "TFSMLayer" -> "; it wraps a TensorFlow SavedModel, and SavedModels are not supported: load the model in"
                    + " Python and re-save it with model.save('model.keras') or model.save('model.h5'), or export it to ONNX";
            case "Lambda", "TFOpLambda", "SlicingOpLambda" -> ", which runs Python/TensorFlow code that convscope cannot"
                    + " read; replace it with built-in layers";
            default -> ", which convscope does not support";
        };
        return new ConvscopeException(head + why + ". Supported Keras layers: " + String.join(", ", SUPPORTED));
    }

    /** The Keras axis (negative allowed, batch axis = 0) is the last axis of a tensor of this sample shape. */
    private static boolean isChannelAxis(int axis, TensorShape x) {
        int rank = x.rank() + 1;
        int a = axis < 0 ? axis + rank : axis;
        return a == rank - 1;
    }

    /** Keras channels-last axis → convscope channels-first sample axis. */
    private static int concatAxis(int axis, List<TensorShape> in, Cfg c) {
        if (in.isEmpty()) {
            throw c.error("has no inputs");
        }
        TensorShape x = in.get(0);
        int rank = x.rank() + 1;
        int a = axis < 0 ? axis + rank : axis;
        if (a <= 0 || a >= rank) {
            throw c.error("concatenates along axis " + axis + ", which a " + x.toKerasString() + " tensor does not have"
                    + (a == 0 ? " (the batch axis cannot be concatenated)" : ""));
        }
        if (x.isSpatial()) {
            return a == 3 ? 0 : a; // (H, W, C) → (C, H, W)
        }
        return a - 1;
    }

    private static TensorShape single(List<TensorShape> in, Cfg c) {
        if (in.size() != 1) {
            throw c.error("takes one input, got " + in.size());
        }
        return in.get(0);
    }

    /** The per-sample shape for a Keras batch shape such as {@code [null, 224, 224, 3]}. */
    static TensorShape shapeFromKeras(JsonArray batchShape, String node) {
        int rank = batchShape.size() - 1;
        if (rank < 1) {
            throw new ConvscopeException("input '" + node + "' has shape " + batchShape + ", without sample dimensions");
        }
        int[] d = new int[rank];
        for (int i = 0; i < rank; i++) {
            JsonElement e = batchShape.get(i + 1);
            d[i] = e == null || e.isJsonNull() ? -1 : e.getAsInt();
        }
        if (rank == 3) {
            if (d[2] < 0) {
                throw new ConvscopeException("input '" + node + "' has shape " + batchShape
                        + " with no fixed channel count; convscope needs the number of channels");
            }
            return TensorShape.chw(d[2], d[0], d[1]);
        }
        return TensorShape.of(d);
    }

    // ---- typed access to a layer config, with errors that name the layer -------------------------

    static final class Cfg {
        private final JsonObject o;
        private final String node;
        private final String cls;

        Cfg(JsonObject o, String node, String cls) {
            this.o = o == null ? new JsonObject() : o;
            this.node = node;
            this.cls = cls;
        }

        ConvscopeException error(String what) {
            return new ConvscopeException("layer '" + node + "' (" + cls + ") " + what);
        }

        boolean has(String key) {
            return o.has(key) && !o.get(key).isJsonNull();
        }

        void channelsLast() {
            if (has("data_format") && !o.get("data_format").getAsString().equals("channels_last")) {
                throw error("uses data_format=" + o.get("data_format").getAsString()
                        + "; convscope reads channels_last models only (the Keras default)");
            }
        }

        int integer(String key, int def) {
            if (!has(key)) {
                if (def < 0) {
                    throw error("has no '" + key + "' in its config");
                }
                return def;
            }
            try {
                return o.get(key).getAsInt();
            } catch (RuntimeException e) {
                throw error("has a non-integer '" + key + "': " + o.get(key));
            }
        }

        double number(String key, double def) {
            if (!has(key)) {
                return def;
            }
            try {
                return o.get(key).getAsDouble();
            } catch (RuntimeException e) {
                throw error("has a non-numeric '" + key + "': " + o.get(key));
            }
        }

        /** A number, or a one-element list holding one (Rescaling allows per-channel lists). */
        double scalar(String key, double def) {
            if (has(key) && o.get(key).isJsonArray()) {
                JsonArray a = o.getAsJsonArray(key);
                if (a.size() != 1) {
                    throw error("has a per-channel '" + key + "' " + a + "; only a single number is supported");
                }
                return a.get(0).getAsDouble();
            }
            return number(key, def);
        }

        boolean bool(String key, boolean def) {
            return has(key) ? o.get(key).getAsBoolean() : def;
        }

        String string(String key, String def) {
            return has(key) ? o.get(key).getAsString() : def;
        }

        /** An int or a list of one int (Keras writes BatchNormalization's axis as [3] at times). */
        int singleAxis(String key, int def) {
            if (!has(key)) {
                return def;
            }
            JsonElement e = o.get(key);
            if (e.isJsonArray()) {
                if (e.getAsJsonArray().size() != 1) {
                    throw error("uses axes " + e + "; only one axis is supported");
                }
                return e.getAsJsonArray().get(0).getAsInt();
            }
            return e.getAsInt();
        }

        /** An int n → (n, n), or a list of two ints. */
        int[] pair(String key, int def) {
            if (!has(key)) {
                if (def < 0) {
                    throw error("has no '" + key + "' in its config");
                }
                return new int[] {def, def};
            }
            JsonElement e = o.get(key);
            if (e.isJsonArray()) {
                JsonArray a = e.getAsJsonArray();
                if (a.size() == 1) {
                    return new int[] {a.get(0).getAsInt(), a.get(0).getAsInt()};
                }
                if (a.size() != 2) {
                    throw error("has '" + key + "' = " + e + "; expected two values (height, width)");
                }
                return new int[] {a.get(0).getAsInt(), a.get(1).getAsInt()};
            }
            int v = e.getAsInt();
            return new int[] {v, v};
        }

        /** ZeroPadding2D/Cropping2D amounts: n, (h, w) or ((top, bottom), (left, right)) → top, bottom, left, right. */
        int[] fourSides(String key, int def) {
            if (!has(key)) {
                return new int[] {def, def, def, def};
            }
            JsonElement e = o.get(key);
            if (!e.isJsonArray()) {
                int v = e.getAsInt();
                return new int[] {v, v, v, v};
            }
            JsonArray a = e.getAsJsonArray();
            if (a.size() != 2) {
                throw error("has '" + key + "' = " + e + "; expected an int, (h, w) or ((top, bottom), (left, right))");
            }
            int[] h = side(a.get(0), key, e);
            int[] w = side(a.get(1), key, e);
            return new int[] {h[0], h[1], w[0], w[1]};
        }

        private int[] side(JsonElement e, String key, JsonElement all) {
            if (e.isJsonArray()) {
                JsonArray a = e.getAsJsonArray();
                if (a.size() != 2) {
                    throw error("has '" + key + "' = " + all + "; expected ((top, bottom), (left, right))");
                }
                return new int[] {a.get(0).getAsInt(), a.get(1).getAsInt()};
            }
            return new int[] {e.getAsInt(), e.getAsInt()};
        }

        int[] ints(String key) {
            if (!has(key) || !o.get(key).isJsonArray()) {
                throw error("has no list '" + key + "' in its config");
            }
            JsonArray a = o.getAsJsonArray(key);
            int[] out = new int[a.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = a.get(i).isJsonNull() ? -1 : a.get(i).getAsInt();
            }
            return out;
        }

        Padding padding() {
            String p = string("padding", "valid").toLowerCase(Locale.ROOT);
            return switch (p) {
                case "valid" -> Padding.VALID;
                case "same" -> Padding.SAME;
                default -> throw error("uses padding='" + p + "'; only 'valid' and 'same' are supported");
            };
        }

        /** The fused activation: a name, null (linear) or a serialized function object. */
        Activation activation(boolean keras3) {
            if (!has("activation")) {
                return Activation.LINEAR;
            }
            JsonElement e = o.get("activation");
            String name;
            if (e.isJsonPrimitive()) {
                name = e.getAsString();
            } else if (e.isJsonObject() && e.getAsJsonObject().has("config")
                    && e.getAsJsonObject().get("config").isJsonPrimitive()) {
                name = e.getAsJsonObject().get("config").getAsString(); // {"class_name": "function", "config": "relu"}
            } else if (e.isJsonObject() && e.getAsJsonObject().has("class_name")) {
                throw error("uses a " + e.getAsJsonObject().get("class_name").getAsString()
                        + " object as its activation; supported activations: " + Activation.supportedNames());
            } else {
                throw error("has an unreadable activation " + e);
            }
            String n = name.toLowerCase(Locale.ROOT);
            if (n.equals("hard_sigmoid")) {
                return keras3 ? Activation.HARD_SIGMOID : Activation.HARD_SIGMOID_TF2;
            }
            Activation a = n.equals("hard_sigmoid_tf2") ? null : Activation.fromKeras(n);
            if (a == null) {
                throw error("uses activation '" + name + "', which convscope does not support; supported: "
                        + Activation.supportedNames());
            }
            return a;
        }
    }
}
