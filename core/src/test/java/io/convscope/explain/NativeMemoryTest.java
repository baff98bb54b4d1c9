package io.convscope.explain;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.convscope.embedded.EmbeddedModel;
import io.convscope.image.ImageTensor;
import io.convscope.image.Resize;
import io.convscope.network.Network;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every method leaves no NDArray behind: after a first batch (which may create what the context keeps for the
 * run, such as {@link Backprop}'s per-node engines), further batches end with as many live arrays as before
 * them, and closing the context frees everything it made. Counted over the whole process (every manager is a
 * descendant of PyTorch's system manager), so an array attached anywhere, the engine's manager or another,
 * counts.
 */
class NativeMemoryTest {

    /** NDArrays alive in the process. */
    static int liveArrays() {
        try (NDManager probe = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }

    @Test
    void noMethodLeavesArraysBehind() throws Exception {
        Network net = EmbeddedModel.load();
        List<BufferedImage> pics = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int c : new int[] {0, 7, 8}) {
            try (InputStream in = EmbeddedModel.openSample(c)) {
                pics.add(javax.imageio.ImageIO.read(in));
            }
            names.add(EmbeddedModel.sampleFileName(c));
        }
        ImageTensor x = ImageTensor.of(pics, names, net.inputShape(), net.preprocessing(), Resize.STRETCH);
        int[] targets = {0, 7, 8};
        // batch 2: three images and every method's internal passes split into several batches
        Methods.Settings s = Methods.Settings.defaults().withSteps(6).withSamples(3).withMasks(5).withWindow(14, 7).withScorecamChannels(4);
        int before = liveArrays();
        List<String> leaks = new ArrayList<>();
        try (ExplainContext ctx = ExplainContext.of(net, Score.LOGIT, 2)) {
            for (String name : Methods.NAMES) {
                Attribution a = Methods.create(name, ctx, s);
                a.attribute(x, targets);
                int after1 = liveArrays();
                a.attribute(x, targets);
                int after2 = liveArrays();
                if (after2 != after1) {
                    leaks.add(name + ": " + (after2 - after1) + " arrays over one run");
                }
            }
            for (Score score : new Score[] {Score.PROB}) {
                try (ExplainContext p = ExplainContext.of(net, score, 2)) {
                    for (String name : List.of("saliency", "guided-backprop")) {
                        Attribution a = Methods.create(name, p, s);
                        a.attribute(x, targets);
                        int after1 = liveArrays();
                        a.attribute(x, targets);
                        int after2 = liveArrays();
                        if (after2 != after1) {
                            leaks.add(name + " (" + score + "): " + (after2 - after1) + " arrays over one run");
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), leaks, "methods that leave arrays behind");
        assertEquals(before, liveArrays(), "arrays left after the context closed");
    }
}
