package io.convscope.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.convscope.ConvscopeException;

import org.junit.jupiter.api.Test;

class ZooModelTest {
    private static final String K = "https://storage.googleapis.com/tensorflow/keras-applications/";

    @Test
    void kerasUrlsAndHashes() {
        assertEquals(K + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5", ZooModel.VGG16.url(true));
        assertEquals(K + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", ZooModel.VGG16.url(false));
        assertEquals(K + "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels.h5", ZooModel.VGG19.url(true));
        assertEquals(K + "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5", ZooModel.VGG19.url(false));
        assertEquals(K + "resnet/resnet50v2_weights_tf_dim_ordering_tf_kernels.h5", ZooModel.RESNET50V2.url(true));
        assertEquals(K + "resnet/resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
                ZooModel.RESNET50V2.url(false));
        assertEquals("64373286793e3c8b2b4e3219cbf3544b", ZooModel.VGG16.weights(true).hash());
        assertEquals("6d6bbae143d832006294945121d1f1fc", ZooModel.VGG16.weights(false).hash());
        assertEquals("cbe5617147190e668d6c5d5026f83318", ZooModel.VGG19.weights(true).hash());
        assertEquals("253f8cb515780f3b799900260a226db6", ZooModel.VGG19.weights(false).hash());
        assertEquals("3ef43a0b657b3be2300d5770ece849e0", ZooModel.RESNET50V2.weights(true).hash());
        assertEquals("fac2f116257151a9d068a22e544a4917", ZooModel.RESNET50V2.weights(false).hash());
        for (ZooModel m : ZooModel.values()) {
            for (boolean top : new boolean[] {true, false}) {
                WeightsFile f = m.weights(top);
                assertTrue(f.path().endsWith("/" + f.fileName()), f.path());
                assertTrue(f.approxBytes() > 10_000_000L, f.toString());
            }
        }
    }

    @Test
    void byName() {
        assertEquals(ZooModel.RESNET50V2, ZooModel.byName("ResNet50_V2"));
        assertEquals(ZooModel.VGG16, ZooModel.byName("vgg16"));
        String m = assertThrows(ConvscopeException.class, () -> ZooModel.byName("vgg61")).getMessage();
        assertTrue(m.contains("unknown model 'vgg61'") && m.contains("did you mean") && m.contains("vgg16"), m);
    }
}
