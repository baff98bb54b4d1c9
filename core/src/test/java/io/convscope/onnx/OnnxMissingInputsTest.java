package io.convscope.onnx;

import io.convscope.ConvscopeException;
import io.convscope.keras.Fixtures;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.convscope.onnx.OnnxWriter.attr;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Valid protobuf whose operators were swapped for others that need more inputs or attributes
 * (issue 13, item 3): each is one line that names the node, its operator and what is missing —
 * before, these were NullPointerExceptions inside the importer.
 */
class OnnxMissingInputsTest {

    /** x → Relu → MaxPool → Reshape(batch, -1): one node of each type the issue swapped. */
    static byte[] tiny(long opset) {
        return new OnnxWriter().input("x", 1, 3, 8, 8).output("y")
                .node("Relu", "relu", OnnxImporterTest.s("x"), OnnxImporterTest.s("r"))
                .node("MaxPool", "pool", OnnxImporterTest.s("r"), OnnxImporterTest.s("p"),
                        attr("kernel_shape", OnnxImporterTest.d(2, 2)), attr("strides", OnnxImporterTest.d(2, 2)))
                .initInts("shape", OnnxImporterTest.d(2), 1, -1)
                .node("Reshape", "reshape", OnnxImporterTest.s("p", "shape"), OnnxImporterTest.s("y"))
                .build(opset);
    }

    static String error(byte[] model) {
        ConvscopeException e = assertThrows(ConvscopeException.class,
                () -> OnnxImporter.load(model, null, "m", "m.onnx", Map.of()));
        assertNotNull(e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void theUnswappedModelImports() {
        assertNotNull(OnnxImporter.load(tiny(13), null, "m", "m.onnx", Map.of()));
    }

    @Test
    void maxPoolSwappedForConvNamesTheMissingKernel() {
        String m = error(OnnxSurgery.swapFirst(tiny(13), "MaxPool", "Conv"));
        assertTrue(m.endsWith("node 'pool' (Conv, opset 13): input W missing"), m);
    }

    @Test
    void reshapeSwappedForBatchNormalizationNamesTheMissingInput() {
        String m = error(OnnxSurgery.swapFirst(tiny(13), "Reshape", "BatchNormalization"));
        assertTrue(m.endsWith("node 'reshape' (BatchNormalization, opset 13): input B missing"), m);
    }

    @Test
    void reluSwappedForUpsampleNamesTheMissingScales() {
        String m = error(OnnxSurgery.swapFirst(tiny(13), "Relu", "Upsample"));
        assertTrue(m.endsWith("node 'relu' (Upsample, opset 13): input scales missing"), m);
        // before opset 9 the scales are an attribute
        String old = error(OnnxSurgery.swapFirst(tiny(8), "Relu", "Upsample"));
        assertTrue(old.endsWith("node 'relu' (Upsample, opset 8): attribute scales missing"), old);
    }

    @Test
    void missingFirstInputIsNamedToo() {
        byte[] noInput = OnnxSurgery.editNodes(tiny(13), (i, n) -> n.opType().equals("Relu") ? n.without(1, 0) : n);
        String m = error(noInput);
        assertTrue(m.contains("node 'relu' (Relu, opset 13): input X missing"), m);
    }

    /** The same three swaps in the SqueezeNet fixture, where it has those operators. */
    @Test
    void swapsInTheSqueezeNetFixture() throws IOException {
        Path f = Fixtures.fixture("models/squeezenet1.1/model.onnx");
        Assumptions.assumeTrue(Files.isRegularFile(f), "fixture absent: " + f);
        byte[] bytes = Files.readAllBytes(f);
        String[][] swaps = {{"MaxPool", "Conv", "input W missing"}, {"Reshape", "BatchNormalization", "missing"},
            {"Relu", "Upsample", "scales missing"}};
        int done = 0;
        for (String[] s : swaps) {
            if (OnnxSurgery.nodes(bytes).stream().noneMatch(n -> n.opType().equals(s[0]))) {
                continue;
            }
            String m = error(OnnxSurgery.swapFirst(bytes, s[0], s[1]));
            assertTrue(m.contains("(" + s[1] + ", opset ") && m.endsWith(s[2]), m);
            done++;
        }
        assertTrue(done >= 2, "the fixture has too few of the swapped operators");
    }
}
