package io.convscope.explain;

import ai.djl.Device;
import io.convscope.image.ImageTensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Adebayo et al.'s cascading randomization on the embedded model: the published verdicts, and Spearman by hand. */
class SanityTest {

    @Test
    void spearmanIsPearsonOfRanksWithTiesAveraged() {
        assertEquals(1.0, MapOps.spearman(new float[] {1, 2, 3, 4}, new float[] {10, 20, 30, 400}), 1e-12);
        assertEquals(-1.0, MapOps.spearman(new float[] {1, 2, 3, 4}, new float[] {4, 3, 2, 1}), 1e-12);
        assertArrayEquals(new double[] {1.5, 1.5, 3, 4}, MapOps.ranks(new float[] {0, 0, 5, 7}), 1e-12);
        // ranks (1, 2, 3) and (2, 1, 3): 1 − 6·2/(3·8) = 0.5
        assertEquals(0.5, MapOps.spearman(new float[] {1, 2, 3}, new float[] {2, 1, 3}), 1e-12);
    }

    @Test
    @Tag("slow")
    void gradientsAndGradCamDecorrelateGuidedBackpropStaysClose() throws Exception {
        EmbeddedExplainTest.load();
        ImageTensor x = EmbeddedExplainTest.images;
        List<String> methods = List.of("saliency", "gradcam", "guided-backprop");
        Sanity.Result r = Sanity.run(EmbeddedExplainTest.net, x, new int[] {0, 7, 8}, methods, Methods.Settings.defaults(), Score.LOGIT,
                Device.cpu(), 16, 1, 0);
        System.out.println("sanity, embedded model, 3 samples:\n" + r.table());
        assertEquals(List.of("logits", "fc1", "block2_conv2", "block2_conv1", "block1_conv2", "block1_conv1"), r.layers());
        int last = r.layers().size() - 1;
        double saliency = r.absolute()[0][last];
        double gradcam = r.absolute()[1][last];
        double guided = r.absolute()[2][last];
        assertTrue(saliency < 0.5, "saliency decorrelates: " + saliency);
        assertTrue(gradcam < 0.5, "gradcam decorrelates: " + gradcam);
        assertTrue(guided > saliency && guided > gradcam, "guided backprop stays closer: " + guided);
        EmbeddedExplainTest.close();
    }
}
