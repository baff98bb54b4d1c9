package io.convscope.keras;

import io.convscope.keras.KerasFiles.W;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.network.TensorShape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static io.convscope.keras.Cfgs.bn;
import static io.convscope.keras.Cfgs.conv;
import static io.convscope.keras.Cfgs.dense;
import static io.convscope.keras.Cfgs.k3;
import static io.convscope.keras.Cfgs.k3FunctionalInput;
import static io.convscope.keras.Cfgs.k3Input;
import static io.convscope.keras.Cfgs.k3f;
import static io.convscope.keras.Cfgs.list;
import static io.convscope.keras.Cfgs.pool;
import static io.convscope.keras.KerasFiles.map;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * .keras archives. Weights are found by the keys Keras uses in model.weights.h5: the snake-cased
 * class name numbered per model, not the layer name — the layer names here are chosen to differ.
 */
class KerasZipTest {
    @TempDir
    Path dir;

    // conv (3×3 valid, 1→2) → BN → conv (3×3 same, 2→3) → pool → flatten → dense(4) → dense(2)
    static final W C1K = W.random("", 1, 3, 3, 1, 2);
    static final W C1B = W.random("", 2, 2);
    static final W GAMMA = W.random("", 3, 2);
    static final W BETA = W.random("", 4, 2);
    static final W MEAN = W.random("", 5, 2);
    static final W VAR = new W("", new int[] {2}, new float[] {0.25f, 4f});
    static final W C2K = W.random("", 6, 3, 3, 2, 3);
    static final W C2B = W.random("", 7, 3);
    static final W D1K = W.random("", 8, 12, 4);
    static final W D1B = W.random("", 9, 4);
    static final W D2K = W.random("", 10, 4, 2);
    static final W D2B = W.random("", 11, 2);

    private static String keras3Config() {
        return "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"zipped\", \"trainable\": true,"
                + " \"dtype\": " + Cfgs.K3_DTYPE + ", \"layers\": " + list(
                k3Input("input_layer", "[null, 6, 6, 1]"),
                k3("Conv2D", "stem", conv(2, 3, "valid", "relu")),
                k3("BatchNormalization", "stem_bn", bn().replace("\"axis\": [3]", "\"axis\": -1")),
                k3("Conv2D", "body", conv(3, 3, "same", "relu")),
                k3("MaxPooling2D", "pool", pool(2)),
                k3("Flatten", "flat", "\"data_format\": \"channels_last\""),
                k3("Dense", "hidden", dense(4, "relu")),
                k3("Dense", "logits", dense(2, "linear")))
                + ", \"build_input_shape\": [null, 6, 6, 1]}, \"registered_name\": null,"
                + " \"build_config\": {\"input_shape\": [null, 6, 6, 1]}, \"compile_config\": null}";
    }

    private static void check(Network net) {
        assertEquals("zipped", net.name());
        assertEquals(List.of("input_layer", "stem", "stem_bn", "body", "pool", "flat", "hidden", "logits"),
                net.nodes().stream().map(Node::name).toList());
        assertEquals(TensorShape.chw(3, 2, 2), net.node("pool").outputShape());
        assertArrayEquals(VAR.values(), net.node("stem_bn").params().get("moving_variance").toArray());
        assertArrayEquals(BETA.values(), net.node("stem_bn").params().get("beta").toArray());
        assertArrayEquals(C2B.values(), net.node("body").params().get("bias").toArray());
        assertArrayEquals(D2B.values(), net.node("logits").params().get("bias").toArray());
        float[] k = net.node("body").params().get("kernel").toArray();
        assertEquals(C2K.values()[((2 * 3 + 0) * 2 + 1) * 3 + 2], k[((2 * 2 + 1) * 3 + 2) * 3 + 0]); // [o=2][i=1][y=2][x=0]
        float[] d2 = net.node("logits").params().get("kernel").toArray();
        assertEquals(D2K.values()[3 * 2 + 1], d2[1 * 4 + 3]); // (in=3, unit=1) → (unit=1, in=3)
        assertFalse(((Layer.Flatten) net.node("flat").layer()).channelsLast());
        KerasHdf5Test.assertFlattenReorderIsExact(net, "flat", "hidden", D1K);
    }

    @Test
    void keras3Archive() throws IOException {
        Path w = dir.resolve("model.weights.h5");
        KerasFiles.v3Weights(w, map(
                "layers/conv2d", List.of(C1K, C1B),
                "layers/batch_normalization", List.of(GAMMA, BETA, MEAN, VAR),
                "layers/conv2d_1", List.of(C2K, C2B),
                "layers/max_pooling2d", List.of(),
                "layers/flatten", List.of(),
                "layers/dense", List.of(D1K, D1B),
                "layers/dense_1", List.of(D2K, D2B),
                "optimizer/vars", List.of(W.random("", 12, 1))));
        Path zip = dir.resolve("model.keras");
        KerasFiles.kerasZip(zip, keras3Config(), "3.6.0", w);
        check(KerasImporter.load(zip));
    }

