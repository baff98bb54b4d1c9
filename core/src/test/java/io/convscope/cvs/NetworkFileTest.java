package io.convscope.cvs;

import ai.djl.ndarray.NDManager;
import io.convscope.ConvscopeException;
import io.convscope.embedded.EmbeddedModel;
import io.convscope.engine.Engine;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.network.Padding;
import io.convscope.network.Preprocessing;
import io.convscope.network.TensorShape;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkFileTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void offline() {
        System.setProperty("ai.djl.offline", "true");
    }

    /** A network that uses nearly every layer type, several enums, nested records and a non-finite float. */
    static Network zoo() {
        return new Network.Builder("zoo").preprocessing(Preprocessing.TORCH).labels(List.of("a", "b", "c", "d", "e"))
                .input("image", TensorShape.chw(3, 8, 8))
                .add("rescale", new Layer.Rescaling(1f / 255, 0f), "image")
                .add("conv", new Layer.Conv2D(4, 3, 3, 1, 1, 1, 1, Padding.SAME, 1, true, Activation.RELU), "rescale")
                .add("bn", new Layer.BatchNorm(1e-3f, true, true), "conv")
                .add("dw", new Layer.DepthwiseConv2D(2, 3, 3, 1, 1, 1, 1, Padding.SAME, true, Activation.LINEAR), "bn")
                .add("sep", new Layer.SeparableConv2D(8, 1, 3, 3, 1, 1, 1, 1, Padding.SAME, false, Activation.SWISH), "dw")
                .add("add", new Layer.Merge(Layer.Merge.Op.ADD), "dw", "sep")
                .add("relu", new Layer.ReLU(Float.POSITIVE_INFINITY, 0.1f, 0f), "add")
                .add("leaky", new Layer.LeakyReLU(0.2f), "conv")
                .add("cat", new Layer.Concatenate(0), "relu", "leaky")
                .add("pad", new Layer.ZeroPadding2D(1, 2, 1, 0), "cat")
                .add("crop", new Layer.Cropping2D(1, 2, 1, 0), "pad")
                .add("convx", new Layer.Conv2D(12, 3, 3, 1, 1, 1, 1, Padding.explicit(1, 1, 1, 1), 2, false, Activation.TANH), "crop")
                .add("avg", new Layer.Pool2D(false, 2, 2, 2, 2, Padding.VALID, false, false), "convx")
                .add("up", new Layer.UpSampling2D(2, 2, true), "avg")
                .add("max", new Layer.Pool2D(true, 3, 3, 2, 2, Padding.SAME, false, false), "up")
                .add("drop", new Layer.Identity("Dropout", 0.25f), "max")
                .add("reshape", new Layer.Reshape(new int[] {4, 4, 12}), "drop")
                .add("avg2", new Layer.Merge(Layer.Merge.Op.AVERAGE), "drop", "reshape")
                .add("flat", new Layer.Flatten(true), "avg2")
                .add("dense", new Layer.Dense(5, true, Activation.LINEAR), "flat")
                .add("softmax", new Layer.Act("Softmax", Activation.SOFTMAX), "dense")
                // side outputs, saved and loaded but not run: the engine cannot run GlobalPool yet
                // (DJL's PyTorch mean/max take one axis only)
                .add("gap", new Layer.GlobalPool(false, false), "reshape")
                .add("gmp", new Layer.GlobalPool(true, true), "reshape")
                .outputs(List.of("softmax", "dense", "gap", "gmp"))
                .buildWithoutParams().withRandomParams(7);
    }

    static void assertSameStructure(Network a, Network b) {
        assertEquals(a.name(), b.name());
        assertEquals(a.preprocessing(), b.preprocessing());
        assertEquals(a.labels(), b.labels());
        assertEquals(a.inputs(), b.inputs());
        assertEquals(a.outputs(), b.outputs());
        assertEquals(a.nodes().size(), b.nodes().size());
        for (int i = 0; i < a.nodes().size(); i++) {
            Node x = a.nodes().get(i);
            Node y = b.nodes().get(i);
            assertEquals(x.name(), y.name());
            assertEquals(x.layer().getClass(), y.layer().getClass());
            // records holding arrays (Reshape) compare by reference, so compare their encodings
            assertEquals(NetworkFile.encode(x.layer()), NetworkFile.encode(y.layer()), x.name());
            assertEquals(x.inputs(), y.inputs());
            assertEquals(x.outputShape(), y.outputShape());
            assertEquals(x.params().keySet(), y.params().keySet());
            for (String p : x.params().keySet()) {
                assertArrayEquals(x.params().get(p).shape(), y.params().get(p).shape());
                assertArrayEquals(x.params().get(p).toArray(), y.params().get(p).toArray(), x.name() + "/" + p);
            }
        }
    }

    @Test
    @Tag("slow")
    void roundTripKeepsEveryLayerAndGivesIdenticalOutputs() {
        Network net = zoo();
        Path file = dir.resolve("zoo.cvs");
        NetworkFile.save(net, file);
        Network back = NetworkFile.load(file);
        assertSameStructure(net, back);
        assertEquals(Float.POSITIVE_INFINITY, ((Layer.ReLU) back.node("relu").layer()).maxValue());
        assertEquals(Padding.explicit(1, 1, 1, 1), ((Layer.Conv2D) back.node("convx").layer()).padding());

        float[] x = new float[2 * 3 * 8 * 8];
        Random r = new Random(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 255;
        }
        float[][] want = run(net, x);
        float[][] got = run(back, x);
        for (int i = 0; i < want.length; i++) {
            assertArrayEquals(want[i], got[i], 0f);
        }
        // and from a stream, as the embedded model is read
        try (var in = Files.newInputStream(file)) {
            assertSameStructure(net, NetworkFile.load(in));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static float[][] run(Network net, float[] x) {
        try (Engine e = Engine.create(net); NDManager m = e.manager().newSubManager()) {
            var out = e.forward(e.input(m, x, 2, 3, 8, 8), List.of("softmax", "dense"));
            return new float[][] {out.get("softmax").toFloatArray(), out.get("dense").toFloatArray()};
        }
    }

    @Test
    void anArchitectureWithoutWeightsRoundTrips() {
        Network arch = EmbeddedModel.architecture();
        Path file = dir.resolve("arch.cvs");
        NetworkFile.save(arch, file);
        Network back = NetworkFile.load(file);
        assertSameStructure(arch, back);
        assertFalse(back.hasWeights(), "no weights were saved, none come back");
        for (var n : back.nodes()) {
            assertTrue(n.params().isEmpty(), n.name());
        }
        // counts come from the layers' declarations, so they survive without weights
        assertEquals(arch.paramCount(), back.paramCount());
        assertEquals(arch.trainableParamCount(), back.trainableParamCount());
    }

    @Test
    void savingIsAtomicAndReplacesAnOldFile() throws IOException {
        Path file = dir.resolve("sub/model.cvs");
        NetworkFile.save(EmbeddedModel.architecture(), file);
        NetworkFile.save(zoo(), file);
        assertEquals("zoo", NetworkFile.load(file).name());
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
        if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
            assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
    }

    @Test
    void theWeightsAreLittleEndianFloatsInNodeOrder() throws IOException {
        Network net = zoo();
        Path file = dir.resolve("zoo.cvs");
        NetworkFile.save(net, file);
        byte[] weights = entries(Files.readAllBytes(file))[1];
        assertEquals(net.paramCount() * 4, weights.length);
        var conv = net.node("conv").params().get("kernel");
        // "conv" is the first node with parameters and "kernel" its first parameter
        var buf = java.nio.ByteBuffer.wrap(weights).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < conv.size(); i++) {
            assertEquals(conv.get(i), buf.getFloat());
        }
    }

    @Test
    void damagedFilesFailWithOneLine() throws IOException {
        Path good = dir.resolve("zoo.cvs");
        NetworkFile.save(zoo(), good);
        byte[] bytes = Files.readAllBytes(good);
        byte[][] parts = entries(bytes);

        assertOneLineError(Arrays.copyOf(bytes, bytes.length / 2), "damaged or truncated");
        assertOneLineError(Arrays.copyOf(bytes, 40), "");
        assertOneLineError("hello, not a model".getBytes(StandardCharsets.UTF_8), "not a convscope model file");
        assertOneLineError(zip(parts[0], null), "no weights.bin");
        assertOneLineError(zip(parts[0], Arrays.copyOf(parts[1], parts[1].length - 4)), "ends inside");
        assertOneLineError(zip(parts[0], Arrays.copyOf(parts[1], parts[1].length + 8)), "8 bytes more");
        String json = new String(parts[0], StandardCharsets.UTF_8);
        assertOneLineError(zip(json.replace("\"SeparableConv2D\"", "\"FancyConv\"").getBytes(StandardCharsets.UTF_8), parts[1]),
                "FancyConv");
        assertOneLineError(zip(json.substring(0, json.length() / 2).getBytes(StandardCharsets.UTF_8), parts[1]),
                "invalid network.json");
        assertOneLineError(zip(json.replace("\"RELU\"", "\"WIGGLE\"").getBytes(StandardCharsets.UTF_8), parts[1]),
                "invalid network.json");

        ConvscopeException missing = assertThrows(ConvscopeException.class, () -> NetworkFile.load(dir.resolve("nope.cvs")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }

    void assertOneLineError(byte[] file, String expected) throws IOException {
        Path p = dir.resolve("bad.cvs");
        Files.write(p, file);
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> NetworkFile.load(p));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("bad.cvs"), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        ConvscopeException s = assertThrows(ConvscopeException.class, () -> NetworkFile.load(new ByteArrayInputStream(file)));
        assertFalse(s.getMessage().contains("\n"), s.getMessage());
    }

    static byte[][] entries(byte[] file) throws IOException {
        byte[][] out = new byte[2][];
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(file))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                out[e.getName().equals(NetworkFile.JSON_ENTRY) ? 0 : 1] = zip.readAllBytes();
            }
        }
        return out;
    }

    static byte[] zip(byte[] json, byte[] weights) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry(NetworkFile.JSON_ENTRY));
            zip.write(json);
            zip.closeEntry();
            if (weights != null) {
                zip.putNextEntry(new ZipEntry(NetworkFile.WEIGHTS_ENTRY));
                zip.write(weights);
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }
}
