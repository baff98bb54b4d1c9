package io.convscope.activations;

import io.convscope.ConvscopeException;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Padding;
import io.convscope.network.TensorShape;
import io.convscope.zoo.Architectures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which layers a selection picks, on the real zoo architectures (no weights needed). */
class LayerSelectionTest {
    static final Network VGG = Architectures.vgg16(true, 224, 224);

    @Test
    void defaultIsEveryConvolutionAndPoolingLayerInNetworkOrder() {
        List<String> l = LayerSelection.defaults().resolve(VGG);
        assertEquals(18, l.size());
        assertEquals("block1_conv1", l.get(0));
        assertEquals("block1_pool", l.get(2));
        assertEquals("block5_pool", l.get(17));
        assertTrue(!l.contains("flatten") && !l.contains("fc1") && !l.contains("input_1"), l.toString());
    }

    @Test
    void globsNamesAndFlagsUniteInNetworkOrder() {
        assertEquals(List.of("block3_conv1", "block3_conv2", "block3_conv3", "block3_pool"),
                LayerSelection.of("block3_*").resolve(VGG));
        // given out of order, repeated: still network order, once each
        assertEquals(List.of("block1_conv2", "block4_conv1", "block4_conv2"),
                LayerSelection.of("block4_conv?", "block1_conv2", "block4_conv1").resolve(VGG).subList(0, 3));
        List<String> conv = new LayerSelection(List.of(), true, false, false).resolve(VGG);
        assertEquals(13, conv.size());
        assertTrue(conv.stream().allMatch(n -> n.contains("conv")));
        List<String> blocks = new LayerSelection(List.of(), false, true, false).resolve(VGG);
        assertEquals(List.of("block1_pool", "block2_pool", "block3_pool", "block4_pool", "block5_pool"), blocks);
        List<String> all = new LayerSelection(List.of(), false, false, true).resolve(VGG);
        assertEquals(18, all.size(), "VGG16's layers with feature maps are exactly its convolutions and poolings");
        List<String> mixed = new LayerSelection(List.of("block5_conv3"), false, true, false).resolve(VGG);
        assertEquals(List.of("block1_pool", "block2_pool", "block3_pool", "block4_pool", "block5_conv3", "block5_pool"), mixed);
    }