    @Test
    void tfKeras213Archive() throws IOException {
        // TF-Keras 2.13+: layers under _layer_checkpoint_dependencies, TF-Keras config conventions
        String cfg = keras3Config().replace("\"batch_shape\"", "\"batch_input_shape\"")
                .replace("\"dtype\": " + Cfgs.K3_DTYPE, "\"dtype\": \"float32\"");
        Path w = dir.resolve("model.weights.h5");
        KerasFiles.v3Weights(w, map(
                "_layer_checkpoint_dependencies/conv2d", List.of(C1K, C1B),
                "_layer_checkpoint_dependencies/batch_normalization", List.of(GAMMA, BETA, MEAN, VAR),
                "_layer_checkpoint_dependencies/conv2d_1", List.of(C2K, C2B),
                "_layer_checkpoint_dependencies/dense", List.of(D1K, D1B),
                "_layer_checkpoint_dependencies/dense_1", List.of(D2K, D2B)));
        Path zip = dir.resolve("model.keras");
        KerasFiles.kerasZip(zip, cfg, "2.15.0", w);
        check(KerasImporter.load(zip));
    }

    @Test
    void keras3ArchiveWithNestedFunctional() throws IOException {
        String base = "{\"module\": \"keras.src.models.functional\", \"class_name\": \"Functional\", \"config\": {\"name\": \"vgg_base\","
                + " \"trainable\": false, \"layers\": " + list(
                k3FunctionalInput("input_layer", "[null, 4, 4, 3]"),
                k3f("Conv2D", "block1_conv1", conv(2, 3, "same", "relu"), "input_layer"),
                k3f("Conv2D", "block1_conv2", conv(2, 3, "same", "relu"), "block1_conv1"),
                k3f("MaxPooling2D", "block1_pool", pool(2), "block1_conv2"))
                + ", \"input_layers\": [[\"input_layer\", 0, 0]], \"output_layers\": [[\"block1_pool\", 0, 0]]},"
                + " \"registered_name\": \"Functional\", \"build_config\": {\"input_shape\": [null, 4, 4, 3]},"
                + " \"name\": \"vgg_base\", \"inbound_nodes\": [{\"args\": [" + Cfgs.tensor("input_layer_1") + "], \"kwargs\": {}}]}";
        String cfg = "{\"module\": \"keras.src.models.functional\", \"class_name\": \"Functional\", \"config\": {\"name\": \"transfer\","
                + " \"trainable\": true, \"layers\": " + list(
                k3FunctionalInput("input_layer_1", "[null, 4, 4, 3]"), base,
                k3f("GlobalAveragePooling2D", "gap", "\"data_format\": \"channels_last\", \"keepdims\": false", "vgg_base"),
                k3f("Dense", "head", dense(3, "softmax"), "gap"))
                + ", \"input_layers\": [[\"input_layer_1\", 0, 0]], \"output_layers\": [[\"head\", 0, 0]]},"
                + " \"registered_name\": \"Functional\"}";
        W k1 = W.random("", 1, 3, 3, 3, 2);
        W k2 = W.random("", 2, 3, 3, 2, 2);
        W hk = W.random("", 3, 2, 3);
        Path w = dir.resolve("model.weights.h5");
        KerasFiles.v3Weights(w, map(
                "layers/functional/layers/conv2d", List.of(k1, W.random("", 4, 2)),
                "layers/functional/layers/conv2d_1", List.of(k2, W.random("", 5, 2)),
                "layers/dense", List.of(hk, W.random("", 6, 3))));
        Path zip = dir.resolve("transfer.keras");
        KerasFiles.kerasZip(zip, cfg, "3.8.0", w);
        Network net = KerasImporter.load(zip);
        assertEquals(List.of("input_layer_1", "vgg_base/block1_conv1", "vgg_base/block1_conv2", "vgg_base/block1_pool",
                "gap", "head"), net.nodes().stream().map(Node::name).toList());
        assertEquals(List.of("vgg_base/block1_pool"), net.node("gap").inputs());
        float[] c2 = net.node("vgg_base/block1_conv2").params().get("kernel").toArray();
        assertEquals(k2.values()[((1 * 3 + 2) * 2 + 0) * 2 + 1], c2[((1 * 2 + 0) * 3 + 1) * 3 + 2]);
        assertEquals((3 * 3 * 3 * 2 + 2) + (3 * 3 * 2 * 2 + 2) + (2 * 3 + 3), net.paramCount());
    }
}
