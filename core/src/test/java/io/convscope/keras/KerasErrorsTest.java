package io.convscope.keras;

import io.convscope.ConvscopeException;
import io.convscope.keras.KerasFiles.W;
import io.convscope.network.Network;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.convscope.keras.Cfgs.conv;
import static io.convscope.keras.Cfgs.dense;
import static io.convscope.keras.Cfgs.k3;
import static io.convscope.keras.Cfgs.k3FunctionalInput;
import static io.convscope.keras.Cfgs.k3Input;
import static io.convscope.keras.Cfgs.k3f;
import static io.convscope.keras.Cfgs.list;
import static io.convscope.keras.Cfgs.tf2;
import static io.convscope.keras.Cfgs.tf2Input;
import static io.convscope.keras.KerasFiles.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Every bad input ends in a one-line ConvscopeException that says what is wrong. */
class KerasErrorsTest {
    @TempDir
    Path dir;

    private static String message(Path f) {
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> KerasImporter.load(f));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return io.convscope.Flagged.flags(e);
    }

    private Path tinyModel(String name) {
        Path f = dir.resolve(name);
        KerasFiles.legacyModel(f, KerasHdf5Test.tf2Sequential(), "2.15.0", KerasHdf5Test.tf2SequentialWeights());
        return f;
    }

    /** A Sequential model (TF-Keras 2 style) whose second layer is {@code layer}. */
    private Path withLayer(String name, String layer, Map<String, List<W>> weights) {
        String cfg = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"m\", \"layers\": "
                + list(tf2Input("in", "[null, 8, 8, 3]"), layer) + "}}";
        Path f = dir.resolve(name);
        KerasFiles.legacyModel(f, cfg, "2.15.0", weights);
        return f;
    }

    @Test
    void notAKerasFile() throws IOException {
        Path txt = Files.writeString(dir.resolve("notes.h5"), "these are not weights\n");
        assertEquals(txt + " is not a Keras model file (not HDF5 or .keras zip)", message(txt));
        Path empty = Files.write(dir.resolve("empty.keras"), new byte[0]);
        assertTrue(message(empty).contains("is not a Keras model file (not HDF5 or .keras zip)"));
        assertTrue(message(dir.resolve("missing.h5")).endsWith("missing.h5 does not exist"));
        Path savedModel = Files.createDirectories(dir.resolve("exported"));
        Files.write(savedModel.resolve("saved_model.pb"), new byte[] {8, 1});
        assertEquals(savedModel + " is a TensorFlow SavedModel, which is not supported: load it in Python and re-save it"
                + " with model.save('model.keras') or model.save('model.h5'), or export it to ONNX", message(savedModel));
        assertEquals(dir + " is a directory, not a Keras model file", message(dir));
    }

    @Test
    void truncatedHdf5() throws IOException {
        Path f = tinyModel("tiny.h5");
        byte[] all = Files.readAllBytes(f);
        Path cut = Files.write(dir.resolve("cut.h5"), Arrays.copyOf(all, all.length * 3 / 5));
        String m = message(cut);
        assertTrue(m.startsWith(cut + " looks truncated or corrupt"), m);
        assertTrue(m.contains("header says " + all.length), m);
    }

    @Test
    void damagedHdf5NeverThrowsARawException() throws IOException {
        Path f = tinyModel("tiny.h5");
        byte[] all = Files.readAllBytes(f);
        // garbage after the superblock: jhdf fails somewhere inside, the importer reports it in one line
        byte[] bad = all.clone();
        new SplittableRandom(3).ints(48, bad.length).limit(bad.length / 3).forEach(i -> bad[i] = (byte) (i * 31));
        String m = message(Files.write(dir.resolve("bad.h5"), bad));
        assertTrue(m.contains("looks truncated or corrupt"), m);
        // every truncation point, and single corrupted bytes at many places: a Network or a ConvscopeException
        SplittableRandom r = new SplittableRandom(7);
        for (int t = 0; t < 60; t++) {
            byte[] b;
            if (t < 20) {
                b = Arrays.copyOf(all, 8 + r.nextInt(all.length - 8));
            } else {
                b = all.clone();
                int at = r.nextInt(all.length);
                b[at] = (byte) ~b[at];
            }
            Path p = Files.write(dir.resolve("t" + t + ".h5"), b);
            try {
                Network net = KerasImporter.load(p);
                assertEquals(7, net.nodes().size()); // a flipped bit in a weight value is not detectable
            } catch (ConvscopeException e) {
                assertFalse(e.getMessage().isBlank());
            } catch (RuntimeException e) {
                fail("raw " + e + " for damaged file #" + t);
            }
        }
    }

    @Test
    void weightsOnlyFileGivenAsModel() {
        Path legacy = dir.resolve("vgg16_weights.h5");
        KerasFiles.legacyWeights(legacy, "2.2.4", map("block1_conv1", List.of(W.random("block1_conv1_W_1:0", 1, 3, 3, 3, 4))));
        assertEquals(legacy + " holds only weights (no model_config): pass it as --weights FILE with --model"
                + " vgg16|vgg19|resnet50v2 or the matching architecture", message(legacy));
        Path v3 = dir.resolve("model.weights.h5");
        KerasFiles.v3Weights(v3, map("layers/conv2d", List.of(W.random("", 1, 3, 3, 3, 4))));
        assertTrue(message(v3).contains("holds only weights (no model_config)"));
    }

    @Test
    void hdf5ThatIsNotKeras() {
        Path f = dir.resolve("data.h5");
        try (var w = io.jhdf.HdfFile.write(f)) {
            w.putDataset("x", new float[] {1, 2, 3});
        }
        assertTrue(message(f).endsWith("is an HDF5 file but not a Keras model (it has no model_config)"));
    }

    @Test
    void missingWeightsForALayer() {
        Map<String, List<W>> w = KerasHdf5Test.tf2SequentialWeights();
        w.remove("dense");
        Path f = dir.resolve("noweights.h5");
        KerasFiles.legacyModel(f, KerasHdf5Test.tf2Sequential(), "2.15.0", w);
        assertEquals(f + " has no weights for layer 'dense' (Dense)", message(f));
    }

    @Test
    void wrongShapeInModelFile() {
        Map<String, List<W>> w = KerasHdf5Test.tf2SequentialWeights();
        w.put("conv2d", List.of(W.random("conv2d/kernel:0", 1, 3, 3, 3, 5), W.random("conv2d/bias:0", 2, 2)));
        Path f = dir.resolve("shape.h5");
        KerasFiles.legacyModel(f, KerasHdf5Test.tf2Sequential(), "2.15.0", w);
        assertEquals(f + ": layer 'conv2d' (Conv2D): weight 'kernel' has shape (3, 3, 3, 5) in the file but the model"
                + " needs (3, 3, 3, 2)", message(f));
    }

    @Test
    void unsupportedLayerNamesItsClassAndTheSupportedOnes() {
        Path f = withLayer("custom.h5", "{\"class_name\": \"MyAttention\", \"config\": {\"name\": \"attn\", \"heads\": 4}}", Map.of());
        String m = message(f);
        assertTrue(m.startsWith("layer 'attn' is a MyAttention, which convscope does not support. Supported Keras layers:"
                + " InputLayer, Conv2D, DepthwiseConv2D"), m);
        assertTrue(m.contains("BatchNormalization") && m.contains("Concatenate") && m.contains("Reshape"), m);
    }

    @Test
    void savedModelWrappedInTfsmLayer() {
        String cfg = "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"wrapped\", \"layers\": "
                + list(k3Input("input_layer", "[null, 224, 224, 3]"),
                "{\"module\": \"keras.layers\", \"class_name\": \"TFSMLayer\", \"config\": {\"name\": \"tfsm_layer\","
                        + " \"filepath\": \"saved_model_dir\", \"call_endpoint\": \"serving_default\"}, \"registered_name\": null}")
                + "}}";
        Path f = dir.resolve("wrapped.h5");
        KerasFiles.legacyModel(f, cfg, "3.3.3", Map.of());
        String m = message(f);
        assertTrue(m.startsWith("layer 'tfsm_layer' is a TFSMLayer; it wraps a TensorFlow SavedModel, and SavedModels are"
                + " not supported"), m);
        assertTrue(m.contains("model.save('model.keras')") && m.contains("ONNX"), m);
    }

    @Test
    void channelsFirstAndOtherUnsupportedOptions() {
        String cf = tf2("Conv2D", "conv2d", conv(2, 3, "valid", "relu").replace("channels_last", "channels_first"));
        assertEquals("layer 'conv2d' (Conv2D) uses data_format=channels_first; convscope reads channels_last models only"
                + " (the Keras default)", message(withLayer("cf.h5", cf, Map.of())));
        String sm = tf2("Softmax", "softmax", "\"axis\": 1");
        assertTrue(message(withLayer("sm.h5", sm, Map.of())).startsWith("layer 'softmax' (Softmax) takes the softmax over axis 1;"));
        String act = tf2("Activation", "act", "\"activation\": \"mish\"");
        assertTrue(message(withLayer("act.h5", act, Map.of())).startsWith("layer 'act' (Activation) uses activation 'mish',"));
        String causal = tf2("Conv2D", "c", conv(2, 3, "causal", "relu"));
        assertTrue(message(withLayer("causal.h5", causal, Map.of())).contains("padding='causal'"));
    }

    @Test
    void sharedLayer() {
        String cfg = "{\"class_name\": \"Functional\", \"config\": {\"name\": \"siamese\", \"layers\": " + list(
                k3FunctionalInput("a", "[null, 4]"), k3FunctionalInput("b", "[null, 4]"),
                k3("Dense", "shared", dense(2, "relu")).replaceFirst("\\}$", ", \"name\": \"shared\", \"inbound_nodes\": ["
                        + "{\"args\": [" + Cfgs.tensor("a") + "], \"kwargs\": {}}, {\"args\": [" + Cfgs.tensor("b")
                        + "], \"kwargs\": {}}]}"),
                k3f("Add", "add", "", "shared", "shared"))
                + ", \"input_layers\": [[\"a\", 0, 0], [\"b\", 0, 0]], \"output_layers\": [[\"add\", 0, 0]]}}";
        Path f = dir.resolve("siamese.h5");
        KerasFiles.legacyModel(f, cfg, "3.1.0", Map.of());
        assertEquals("layer 'shared' is applied 2 times (a shared layer); convscope needs every layer to be applied once",
                message(f));
    }

    @Test
    void badJsonAndZipProblems() throws IOException {
        Path f = dir.resolve("json.h5");
        KerasFiles.legacyModel(f, "{\"class_name\": \"Sequential\", \"config\": {", "2.15.0", Map.of());
        assertTrue(message(f).startsWith(f + ": model_config is not valid JSON"), message(f));

        Path weights = dir.resolve("w.h5");
        KerasFiles.v3Weights(weights, map("layers/dense", List.of(W.random("", 1, 4, 2))));
        Path noConfig = dir.resolve("noconfig.keras");
        try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(noConfig))) {
            z.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
            z.write("hi".getBytes());
            z.closeEntry();
        }
        assertEquals(noConfig + " is a zip file but not a Keras archive (it has no config.json)", message(noConfig));

        String cfg = "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": "
                + list(k3Input("input_layer", "[null, 4]"), k3("Dense", "dense", dense(2, "relu"))) + "}}";
        Path ok = dir.resolve("ok.keras");
        KerasFiles.kerasZip(ok, cfg, "3.5.0", weights);
        byte[] all = Files.readAllBytes(ok);
        Path cut = Files.write(dir.resolve("cut.keras"), Arrays.copyOf(all, all.length / 2));
        assertTrue(message(cut).contains("looks truncated or corrupt"), message(cut));

        String sub = "{\"module\": \"my_models\", \"class_name\": \"MyNet\", \"config\": {\"units\": 3}, \"registered_name\": \"Custom>MyNet\"}";
        Path subclassed = dir.resolve("sub.keras");
        KerasFiles.kerasZip(subclassed, sub, "3.5.0", weights);
        assertTrue(message(subclassed).startsWith("the model is a subclassed Keras model (MyNet)"), message(subclassed));
    }
}
