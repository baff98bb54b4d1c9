package io.convscope.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.convscope.ConvscopeException;
import io.convscope.engine.Engine;
import io.convscope.keras.Fixtures;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.convscope.onnx.OnnxWriter.attr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Importer behaviour on graphs written by the test: gradients, folding, names, errors. */
class OnnxImporterTest {

    static String[] s(String... v) {
        return v;
    }

    static long[] d(long... v) {
        return v;
    }

    static float[] random(SplittableRandom r, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return v;
    }

    /** A graph through many of the ONNX-only layers, ending in a PyTorch-style flatten and a Gemm. */
    static byte[] mixedModel() {
        SplittableRandom r = new SplittableRandom(7);
        OnnxWriter w = new OnnxWriter().input("x", -1, 2, 6, 6).output("y");
        w.initInts("pads", d(8), 0, 0, 1, 1, 0, 0, 1, 1);
        w.node("Pad", "pad", s("x", "pads"), s("p"), attr("mode", "reflect"));
        w.init("W", d(4, 2, 3, 3), random(r, 72, 0.5)).init("B", d(4), random(r, 4, 0.1));
        w.node("Conv", "conv", s("p", "W", "B"), s("c"), attr("kernel_shape", d(3, 3)));
        w.init("in_s", d(4), 1.2f, 0.8f, 1f, 1.1f).init("in_b", d(4), 0.1f, -0.1f, 0.2f, 0f);
        w.node("InstanceNormalization", "inorm", s("c", "in_s", "in_b"), s("n"));
        w.init("slope", d(4, 1, 1), 0.1f, 0.2f, 0.3f, 0.25f);
        w.node("PRelu", "prelu", s("n", "slope"), s("pr"));
        w.node("LRN", "lrn", s("pr"), s("l"), attr("size", 3), attr("alpha", 0.01f));
        w.init("WT", d(4, 3, 2, 2), random(r, 48, 0.5));
        w.node("ConvTranspose", "deconv", s("l", "WT"), s("t"), attr("strides", d(2, 2)));
        w.node("MaxPool", "pool", s("t"), s("m"), attr("kernel_shape", d(2, 2)), attr("strides", d(2, 2)));
        w.init("roi", d(0)).init("scales", d(4), 1f, 1f, 0.5f, 0.5f);
        w.node("Resize", "resize", s("m", "roi", "scales"), s("rs"), attr("mode", "linear"));
        w.node("Transpose", "transpose", s("rs"), s("tr"), attr("perm", d(0, 1, 3, 2)));
        w.node("Constant", "k_const", s(), s("k"), attr("value_floats", new float[] {1.5f}));
        w.node("Mul", "scale", s("tr", "k"), s("mu"));
        w.node("Elu", "", s("mu"), s("elu"));
        // PyTorch's x.view(x.size(0), -1)
        w.node("Shape", "shape", s("elu"), s("sh"));
        w.initInts("zero", d(), 0);
        w.node("Gather", "gather", s("sh", "zero"), s("n0"), attr("axis", 0));
        w.initInts("ax0", d(1), 0);
        w.node("Unsqueeze", "unsq", s("n0", "ax0"), s("n1"));
        w.initInts("minus1", d(1), -1);
        w.node("Concat", "cat", s("n1", "minus1"), s("target"), attr("axis", 0));
        w.node("Reshape", "flatten", s("elu", "target"), s("f"));
        w.init("G", d(5, 27), random(r, 135, 0.3)).init("C", d(5), random(r, 5, 0.1));
        w.node("Gemm", "fc", s("f", "G", "C"), s("g"), attr("transB", 1));
        w.node("Tanh", "out", s("g"), s("y"));
        return w.build(13);
    }

    @Test
    void mixedGraphImportsWithOnnxNamesAndFoldsTheShapeChain() {
        Network net = OnnxImporter.load(mixedModel(), null, "mixed", "mixed.onnx", Map.of());
        List<String> names = net.nodes().stream().map(n -> n.name()).toList();
        assertEquals(List.of("x", "pad", "conv", "inorm", "prelu", "lrn", "deconv", "pool", "resize", "transpose", "scale",
                "elu", "flatten", "fc", "out"), names);
        assertInstanceOf(Layer.Conv2D.class, net.node("conv").layer());
        assertInstanceOf(Layer.Pool2D.class, net.node("pool").layer());
        assertInstanceOf(Layer.View.class, net.node("flatten").layer());
        assertEquals(27, net.node("flatten").outputShape().dim(0));
        assertEquals(5, net.outputShape().dim(0));
    }

