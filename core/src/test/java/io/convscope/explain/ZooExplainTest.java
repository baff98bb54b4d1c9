package io.convscope.explain;

import io.convscope.image.ImageTensor;
import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import io.convscope.util.Progress;
import io.convscope.zoo.Architectures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CAM layer rule on the zoo architectures, and every method on VGG16 and ResNet50V2 with random weights. */
class ZooExplainTest {

    @Test
    void defaultCamLayerOnTheZooArchitectures() {
        Network vgg = Architectures.vgg16(true, 224, 224);
        assertEquals("block5_pool", CamLayers.defaultLayer(vgg, vgg.outputs().get(0)));
        Network resnet = Architectures.resnet50v2(true, 224, 224);
        assertEquals("post_relu", CamLayers.defaultLayer(resnet, resnet.outputs().get(0)));
    }

    @Test
    @Tag("slow")
    void everyMethodRunsOnVgg16AndResNet50V2WithRandomWeights() {
        Methods.Settings s = Methods.Settings.defaults().withSteps(2).withSamples(2).withMasks(4).withWindow(112, 112);
        SplittableRandom r = new SplittableRandom(1);
        float[] data = new float[3 * 224 * 224];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (r.nextDouble() * 2 - 1);
        }
        ImageTensor x = new ImageTensor(data, 1, 3, 224, 224, List.of("noise"));
        for (String model : List.of("resnet50v2", "vgg16")) {
            Network net = ModelLoader.load(new ModelLoader.Request(model, "none", true, 224, 224), Progress.NONE);
            try (ExplainContext ctx = ExplainContext.of(net, Score.LOGIT, 4)) {
                for (String name : Methods.NAMES) {
                    Attribution a = Methods.create(name, ctx, s);
                    if (name.equals("scorecam")) {
                        continue; // 512 or 2048 masked passes: the rule and the pass are covered on the small models
                    }
                    float[] m = a.attribute(x, new int[] {1}).map(0);
                    assertEquals(224 * 224, m.length, model + " " + name);
                    for (float v : m) {
                        assertTrue(Float.isFinite(v), model + " " + name);
                    }
                    System.out.println(model + " " + name + " ok");
                }
            }
        }
    }
}
