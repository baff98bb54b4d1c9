package io.convscope.cvs;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.convscope.ConvscopeException;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.network.ParamSpec;
import io.convscope.network.Preprocessing;
import io.convscope.network.Tensor;
import io.convscope.network.TensorShape;
import io.convscope.util.AtomicFiles;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * convscope's own model file ({@code .cvs}): a zip archive holding
 *
 * <ul>
 *   <li>{@code network.json}: format and version, the network's name, preprocessing, labels, inputs
 *       and outputs, and its nodes in topological order, each with its name, its layer (the
 *       {@link Layer} record's class name and its record components by name), its inputs, and the
 *       names and shapes of its parameters;</li>
 *   <li>{@code weights.bin}: every parameter as little-endian float32, in node order and, within a
 *       node, in the order of the JSON's parameter list (the layer's declared order).</li>
 * </ul>
 *
 * <p>Layers are written by reflection over their record components, so a new {@link Layer} record
 * needs no code here as long as its components are primitives, strings, enums, arrays, lists, other
 * records or {@link TensorShape}s. Non-finite floats are written as the strings "Infinity",
 * "-Infinity" and "NaN". A network saved without weights (an architecture) loads without them.
 */
public final class NetworkFile {
    public static final String EXTENSION = ".cvs";
    static final String FORMAT = "convscope-network";
    static final int VERSION = 1;
    static final String JSON_ENTRY = "network.json";
    static final String WEIGHTS_ENTRY = "weights.bin";

    private static final Map<String, Class<?>> LAYER_TYPES = new HashMap<>();

    static {
        for (Class<?> c : Layer.class.getPermittedSubclasses()) {
            LAYER_TYPES.put(c.getSimpleName(), c);
        }
    }

    private NetworkFile() {
    }

    /** Writes {@code network} to {@code file} atomically: a temporary file beside it, then a rename. */
    public static void save(Network network, Path file) {
        AtomicFiles.write(file, out -> write(network, out));
    }

    /** Writes the archive to a stream (left open). */
    public static void write(Network network, OutputStream out) throws IOException {
        JsonObject json = new JsonObject();
        json.addProperty("format", FORMAT);
        json.addProperty("version", VERSION);
        json.addProperty("name", network.name());
        json.add("preprocessing", encode(network.preprocessing()));
        json.add("labels", encode(network.labels()));
        json.add("inputs", encode(network.inputs()));
        json.add("outputs", encode(network.outputs()));
        JsonArray nodes = new JsonArray();
        List<Tensor> weights = new ArrayList<>();
        for (Node n : network.nodes()) {
            JsonObject node = new JsonObject();
            node.addProperty("name", n.name());
            node.addProperty("layer", n.layer().getClass().getSimpleName());
            node.add("config", encode(n.layer()));
            node.add("inputs", encode(n.inputs()));
            JsonArray params = new JsonArray();
            if (!n.params().isEmpty()) {
                for (ParamSpec spec : network.specs(n)) {
                    Tensor t = n.params().get(spec.name());
                    JsonObject p = new JsonObject();
                    p.addProperty("name", spec.name());
                    p.add("shape", encode(t.shape()));
                    params.add(p);
                    weights.add(t);
                }
            }
            node.add("params", params);
            nodes.add(node);
        }
        json.add("nodes", nodes);

        ZipOutputStream zip = new ZipOutputStream(out);
        zip.putNextEntry(new ZipEntry(JSON_ENTRY));
        zip.write(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(json)
                .getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
        ZipEntry w = new ZipEntry(WEIGHTS_ENTRY);
        zip.putNextEntry(w);
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : weights) {
            FloatBuffer data = t.data();
            while (data.hasRemaining()) {
                if (buf.remaining() < 4) {
                    zip.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                buf.putFloat(data.get());
            }
        }
        zip.write(buf.array(), 0, buf.position());
        zip.closeEntry();
        zip.finish();
    }

    public static Network load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new ConvscopeException("model file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConvscopeException("cannot read model file " + file + ": " + e.getMessage());
        }
    }

    /** Reads a model archive from a stream (read to its end, not closed). */
    public static Network load(InputStream in) {
        return read(in, "model file");
    }