    @Test
    void everyOnnxLayerSurvivesTheNetworkFile(@TempDir Path tmp) {
        Network net = OnnxImporter.load(mixedModel(), null, "mixed", "mixed.onnx", Map.of());
        Path file = tmp.resolve("mixed.cvs");
        io.convscope.cvs.NetworkFile.save(net, file);
        Network back = io.convscope.cvs.NetworkFile.load(file);
        float[] x = random(new SplittableRandom(9), 2 * 2 * 6 * 6, 1.0);
        try (Engine a = Engine.create(net); Engine b = Engine.create(back); NDManager m = NDManager.newBaseManager()) {
            for (io.convscope.network.Node n : net.nodes()) {
                assertEquals(n.layer().toString().replaceAll("@[0-9a-f]+", ""), back.node(n.name()).layer().toString().replaceAll("@[0-9a-f]+", ""));
            }
            float[] ya = a.forward(m.create(x, new Shape(2, 2, 6, 6)), List.of("out")).get("out").toFloatArray();
            float[] yb = b.forward(m.create(x, new Shape(2, 2, 6, 6)), List.of("out")).get("out").toFloatArray();
            assertEquals(boxed(ya), boxed(yb));
        }
    }

    @Test
    @Tag("slow")
    void gradientsThroughTheImportedGraphMatchFiniteDifferences() {
        Network net = OnnxImporter.load(mixedModel(), null, "mixed", "mixed.onnx", Map.of());
        checkGradient(net, new long[] {2, 2, 6, 6}, 48, 1e-3f);
    }

    @Test
    @Tag("slow")
    void gradientsThroughMnist8MatchFiniteDifferences() {
        Path f = Fixtures.fixture("models/mnist-8/model.onnx");
        Assumptions.assumeTrue(Files.isRegularFile(f), "fixture absent: " + f);
        checkGradient(OnnxImporter.load(f), new long[] {1, 1, 28, 28}, 24, 1e-3f);
    }

    /** d/dx sum(out · r) from the engine against central differences at {@code checks} input positions. */
    static void checkGradient(Network net, long[] shape, int checks, float eps) {
        SplittableRandom rnd = new SplittableRandom(3);
        int size = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float[] x = random(rnd, size, 1.0);
        String out = net.outputs().get(0);
        try (Engine e = Engine.create(net); NDManager m = NDManager.newBaseManager()) {
            long outSize = e.forward(m.create(x, new Shape(shape)), List.of(out)).get(out).size();
            float[] weights = random(rnd, (int) outSize, 1.0);
            NDArray wv = m.create(weights);
            Engine.Gradient g = e.inputGradient(m.create(x, new Shape(shape)), List.of(out),
                    t -> t.get(out).reshape(-1).mul(wv).sum());
            float[] grad = g.gradient().toFloatArray();
            double maxGrad = 0;
            for (float v : grad) {
                maxGrad = Math.max(maxGrad, Math.abs(v));
            }
            assertTrue(maxGrad > 1e-4, "gradient is zero");
            int stride = Math.max(1, size / checks);
            double worst = 0;
            for (int i = 0; i < size; i += stride) {
                float[] plus = x.clone();
                float[] minus = x.clone();
                plus[i] += eps;
                minus[i] -= eps;
                double fp = objective(e, m, plus, shape, out, weights);
                double fm = objective(e, m, minus, shape, out, weights);
                double fd = (fp - fm) / (2 * eps);
                worst = Math.max(worst, Math.abs(fd - grad[i]));
                assertEquals(fd, grad[i], 2e-2 * maxGrad + 1e-4, "input " + i);
            }
            System.out.printf("%s: gradient vs finite differences: worst |diff| %.2e (max |grad| %.2e)%n", net.name(), worst, maxGrad);
        }
    }

    static double objective(Engine e, NDManager m, float[] x, long[] shape, String out, float[] w) {
        try (NDManager step = m.newSubManager()) {
            float[] y = e.forward(step.create(x, new Shape(shape)), List.of(out)).get(out).toFloatArray();
            double s = 0;
            for (int i = 0; i < y.length; i++) {
                s += (double) y[i] * w[i];
            }
            return s;
        }
    }

