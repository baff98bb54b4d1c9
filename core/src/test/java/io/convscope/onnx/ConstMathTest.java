package io.convscope.onnx;

import io.convscope.ConvscopeException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.convscope.onnx.OnnxImporterTest.d;
import static io.convscope.onnx.OnnxImporterTest.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Folding arithmetic: sizes bounded (results larger than their inputs), values as numpy computes them. */
class ConstMathTest {
    @Test
    void sizesAreBoundedUnlessNoLargerThanTheInputs() {
        assertEquals(0, ConstMath.checkedSize(new long[] {1L << 40, 0}));
        assertEquals(12, ConstMath.checkedSize(new long[] {3, 4}));
        assertThrows(IllegalArgumentException.class, () -> ConstMath.checkedSize(new long[] {1L << 40, 1L << 40}));
        assertThrows(IllegalArgumentException.class, () -> ConstMath.checkedSize(new long[] {Long.MAX_VALUE, 2}));
        assertThrows(IllegalArgumentException.class, () -> ConstMath.checkedSize(new long[] {5000, 5000}));
        assertEquals(25_000_000, ConstMath.checkedSize(new long[] {5000, 5000}, 25_000_000));
        assertThrows(IllegalArgumentException.class, () -> ConstMath.checkedSize(new long[] {3, -1}));
    }

    @Test
    void broadcastMatchesHandComputedValues() {
        Const a = Const.ofFloats(new long[] {2, 1}, 1f, 2f);
        Const b = Const.ofFloats(new long[] {3}, 10f, 20f, 30f);
        Const sum = ConstMath.broadcast("Add", a, b);
        assertArrayEquals(new long[] {2, 3}, sum.dims());
        assertArrayEquals(new float[] {11, 21, 31, 12, 22, 32}, sum.f());
        Const q = ConstMath.broadcast("Div", Const.ofLongs(new long[] {2}, -7, 7), Const.ofLongs(new long[] {1}, 2));
        assertArrayEquals(new long[] {-4, 3}, q.l()); // integer division floors, as numpy's //
    }

    @Test
    void hugeConstantOfShapeIsOneLine() {
        byte[] model = new OnnxWriter().input("x", 1, 3).output("y")
                .initInts("shape", d(2), 1L << 20, 1L << 20)
                .node("ConstantOfShape", "zeros", s("shape"), s("z"))
                .node("Add", "add", s("x", "z"), s("y")).build(13);
        ConvscopeException e = assertThrows(ConvscopeException.class,
                () -> OnnxImporter.load(model, null, "m", "m.onnx", Map.of()));
        assertTrue(e.getMessage().contains("node 'zeros' (ConstantOfShape, opset 13)")
                && e.getMessage().contains("larger than convscope computes at import"), e.getMessage());
    }
}
