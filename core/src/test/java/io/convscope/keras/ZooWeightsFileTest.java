package io.convscope.keras;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.convscope.engine.Engine;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.zoo.Architectures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A weights-only file laid out as Keras's ResNet50V2 application file (TF-Keras 2 names such as
 * {@code conv2_block1_preact_bn/gamma:0}, HWIO kernels) loads into the zoo architecture, and the
 * values land where the engine computes with them.
 */
@Tag("slow")
class ZooWeightsFileTest {
    @TempDir
    Path dir;

    @Test
    void resnet50v2NoTopFileWithKerasNames() {
        Network arch = Architectures.resnet50v2(false, -1, -1);
        Map<String, List<KerasFiles.W>> layers = new LinkedHashMap<>();
        long seed = 1;
        int convs = 0;
        int bns = 0;
        for (Node n : arch.nodes()) {
            List<KerasFiles.W> ws = new ArrayList<>();
            String p = n.name() + "/";
            if (n.layer() instanceof Layer.Conv2D c) {
                int in = arch.node(n.inputs().get(0)).outputShape().channels();
                ws.add(KerasFiles.W.random(p + "kernel:0", seed++, c.kh(), c.kw(), in, c.filters()));
                if (c.useBias()) {
                    ws.add(KerasFiles.W.random(p + "bias:0", seed++, c.filters()));
                }
                convs++;
            } else if (n.layer() instanceof Layer.BatchNorm) {
                int ch = n.outputShape().channels();
                for (String w : new String[] {"gamma:0", "beta:0", "moving_mean:0"}) {
                    ws.add(KerasFiles.W.random(p + w, seed++, ch));
                }
                float[] var = KerasFiles.random(seed++, ch);
                for (int i = 0; i < ch; i++) {
                    var[i] = 0.5f + Math.abs(var[i]);
                }
                ws.add(new KerasFiles.W(p + "moving_variance:0", new int[] {ch}, var));
                bns++;
            }
            if (!ws.isEmpty()) {
                layers.put(n.name(), ws);
            }
        }
        // Keras's ResNet50V2 without top: 53 convolutions (conv1, 3 per block × 16, 4 shortcuts) and 49 BatchNorms
        assertEquals(53, convs);
        assertEquals(49, bns);
        assertTrue(layers.containsKey("conv2_block1_0_conv") && layers.containsKey("conv5_block3_preact_bn")
                && layers.containsKey("post_bn") && layers.containsKey("conv4_block6_2_conv"));
        Path file = dir.resolve("resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5");
        KerasFiles.legacyWeights(file, "2.15.0", layers);

        Network net = KerasWeights.applyTo(arch, file);
        assertEquals(23_564_800L, net.paramCount());

        // conv1_conv at output (0, 0) of a 64×64 input reads input rows/cols 0..6 of the zero-padded image,
        // i.e. image rows/cols -3..3: compute it by hand from the HWIO kernel
        KerasFiles.W k = layers.get("conv1_conv").get(0);
        KerasFiles.W b = layers.get("conv1_conv").get(1);
        int side = 64;
        float[] x = KerasFiles.random(99, 3 * side * side);
        int oc = 17;
        double want = b.values()[oc];
        for (int u = 0; u < 7; u++) {
            for (int v = 0; v < 7; v++) {
                int yy = u - 3;
                int xx = v - 3;
                if (yy < 0 || xx < 0) {
                    continue;
                }
                for (int c = 0; c < 3; c++) {
                    want += x[(c * side + yy) * side + xx] * k.values()[((u * 7 + v) * 3 + c) * 64 + oc];
                }
            }
        }
        try (Engine e = Engine.create(net); NDManager m = e.manager().newSubManager()) {
            NDArray in = e.input(m, x, 1, 3, side, side);
            Map<String, NDArray> out = e.forward(in, List.of("conv1_conv", "post_relu"));
            assertEquals(want, out.get("conv1_conv").getFloat(0, oc, 0, 0), 1e-4);
            assertEquals(List.of(1L, 2048L, 2L, 2L), List.of(out.get("post_relu").getShape().get(0),
                    out.get("post_relu").getShape().get(1), out.get("post_relu").getShape().get(2), out.get("post_relu").getShape().get(3)));
        }
    }
}
