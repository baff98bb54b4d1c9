package io.convscope.style;

import io.convscope.ConvscopeException;
import io.convscope.keras.Fixtures;
import io.convscope.model.ModelLoader;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Padding;
import io.convscope.network.TensorShape;
import io.convscope.onnx.OnnxImporter;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Which layers style transfer reads: Gatys's VGG names, the user's, or the rule for other models. */
class StyleLayersTest {
    /** Random weights: cutting a network to another size needs them (cheap next to a forward pass). */
    static final Network VGG19 = ModelLoader.zooArchitecture("vgg19", false, -1, -1).withRandomParams(1);

    static Network squeezenet() {
        Path p = Fixtures.fixture("models/squeezenet1.1/model.onnx");
        assumeTrue(Files.isRegularFile(p), "skipped: fixture " + p + " is absent");
        return OnnxImporter.load(p);
    }

    @Test
    void vggGetsGatysLayersAndTheRuleFindsThemToo() {
        StyleLayers l = StyleLayers.choose(VGG19, null, null, 256, 192);
        assertEquals("block5_conv2", l.content());
        assertEquals(StyleLayers.GATYS_STYLE, l.style());
        assertNull(l.rule());
        // the rule, without the names: the same style layers; content block4_conv2 (the other common choice)
        StyleLayers r = StyleLayers.byRule(VGG19.fittingPrefix(256, 192));
        assertEquals(StyleLayers.GATYS_STYLE, r.style());
        assertEquals("block4_conv2", r.content());
    }

    @Test
    void namedLayersAreCheckedAndKeptInNetworkOrder() {
        StyleLayers l = StyleLayers.choose(VGG19, "block4_conv2", List.of("block3_conv1", " block1_conv2", "block3_conv1"), 128, 128);
        assertEquals("block4_conv2", l.content());
        assertEquals(List.of("block1_conv2", "block3_conv1"), l.style());
        assertEquals(List.of("block4_conv2", "block1_conv2", "block3_conv1"), l.all());
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> StyleLayers.choose(VGG19, "block5_conv5", null, 128, 128));
        assertTrue(io.convscope.Flagged.flags(e).contains("--content-layer: vgg19 has no layer 'block5_conv5'; did you mean block5_conv1"), io.convscope.Flagged.flags(e));
        e = assertThrows(ConvscopeException.class, () -> StyleLayers.choose(VGG19, null, List.of("blok1_conv1"), 128, 128));
        assertTrue(io.convscope.Flagged.flags(e).startsWith("--style-layers: vgg19 has no layer 'blok1_conv1'; did you mean block1_conv1"), io.convscope.Flagged.flags(e));
        assertTrue(!e.getMessage().contains("\n"));
    }

    @Test
    void squeezeNetGetsLayersByRuleWithANote() {
        Network net = squeezenet();
        StyleLayers l = StyleLayers.choose(net, null, null, 192, 256);
        assertEquals(List.of("squeezenet0_relu0", "squeezenet0_concat0", "squeezenet0_concat2", "squeezenet0_concat4"), l.style());
        assertEquals("squeezenet0_concat3", l.content());
        assertTrue(l.rule().startsWith("squeezenet1.1 has no block5_conv2 or block1_conv1…block5_conv1 (VGG names), so by rule content "
                + "squeezenet0_concat3, style squeezenet0_relu0, squeezenet0_concat0"), l.rule());
        // naming only the content keeps the rule's style layers, and says so
        StyleLayers c = StyleLayers.choose(net, "squeezenet0_concat1", null, 192, 256);
        assertEquals("squeezenet0_concat1", c.content());
        assertEquals(l.style(), c.style());
        assertTrue(c.rule().contains("so by rule style squeezenet0_relu0"), c.rule());
        // the classifier's pooling needs the model's own size
        ConvscopeException e = assertThrows(ConvscopeException.class,
                () -> StyleLayers.choose(net, null, List.of("squeezenet0_pool3"), 192, 256));
        assertEquals("--style-layers: layer 'squeezenet0_pool3' (AveragePooling2D) needs the model's own 224×224 input, so it cannot "
                + "be used at 256×192; did you mean squeezenet0_pool0, squeezenet0_pool1 or squeezenet0_pool2?", io.convscope.Flagged.flags(e));
    }

    @Test
    void layersWithoutFeatureMapsAreRefused() {
        Network net = new Network.Builder("small").input("x", TensorShape.chw(3, 8, 8))
                .add("conv", new Layer.Conv2D(4, 3, 3, 1, 1, 1, 1, Padding.SAME, 1, true, Activation.RELU), "x")
                .add("flat", new Layer.Flatten(false), "conv")
                .add("dense", new Layer.Dense(3, true, Activation.LINEAR), "flat")
                .buildWithoutParams().withRandomParams(1);
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> StyleLayers.choose(net, "dense", null, 8, 8));
        assertTrue(io.convscope.Flagged.flags(e).startsWith("--content-layer: layer 'dense' (Dense) has output (None, 3), not feature maps; style transfer needs convolutional layers"), io.convscope.Flagged.flags(e));
        // the rule: one stage, one layer for both
        StyleLayers l = StyleLayers.choose(net, null, null, 8, 8);
        assertEquals("conv", l.content());
        assertEquals(List.of("conv"), l.style());
    }
}