    @Test
    void unknownNamesGetSuggestions() {
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> LayerSelection.of("block3_conv9").resolve(VGG));
        assertTrue(e.getMessage().contains("no layer named 'block3_conv9'") && e.getMessage().contains("did you mean")
                && e.getMessage().contains("block3_conv1"), e.getMessage());
        e = assertThrows(ConvscopeException.class, () -> LayerSelection.of("blok3_*").resolve(VGG));
        assertTrue(e.getMessage().contains("no layer with feature maps matches 'blok3_*'"), e.getMessage());
        e = assertThrows(ConvscopeException.class, () -> LayerSelection.of("fc1").resolve(VGG));
        assertTrue(e.getMessage().contains("'fc1' (Dense)") && e.getMessage().contains("not feature maps"), e.getMessage());
    }

    @Test
    void resnetBlocksAreTheBlockOutputs() {
        Network res = Architectures.resnet50v2(true, 224, 224);
        List<String> blocks = LayerSelection.blockEnds(res);
        assertEquals(3 + 4 + 6 + 3, blocks.size(), blocks.toString());
        assertEquals("conv2_block1_out", blocks.get(0));
        assertEquals("conv5_block3_out", blocks.get(blocks.size() - 1));
        List<String> def = LayerSelection.defaults().resolve(res);
        assertTrue(def.contains("conv1_conv") && def.contains("pool1_pool") && def.contains("conv4_block6_3_conv"));
        assertTrue(def.stream().noneMatch(n -> n.endsWith("_bn") || n.endsWith("_out")), def.toString());
    }

    @Test
    void withoutKerasNamesABlockEndsBeforeEachDownsampling() {
        Layer conv = new Layer.Conv2D(4, 3, 3, 1, 1, 1, 1, Padding.SAME, 1, true, Activation.LINEAR);
        Layer relu = new Layer.ReLU(Float.NaN, 0, 0);
        Layer pool = new Layer.Pool2D(true, 2, 2, 2, 2, Padding.VALID, false, false);
        Network net = new Network.Builder("plain").input("x", TensorShape.chw(1, 8, 8))
                .add("a", conv, "x").add("a_act", relu, "a").add("down1", pool, "a_act")
                .add("b", new Layer.Conv2D(4, 3, 3, 2, 2, 1, 1, Padding.SAME, 1, true, Activation.LINEAR), "down1")
                .add("c", conv, "b").add("c_act", relu, "c").buildWithoutParams();
        // a_act feeds the pooling (8×8 → 4×4); down1 feeds the strided conv (4×4 → 2×2); c_act is the last map
        assertEquals(List.of("a_act", "down1", "c_act"), LayerSelection.blockEnds(net));
    }

    @Test
    void fileNamesSortInNetworkOrder() {
        for (int count : new int[] {13, 120}) {
            FilePlan plan = new FilePlan(List.of("x.png"), count);
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                names.add(GridView.file(plan, 0, layer(i, "layer" + (count + 1 - i))));
            }
            List<String> sorted = new ArrayList<>(names);
            sorted.sort(null);
            assertEquals(names, sorted, "sorting by name keeps network order for " + count + " layers");
            assertEquals(count < 100 ? "x/01_layer" + count + ".png" : "x/001_layer" + count + ".png", names.get(0));
        }
        FilePlan plan = new FilePlan(List.of("a/cat.png", "b/cat.jpg", "dog 1.png", "compare.png"), 3);
        assertEquals(List.of("cat", "cat-2", "dog_1", "compare-2"), plan.folders());
    }

    /**
     * A SqueezeNet in small: Conv and ReLU apart (as in ONNX files), a pooling to 1×1 maps before the
     * classifier, and a last convolution with one channel per class.
     */
    static Network squeezeLike(boolean labels) {
        Layer relu = new Layer.Act("Activation", Activation.RELU);
        Network.Builder b = new Network.Builder("squeeze").input("x", TensorShape.chw(3, 8, 8))
                .add("c0", new Layer.Conv2D(8, 3, 3, 1, 1, 1, 1, Padding.SAME, 1, true, Activation.LINEAR), "x")
                .add("c0_relu", relu, "c0")
                .add("p0", new Layer.Pool2D(true, 2, 2, 2, 2, Padding.VALID, false, false), "c0_relu")
                .add("c1", new Layer.Conv2D(10, 1, 1, 1, 1, 1, 1, Padding.VALID, 1, true, Activation.LINEAR), "p0")
                .add("c1_relu", relu, "c1")
                .add("p1", new Layer.Pool2D(false, 4, 4, 4, 4, Padding.VALID, false, false), "c1_relu")
                .add("flat", new Layer.Flatten(false), "p1")
                .outputs(List.of("flat"));
        if (labels) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                names.add("class " + i);
            }
            b.labels(names);
        }
        return b.buildWithoutParams();
    }

    @Test
    void theDefaultShowsConvolutionsActivatedAndLeavesOutOneByOneMaps() {
        Network net = squeezeLike(false);
        assertEquals(List.of(1, 1), List.of(net.node("p1").outputShape().height(), net.node("p1").outputShape().width()));
        // was [c0, p0, c1, p1]: the Conv outputs before their ReLU, and 10 squares of one colour each
        assertEquals(List.of("c0_relu", "p0", "c1_relu"), LayerSelection.defaults().resolve(net));
        // was [c0_relu, c1_relu, p1]
        assertEquals(List.of("c0_relu", "c1_relu"), new LayerSelection(List.of(), false, true, false).resolve(net));
        // named, a 1×1 layer is drawn; --conv still means the convolutions themselves
        assertEquals(List.of("p1"), LayerSelection.of("p1").resolve(net));
        assertEquals(List.of("c0", "c1"), new LayerSelection(List.of(), true, false, false).resolve(net));
        // Keras's ResNets too: conv → batch normalization → ReLU is shown after the ReLU
        List<String> res = LayerSelection.defaults().resolve(Architectures.resnet50v2(true, 224, 224));
        assertTrue(res.contains("conv2_block1_1_relu") && !res.contains("conv2_block1_1_conv"), res.toString());
        assertTrue(res.contains("conv2_block1_3_conv"), "a convolution that feeds an addition stays: " + res);
        // a fused activation is already applied: VGG's selection is unchanged
        assertEquals(18, LayerSelection.defaults().resolve(VGG).size());
    }

    @Test
    void classMapsAreTheLayersWithAChannelPerClassThatFeedTheClassifier() {
        Network net = squeezeLike(true);
        var maps = LayerSelection.classMaps(net, List.of("c0_relu", "p0", "c1", "c1_relu", "p1"));
        assertEquals(List.of("c1", "c1_relu", "p1"), List.copyOf(maps.keySet()));
        assertEquals("class 7", maps.get("c1").get(7));
        assertTrue(LayerSelection.classMaps(squeezeLike(false), List.of("c1")).isEmpty(), "no labels, no names");
    }

    @Test
    void filesAreNumberedByTheLayersPlaceInTheNetwork() {
        FilePlan.Numbering n = FilePlan.Numbering.of(VGG);
        assertEquals(4, n.place("block2_conv1"));
        assertEquals(1, n.place("block1_conv1"));
        // whichever layers a run draws, block2_conv1 is 04 (was 01 when drawn alone)
        List<FilePlan.Layer> alone = FilePlan.layers(VGG, List.of("block2_conv1"));
        assertEquals("04_block2_conv1", new FilePlan(List.of("x.png"), n.count()).stem(alone.get(0)));
        assertEquals(List.of("index.html", "x/04_block2_conv1.png", "x/input.png"),
                ActivationViews.files(List.of("x.png"), alone, n.count(), ActivationViews.Options.defaults()
                        .withViews(java.util.EnumSet.of(ActivationViews.View.GRID))).stream()
                        .filter(f -> !f.endsWith(".csv") && !f.endsWith(".json")).toList());
        // digits from the network's count of layers, not the selection's
        Network res = Architectures.resnet50v2(true, 224, 224);
        FilePlan.Numbering rn = FilePlan.Numbering.of(res);
        assertTrue(rn.count() >= 100, "ResNet50V2 has " + rn.count() + " layers");
        assertEquals("001_conv1_pad", new FilePlan(List.of("x.png"), rn.count())
                .stem(FilePlan.layers(res, List.of("conv1_pad")).get(0)));
    }

    static LayerActivations layer(int position, String name) {
        return new LayerActivations(position, name, "Conv2D", TensorShape.chw(1, 1, 1), List.of(), List.of());
    }
}
