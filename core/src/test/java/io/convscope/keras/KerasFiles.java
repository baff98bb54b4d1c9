package io.convscope.keras;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes HDF5 files and .keras archives laid out as Keras writes them, with jhdf's writer. */
final class KerasFiles {
    private KerasFiles() {
    }

    /** One weight: its path as listed in weight_names (relative to the layer group), Keras shape, values. */
    record W(String path, int[] shape, float[] values) {
        static W random(String path, long seed, int... shape) {
            return new W(path, shape, KerasFiles.random(seed, shape));
        }
    }

    static float[] random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    /** A Java multi-dimensional float array (what jhdf writes) holding {@code flat} in row-major order. */
    static Object nd(float[] flat, int... shape) {
        if (shape.length == 0) {
            return flat.clone();
        }
        Object arr = Array.newInstance(float.class, shape);
        fill(arr, flat, 0, shape, 0);
        return arr;
    }

    private static int fill(Object arr, float[] flat, int pos, int[] shape, int axis) {
        if (axis == shape.length - 1) {
            System.arraycopy(flat, pos, arr, 0, shape[axis]);
            return pos + shape[axis];
        }
        for (int i = 0; i < shape[axis]; i++) {
            pos = fill(Array.get(arr, i), flat, pos, shape, axis + 1);
        }
        return pos;
    }

    /**
     * A {@code model.save("x.h5")} file: root attributes model_config, keras_version, backend;
     * {@code /model_weights} with layer_names and one group per layer (weight_names + datasets).
     */
    static void legacyModel(Path file, String modelConfig, String kerasVersion, Map<String, List<W>> layers) {
        try (WritableHdfFile f = HdfFile.write(file)) {
            f.putAttribute("model_config", modelConfig);
            f.putAttribute("keras_version", kerasVersion);
            f.putAttribute("backend", "tensorflow");
            WritableGroup mw = f.putGroup("model_weights");
            writeLayers(mw, kerasVersion, layers);
        }
    }

    /** A {@code model.save_weights("x.h5")} file (and Keras's ImageNet application files): layers at the root. */
    static void legacyWeights(Path file, String kerasVersion, Map<String, List<W>> layers) {
        try (WritableHdfFile f = HdfFile.write(file)) {
            writeLayers(f, kerasVersion, layers);
        }
    }

    private static void writeLayers(WritableGroup parent, String kerasVersion, Map<String, List<W>> layers) {
        if (!layers.isEmpty()) {
            parent.putAttribute("layer_names", layers.keySet().toArray(new String[0])); // jhdf cannot write empty arrays
        }
        parent.putAttribute("keras_version", kerasVersion);
        parent.putAttribute("backend", "tensorflow");
        for (var e : layers.entrySet()) {
            if (e.getValue().isEmpty()) {
                // Keras writes a group whose weight_names is an empty float64 array. jhdf 0.10.0 can write
                // neither an empty array nor (reliably) an empty group — some such files cannot be read
                // back — so weightless layers get no group here. The real Keras 3 fixture covers the
                // empty-group layout.
                continue;
            }
            WritableGroup g = parent.putGroup(e.getKey());
            g.putAttribute("weight_names", e.getValue().stream().map(W::path).toArray(String[]::new));
            Map<String, WritableGroup> groups = new HashMap<>();
            for (W w : e.getValue()) {
                String[] seg = w.path().split("/");
                WritableGroup cur = g;
                String key = "";
                for (int i = 0; i < seg.length - 1; i++) {
                    key += "/" + seg[i];
                    WritableGroup parentGroup = cur;
                    String name = seg[i];
                    cur = groups.computeIfAbsent(key, k -> parentGroup.putGroup(name));
                }
                cur.putDataset(seg[seg.length - 1], nd(w.values(), w.shape()));
            }
        }
    }

    /**
     * A weights file of the .keras format: {@code vars} groups at the given paths
     * ("layers/conv2d", "layers/functional/layers/conv2d", …) holding datasets 0, 1, ….
     */
    static void v3Weights(Path file, Map<String, List<W>> varsByPath) {
        try (WritableHdfFile f = HdfFile.write(file)) {
            Map<String, WritableGroup> groups = new HashMap<>();
            for (var e : varsByPath.entrySet()) {
                if (e.getValue().isEmpty()) {
                    continue; // an empty "vars" group: see legacyModel about jhdf and empty groups
                }
                WritableGroup cur = f;
                String key = "";
                for (String seg : e.getKey().split("/")) {
                    key += "/" + seg;
                    WritableGroup p = cur;
                    cur = groups.computeIfAbsent(key, k -> p.putGroup(seg));
                }
                WritableGroup vars = cur.putGroup("vars");
                int i = 0;
                for (W w : e.getValue()) {
                    vars.putDataset(Integer.toString(i++), nd(w.values(), w.shape()));
                }
            }
        }
    }

    /** A .keras zip: metadata.json, config.json, model.weights.h5. */
    static void kerasZip(Path zip, String config, String kerasVersion, Path weightsH5) throws IOException {
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("metadata.json"));
            z.write(("{\"keras_version\": \"" + kerasVersion + "\", \"date_saved\": \"2025-01-01@00:00:00\"}").getBytes());
            z.closeEntry();
            z.putNextEntry(new ZipEntry("config.json"));
            z.write(config.getBytes());
            z.closeEntry();
            z.putNextEntry(new ZipEntry("model.weights.h5"));
            z.write(Files.readAllBytes(weightsH5));
            z.closeEntry();
        }
    }

    static <K, V> Map<K, V> map(Object... kv) {
        Map<K, V> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            @SuppressWarnings("unchecked") K k = (K) kv[i];
            @SuppressWarnings("unchecked") V v = (V) kv[i + 1];
            m.put(k, v);
        }
        return m;
    }
}
