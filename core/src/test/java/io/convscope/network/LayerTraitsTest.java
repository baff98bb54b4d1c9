package io.convscope.network;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What layers answer about themselves, and value semantics of the records that hold arrays. */
class LayerTraitsTest {
    static final Layer.Conv2D CONV = new Layer.Conv2D(4, 3, 3, 1, 1, 1, 1, Padding.SAME, 1, true, Activation.SOFTMAX);
    static final Layer.Dense DENSE_SOFTMAX = new Layer.Dense(10, true, Activation.SOFTMAX);

    @Test
    void convolutionsAreTheThreeForwardKinds() {
        assertTrue(CONV.isConvolution());
        assertTrue(new Layer.DepthwiseConv2D(1, 3, 3, 1, 1, 1, 1, Padding.VALID, false, Activation.RELU).isConvolution());
        assertTrue(new Layer.SeparableConv2D(8, 1, 3, 3, 1, 1, 1, 1, Padding.VALID, false, null).isConvolution());
        assertFalse(new Layer.ConvTranspose2D(2, 3, 3, 2, 2, 1, 1, Padding.VALID, 0, 0, new int[0], 1, true).isConvolution());
        assertFalse(DENSE_SOFTMAX.isConvolution());
        assertFalse(new Layer.Pool2D(true, 2, 2, 2, 2, Padding.VALID, false, false).isConvolution());
    }

    @Test
    void activationsAndWhichFunction() {
        assertTrue(new Layer.Act("Activation", Activation.RELU).isActivation());
        assertEquals(Activation.RELU, new Layer.Act("Activation", Activation.RELU).activation());
        assertTrue(new Layer.ReLU(6f, 0f, 0f).isActivation());
        assertTrue(new Layer.LeakyReLU(0.3f).isActivation());
        assertTrue(new Layer.PRelu(new int[] {3, 1, 1}).isActivation());
        assertTrue(new Layer.Unary(Layer.Unary.Fn.CLIP, 0f, 6f).isActivation());
        assertFalse(new Layer.Unary(Layer.Unary.Fn.ABS, 0f, 0f).isActivation());
        assertFalse(CONV.isActivation(), "a fused activation does not make a convolution an activation layer");
        assertEquals(Activation.SOFTMAX, CONV.activation());
        assertNull(new Layer.BatchNorm(1e-3f, true, true).activation());
    }

    @Test
    void softmaxFusedOrAlone() {
        assertTrue(DENSE_SOFTMAX.endsInSoftmax());
        assertFalse(DENSE_SOFTMAX.isSoftmax());
        assertTrue(new Layer.Act("Softmax", Activation.SOFTMAX).isSoftmax());
        assertTrue(new Layer.Softmax(0, false, false).isSoftmax());
        assertTrue(new Layer.Softmax(0, false, false).endsInSoftmax());
        assertFalse(new Layer.Softmax(0, true, false).endsInSoftmax(), "log-softmax gives no probabilities");
        assertTrue(new Layer.DepthwiseConv2D(1, 1, 1, 1, 1, 1, 1, Padding.VALID, false, Activation.SOFTMAX).endsInSoftmax());
        assertFalse(new Layer.Dense(10, true, Activation.LINEAR).endsInSoftmax());
        Layer linear = DENSE_SOFTMAX.withActivation(Activation.LINEAR);
        assertEquals(new Layer.Dense(10, true, Activation.LINEAR), linear);
        assertEquals(Activation.LINEAR, new Layer.SeparableConv2D(8, 1, 3, 3, 1, 1, 1, 1, Padding.VALID, false,
                Activation.SOFTMAX).withActivation(Activation.LINEAR).activation());
    }

    @Test
    void dropoutAndPassThrough() {
        Layer.Identity dropout = new Layer.Identity("Dropout", 0.5f);
        assertTrue(dropout.isPassThrough());
        assertEquals(0.5f, dropout.dropoutRate());
        assertEquals(0f, new Layer.Identity("GaussianNoise", 0f).dropoutRate());
        assertEquals(0f, CONV.dropoutRate());
        assertTrue(new Layer.Act("Activation", Activation.LINEAR).isPassThrough());
        assertFalse(new Layer.Act("Activation", Activation.RELU).isPassThrough());
    }

    @Test
    void featureMapsAreSpatialOutputsButNotTheInput() {
        TensorShape maps = TensorShape.chw(8, 4, 4);
        assertTrue(CONV.hasFeatureMaps(maps));
        assertFalse(new Layer.Input(maps).hasFeatureMaps(maps));
        assertFalse(DENSE_SOFTMAX.hasFeatureMaps(TensorShape.of(10)));
    }

