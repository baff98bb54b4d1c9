package io.convscope.keras;

import io.convscope.ConvscopeException;
import io.convscope.keras.KerasFiles.W;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Padding;
import io.convscope.network.Preprocessing;
import io.convscope.network.TensorShape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.convscope.keras.KerasFiles.map;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Weights-only files applied to an architecture built in code with Keras layer names. */
class KerasWeightsTest {
    @TempDir
    Path dir;

    static final W K1 = W.random("block1_conv1/kernel:0", 1, 3, 3, 3, 4);
    static final W B1 = W.random("block1_conv1/bias:0", 2, 4);
    static final W FC = W.random("fc1/kernel:0", 3, 64, 5);
    static final W FCB = W.random("fc1/bias:0", 4, 5);
    static final W PK = W.random("predictions/kernel:0", 5, 5, 3);
    static final W PB = W.random("predictions/bias:0", 6, 3);

    /** A VGG-like architecture without weights, as the model zoo builds one. */
    static Network miniVgg(boolean withTop) {
        Network.Builder b = new Network.Builder("mini_vgg").preprocessing(Preprocessing.CAFFE).labels(List.of("a", "b", "c"));
        b.input("input_1", TensorShape.chw(3, 8, 8));
        b.add("block1_conv1", new Layer.Conv2D(4, 3, 3, 1, 1, 1, 1, Padding.SAME, 1, true, Activation.RELU), "input_1");
        b.add("block1_pool", new Layer.Pool2D(true, 2, 2, 2, 2, Padding.VALID, false, false), "block1_conv1");
        if (withTop) {
            b.add("flatten", new Layer.Flatten(true), "block1_pool");
            b.add("fc1", new Layer.Dense(5, true, Activation.RELU), "flatten");
            b.add("predictions", new Layer.Dense(3, true, Activation.SOFTMAX), "fc1");
        }
        return b.buildWithoutParams();
    }

    private static Map<String, List<W>> tfKerasLayers() {
        return map("input_1", List.of(), "block1_conv1", List.of(K1, B1), "block1_pool", List.of(), "flatten", List.of(),
                "fc1", List.of(FC, FCB), "predictions", List.of(PK, PB));
    }

    private static void checkApplied(Network net) {
        assertEquals("mini_vgg", net.name());
        assertEquals(Preprocessing.CAFFE, net.preprocessing());
        assertEquals(List.of("a", "b", "c"), net.labels());
        float[] k = net.node("block1_conv1").params().get("kernel").toArray();
        assertEquals(K1.values()[((2 * 3 + 1) * 3 + 0) * 4 + 3], k[((3 * 3 + 0) * 3 + 2) * 3 + 1]);
        assertArrayEquals(B1.values(), net.node("block1_conv1").params().get("bias").toArray());
        assertArrayEquals(PB.values(), net.node("predictions").params().get("bias").toArray());
        assertEquals(4 * 27 + 4 + 64 * 5 + 5 + 5 * 3 + 3, net.paramCount());
        KerasHdf5Test.assertFlattenReorderIsExact(net, "flatten", "fc1", FC);
    }

    @Test
    void tfKerasWeightsFile() {
        Path f = dir.resolve("vgg_weights_tf_dim_ordering_tf_kernels.h5");
        KerasFiles.legacyWeights(f, "2.15.0", tfKerasLayers());
        checkApplied(KerasWeights.applyTo(miniVgg(true), f));
    }

    @Test
    void oldKerasNamesAtTheGroupRoot() {
        // Keras 1/2.0 application files: weight_names like block1_conv1_W_1:0, datasets directly in the layer group
        Path f = dir.resolve("old.h5");
        KerasFiles.legacyWeights(f, "1.2.2", map(
                "block1_conv1", List.of(new W("block1_conv1_W_1:0", K1.shape(), K1.values()), new W("block1_conv1_b_1:0", B1.shape(), B1.values())),
                "fc1", List.of(new W("fc1_W_1:0", FC.shape(), FC.values()), new W("fc1_b_1:0", FCB.shape(), FCB.values())),
                "predictions", List.of(new W("predictions_W_1:0", PK.shape(), PK.values()), new W("predictions_b_1:0", PB.shape(), PB.values()))));
        checkApplied(KerasWeights.applyTo(miniVgg(true), f));
    }

    @Test
    void fullModelFileAndExtraLayersAreIgnored() {
        Path f = dir.resolve("full.h5");
        KerasFiles.legacyModel(f, "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"x\", \"layers\": []}}", "2.15.0",
                tfKerasLayers());
        checkApplied(KerasWeights.applyTo(miniVgg(true), f));
        // no top: fc1 and predictions in the file are not needed
        Network notop = KerasWeights.applyTo(miniVgg(false), f);
        assertEquals(4 * 27 + 4, notop.paramCount());
    }

