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

    static LayerActivations layer(int position, String name) {
        return new LayerActivations(position, name, "Conv2D", TensorShape.chw(1, 1, 1), List.of(), List.of());
    }
}
