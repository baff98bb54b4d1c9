package io.convscope.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.convscope.ConvscopeException;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.TensorShape;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Keras model config (TF-Keras 2 or Keras 3; Sequential or Functional; models nested as
 * layers) into a Network architecture without weights. A nested model's layers become nodes named
 * {@code outer/inner}; its input layers disappear (the outer tensor feeds its first layers) and
 * whoever consumes the nested model reads its output layer.
 *
 * <p>For every node it also records where a Keras file keeps the node's weights: the chain of
 * layer names from the top model down ({@code [vgg16, block1_conv1]}), and the chain of keys that
 * the .keras format uses instead (the snake-cased class name, numbered per model:
 * {@code [functional, conv2d_3]}).
 */
final class KerasGraph {

    /** Where a node's weights live in a Keras file. */
    record LeafRef(List<String> names, List<String> keys) {
    }

    private record TensorRef(String layer, int tensor) {
    }

    private final Network.Builder builder;
    private final Map<String, LeafRef> refs = new LinkedHashMap<>();
    private final boolean keras3;
    private final String modelName;

    private KerasGraph(String name, boolean keras3) {
        this.modelName = name;
        this.builder = new Network.Builder(name);
        this.keras3 = keras3;
    }

    /** Builds the architecture of a serialized model: {@code {"class_name": …, "config": {…}}}. */
    static KerasGraph build(JsonObject model, boolean keras3) {
        String cls = className(model);
        JsonElement cfgEl = model.get("config");
        if (!isModel(cls, cfgEl)) {
            if (cfgEl == null || !cfgEl.isJsonObject() || !cfgEl.getAsJsonObject().has("layers")) {
                throw new ConvscopeException("the model is a subclassed Keras model (" + cls + "): its architecture is"
                        + " Python code that the file does not store; rebuild it as a Sequential or Functional model,"
                        + " or export it to ONNX");
            }
        }
        String name = cfgEl != null && cfgEl.isJsonObject() && cfgEl.getAsJsonObject().has("name")
                ? cfgEl.getAsJsonObject().get("name").getAsString() : "model";
        KerasGraph g = new KerasGraph(name, keras3);
        List<String> outs = g.model(model, "", List.of(), List.of(), null);
        g.builder.outputs(outs);
        return g;
    }

    String name() {
        return modelName;
    }

    Network architecture() {
        return builder.buildWithoutParams();
    }

    Map<String, LeafRef> refs() {
        return refs;
    }

    // ---- models --------------------------------------------------------------------------------

    private static String className(JsonObject entry) {
        JsonElement c = entry.get("class_name");
        return c == null || c.isJsonNull() ? "?" : c.getAsString();
    }

    private static boolean isModel(String cls, JsonElement cfg) {
        if (cls.equals("Sequential") || cls.equals("Functional") || cls.equals("Model")) {
            return true;
        }
        // a registered subclass of Functional still serializes its graph
        return cfg != null && cfg.isJsonObject() && cfg.getAsJsonObject().has("layers")
                && cfg.getAsJsonObject().has("input_layers") && cfg.getAsJsonObject().has("output_layers");
    }

    /** Adds a model's layers; returns the node names of its outputs. {@code feeds} is null at the top. */
    private List<String> model(JsonObject entry, String prefix, List<String> names, List<String> keys, List<String> feeds) {
        JsonElement cfg = entry.get("config");
        String cls = className(entry);
        if (cfg != null && cfg.isJsonObject() && cfg.getAsJsonObject().has("input_layers")) {
            return functional(cfg.getAsJsonObject(), prefix, names, keys, feeds);
        }
        if (cfg != null && (cfg.isJsonArray() || cfg.isJsonObject() && cfg.getAsJsonObject().has("layers"))) {
            return sequential(entry, prefix, names, keys, feeds);
        }
        throw new ConvscopeException("model '" + prefix + "' (" + cls + ") has no layer list in its config");
    }

