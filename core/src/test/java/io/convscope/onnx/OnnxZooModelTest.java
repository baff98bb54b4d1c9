package io.convscope.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.convscope.ConvscopeException;
import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import io.convscope.network.Preprocessing;
import io.convscope.util.Progress;
import io.convscope.zoo.ImageNetLabels;
import io.convscope.zoo.OnnxZooModel;
import io.convscope.zoo.WeightsFile;
import io.convscope.zoo.WeightsStore;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX Model Zoo entries: SHA-256 checked downloads from a server on 127.0.0.1 (never the
 * network), the zoo's URL layout, and the preprocessing and labels the entries carry.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OnnxZooModelTest {
    @TempDir
    Path root;

    private HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final List<String> requested = Collections.synchronizedList(new ArrayList<>());
    private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    private byte[] model;

    @BeforeEach
    void setUp() throws Exception {
        model = tinyClassifier();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            try (ex) {
                String path = ex.getRequestURI().getPath();
                requested.add(path);
                byte[] body = files.get(path);
                if (body == null) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
    }

    /** A 3-channel image → 1×1 convolution to 4 channels → global average → 4 logits. */
    private static byte[] tinyClassifier() {
        OnnxWriter w = new OnnxWriter().input("data", -1, 3, 224, 224).output("logits");
        w.init("W", new long[] {4, 3, 1, 1}, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1);
        w.node("Conv", "conv0", new String[] {"data", "W"}, new String[] {"c"},
                OnnxWriter.attr("kernel_shape", new long[] {1, 1}));
        w.node("GlobalAveragePool", "pool0", new String[] {"c"}, new String[] {"p"});
        w.node("Flatten", "flatten0", new String[] {"p"}, new String[] {"logits"});
        return w.build(7);
    }

    private String local() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    /** A store whose Keras base URL is a closed port: ONNX files must come from the ONNX base URL. */
    private WeightsStore store() {
        return new WeightsStore(root.resolve("cache"), root.resolve("keras"), "http://127.0.0.1:1/",
                Duration.ofSeconds(5), Duration.ofSeconds(5), warnings::add).withOnnxBaseUrl(local());
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void entriesArePinnedToTheZoosLfsObjects() {
        Pattern sha = Pattern.compile("[0-9a-f]{64}");
        for (OnnxZooModel m : OnnxZooModel.values()) {
            WeightsFile f = m.file();
            assertTrue(sha.matcher(f.hash()).matches(), m + " " + f.hash());
            assertEquals("SHA-256", f.algorithm());
            assertEquals(WeightsFile.Origin.ONNX_MODEL_ZOO, f.origin());
            assertTrue(f.path().startsWith("validated/vision/classification/") && f.path().endsWith("/" + f.fileName()),
                    f.path());
            assertTrue(f.approxBytes() > 1_000_000, m + " size");
            assertSame(Preprocessing.TORCH, m.preprocessing());
            assertSame(m, OnnxZooModel.find(m.id().toUpperCase(java.util.Locale.ROOT)));
        }
        WeightsStore real = WeightsStore.fromEnvironment(Map.of(), root);
        assertEquals("https://github.com/onnx/models/raw/main/validated/vision/classification/squeezenet/model/"
                + "squeezenet1.1-7.onnx", real.urlOf(OnnxZooModel.SQUEEZENET1_1.file()));
        assertEquals("9456373b67f04e4a9cb0bb9be984f0db2d0ad141582d84d4b4ad9e84f7ec7785",
                OnnxZooModel.SQUEEZENET1_1.file().hash());
        assertEquals(9_165_684L, OnnxZooModel.SQUEEZENET1_1.file().approxBytes());
        assertEquals("http://mirror/x/validated/vision/classification/mobilenet/model/mobilenetv2-7.onnx",
                WeightsStore.fromEnvironment(Map.of("CONVSCOPE_ONNX_URL", "http://mirror/x"), root)
                        .urlOf(OnnxZooModel.MOBILENET_V2.file()));
        // the Keras mirror variable does not move the ONNX files
        assertEquals(OnnxZooModel.ONNX_BASE_URL, WeightsStore.fromEnvironment(
                Map.of("CONVSCOPE_WEIGHTS_URL", "http://mirror/k/"), root).onnxBaseUrl());
    }

    @Test
    void downloadsFromTheOnnxBaseChecksSha256AndCaches() throws Exception {
        WeightsFile f = new WeightsFile("tiny-7.onnx", "validated/tiny/tiny-7.onnx", sha256(model), model.length,
                WeightsFile.Origin.ONNX_MODEL_ZOO);
        files.put("/validated/tiny/tiny-7.onnx", model);
        WeightsStore store = store();
        Path got = store.resolve(f, Progress.NONE);
        assertEquals(root.resolve("cache").resolve("tiny-7.onnx").toAbsolutePath(), got);
        assertEquals(sha256(model), WeightsStore.sha256(got));
        assertEquals(List.of("/validated/tiny/tiny-7.onnx"), requested);
        // a second resolve uses the cache; a copy in Keras's cache is never consulted for ONNX files
        Files.createDirectories(root.resolve("keras"));
        Files.write(root.resolve("keras").resolve("tiny-7.onnx"), new byte[] {1, 2, 3});
        assertEquals(got, store().resolve(f, Progress.NONE));
        assertEquals(1, requested.size());
        assertEquals(List.of(), warnings);
    }

    @Test
    void aFileWithAnotherSha256IsRefusedAndNotCached() {
        // the server has a different file at SqueezeNet's path: the published SHA-256 must refuse it
        files.put("/" + OnnxZooModel.SQUEEZENET1_1.file().path(), model);
        String m = assertThrows(ConvscopeException.class,
                () -> OnnxZooModel.SQUEEZENET1_1.load(store(), Progress.NONE)).getMessage();
        assertTrue(m.contains("SHA-256") && m.contains(OnnxZooModel.SQUEEZENET1_1.file().hash()), m);
        assertEquals(List.of("/validated/vision/classification/squeezenet/model/squeezenet1.1-7.onnx"), requested);
        assertTrue(!Files.exists(root.resolve("cache").resolve("squeezenet1.1-7.onnx")));
    }

    @Test
    void aFailedDownloadSaysWhereToPutTheFileNotKerasAdvice() {
        String m = assertThrows(ConvscopeException.class,
                () -> OnnxZooModel.MOBILENET_V2.load(store(), Progress.NONE)).getMessage();
        assertTrue(m.contains("HTTP 404") && m.contains("put it in " + root.resolve("cache").toAbsolutePath()), m);
        assertTrue(!m.contains("--weights") && !m.contains("keras"), m);
    }

    @Test
    void aZooModelCarriesItsPreprocessingAndLabels() throws Exception {
        Path file = root.resolve("squeezenet1.1-7.onnx");
        Files.write(file, model);
        Network net = OnnxZooModel.SQUEEZENET1_1.load(file);
        assertEquals("squeezenet1.1", net.name());
        assertEquals(Preprocessing.TORCH, net.preprocessing());
        assertEquals(ImageNetLabels.load(), net.labels());
        assertEquals("tench", net.labels().get(0));
    }

    @Test
    void theBuiltInPreprocessingAndLabelsClassifyTheFixture() throws Exception {
        // the SqueezeNet fixture is the zoo's network re-assembled (not the same bytes, so not its SHA-256):
        // read as the zoo entry, with nothing else given, it must call chelsea an Egyptian cat
        Path onnx = io.convscope.keras.Fixtures.fixture("models/squeezenet1.1/model.onnx");
        Path image = io.convscope.keras.Fixtures.fixture("images/chelsea.png");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(onnx) && Files.isRegularFile(image),
                "fixture absent: " + onnx);
        Network net = OnnxZooModel.SQUEEZENET1_1.load(onnx);
        io.convscope.image.ImageTensor t = io.convscope.image.ImageTensor.load(List.of(image), net.inputShape(),
                net.preprocessing(), io.convscope.image.Resize.IMAGENET);
        try (io.convscope.engine.Engine e = io.convscope.engine.Engine.create(net);
             ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            float[] p = e.predict(e.input(m, t.data(), t.n(), t.c(), t.h(), t.w()))[0];
            int best = 0;
            for (int i = 1; i < p.length; i++) {
                best = p[i] > p[best] ? i : best;
            }
            assertEquals("Egyptian cat", net.label(best));
        }
    }

    @Test
    void modelLoaderKnowsTheOnnxZooNames() {
        assertSame(OnnxZooModel.SQUEEZENET1_1, ModelLoader.Request.of("squeezenet1.1").onnxZoo());
        assertSame(OnnxZooModel.SQUEEZENET1_1, ModelLoader.Request.of("SqueezeNet1.1").onnxZoo());
        assertSame(OnnxZooModel.RESNET50_V2, ModelLoader.Request.of("resnet50v2-onnx").onnxZoo());
        assertSame(OnnxZooModel.MOBILENET_V2, ModelLoader.Request.of("mobilenetv2").onnxZoo());
        // the Keras model keeps its name
        assertEquals("resnet50v2", ModelLoader.Request.of("resnet50v2").zooName());
        assertNull(ModelLoader.Request.of("resnet50v2").onnxZoo());
        assertNull(ModelLoader.Request.of("model.onnx").onnxZoo());
        ModelLoader.check(ModelLoader.Request.of("squeezenet1.1")); // a name, not a missing file
        ModelLoader.Request none = new ModelLoader.Request("squeezenet1.1", "none", true, 224, 224);
        String m = io.convscope.Flagged.flags(assertThrows(ConvscopeException.class,
                () -> ModelLoader.loadOnnxZoo(none, store(), Progress.NONE)));
        assertTrue(m.startsWith("--weights none: squeezenet1.1 comes from the ONNX Model Zoo"), m);
        assertEquals(List.of(), requested);
        String unknown = assertThrows(ConvscopeException.class,
                () -> ModelLoader.check(ModelLoader.Request.of("squeezenet"))).getMessage();
        assertTrue(unknown.contains("squeezenet1.1"), unknown);
    }
}
