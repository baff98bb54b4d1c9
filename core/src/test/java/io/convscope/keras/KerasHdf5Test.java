package io.convscope.keras;

import io.convscope.ConvscopeException;
import io.convscope.keras.KerasFiles.W;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.network.Padding;
import io.convscope.network.TensorShape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.convscope.keras.Cfgs.bn;
import static io.convscope.keras.Cfgs.conv;
import static io.convscope.keras.Cfgs.dense;
import static io.convscope.keras.Cfgs.k3;
import static io.convscope.keras.Cfgs.k3FunctionalInput;
import static io.convscope.keras.Cfgs.k3Input;
import static io.convscope.keras.Cfgs.k3f;
import static io.convscope.keras.Cfgs.list;
import static io.convscope.keras.Cfgs.pool;
import static io.convscope.keras.Cfgs.tf2;
import static io.convscope.keras.Cfgs.tf2FunctionalInput;
import static io.convscope.keras.Cfgs.tf2Input;
import static io.convscope.keras.Cfgs.tf2f;
import static io.convscope.keras.KerasFiles.map;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Model files written by model.save("x.h5"), both generations, built here with jhdf. */
class KerasHdf5Test {
    @TempDir
    Path dir;

    // conv2d (3×3 same, 3→2) → BN → relu → flatten → dropout → dense(5, softmax), input 4×4×3
    static final W K = W.random("conv2d/kernel:0", 1, 3, 3, 3, 2);
    static final W B = W.random("conv2d/bias:0", 2, 2);
    static final W GAMMA = W.random("batch_normalization/gamma:0", 3, 2);
    static final W BETA = W.random("batch_normalization/beta:0", 4, 2);
    static final W MEAN = W.random("batch_normalization/moving_mean:0", 5, 2);
    static final W VAR = new W("batch_normalization/moving_variance:0", new int[] {2}, new float[] {0.5f, 2f});
    static final W DK = W.random("dense/kernel:0", 6, 32, 5);
    static final W DB = W.random("dense/bias:0", 7, 5);

    static String tf2Sequential() {
        return "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"tiny\", \"layers\": " + list(
                tf2Input("conv2d_input", "[null, 4, 4, 3]"),
                tf2("Conv2D", "conv2d", conv(2, 3, "same", "linear")),
                tf2("BatchNormalization", "batch_normalization", bn()),
                tf2("Activation", "activation", "\"activation\": \"relu\""),
                tf2("Flatten", "flatten", "\"data_format\": \"channels_last\""),
                tf2("Dropout", "dropout", "\"rate\": 0.5, \"noise_shape\": null, \"seed\": null"),
                tf2("Dense", "dense", dense(5, "softmax")))
                + "}, \"keras_version\": \"2.15.0\", \"backend\": \"tensorflow\"}";
    }

    static Map<String, List<W>> tf2SequentialWeights() {
        return map("conv2d", List.of(K, B), "batch_normalization", List.of(GAMMA, BETA, MEAN, VAR),
                "activation", List.of(), "flatten", List.of(), "dropout", List.of(), "dense", List.of(DK, DB));
    }

    @Test
    void aTemporaryCopyIsDeletedWhenItsFileCloses() throws Exception {
        // the > 2 GB weights of a .keras archive go through a temporary file; the process may end by C's
        // _exit (util/ProcessExit), which runs no deleteOnExit, so closing the file deletes the copy
        Path f = dir.resolve("copy.h5");
        KerasFiles.legacyModel(f, tf2Sequential(), "2.15.0", tf2SequentialWeights());
        try (H5 h = H5.openTemporary(f)) {
            assertTrue(java.nio.file.Files.exists(f));
        }
        assertFalse(java.nio.file.Files.exists(f), "deleted on close");
        Path g = dir.resolve("kept.h5");
        KerasFiles.legacyModel(g, tf2Sequential(), "2.15.0", tf2SequentialWeights());
        try (H5 h = H5.open(g)) {
            assertTrue(java.nio.file.Files.exists(g));
        }
        assertTrue(java.nio.file.Files.exists(g), "a user's file stays");
    }

