package io.convscope.onnx;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.convscope.onnx.OnnxImporterTest.s;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The operator table: the supported list, the opsets read and the messages all come from it. */
class OperatorsTest {
    /** The hand-kept list before the table (ConstantOfShape was folded but missing from it). */
    static final Set<String> OLD_SUPPORTED = Set.of("Abs", "Add", "AveragePool", "BatchNormalization", "Cast",
            "Ceil", "Clip", "Concat", "Constant", "Conv", "ConvTranspose", "Div", "Dropout", "Elu", "Exp", "Flatten",
            "Floor", "Gather", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "HardSigmoid", "HardSwish", "Identity",
            "InstanceNormalization", "LRN", "LeakyRelu", "Log", "LogSoftmax", "MatMul", "Max", "MaxPool", "Min", "Mul",
            "Neg", "PRelu", "Pad", "Pow", "Reciprocal", "ReduceMax", "ReduceMean", "ReduceMin", "ReduceSum", "Relu",
            "Reshape", "Resize", "Selu", "Shape", "Sigmoid", "Slice", "Softmax", "Softplus", "Softsign", "Sqrt",
            "Squeeze", "Sub", "Sum", "Tanh", "Transpose", "Unsqueeze", "Upsample");

    /** The hand-kept list of operators read before opset 7. */
    static final Set<String> OLD_LEGACY_SAFE = Set.of("Abs", "Add", "AveragePool", "Ceil", "Clip", "Constant", "Conv", "Div",
            "Elu", "Exp", "Flatten", "Floor", "GlobalAveragePool", "GlobalMaxPool", "HardSigmoid", "Identity",
            "InstanceNormalization", "LRN", "LeakyRelu", "Log", "LogSoftmax", "MatMul", "Max", "MaxPool", "Min", "Mul", "Neg",
            "Reciprocal", "Relu", "Selu", "Sigmoid", "Softmax", "Softplus", "Softsign", "Sqrt", "Sub", "Sum", "Tanh",
            "Transpose");

    @Test
    void supportedListIsTheTableSortedAndNowHasConstantOfShape() {
        List<String> sorted = new ArrayList<>(new TreeSet<>(OnnxImporter.SUPPORTED));
        assertEquals(sorted, OnnxImporter.SUPPORTED);
        Set<String> expected = new TreeSet<>(OLD_SUPPORTED);
        expected.add("ConstantOfShape");
        assertEquals(expected, new TreeSet<>(OnnxImporter.SUPPORTED));
        for (String op : OnnxImporter.SUPPORTED) {
            assertTrue(Operators.converter(op) != null || Operators.folder(op) != null, op);
            assertNotNull(Operators.type(op), op);
        }
    }

    @Test
    void operatorsReadBeforeOpset7AreTheOldLegacyList() {
        Set<String> legacy = new TreeSet<>();
        for (String op : OnnxImporter.SUPPORTED) {
            if (Operators.readsBefore(op, 6)) {
                legacy.add(op);
            }
        }
        assertEquals(new TreeSet<>(OLD_LEGACY_SAFE), legacy);
        byte[] conv = new OnnxWriter().input("x", 1, 1, 4, 4).output("y")
                .init("W", OnnxImporterTest.d(2, 1, 3, 3), new float[18])
                .node("Conv", "conv", s("x", "W"), s("y")).build(6);
        assertDoesNotThrow(() -> OnnxImporter.load(conv, null, "m", "m.onnx", Map.of()));
        byte[] reshape = new OnnxWriter().input("x", 1, 4).output("y")
                .node("Reshape", "r", s("x"), s("y"), OnnxWriter.attr("shape", OnnxImporterTest.d(1, 2, 2))).build(6);
        OnnxUnsupportedException e = assertThrows(OnnxUnsupportedException.class,
                () -> OnnxImporter.load(reshape, null, "m", "m.onnx", Map.of()));
        assertTrue(e.getMessage().contains("before opset 7"), e.getMessage());
    }

    @Test
    void unsupportedMessageListsTheTable() {
        String m = Operators.unsupportedMessage("Erf");
        assertEquals("operator Erf is not supported; supported: " + String.join(", ", OnnxImporter.SUPPORTED), m);
    }

    @Test
    void inputNamesComeFromTheDeclarations() {
        assertEquals("W", Operators.type("Conv").inputName(1));
        assertEquals("input_var", Operators.type("BatchNormalization").inputName(4));
        assertEquals("7", Operators.type("Relu").inputName(7));
    }

    @Test
    void foldOnlyOperatorOnARunTimeInputSaysSo() {
        byte[] model = new OnnxWriter().input("x", 1, 3).output("y")
                .node("ConstantOfShape", "cos", s("x"), s("y")).build(13);
        OnnxUnsupportedException e = assertThrows(OnnxUnsupportedException.class,
                () -> OnnxImporter.load(model, null, "m", "m.onnx", Map.of()));
        assertTrue(e.getMessage().endsWith("node 'cos' (ConstantOfShape, opset 13): needs inputs known at import"
                + " (here they are computed at run time)"), e.getMessage());
    }
}