    @Test
    void receptiveFieldSteps() {
        List<TensorShape> in = List.of(TensorShape.chw(3, 8, 8));
        // TF SAME, stride 2, 3×3 on 8: total padding 1, all at the bottom/right
        Reach r = new Layer.Conv2D(4, 3, 3, 2, 2, 1, 1, Padding.SAME, 1, true, null).reach(in);
        assertEquals(Reach.window(3, 3, 2, 2, 1, 1, 0, 0), r);
        assertArrayEquals(new int[] {2, 4}, r.rows(0, 1, 1, 8));
        assertArrayEquals(new int[] {6, 7}, r.rows(0, 3, 3, 8), "the padded row is clipped");
        assertEquals(Reach.Kind.POINTWISE, new Layer.BatchNorm(1e-3f, true, true).reach(in).kind());
        assertEquals(Reach.Kind.GLOBAL, new Layer.Flatten(true).reach(in).kind());
        assertEquals(Reach.Kind.GLOBAL, new Layer.GlobalPool(false, false).reach(in).kind());
        assertEquals(Reach.Kind.NONE, new Layer.Dense(3, true, null).reach(List.of(TensorShape.of(12))).kind());
        assertEquals(Reach.Kind.POINTWISE, new Layer.Dense(3, true, null).reach(in).kind());
        assertEquals(Reach.Kind.GLOBAL, new Layer.Permute(new int[] {0, 2, 1}).reach(in).kind());
        assertEquals(Reach.Kind.POINTWISE, new Layer.Permute(new int[] {0, 1, 2}).reach(in).kind());
        Reach up = new Layer.UpSampling2D(3, 3, false).reach(in);
        assertArrayEquals(new int[] {1, 2}, up.rows(1, 4, 6, 8));
        assertNull(Reach.none().rows(0, 0, 0, 8));
    }

    @Test
    void everyRecordAnswersTheVisitorWithItself() {
        Set<Class<?>> seen = new HashSet<>();
        Layer.Visitor<Class<?>> v = (Layer.Visitor<Class<?>>) java.lang.reflect.Proxy.newProxyInstance(
                Layer.class.getClassLoader(), new Class<?>[] {Layer.Visitor.class}, (p, m, a) -> a[0].getClass());
        int methods = Layer.Visitor.class.getDeclaredMethods().length;
        assertEquals(Layer.class.getPermittedSubclasses().length, methods, "one visitor method per layer record");
        seen.add(CONV.accept(v));
        seen.add(DENSE_SOFTMAX.accept(v));
        seen.add(new Layer.Softmax(0, false, false).accept(v));
        assertEquals(Set.of(Layer.Conv2D.class, Layer.Dense.class, Layer.Softmax.class), seen);
    }

    @Test
    void arrayFieldsCompareByValue() {
        assertEquals(new Layer.View(new int[] {0, -1}), new Layer.View(new int[] {0, -1}));
        assertEquals(new Layer.View(new int[] {0, -1}).hashCode(), new Layer.View(new int[] {0, -1}).hashCode());
        assertNotEquals(new Layer.View(new int[] {0, -1}), new Layer.View(new int[] {-1, 0}));
        assertNotEquals(new Layer.View(new int[] {0, -1}), new Layer.Reshape(new int[] {0, -1}));
        Layer.Resize a = new Layer.Resize(new float[] {1f, 2f, 2f}, new int[0], "nearest", "asymmetric", "floor", -0.75f, false);
        Layer.Resize b = new Layer.Resize(new float[] {1f, 2f, 2f}, new int[0], "nearest", "asymmetric", "floor", -0.75f, false);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals("Resize[scales=[1.0, 2.0, 2.0], sizes=[], mode=nearest, coordinates=asymmetric, nearestMode=floor, "
                + "cubicA=-0.75, excludeOutside=false]", a.toString());
        assertEquals(new Layer.Slice(new int[] {1}, new int[] {2}, new int[] {1}, new int[] {3}),
                new Layer.Slice(new int[] {1}, new int[] {2}, new int[] {1}, new int[] {3}));
        assertNotEquals(new Layer.Slice(new int[] {1}, new int[] {2}, new int[] {1}, new int[] {3}),
                new Layer.Slice(new int[] {1}, new int[] {2}, new int[] {2}, new int[] {3}));
        assertEquals(new Layer.Arith(Layer.Arith.Op.ADD, 1, new int[] {3, 1, 1}), new Layer.Arith(Layer.Arith.Op.ADD, 1, new int[] {3, 1, 1}));
        assertEquals(Set.of(new Layer.Pad(new int[] {0, 1, 1, 0, 1, 1}, Layer.Pad.Mode.CONSTANT, 0f)),
                Set.of(new Layer.Pad(new int[] {0, 1, 1, 0, 1, 1}, Layer.Pad.Mode.CONSTANT, 0f)));
    }
}
