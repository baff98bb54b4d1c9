package io.convscope.keras;

import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.network.Preprocessing;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The real Keras 3.10 HDF5 fixture: Fashion-MNIST CNN (Sequential). */
class FmnistFixtureTest {
    private static final Path MODEL = Fixtures.fixture("models/fmnist-keras3/model.h5");
    private static final Path PROBS = Fixtures.fixture("models/fmnist-keras3/test_probs_first100.csv");
    private static final Path IMAGES = Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");

    private static void assumeFixture() {
        assumeTrue(Files.isRegularFile(MODEL), "shared fixture " + MODEL + " is absent; skipping the Keras 3 fixture test");
    }

    @Test
    void layersShapesAndParameterCount() {
        assumeFixture();
        Network net = KerasImporter.load(MODEL);
        assertEquals("sequential", net.name());
        assertEquals(Preprocessing.UNIT, net.preprocessing());
        assertEquals(List.of("input_layer", "conv2d", "max_pooling2d", "conv2d_1", "max_pooling2d_1", "conv2d_2",
                "dropout", "flatten", "dense", "dropout_1", "dense_1"), net.nodes().stream().map(Node::name).toList());
        assertEquals(List.of("InputLayer", "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Conv2D", "Dropout",
                "Flatten", "Dense", "Dropout", "Dense"), net.nodes().stream().map(n -> n.layer().type()).toList());
        assertEquals(List.of("(None, 28, 28, 1)", "(None, 26, 26, 32)", "(None, 13, 13, 32)", "(None, 11, 11, 64)",
                        "(None, 5, 5, 64)", "(None, 3, 3, 64)", "(None, 3, 3, 64)", "(None, 576)", "(None, 64)",
                        "(None, 64)", "(None, 10)"),
                net.nodes().stream().map(n -> n.outputShape().toKerasString()).toList());
        // conv 3·3·1·32+32, 3·3·32·64+64, 3·3·64·64+64; dense 576·64+64, 64·10+10
        long expected = 320 + 18496 + 36928 + 36928 + 650;
        assertEquals(93322, expected);
        assertEquals(expected, net.paramCount());
        assertEquals(List.of("dense_1"), net.outputs());
        assertArrayEquals(new int[] {32, 1, 3, 3}, net.node("conv2d").params().get("kernel").shape());
        assertArrayEquals(new int[] {64, 576}, net.node("dense").params().get("kernel").shape());
        // the only reader of flatten (through nothing) is a Dense: flatten channels-first, rows permuted
        assertFalse(((Layer.Flatten) net.node("flatten").layer()).channelsLast());
        assertEquals(0.25f, ((Layer.Identity) net.node("dropout").layer()).rate());
    }

    /** The imported weights reproduce Keras's softmax outputs for the first test images. */
    @Test
    @Tag("slow")
    void reproducesKerasProbabilities() throws IOException {
        assumeFixture();
        assumeTrue(Files.isRegularFile(PROBS), "fixture " + PROBS + " is absent; skipping");
        assumeTrue(Files.isRegularFile(IMAGES), "Fashion-MNIST (Debian dataset-fashion-mnist) is not installed; skipping");
        Network net = KerasImporter.load(MODEL);
        List<String> rows = Files.readAllLines(PROBS);
        int n = 100;
        float[][] images = readImages(IMAGES, n);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            float[] x = new float[784];
            for (int j = 0; j < 784; j++) {
                x[j] = net.preprocessing().apply(0, images[i][j]);
            }
            float[] probs = MiniForward.run(net, x).get("dense_1");
            double[] want = Arrays.stream(rows.get(i).split(",")).mapToDouble(Double::parseDouble).toArray();
            for (int k = 0; k < 10; k++) {
                worst = Math.max(worst, Math.abs(probs[k] - want[k]));
            }
        }
        assertTrue(worst <= 1e-4, "max abs difference to Keras's probabilities: " + worst);
    }

    private static float[][] readImages(Path gz, int count) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz)); DataInputStream d = new DataInputStream(in)) {
            assertEquals(2051, d.readInt());
            d.readInt();
            int rows = d.readInt();
            int cols = d.readInt();
            float[][] out = new float[count][rows * cols];
            byte[] buf = new byte[rows * cols];
            for (int i = 0; i < count; i++) {
                d.readFully(buf);
                for (int j = 0; j < buf.length; j++) {
                    out[i][j] = buf[j] & 0xff;
                }
            }
            return out;
        }
    }
}