    @Test
    void preprocessingComesFromTheFilesMetadataOrIsUndeclared() {
        java.util.function.Function<OnnxWriter, Network> load = w -> OnnxImporter.load(
                w.input("x", 1, 3, 4, 4).output("y").node("Relu", "r", s("x"), s("y")).build(13), null, "m", "m.onnx", Map.of());
        Network none = load.apply(new OnnxWriter());
        assertEquals(io.convscope.network.Preprocessing.UNDECLARED, none.preprocessing());
        assertFalse(none.preprocessing().declared());
        Network torch = load.apply(new OnnxWriter().metadata("convscope.preprocess", "torch"));
        assertEquals(io.convscope.network.Preprocessing.TORCH, torch.preprocessing());
        assertTrue(torch.preprocessing().declared());
        // Windows ML's image metadata: [-1, 1] is tf's x / 127.5 − 1; Bgr8 the channel order
        Network winml = load.apply(new OnnxWriter().metadata("Image.BitmapPixelFormat", "Bgr8")
                .metadata("Image.NominalPixelRange", "Normalized_1_1"));
        io.convscope.network.Preprocessing p = winml.preprocessing();
        assertTrue(p.bgr() && p.declared(), p.toString());
        assertEquals(-1f, p.apply(0, 0f), 1e-6);
        assertEquals(1f, p.apply(0, 255f), 1e-6);
        Network unit = load.apply(new OnnxWriter().metadata("Image.NominalPixelRange", "Normalized_0_1"));
        assertEquals(io.convscope.network.Preprocessing.UNIT, unit.preprocessing());
        // a value convscope does not know is no declaration
        assertFalse(load.apply(new OnnxWriter().metadata("Image.NominalPixelRange", "NominalRange_16_235")).preprocessing().declared());
    }

    @Test
    void unsupportedOperatorNamesNodeOpAndOpset() {
        byte[] model = new OnnxWriter().input("x", 1, 3).output("y")
                .node("Relu", "first", s("x"), s("r"))
                .node("Erf", "my_erf", s("r"), s("y")).build(13);
        OnnxUnsupportedException e = assertThrows(OnnxUnsupportedException.class,
                () -> OnnxImporter.load(model, null, "m", "m.onnx", Map.of()));
        String msg = e.getMessage();
        assertTrue(msg.contains("node 'my_erf'") && msg.contains("(Erf, opset 13)"), msg);
        assertTrue(msg.contains("supported: ") && msg.contains("Conv") && msg.contains("Resize"), msg);
        assertFalse(msg.contains("\n"), msg);
    }

    @Test
    void batchMixingOperationsAreReportedNotRun() {
        byte[] model = new OnnxWriter().input("x", 2, 3, 4).output("y")
                .node("ReduceMean", "mean_all", s("x"), s("y"), attr("keepdims", 0)).build(13);
        OnnxUnsupportedException e = assertThrows(OnnxUnsupportedException.class,
                () -> OnnxImporter.load(model, null, "m", "m.onnx", Map.of()));
        assertTrue(e.getMessage().contains("batch axis"), e.getMessage());
        // whole-tensor mode runs it exactly
        Network whole = OnnxImporter.load(model, null, "m", "m.onnx", Map.of(), true);
        try (Engine eng = Engine.create(whole); NDManager m = NDManager.newBaseManager()) {
            float[] x = new float[24];
            for (int i = 0; i < 24; i++) {
                x[i] = i;
            }
            NDArray y = eng.forward(m.create(x, new Shape(1, 2, 3, 4)), List.of("mean_all")).get("mean_all");
            assertEquals(11.5f, y.toFloatArray()[0], 1e-6f);
        }
    }

    @Test
    void channelsLastImageInputBecomesChannelsFirst() {
        SplittableRandom r = new SplittableRandom(11);
        float[] k = random(r, 4 * 3 * 3 * 3, 0.5);
        byte[] nhwc = new OnnxWriter().input("img", 1, 8, 8, 3).output("y")
                .init("K", d(4, 3, 3, 3), k)
                .node("Transpose", "to_nchw", s("img"), s("t"), attr("perm", d(0, 3, 1, 2)))
                .node("Conv", "conv", s("t", "K"), s("y"), attr("pads", d(1, 1, 1, 1))).build(13);
        byte[] nchw = new OnnxWriter().input("img", 1, 3, 8, 8).output("y")
                .init("K", d(4, 3, 3, 3), k)
                .node("Conv", "conv", s("img", "K"), s("y"), attr("pads", d(1, 1, 1, 1))).build(13);
        Network a = OnnxImporter.load(nhwc, null, "a", "a.onnx", Map.of());
        Network b = OnnxImporter.load(nchw, null, "b", "b.onnx", Map.of());
        assertEquals(io.convscope.network.TensorShape.chw(3, 8, 8), a.inputShape());
        float[] x = random(r, 3 * 64, 1.0);
        try (Engine ea = Engine.create(a); Engine eb = Engine.create(b); NDManager m = NDManager.newBaseManager()) {
            float[] ya = ea.forward(m.create(x, new Shape(1, 3, 8, 8)), List.of("conv")).get("conv").toFloatArray();
            float[] yb = eb.forward(m.create(x, new Shape(1, 3, 8, 8)), List.of("conv")).get("conv").toFloatArray();
            assertEquals(boxed(yb), boxed(ya));
        }
    }