    private List<String> sequential(JsonObject entry, String prefix, List<String> names, List<String> keys,
                                    List<String> feeds) {
        JsonElement cfgEl = entry.get("config");
        JsonObject cfg = cfgEl.isJsonObject() ? cfgEl.getAsJsonObject() : new JsonObject();
        JsonArray layers = cfgEl.isJsonArray() ? cfgEl.getAsJsonArray() : cfg.getAsJsonArray("layers"); // Keras ≤ 2.2: a bare list
        if (layers == null || layers.isEmpty()) {
            throw new ConvscopeException("Sequential model '" + (prefix.isEmpty() ? modelName : prefix) + "' has no layers");
        }
        Map<String, Integer> used = new HashMap<>();
        String current;
        int start = 0;
        JsonObject first = layers.get(0).getAsJsonObject();
        if (feeds != null) {
            if (feeds.size() != 1) {
                throw new ConvscopeException("nested Sequential model '" + prefix + "' is called with " + feeds.size() + " inputs");
            }
            current = feeds.get(0);
            if (className(first).equals("InputLayer")) {
                start = 1;
            }
        } else if (className(first).equals("InputLayer")) {
            String inName = layerName(first);
            builder.input(prefix + inName, inputShape(layerConfig(first), inName));
            current = prefix + inName;
            start = 1;
        } else {
            JsonArray shape = firstShape(layerConfig(first));
            if (shape == null) {
                shape = array(cfg, "build_input_shape");
            }
            if (shape == null && entry.has("build_config") && entry.get("build_config").isJsonObject()) {
                shape = array(entry.getAsJsonObject("build_config"), "input_shape");
            }
            if (shape == null && isModel(className(first), first.get("config"))) {
                shape = nestedInputShape(first); // Sequential([base_model, …]): the base model's input
            }
            if (shape == null) {
                throw new ConvscopeException("Sequential model '" + modelName + "' does not record its input shape"
                        + " (no InputLayer, no batch_input_shape, no build_input_shape); save it after building it");
            }
            String inName = keras3 ? "input_layer" : layerName(first) + "_input";
            builder.input(prefix + inName, KerasLayers.shapeFromKeras(shape, inName));
            current = prefix + inName;
        }
        for (int i = start; i < layers.size(); i++) {
            JsonObject layer = layers.get(i).getAsJsonObject();
            String name = layerName(layer);
            String key = key(layer, used);
            List<String> outs = layer(layer, name, key, prefix, names, keys, List.of(current));
            if (outs.size() != 1) {
                throw new ConvscopeException("layer '" + prefix + name + "' in a Sequential model has " + outs.size() + " outputs");
            }
            current = outs.get(0);
        }
        return List.of(current);
    }

    private List<String> functional(JsonObject cfg, String prefix, List<String> names, List<String> keys,
                                    List<String> feeds) {
        JsonArray layers = cfg.getAsJsonArray("layers");
        List<TensorRef> inputs = tensorRefs(cfg.get("input_layers"));
        List<TensorRef> outputs = tensorRefs(cfg.get("output_layers"));
        if (feeds != null && feeds.size() != inputs.size()) {
            throw new ConvscopeException("nested model '" + prefix + "' has " + inputs.size() + " inputs but is called with "
                    + feeds.size());
        }
        Map<String, Integer> used = new HashMap<>();
        Map<String, String> keyOf = new HashMap<>();
        List<JsonObject> pending = new ArrayList<>();
        for (JsonElement e : layers) {
            JsonObject layer = e.getAsJsonObject();
            keyOf.put(layerName(layer), key(layer, used));
            pending.add(layer);
        }
        Map<String, List<String>> produced = new HashMap<>();
        if (feeds == null) {
            // the network's inputs in the order of input_layers, not of the layer list
            for (TensorRef r : inputs) {
                for (var it = pending.iterator(); it.hasNext(); ) {
                    JsonObject layer = it.next();
                    if (layerName(layer).equals(r.layer()) && className(layer).equals("InputLayer")) {
                        builder.input(prefix + r.layer(), inputShape(layerConfig(layer), r.layer()));
                        produced.put(r.layer(), List.of(prefix + r.layer()));
                        it.remove();
                        break;
                    }
                }
            }
        }
        while (!pending.isEmpty()) {
            boolean progress = false;
            for (var it = pending.iterator(); it.hasNext(); ) {
                JsonObject layer = it.next();
                String name = layerName(layer);
                if (className(layer).equals("InputLayer")) {
                    if (feeds == null) {
                        builder.input(prefix + name, inputShape(layerConfig(layer), name));
                        produced.put(name, List.of(prefix + name));
                    } else {
                        int idx = indexOf(inputs, name);
                        if (idx < 0) {
                            throw new ConvscopeException("nested model '" + prefix + "': input layer '" + name
                                    + "' is not among its input_layers");
                        }
                        produced.put(name, List.of(feeds.get(idx)));
                    }
                    it.remove();
                    progress = true;
                    continue;
                }
                List<TensorRef> in = inbound(layer, prefix + name);
                if (!in.stream().allMatch(r -> produced.containsKey(r.layer()))) {
                    continue;
                }
                List<String> inNodes = new ArrayList<>();
                for (TensorRef r : in) {
                    inNodes.add(resolve(produced, r, prefix));
                }
                produced.put(name, layer(layer, name, keyOf.get(name), prefix, names, keys, inNodes));
                it.remove();
                progress = true;
            }
            if (!progress) {
                JsonObject stuck = pending.get(0);
                String missing = inbound(stuck, prefix + layerName(stuck)).stream().map(TensorRef::layer)
                        .filter(l -> !produced.containsKey(l)).findFirst().orElse("?");
                throw new ConvscopeException("layer '" + prefix + layerName(stuck) + "' reads from '" + prefix + missing
                        + "', which the model does not define (or the graph has a cycle)");
            }
        }
        List<String> out = new ArrayList<>();
        for (TensorRef r : outputs) {
            if (!produced.containsKey(r.layer())) {
                throw new ConvscopeException("output layer '" + prefix + r.layer() + "' is not defined in the model");
            }
            out.add(resolve(produced, r, prefix));
        }
        return out;
    }