    @Test
    void tf2SequentialMatchesKerasComputedByHand() {
        Path f = dir.resolve("tiny.h5");
        KerasFiles.legacyModel(f, tf2Sequential(), "2.15.0", tf2SequentialWeights());
        Network net = KerasImporter.load(f);

        assertEquals("tiny", net.name());
        assertEquals(List.of("conv2d_input", "conv2d", "batch_normalization", "activation", "flatten", "dropout", "dense"),
                net.nodes().stream().map(Node::name).toList());
        assertEquals(TensorShape.chw(3, 4, 4), net.inputShape());
        assertEquals(TensorShape.of(5), net.outputShape());
        assertEquals(Activation.SOFTMAX, ((Layer.Dense) net.node("dense").layer()).activation());
        assertEquals(Padding.SAME, ((Layer.Conv2D) net.node("conv2d").layer()).padding());
        assertFalse(((Layer.Flatten) net.node("flatten").layer()).channelsLast(), "flatten → dropout → dense is reordered");
        // HWIO → OIHW: kernel[o][i][y][x] == keras[y][x][i][o]
        float[] k = net.node("conv2d").params().get("kernel").toArray();
        assertArrayEquals(new int[] {2, 3, 3, 3}, net.node("conv2d").params().get("kernel").shape());
        assertEquals(K.values()[((2 * 3 + 1) * 3 + 2) * 2 + 1], k[((1 * 3 + 2) * 3 + 2) * 3 + 1]);
        assertArrayEquals(VAR.values(), net.node("batch_normalization").params().get("moving_variance").toArray());
        assertArrayEquals(GAMMA.values(), net.node("batch_normalization").params().get("gamma").toArray());

        // Keras's computation, channels-last, from the raw arrays
        float[] xHwc = KerasFiles.random(99, 4, 4, 3);
        float[] want = kerasByHand(xHwc);
        float[] got = MiniForward.run(net, MiniForward.toChw(xHwc, 4, 4, 3)).get("dense");
        assertArrayEquals(want, got, 1e-5f);
    }