    @Test
    void channelsFirstFlattenInTheArchitecture() {
        Network.Builder b = new Network.Builder("cf");
        b.input("input_1", TensorShape.chw(3, 8, 8));
        b.add("block1_conv1", new Layer.Conv2D(4, 3, 3, 1, 1, 1, 1, Padding.SAME, 1, true, Activation.RELU), "input_1");
        b.add("block1_pool", new Layer.Pool2D(true, 2, 2, 2, 2, Padding.VALID, false, false), "block1_conv1");
        b.add("flatten", new Layer.Flatten(false), "block1_pool");
        b.add("drop", new Layer.Identity("Dropout", 0.5f), "flatten");
        b.add("fc1", new Layer.Dense(5, true, Activation.RELU), "drop");
        Path f = dir.resolve("w.h5");
        KerasFiles.legacyWeights(f, "2.15.0", tfKerasLayers());
        Network net = KerasWeights.applyTo(b.buildWithoutParams(), f);
        KerasHdf5Test.assertFlattenReorderIsExact(net, "flatten", "fc1", FC);
    }

    @Test
    void flattenReadByANonDenseKeepsKerasOrder() {
        Network.Builder b = new Network.Builder("out");
        b.input("input_1", TensorShape.chw(3, 8, 8));
        b.add("block1_conv1", new Layer.Conv2D(4, 3, 3, 1, 1, 1, 1, Padding.SAME, 1, true, Activation.RELU), "input_1");
        b.add("block1_pool", new Layer.Pool2D(true, 2, 2, 2, 2, Padding.VALID, false, false), "block1_conv1");
        b.add("flatten", new Layer.Flatten(true), "block1_pool");
        b.add("fc1", new Layer.Dense(5, true, Activation.RELU), "flatten");
        b.add("features", new Layer.Act("Activation", Activation.SIGMOID), "flatten");
        b.outputs(List.of("fc1", "features"));
        Path f = dir.resolve("w.h5");
        KerasFiles.legacyWeights(f, "2.15.0", tfKerasLayers());
        Network net = KerasWeights.applyTo(b.buildWithoutParams(), f);
        assertTrue(((Layer.Flatten) net.node("flatten").layer()).channelsLast());
        // the Dense kernel is the plain transpose: rows stay in (h, w, c) order
        float[] k = net.node("fc1").params().get("kernel").toArray();
        for (int j = 0; j < 64; j++) {
            for (int u = 0; u < 5; u++) {
                assertEquals(FC.values()[j * 5 + u], k[u * 64 + j]);
            }
        }
    }

    @Test
    void keras3WeightsH5ByClassOrder() {
        Path f = dir.resolve("mini.weights.h5");
        KerasFiles.v3Weights(f, map("layers/conv2d", List.of(K1, B1), "layers/dense", List.of(FC, FCB),
                "layers/dense_1", List.of(PK, PB)));
        checkApplied(KerasWeights.applyTo(miniVgg(true), f));
    }

    @Test
    void kerasArchiveWeights() throws IOException {
        Path w = dir.resolve("model.weights.h5");
        KerasFiles.v3Weights(w, map("layers/conv2d", List.of(K1, B1), "layers/dense", List.of(FC, FCB),
                "layers/dense_1", List.of(PK, PB)));
        Path zip = dir.resolve("m.keras");
        KerasFiles.kerasZip(zip, "{}", "3.5.0", w);
        checkApplied(KerasWeights.applyTo(miniVgg(true), zip));
    }

    @Test
    void shapeMismatchNamesTheLayerAndBothShapes() {
        Map<String, List<W>> layers = tfKerasLayers();
        layers.put("block1_conv1", List.of(W.random("block1_conv1/kernel:0", 1, 3, 3, 3, 8), W.random("block1_conv1/bias:0", 2, 8)));
        Path f = dir.resolve("wrong.h5");
        KerasFiles.legacyWeights(f, "2.15.0", layers);
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> KerasWeights.applyTo(miniVgg(true), f));
        assertEquals(f + ": layer 'block1_conv1' (Conv2D): weight 'kernel' has shape (3, 3, 3, 8) in the file but the model"
                + " needs (3, 3, 3, 4)", e.getMessage());
    }

    @Test
    void missingLayerIsNamed() {
        Map<String, List<W>> layers = tfKerasLayers();
        layers.remove("fc1");
        layers.put("fc_1", List.of(FC, FCB));
        Path f = dir.resolve("missing.h5");
        KerasFiles.legacyWeights(f, "2.15.0", layers);
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> KerasWeights.applyTo(miniVgg(true), f));
        assertEquals(f + " has no weights for layer 'fc1' (Dense); did you mean fc_1?", e.getMessage());
    }

    @Test
    void notAWeightsFile() throws IOException {
        Path f = Files.writeString(dir.resolve("x.h5"), "nope");
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> KerasWeights.applyTo(miniVgg(true), f));
        assertEquals(f + " is not a Keras weights file (not HDF5 or .keras zip)", e.getMessage());
        Path g = dir.resolve("plain.h5");
        try (var w = io.jhdf.HdfFile.write(g)) {
            w.putDataset("x", new float[] {1});
        }
        e = assertThrows(ConvscopeException.class, () -> KerasWeights.applyTo(miniVgg(true), g));
        assertTrue(e.getMessage().contains("is an HDF5 file but not Keras weights"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