    /** Adds one layer entry (a leaf or a nested model) fed by {@code in}; returns its output node names. */
    private List<String> layer(JsonObject layer, String name, String key, String prefix, List<String> names,
                               List<String> keys, List<String> in) {
        String cls = className(layer);
        List<String> subNames = append(names, name);
        List<String> subKeys = append(keys, key);
        if (isModel(cls, layer.get("config"))) {
            return model(layer, prefix + name + "/", subNames, subKeys, in);
        }
        String node = prefix + name;
        List<TensorShape> shapes = new ArrayList<>();
        for (String i : in) {
            shapes.add(builder.shape(i));
        }
        Layer l = KerasLayers.convert(cls, layerConfig(layer), node, shapes, keras3);
        builder.add(node, l, in, Map.of());
        refs.put(node, new LeafRef(subNames, subKeys));
        return List.of(node);
    }

    private static String resolve(Map<String, List<String>> produced, TensorRef r, String prefix) {
        List<String> outs = produced.get(r.layer());
        if (r.tensor() < 0 || r.tensor() >= outs.size()) {
            throw new ConvscopeException("layer '" + prefix + r.layer() + "' has no output #" + r.tensor());
        }
        return outs.get(r.tensor());
    }

    // ---- config details ------------------------------------------------------------------------

    /** The key of a layer in a .keras weights file: snake_case class name, numbered per class. */
    private String key(JsonObject layer, Map<String, Integer> used) {
        String cls = className(layer);
        if (cls.equals("Model")) {
            cls = "Functional";
        }
        String base = snakeCase(cls);
        Integer n = used.get(base);
        used.put(base, n == null ? 0 : n + 1);
        return n == null ? base : base + "_" + (n + 1);
    }

    /** Keras's {@code to_snake_case}: "Conv2D" → "conv2d", "BatchNormalization" → "batch_normalization", "ReLU" → "re_lu". */
    static String snakeCase(String name) {
        String s = name.replaceAll("\\W+", "");
        s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        s = s.replaceAll("([a-z])([A-Z])", "$1_$2");
        return s.toLowerCase(java.util.Locale.ROOT);
    }

    private static String layerName(JsonObject layer) {
        if (layer.has("name") && layer.get("name").isJsonPrimitive()) {
            return layer.get("name").getAsString();
        }
        JsonObject cfg = layerConfig(layer);
        if (cfg.has("name") && cfg.get("name").isJsonPrimitive()) {
            return cfg.get("name").getAsString();
        }
        throw new ConvscopeException("a " + className(layer) + " layer in the model config has no name");
    }

    private static JsonObject layerConfig(JsonObject layer) {
        JsonElement c = layer.get("config");
        return c != null && c.isJsonObject() ? c.getAsJsonObject() : new JsonObject();
    }

    private static TensorShape inputShape(JsonObject cfg, String name) {
        JsonArray shape = firstShape(cfg);
        if (shape == null) {
            throw new ConvscopeException("input layer '" + name + "' has no shape in its config");
        }
        return KerasLayers.shapeFromKeras(shape, name);
    }

    /** batch_shape (Keras 3), batch_input_shape (TF-Keras 2), or input_shape with the batch axis added. */
    private static JsonArray firstShape(JsonObject cfg) {
        JsonArray s = array(cfg, "batch_shape");
        if (s == null) {
            s = array(cfg, "batch_input_shape");
        }
        if (s == null && array(cfg, "input_shape") != null) {
            s = new JsonArray();
            s.add(com.google.gson.JsonNull.INSTANCE);
            s.addAll(array(cfg, "input_shape"));
        }
        return s;
    }