    /** conv(same) + BN + relu, flattened in (h, w, c) order, dense + softmax — as Keras computes it. */
    static float[] kerasByHand(float[] x) {
        float[] conv = new float[4 * 4 * 2];
        for (int y = 0; y < 4; y++) {
            for (int xx = 0; xx < 4; xx++) {
                for (int o = 0; o < 2; o++) {
                    double acc = B.values()[o];
                    for (int ky = 0; ky < 3; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            int iy = y + ky - 1, ix = xx + kx - 1;
                            if (iy < 0 || iy >= 4 || ix < 0 || ix >= 4) {
                                continue;
                            }
                            for (int i = 0; i < 3; i++) {
                                acc += x[(iy * 4 + ix) * 3 + i] * K.values()[((ky * 3 + kx) * 3 + i) * 2 + o];
                            }
                        }
                    }
                    double z = (acc - MEAN.values()[o]) / Math.sqrt(VAR.values()[o] + 1e-3) * GAMMA.values()[o] + BETA.values()[o];
                    conv[(y * 4 + xx) * 2 + o] = (float) Math.max(0, z);
                }
            }
        }
        double[] logits = new double[5];
        double max = Double.NEGATIVE_INFINITY;
        for (int u = 0; u < 5; u++) {
            double acc = DB.values()[u];
            for (int j = 0; j < 32; j++) {
                acc += conv[j] * DK.values()[j * 5 + u];
            }
            logits[u] = acc;
            max = Math.max(max, acc);
        }
        double sum = 0;
        for (int u = 0; u < 5; u++) {
            sum += Math.exp(logits[u] - max);
        }
        float[] out = new float[5];
        for (int u = 0; u < 5; u++) {
            out[u] = (float) (Math.exp(logits[u] - max) / sum);
        }
        return out;
    }

    // ---- Keras 3 Functional with merges ---------------------------------------------------------

    @Test
    void keras3FunctionalWithAddConcatenateAndDepthwise() {
        String cfg = "{\"module\": \"keras.src.models.functional\", \"class_name\": \"Functional\", \"config\": {\"name\": \"branches\","
                + " \"trainable\": true, \"layers\": " + list(
                k3FunctionalInput("input_layer", "[null, 5, 5, 2]"),
                k3f("Conv2D", "conv_a", conv(4, 1, "valid", "relu"), "input_layer"),
                k3f("DepthwiseConv2D", "dw", "\"kernel_size\": [3, 3], \"strides\": [1, 1], \"padding\": \"same\","
                        + " \"data_format\": \"channels_last\", \"dilation_rate\": [1, 1], \"depth_multiplier\": 2,"
                        + " \"activation\": \"linear\", \"use_bias\": true", "input_layer"),
                k3f("Add", "add", "", "conv_a", "dw"),
                k3f("Concatenate", "concat", "\"axis\": -1", "add", "input_layer"),
                k3f("GlobalAveragePooling2D", "gap", "\"data_format\": \"channels_last\", \"keepdims\": false", "concat"),
                k3f("Dense", "out", dense(3, "hard_sigmoid"), "gap"))
                + ", \"input_layers\": [[\"input_layer\", 0, 0]], \"output_layers\": [[\"out\", 0, 0]]},"
                + " \"registered_name\": \"Functional\", \"build_config\": {\"input_shape\": null}}";
        W dwk = W.random("dw/kernel", 11, 3, 3, 2, 2);
        W ak = W.random("conv_a/kernel", 10, 1, 1, 2, 4);
        Path f = dir.resolve("branches.h5");
        KerasFiles.legacyModel(f, cfg, "3.4.1", map(
                "input_layer", List.of(),
                "conv_a", List.of(ak, W.random("conv_a/bias", 12, 4)),
                "dw", List.of(dwk, W.random("dw/bias", 13, 4)),
                "add", List.of(), "concat", List.of(), "gap", List.of(),
                "out", List.of(W.random("out/kernel", 14, 6, 3), W.random("out/bias", 15, 3))));
        Network net = KerasImporter.load(f);

        assertEquals("branches", net.name());
        assertEquals(List.of("conv_a", "dw"), net.node("add").inputs());
        assertEquals(new Layer.Merge(Layer.Merge.Op.ADD), net.node("add").layer());
        assertEquals(List.of("add", "input_layer"), net.node("concat").inputs());
        assertEquals(new Layer.Concatenate(0), net.node("concat").layer(), "Keras axis -1 is the channel axis");
        assertEquals(TensorShape.chw(6, 5, 5), net.node("concat").outputShape());
        assertEquals(Activation.HARD_SIGMOID, ((Layer.Dense) net.node("out").layer()).activation(), "Keras 3 hard_sigmoid");
        // a 1×1 kernel (1, 1, in, out) → (out, in, 1, 1) is a transpose too
        float[] a = net.node("conv_a").params().get("kernel").toArray();
        for (int i = 0; i < 2; i++) {
            for (int o = 0; o < 4; o++) {
                assertEquals(ak.values()[i * 4 + o], a[o * 2 + i]);
            }
        }
        // depthwise (kh, kw, in, mult) → (in·mult, 1, kh, kw), output channel c·mult + m
        float[] d = net.node("dw").params().get("depthwise_kernel").toArray();
        assertArrayEquals(new int[] {4, 1, 3, 3}, net.node("dw").params().get("depthwise_kernel").shape());
        for (int ky = 0; ky < 3; ky++) {
            for (int kx = 0; kx < 3; kx++) {
                for (int c = 0; c < 2; c++) {
                    for (int m = 0; m < 2; m++) {
                        assertEquals(dwk.values()[((ky * 3 + kx) * 2 + c) * 2 + m], d[((c * 2 + m) * 3 + ky) * 3 + kx]);
                    }
                }
            }
        }
        assertEquals(2 * 4 + 4 + 3 * 3 * 4 + 4 + 6 * 3 + 3, net.paramCount());
    }

    @Test
    void hardSigmoidFollowsTheGeneration() {
        String cfg = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": " + list(
                tf2Input("in", "[null, 4]"), tf2("Dense", "d", dense(2, "hard_sigmoid"))) + "}}";
        Path f = dir.resolve("hs.h5");
        KerasFiles.legacyModel(f, cfg, "2.11.0", map("d", List.of(W.random("d/kernel:0", 1, 4, 2), W.random("d/bias:0", 2, 2))));
        assertEquals(Activation.HARD_SIGMOID_TF2, ((Layer.Dense) KerasImporter.load(f).node("d").layer()).activation());
    }

    // ---- Sequential without an InputLayer -------------------------------------------------------

    @Test
    void sequentialWithoutInputLayerTakesTheFirstLayersShape() {
        // TF-Keras 2 before InputLayer entries: batch_input_shape on the first layer
        String first = tf2("Conv2D", "conv2d", "\"batch_input_shape\": [null, 8, 8, 1], " + conv(2, 3, "valid", "relu"));
        String cfg = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"old\", \"layers\": " + list(first,
                tf2("GlobalMaxPooling2D", "gmp", "\"data_format\": \"channels_last\", \"keepdims\": true")) + "}}";
        Path f = dir.resolve("old.h5");
        KerasFiles.legacyModel(f, cfg, "2.4.0", map("conv2d", List.of(W.random("conv2d/kernel:0", 1, 3, 3, 1, 2),
                W.random("conv2d/bias:0", 2, 2)), "gmp", List.of()));
        Network net = KerasImporter.load(f);
        assertEquals(List.of("conv2d_input"), net.inputs());
        assertEquals(TensorShape.chw(1, 8, 8), net.inputShape());
        assertEquals(TensorShape.chw(2, 1, 1), net.outputShape(), "keepdims");

        // Keras 3 built with model.build(): build_input_shape in the Sequential's config
        String cfg3 = "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"built\", \"trainable\": true,"
                + " \"dtype\": " + Cfgs.K3_DTYPE + ", \"layers\": " + list(k3("Flatten", "flatten", "\"data_format\": \"channels_last\""),
                k3("Dense", "dense", dense(3, "relu"))) + ", \"build_input_shape\": [null, 2, 2, 3]}, \"registered_name\": null}";
        Path f3 = dir.resolve("built.h5");
        W dk = W.random("sequential/dense/kernel", 3, 12, 3);
        KerasFiles.legacyModel(f3, cfg3, "3.3.3", map("flatten", List.of(), "dense", List.of(dk,
                W.random("sequential/dense/bias", 4, 3))));
        Network net3 = KerasImporter.load(f3);
        assertEquals(List.of("input_layer"), net3.inputs());
        assertEquals(TensorShape.chw(3, 2, 2), net3.inputShape());
        // the Dense rows were permuted to (c, h, w): its output on a channels-first input equals Keras's
        float[] hwc = KerasFiles.random(5, 2, 2, 3);
        float[] want = new float[3];
        for (int u = 0; u < 3; u++) {
            double acc = 0;
            for (int j = 0; j < 12; j++) {
                acc += hwc[j] * dk.values()[j * 3 + u];
            }
            want[u] = (float) acc;
        }
        float[] bias = net3.node("dense").params().get("bias").toArray();
        float[] got = MiniForward.run(net3, MiniForward.toChw(hwc, 2, 2, 3)).get("dense");
        for (int u = 0; u < 3; u++) {
            assertEquals(Math.max(0, want[u] + bias[u]), got[u], 1e-5f);
        }
    }

    // ---- nested models --------------------------------------------------------------------------

    /** TF-Keras 2: Sequential(Input, Functional "base", Flatten, Dense); base's weights in one group, trainable first. */
    @Test
    void tf2NestedFunctionalKeepsInnerNamesAndMatchesWeightsByName() {
        String base = "{\"class_name\": \"Functional\", \"config\": {\"name\": \"base\", \"trainable\": false, \"layers\": " + list(
                tf2FunctionalInput("input_1", "[null, 6, 6, 3]"),
                tf2f("Conv2D", "block1_conv1", conv(4, 3, "same", "relu"), "input_1"),
                tf2f("BatchNormalization", "block1_bn", bn(), "block1_conv1"),
                tf2f("Conv2D", "block1_conv2", conv(4, 3, "same", "linear"), "block1_bn"),
                tf2f("BatchNormalization", "block1_bn2", bn(), "block1_conv2"),
                tf2f("MaxPooling2D", "block1_pool", pool(2), "block1_bn2"))
                + ", \"input_layers\": [[\"input_1\", 0, 0]], \"output_layers\": [[\"block1_pool\", 0, 0]]}}";
        String cfg = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"transfer\", \"layers\": " + list(
                tf2Input("input_2", "[null, 6, 6, 3]"), base,
                tf2("Flatten", "flatten", "\"data_format\": \"channels_last\""),
                tf2("Dense", "predictions", dense(2, "softmax"))) + "}}";
        W c1k = W.random("block1_conv1/kernel:0", 1, 3, 3, 3, 4);
        W c1b = W.random("block1_conv1/bias:0", 2, 4);
        W g1 = W.random("block1_bn/gamma:0", 3, 4);
        W b1 = W.random("block1_bn/beta:0", 4, 4);
        W c2k = W.random("block1_conv2/kernel:0", 5, 3, 3, 4, 4);
        W c2b = W.random("block1_conv2/bias:0", 6, 4);
        W g2 = W.random("block1_bn2/gamma:0", 7, 4);
        W b2 = W.random("block1_bn2/beta:0", 8, 4);
        W m1 = W.random("block1_bn/moving_mean:0", 9, 4);
        W v1 = new W("block1_bn/moving_variance:0", new int[] {4}, new float[] {1, 2, 3, 4});
        W m2 = W.random("block1_bn2/moving_mean:0", 11, 4);
        W v2 = new W("block1_bn2/moving_variance:0", new int[] {4}, new float[] {5, 6, 7, 8});
        W pk = W.random("predictions/kernel:0", 12, 36, 2);
        Path f = dir.resolve("transfer.h5");
        KerasFiles.legacyModel(f, cfg, "2.15.0", map(
                "base", List.of(c1k, c1b, g1, b1, c2k, c2b, g2, b2, m1, v1, m2, v2), // trainable first, as Keras lists them
                "flatten", List.of(),
                "predictions", List.of(pk, W.random("predictions/bias:0", 13, 2))));
        Network net = KerasImporter.load(f);

        assertEquals(List.of("input_2", "base/block1_conv1", "base/block1_bn", "base/block1_conv2", "base/block1_bn2",
                "base/block1_pool", "flatten", "predictions"), net.nodes().stream().map(Node::name).toList());
        assertEquals(List.of("input_2"), net.node("base/block1_conv1").inputs());
        assertEquals(List.of("base/block1_pool"), net.node("flatten").inputs());
        assertArrayEquals(v1.values(), net.node("base/block1_bn").params().get("moving_variance").toArray());
        assertArrayEquals(v2.values(), net.node("base/block1_bn2").params().get("moving_variance").toArray());
        assertArrayEquals(g2.values(), net.node("base/block1_bn2").params().get("gamma").toArray());
        assertArrayEquals(c2b.values(), net.node("base/block1_conv2").params().get("bias").toArray());
        assertFlattenReorderIsExact(net, "flatten", "predictions", pk);
    }

    /** Keras 3: Functional outer model with a nested Sequential; weight paths carry the inner model's scope. */
    @Test
    void keras3NestedSequentialInFunctional() {
        String features = "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"features\","
                + " \"trainable\": true, \"dtype\": " + Cfgs.K3_DTYPE + ", \"layers\": " + list(
                k3Input("input_layer", "[null, 4, 4, 1]"),
                k3("Conv2D", "conv2d", conv(3, 3, "same", "relu")),
                k3("MaxPooling2D", "max_pooling2d", pool(2))) + ", \"build_input_shape\": [null, 4, 4, 1]},"
                + " \"registered_name\": null, \"build_config\": {\"input_shape\": [null, 4, 4, 1]},"
                + " \"name\": \"features\", \"inbound_nodes\": [{\"args\": [" + Cfgs.tensor("image") + "], \"kwargs\": {\"mask\": null}}]}";
        String cfg = "{\"module\": \"keras.src.models.functional\", \"class_name\": \"Functional\", \"config\": {\"name\": \"clf\","
                + " \"trainable\": true, \"layers\": " + list(
                k3FunctionalInput("image", "[null, 4, 4, 1]"), features,
                k3f("Flatten", "flatten", "\"data_format\": \"channels_last\"", "features"),
                k3f("Dense", "head", dense(2, "linear"), "flatten"))
                + ", \"input_layers\": [\"image\", 0, 0], \"output_layers\": [\"head\", 0, 0]}, \"registered_name\": \"Functional\"}";
        W ck = W.random("features/conv2d/kernel", 1, 3, 3, 1, 3);
        W hk = W.random("head/kernel", 3, 12, 2);
        Path f = dir.resolve("clf.h5");
        KerasFiles.legacyModel(f, cfg, "3.10.0", map(
                "features", List.of(ck, W.random("features/conv2d/bias", 2, 3)),
                "flatten", List.of(), "head", List.of(hk, W.random("head/bias", 4, 2))));
        Network net = KerasImporter.load(f);
        assertEquals(List.of("image", "features/conv2d", "features/max_pooling2d", "flatten", "head"),
                net.nodes().stream().map(Node::name).toList());
        assertEquals(TensorShape.chw(3, 2, 2), net.node("features/max_pooling2d").outputShape());
        float[] k = net.node("features/conv2d").params().get("kernel").toArray();
        assertEquals(ck.values()[((1 * 3 + 2) * 1 + 0) * 3 + 2], k[((2 * 1 + 0) * 3 + 1) * 3 + 2]);
        assertFlattenReorderIsExact(net, "flatten", "head", hk);
    }

    /**
     * The imported network (Flatten channels-first, permuted Dense rows) gives the same Dense output
     * as Keras's order: flattening (h, w, c) and multiplying with the file's kernel.
     */
    static void assertFlattenReorderIsExact(Network net, String flatten, String dense, W kerasKernel) {
        assertFalse(((Layer.Flatten) net.node(flatten).layer()).channelsLast());
        Node fl = net.node(flatten);
        TensorShape img = net.node(fl.inputs().get(0)).outputShape();
        float[] chw = KerasFiles.random(77, (int) img.size());
        float[] hwc = MiniForward.toHwc(chw, img);
        int units = ((Layer.Dense) net.node(dense).layer()).units();
        // evaluate only the Dense on a chosen flatten input, with the imported kernel
        float[] kernel = net.node(dense).params().get("kernel").toArray();
        int in = hwc.length;
        for (int u = 0; u < units; u++) {
            double mine = 0, keras = 0;
            for (int j = 0; j < in; j++) {
                mine += kernel[u * in + j] * chw[j];
                keras += hwc[j] * kerasKernel.values()[j * units + u];
            }
            assertEquals(keras, mine, 1e-4, "unit " + u);
        }
    }

    // ---- separable and grouped convolutions; a user block ---------------------------------------

    @Test
    void separableAndGroupedKernels() {
        String cfg = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"sep\", \"layers\": " + list(
                tf2Input("in", "[null, 5, 5, 4]"),
                tf2("SeparableConv2D", "sep", "\"filters\": 3, \"kernel_size\": [3, 3], \"strides\": [1, 1], \"padding\": \"same\","
                        + " \"data_format\": \"channels_last\", \"dilation_rate\": [1, 1], \"depth_multiplier\": 2,"
                        + " \"activation\": \"linear\", \"use_bias\": true"),
                tf2("Conv2D", "grouped", conv(6, 1, "valid", "linear").replace("\"groups\": 1", "\"groups\": 3"))) + "}}";
        W dk = W.random("sep/depthwise_kernel:0", 1, 3, 3, 4, 2);
        W pk = W.random("sep/pointwise_kernel:0", 2, 1, 1, 8, 3);
        W gk = W.random("grouped/kernel:0", 3, 1, 1, 1, 6);
        Path f = dir.resolve("sep.h5");
        KerasFiles.legacyModel(f, cfg, "2.12.0", map("sep", List.of(dk, pk, W.random("sep/bias:0", 4, 3)),
                "grouped", List.of(gk, W.random("grouped/bias:0", 5, 6))));
        Network net = KerasImporter.load(f);
        float[] d = net.node("sep").params().get("depthwise_kernel").toArray();
        float[] p = net.node("sep").params().get("pointwise_kernel").toArray();
        assertArrayEquals(new int[] {8, 1, 3, 3}, net.node("sep").params().get("depthwise_kernel").shape());
        assertArrayEquals(new int[] {3, 8, 1, 1}, net.node("sep").params().get("pointwise_kernel").shape());
        assertEquals(dk.values()[((2 * 3 + 0) * 4 + 3) * 2 + 1], d[((3 * 2 + 1) * 3 + 2) * 3 + 0]);
        for (int i = 0; i < 8; i++) {
            for (int o = 0; o < 3; o++) {
                assertEquals(pk.values()[i * 3 + o], p[o * 8 + i]);
            }
        }
        // groups=3 on 3 channels: Keras (1, 1, in/groups=1, 6) → (6, 1, 1, 1), same order
        assertArrayEquals(new int[] {6, 1, 1, 1}, net.node("grouped").params().get("kernel").shape());
        assertArrayEquals(gk.values(), net.node("grouped").params().get("kernel").toArray());
    }

    @Test
    void hdf5WithAUserBlock() throws java.io.IOException {
        Path plain = dir.resolve("plain.h5");
        KerasFiles.legacyModel(plain, tf2Sequential(), "2.15.0", tf2SequentialWeights());
        byte[] b = java.nio.file.Files.readAllBytes(plain);
        assertEquals(2, b[8], "jhdf writes superblock v2");
        byte[] u = new byte[b.length + 512];
        System.arraycopy("written by a tool that keeps its notes here".getBytes(), 0, u, 0, 43);
        System.arraycopy(b, 0, u, 512, b.length);
        java.nio.ByteBuffer sb = java.nio.ByteBuffer.wrap(u, 512, 48).slice().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        sb.putLong(12, 512); // base address = where the superblock now is
        byte[] head = new byte[44];
        sb.get(0, head);
        sb.putInt(44, io.jhdf.checksum.ChecksumUtils.checksum(head));
        Path withBlock = java.nio.file.Files.write(dir.resolve("userblock.h5"), u);
        Network net = KerasImporter.load(withBlock);
        assertEquals("tiny", net.name());
        assertArrayEquals(KerasHdf5Test.DB.values(), net.node("dense").params().get("bias").toArray());
    }

    @Test
    void inputsFollowInputLayersOrder() {
        String cfg = "{\"class_name\": \"Functional\", \"config\": {\"name\": \"two\", \"layers\": " + list(
                k3FunctionalInput("b", "[null, 4]"), k3FunctionalInput("a", "[null, 4]"),
                k3f("Subtract", "diff", "", "a", "b"))
                + ", \"input_layers\": [[\"a\", 0, 0], [\"b\", 0, 0]], \"output_layers\": [[\"diff\", 0, 0]]}}";
        Path f = dir.resolve("two.h5");
        KerasFiles.legacyModel(f, cfg, "3.0.0", Map.of());
        Network net = KerasImporter.load(f);
        assertEquals(List.of("a", "b"), net.inputs());
        assertEquals(List.of("a", "b"), net.node("diff").inputs());
    }

    @Test
    void sequentialStartingWithANestedModelTakesItsInputShape() {
        String base = "{\"class_name\": \"Functional\", \"config\": {\"name\": \"base\", \"layers\": " + list(
                tf2FunctionalInput("input_1", "[null, 6, 6, 3]"),
                tf2f("Conv2D", "conv", conv(2, 3, "valid", "relu"), "input_1"))
                + ", \"input_layers\": [[\"input_1\", 0, 0]], \"output_layers\": [[\"conv\", 0, 0]]}}";
        String cfg = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": " + list(base,
                tf2("GlobalAveragePooling2D", "gap", "\"data_format\": \"channels_last\"")) + "}}";
        Path f = dir.resolve("first_nested.h5");
        KerasFiles.legacyModel(f, cfg, "2.9.0", map("base", List.of(W.random("conv/kernel:0", 1, 3, 3, 3, 2),
                W.random("conv/bias:0", 2, 2))));
        Network net = KerasImporter.load(f);
        assertEquals(List.of("base_input", "base/conv", "gap"), net.nodes().stream().map(Node::name).toList());
        assertEquals(TensorShape.chw(3, 6, 6), net.inputShape());
    }
}