    private static Network read(InputStream in, String what) {
        byte[] jsonBytes = null;
        byte[] weightBytes = null;
        try {
            ZipInputStream zip = new ZipInputStream(new BufferedInputStream(in));
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.getName().equals(JSON_ENTRY)) {
                    jsonBytes = zip.readAllBytes();
                } else if (e.getName().equals(WEIGHTS_ENTRY)) {
                    weightBytes = zip.readAllBytes();
                }
            }
        } catch (IOException e) {
            throw corrupt(what, "damaged or truncated archive (" + oneLine(e) + ")");
        }
        if (jsonBytes == null) {
            throw corrupt(what, "not a convscope model file (no " + JSON_ENTRY + " inside)");
        }
        if (weightBytes == null) {
            throw corrupt(what, "truncated (no " + WEIGHTS_ENTRY + " inside)");
        }
        try {
            return decodeNetwork(JsonParser.parseString(new String(jsonBytes, StandardCharsets.UTF_8)).getAsJsonObject(),
                    ByteBuffer.wrap(weightBytes).order(ByteOrder.LITTLE_ENDIAN));
        } catch (ConvscopeException e) {
            throw corrupt(what, e.getMessage());
        } catch (RuntimeException e) {
            // JSON syntax, missing or mistyped fields, unknown enum constants, shape mismatches
            throw corrupt(what, "invalid " + JSON_ENTRY + " (" + oneLine(e) + ")");
        }
    }

    private static Network decodeNetwork(JsonObject json, ByteBuffer weights) {
        String format = json.has("format") ? json.get("format").getAsString() : "";
        if (!format.equals(FORMAT)) {
            throw new ConvscopeException("not a convscope model file (format '" + format + "')");
        }
        int version = json.get("version").getAsInt();
        if (version > VERSION) {
            throw new ConvscopeException("written by a newer convscope (format version " + version + ", this one reads "
                    + VERSION + "); update convscope");
        }
        List<String> inputs = strings(json.getAsJsonArray("inputs"));
        Network.Builder b = new Network.Builder(json.get("name").getAsString())
                .preprocessing((Preprocessing) decode(json.get("preprocessing"), Preprocessing.class, Preprocessing.class))
                .labels(strings(json.getAsJsonArray("labels")))
                .outputs(strings(json.getAsJsonArray("outputs")));
        for (JsonElement el : json.getAsJsonArray("nodes")) {
            JsonObject node = el.getAsJsonObject();
            String name = node.get("name").getAsString();
            String layerName = node.get("layer").getAsString();
            Class<?> type = LAYER_TYPES.get(layerName);
            if (type == null) {
                throw new ConvscopeException("layer '" + name + "' has type " + layerName
                        + " which this convscope does not know; update convscope");
            }
            Layer layer = (Layer) decode(node.get("config"), type, type);
            Map<String, Tensor> params = new LinkedHashMap<>();
            for (JsonElement pe : node.getAsJsonArray("params")) {
                JsonObject p = pe.getAsJsonObject();
                int[] shape = (int[]) decode(p.get("shape"), int[].class, int[].class);
                long size = Tensor.size(shape);
                if (size < 0 || size > weights.remaining() / 4) {
                    throw new ConvscopeException("truncated: " + WEIGHTS_ENTRY + " ends inside " + name + "/"
                            + p.get("name").getAsString());
                }
                float[] values = new float[(int) size];
                weights.asFloatBuffer().get(values);
                weights.position(weights.position() + values.length * 4);
                params.put(p.get("name").getAsString(), Tensor.of(values, shape));
            }
            if (layer instanceof Layer.Input in && inputs.contains(name)) {
                b.input(name, in.shape());
            } else {
                b.add(name, layer, strings(node.getAsJsonArray("inputs")), params);
            }
        }
        if (weights.hasRemaining()) {
            throw new ConvscopeException(WEIGHTS_ENTRY + " holds " + weights.remaining() + " bytes more than the network's parameters");
        }
        // the builder checked every saved parameter; layers saved without any stay without (an architecture)
        return b.buildWithoutParams();
    }

    private static ConvscopeException corrupt(String what, String why) {
        return new ConvscopeException("cannot load " + what + ": " + why);
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static List<String> strings(JsonArray a) {
        List<String> out = new ArrayList<>(a.size());
        for (JsonElement e : a) {
            out.add(e.getAsString());
        }
        return out;
    }

    // ---- generic values ---------------------------------------------------------------------------

    /** A value as JSON: records become objects of their components, arrays and lists arrays. */
    static JsonElement encode(Object v) {
        if (v == null) {
            return JsonNull.INSTANCE;
        } else if (v instanceof Boolean bo) {
            return new JsonPrimitive(bo);
        } else if (v instanceof Float f) {
            return Float.isFinite(f) ? new JsonPrimitive(f) : new JsonPrimitive(f.toString());
        } else if (v instanceof Double d) {
            return Double.isFinite(d) ? new JsonPrimitive(d) : new JsonPrimitive(d.toString());
        } else if (v instanceof Number n) {
            return new JsonPrimitive(n);
        } else if (v instanceof String s) {
            return new JsonPrimitive(s);
        } else if (v instanceof Enum<?> e) {
            return new JsonPrimitive(e.name());
        } else if (v instanceof TensorShape s) {
            return encode(s.dims());
        } else if (v.getClass().isArray()) {
            JsonArray a = new JsonArray();
            for (int i = 0; i < Array.getLength(v); i++) {
                a.add(encode(Array.get(v, i)));
            }
            return a;
        } else if (v instanceof List<?> list) {
            JsonArray a = new JsonArray();
            for (Object o : list) {
                a.add(encode(o));
            }
            return a;
        } else if (v instanceof Record r) {
            JsonObject o = new JsonObject();
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                try {
                    o.add(c.getName(), encode(c.getAccessor().invoke(r)));
                } catch (IllegalAccessException | InvocationTargetException e) {
                    throw new IllegalStateException("cannot read " + c, e);
                }
            }
            return o;
        }
        throw new ConvscopeException("cannot save a value of type " + v.getClass().getName() + " in a model file");
    }

    /** The inverse of {@link #encode}: a value of {@code type} ({@code generic} gives list element types). */
    static Object decode(JsonElement e, Class<?> type, Type generic) {
        if (e == null || e.isJsonNull()) {
            if (type.isPrimitive()) {
                throw new IllegalArgumentException("missing value for " + type);
            }
            return null;
        }
        if (type == int.class || type == Integer.class) {
            return e.getAsInt();
        } else if (type == long.class || type == Long.class) {
            return e.getAsLong();
        } else if (type == float.class || type == Float.class) {
            return Float.parseFloat(e.getAsString());
        } else if (type == double.class || type == Double.class) {
            return Double.parseDouble(e.getAsString());
        } else if (type == boolean.class || type == Boolean.class) {
            return e.getAsBoolean();
        } else if (type == String.class) {
            return e.getAsString();
        } else if (type.isEnum()) {
            return enumValue(type, e.getAsString());
        } else if (type == TensorShape.class) {
            return TensorShape.of((int[]) decode(e, int[].class, int[].class));
        } else if (type.isArray()) {
            JsonArray a = e.getAsJsonArray();
            Class<?> component = type.getComponentType();
            Object out = Array.newInstance(component, a.size());
            for (int i = 0; i < a.size(); i++) {
                Array.set(out, i, decode(a.get(i), component, component));
            }
            return out;
        } else if (type == List.class) {
            Type element = generic instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
            Class<?> elementClass = element instanceof Class<?> c ? c
                    : element instanceof ParameterizedType p ? (Class<?>) p.getRawType() : Object.class;
            List<Object> out = new ArrayList<>();
            for (JsonElement x : e.getAsJsonArray()) {
                out.add(decode(x, elementClass, element));
            }
            return List.copyOf(out);
        } else if (type.isRecord()) {
            JsonObject o = e.getAsJsonObject();
            RecordComponent[] cs = type.getRecordComponents();
            Class<?>[] types = new Class<?>[cs.length];
            Object[] args = new Object[cs.length];
            for (int i = 0; i < cs.length; i++) {
                types[i] = cs[i].getType();
                if (!o.has(cs[i].getName())) {
                    throw new IllegalArgumentException(type.getSimpleName() + " has no '" + cs[i].getName() + "'");
                }
                args[i] = decode(o.get(cs[i].getName()), types[i], cs[i].getGenericType());
            }
            try {
                Constructor<?> ctor = type.getDeclaredConstructor(types);
                return ctor.newInstance(args);
            } catch (InvocationTargetException ex) {
                Throwable cause = ex.getCause();
                throw new IllegalArgumentException(type.getSimpleName() + ": " + oneLine(cause), cause);
            } catch (ReflectiveOperationException ex) {
                throw new IllegalStateException("cannot construct " + type.getName(), ex);
            }
        }
        throw new IllegalArgumentException("cannot read a value of type " + type.getName());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumValue(Class<?> type, String name) {
        return Enum.valueOf((Class) type, name);
    }
}