    /** x.view(x.size(0), -1) after a global pool, in a model that takes any image size. */
    static byte[] anySizeModel(long gatherIndex) {
        SplittableRandom r = new SplittableRandom(5);
        return new OnnxWriter().input("x", -1, 3, -1, -1).output("y")
                .init("K", d(4, 3, 3, 3), random(r, 108, 0.5))
                .node("Conv", "conv", s("x", "K"), s("c"), attr("pads", d(1, 1, 1, 1)))
                .node("GlobalAveragePool", "gap", s("c"), s("g"))
                .node("Shape", "shape", s("c"), s("sh"))
                .initInts("i", d(), gatherIndex)
                .node("Gather", "gather", s("sh", "i"), s("n0"), attr("axis", 0))
                .node("Unsqueeze", "unsq", s("n0"), s("n1"), attr("axes", d(0)))
                .initInts("minus1", d(1), -1)
                .node("Concat", "cat", s("n1", "minus1"), s("target"), attr("axis", 0))
                .node("Reshape", "flatten", s("g", "target"), s("y")).build(11);
    }

    @Test
    void shapeChainsFoldWhenOnlyTheBatchSizeIsUsed() {
        Network net = OnnxImporter.load(anySizeModel(0), null, "any", "any.onnx", Map.of());
        assertEquals(io.convscope.network.TensorShape.chw(3, -1, -1), net.inputShape());
        assertEquals(io.convscope.network.TensorShape.of(4), net.outputShape());
        try (Engine e = Engine.create(net); NDManager m = NDManager.newBaseManager()) {
            NDArray y = e.forward(m.create(new float[2 * 3 * 10 * 7], new Shape(2, 3, 10, 7)), List.of("flatten")).get("flatten");
            assertEquals(new Shape(2, 4), y.getShape());
        }
        // the image height is known only at run time: reported, not guessed
        OnnxUnsupportedException ex = assertThrows(OnnxUnsupportedException.class,
                () -> OnnxImporter.load(anySizeModel(2), null, "any", "any.onnx", Map.of()));
        assertTrue(ex.getMessage().contains("node 'flatten' (Reshape, opset 11)") && ex.getMessage().contains("run time"), ex.getMessage());
    }