    /** The shape of the first InputLayer inside a nested model's config, or null. */
    private static JsonArray nestedInputShape(JsonObject model) {
        JsonElement cfg = model.get("config");
        JsonElement layers = cfg == null ? null : cfg.isJsonArray() ? cfg : cfg.getAsJsonObject().get("layers");
        if (layers == null || !layers.isJsonArray() || layers.getAsJsonArray().isEmpty()) {
            return null;
        }
        JsonObject first = layers.getAsJsonArray().get(0).getAsJsonObject();
        if (className(first).equals("InputLayer")) {
            return firstShape(layerConfig(first));
        }
        JsonArray s = firstShape(layerConfig(first));
        return s != null ? s : isModel(className(first), first.get("config")) ? nestedInputShape(first) : null;
    }

    private static JsonArray array(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonArray() ? e.getAsJsonArray() : null;
    }

    /** input_layers/output_layers: {@code [["a", 0, 0], …]}, a single {@code ["a", 0, 0]}, or a dict of them. */
    private static List<TensorRef> tensorRefs(JsonElement e) {
        List<TensorRef> out = new ArrayList<>();
        if (e == null || e.isJsonNull()) {
            return out;
        }
        if (e.isJsonObject()) {
            for (var entry : e.getAsJsonObject().entrySet()) {
                out.addAll(tensorRefs(entry.getValue()));
            }
            return out;
        }
        JsonArray a = e.getAsJsonArray();
        if (!a.isEmpty() && a.get(0).isJsonPrimitive() && a.get(0).getAsJsonPrimitive().isString()) {
            out.add(new TensorRef(a.get(0).getAsString(), a.size() > 2 ? a.get(2).getAsInt() : 0));
            return out;
        }
        for (JsonElement x : a) {
            out.addAll(tensorRefs(x));
        }
        return out;
    }

    /**
     * The tensors a Functional layer reads. TF-Keras 2: {@code [[["a", 0, 0, {}], ["b", 0, 0, {}]]]};
     * Keras 3: {@code [{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["a", 0, 0]}}], "kwargs": {}}]}
     * (merge layers take a list of tensors as their first argument).
     */
    private static List<TensorRef> inbound(JsonObject layer, String node) {
        JsonElement e = layer.get("inbound_nodes");
        if (e == null || !e.isJsonArray() || e.getAsJsonArray().isEmpty()) {
            throw new ConvscopeException("layer '" + node + "' is not connected to the model's inputs");
        }
        JsonArray calls = e.getAsJsonArray();
        if (calls.size() > 1) {
            throw new ConvscopeException("layer '" + node + "' is applied " + calls.size() + " times (a shared layer);"
                    + " convscope needs every layer to be applied once");
        }
        JsonElement call = calls.get(0);
        List<TensorRef> out = new ArrayList<>();
        if (call.isJsonObject()) {
            collectKerasTensors(call.getAsJsonObject().get("args"), out);
        } else {
            for (JsonElement t : call.getAsJsonArray()) {
                JsonArray ref = t.getAsJsonArray();
                out.add(new TensorRef(ref.get(0).getAsString(), ref.size() > 2 ? ref.get(2).getAsInt() : 0));
            }
        }
        if (out.isEmpty()) {
            throw new ConvscopeException("layer '" + node + "' has no input tensors in its config");
        }
        return out;
    }

    private static void collectKerasTensors(JsonElement e, List<TensorRef> out) {
        if (e == null || e.isJsonNull() || e.isJsonPrimitive()) {
            return;
        }
        if (e.isJsonArray()) {
            for (JsonElement x : e.getAsJsonArray()) {
                collectKerasTensors(x, out);
            }
            return;
        }
        JsonObject o = e.getAsJsonObject();
        if (o.has("class_name") && "__keras_tensor__".equals(o.get("class_name").getAsString())) {
            JsonArray h = o.getAsJsonObject("config").getAsJsonArray("keras_history");
            out.add(new TensorRef(h.get(0).getAsString(), h.size() > 2 ? h.get(2).getAsInt() : 0));
            return;
        }
        for (var entry : o.entrySet()) {
            collectKerasTensors(entry.getValue(), out);
        }
    }

    private static int indexOf(List<TensorRef> refs, String layer) {
        for (int i = 0; i < refs.size(); i++) {
            if (refs.get(i).layer().equals(layer)) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> append(List<String> list, String s) {
        List<String> out = new ArrayList<>(list);
        out.add(s);
        return List.copyOf(out);
    }
}
