package io.convscope.zoo;

import io.convscope.network.Network;
import io.convscope.network.TensorShape;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parameter totals and shapes as Keras reports them for the applications (224×224×3, with top). */
class ArchitecturesTest {
    static long total(Network arch) {
        long declared = arch.paramCount();
        // the counts from the declarations must equal the sizes of real weight arrays
        long materialized = 0;
        for (var node : arch.withRandomParams(0).nodes()) {
            materialized += node.paramCount();
        }
        assertEquals(declared, materialized);
        return declared;
    }

    @Test
    void vgg16MatchesKeras() {
        Network n = Architectures.vgg16(true, 224, 224);
        assertEquals(138_357_544L, total(n));
        assertEquals(TensorShape.chw(512, 7, 7), n.node("block5_pool").outputShape());
        assertEquals(23, n.nodes().size()); // input + 13 conv + 5 pool + flatten + 3 dense
        assertEquals(14_714_688L, total(Architectures.vgg16(false, 224, 224)));
    }

    @Test
    void vgg19MatchesKeras() {
        assertEquals(143_667_240L, total(Architectures.vgg19(true, 224, 224)));
        assertEquals(20_024_384L, total(Architectures.vgg19(false, 224, 224)));
    }

    @Test
    @Tag("slow")
    void resnet50v2MatchesKeras() {
        Network n = Architectures.resnet50v2(true, 224, 224);
        assertEquals(25_613_800L, n.withRandomParams(0).paramCount());
        assertEquals(25_568_360L, n.withRandomParams(0).trainableParamCount());
        assertEquals(TensorShape.chw(2048, 7, 7), n.node("post_relu").outputShape());
        assertEquals(TensorShape.chw(256, 56, 56), n.node("conv2_block1_out").outputShape());
        assertEquals(TensorShape.chw(256, 28, 28), n.node("conv2_block3_out").outputShape());
        assertTrue(n.has("max_pooling2d_2"));
        assertEquals(23_564_800L, total(Architectures.resnet50v2(false, 224, 224)));
    }

    @Test
    void withoutTopAnySizeIsAllowed() {
        Network n = Architectures.vgg16(false, -1, -1);
        assertEquals(TensorShape.chw(512, -1, -1), n.node("block5_pool").outputShape());
        Network r = Architectures.resnet50v2(false, 300, 200);
        assertEquals(TensorShape.chw(2048, 10, 7), r.node("post_relu").outputShape());
    }
}