    @Test
    void upsamplingSizesComputedFromTheShapeFold() {
        // PyTorch's F.interpolate(x, scale_factor=2): sizes = concat(shape[0:2], floor(shape[2:4] * 2))
        OnnxWriter w = new OnnxWriter().input("x", -1, 2, 3, 4).output("y");
        w.node("Shape", "shape", s("x"), s("sh"));
        w.initInts("s0", d(1), 0).initInts("s2", d(1), 2).initInts("s4", d(1), 4);
        w.node("Slice", "head", s("sh", "s0", "s2"), s("nc"));
        w.node("Slice", "tail", s("sh", "s2", "s4"), s("hw"));
        w.node("Cast", "to_float", s("hw"), s("hwf"), attr("to", (long) OnnxProto.FLOAT));
        w.init("two", d(2), 2f, 2f);
        w.node("Mul", "times2", s("hwf", "two"), s("hw2"));
        w.node("Floor", "floor", s("hw2"), s("hw2f"));
        w.node("Cast", "to_int", s("hw2f"), s("hw2i"), attr("to", (long) OnnxProto.INT64));
        w.node("Concat", "sizes", s("nc", "hw2i"), s("sz"), attr("axis", 0));
        w.initInts("zero_len", d(1), 0);
        w.node("ConstantOfShape", "roi", s("zero_len"), s("r"));
        w.node("Resize", "up", s("x", "r", "", "sz"), s("y"), attr("mode", "nearest"));
        Network net = OnnxImporter.load(w.build(13), null, "up", "up.onnx", Map.of());
        assertEquals(io.convscope.network.TensorShape.of(2, 6, 8), net.outputShape());
        float[] x = new float[2 * 2 * 3 * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        try (Engine e = Engine.create(net); NDManager m = NDManager.newBaseManager()) {
            NDArray in = m.create(x, new Shape(2, 2, 3, 4));
            NDArray y = e.forward(in, List.of("up")).get("up");
            assertEquals(new Shape(2, 2, 6, 8), y.getShape());
            float[] want = in.repeat(2, 2).repeat(3, 2).toFloatArray();
            assertEquals(boxed(want), boxed(y.toFloatArray()));
        }
    }

    @Test
    void unusedExtraOutputsAreIgnoredUsedOnesReported() {
        byte[] unused = new OnnxWriter().input("x", 1, 3).output("y")
                .node("Dropout", "drop", s("x"), s("d", "mask"), attr("ratio", 0.3f))
                .node("Relu", "relu", s("d"), s("y")).build(10);
        Network net = OnnxImporter.load(unused, null, "m", "m.onnx", Map.of());
        assertEquals(new Layer.Identity("Dropout", 0.3f), net.node("drop").layer());
        byte[] used = new OnnxWriter().input("x", 1, 3).output("y").output("mask")
                .node("Dropout", "drop", s("x"), s("y", "mask")).build(10);
        OnnxUnsupportedException e = assertThrows(OnnxUnsupportedException.class,
                () -> OnnxImporter.load(used, null, "m", "m.onnx", Map.of()));
        assertTrue(e.getMessage().contains("output 2 ('mask')"), e.getMessage());
    }

    @Test
    void truncatedOrCorruptFileIsOneLine(@TempDir Path tmp) throws IOException {
        byte[] good = mixedModel();
        Path cut = tmp.resolve("cut.onnx");
        Files.write(cut, Arrays.copyOf(good, good.length / 2));
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> OnnxImporter.load(cut));
        assertTrue(e.getMessage().contains("cut.onnx") && e.getMessage().contains("truncated or corrupt"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        Path junk = tmp.resolve("junk.onnx");
        Files.write(junk, new byte[] {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 1, 2, 3});
        ConvscopeException j = assertThrows(ConvscopeException.class, () -> OnnxImporter.load(junk));
        assertFalse(j.getMessage().contains("\n"), j.getMessage());
    }

    static byte[] externalModel() {
        return new OnnxWriter().input("x", 1, 2).output("y")
                .initExternal("w", d(2, 3), "weights.bin", 8, 24)
                .node("MatMul", "mm", s("x", "w"), s("y")).build(13);
    }

    @Test
    void externalDataIsReadAtItsOffset(@TempDir Path tmp) throws IOException {
        Path model = tmp.resolve("ext.onnx");
        Files.write(model, externalModel());
        byte[] data = new byte[8 + 24];
        System.arraycopy(OnnxWriter.floatsLE(1, 2, 3, 4, 5, 6), 0, data, 8, 24);
        Files.write(tmp.resolve("weights.bin"), data);
        Network net = OnnxImporter.load(model);
        assertEquals(List.of(1f, 2f, 3f, 4f, 5f, 6f), boxed(net.node("mm").params().get("b").toArray()));
        try (Engine e = Engine.create(net); NDManager m = NDManager.newBaseManager()) {
            float[] y = e.forward(m.create(new float[] {1, 10}, new Shape(1, 2)), List.of("mm")).get("mm").toFloatArray();
            assertEquals(List.of(41f, 52f, 63f), boxed(y));
        }
    }

    @Test
    void missingExternalDataIsOneLine(@TempDir Path tmp) throws IOException {
        Path model = tmp.resolve("ext.onnx");
        Files.write(model, externalModel());
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> OnnxImporter.load(model));
        assertTrue(e.getMessage().contains("'weights.bin'") && e.getMessage().contains("not found"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        Files.write(tmp.resolve("weights.bin"), new byte[10]);
        ConvscopeException shortFile = assertThrows(ConvscopeException.class, () -> OnnxImporter.load(model));
        assertTrue(shortFile.getMessage().contains("too short"), shortFile.getMessage());
    }

    static List<Float> boxed(float[] v) {
        Float[] b = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = v[i];
        }
        return List.of(b);
    }
}
