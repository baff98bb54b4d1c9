package io.convscope.zoo;

import io.convscope.ConvscopeException;
import io.convscope.util.Names;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The ImageNet models convscope can build and fetch weights for, with the weight files Keras
 * Applications publishes for them (names, URLs below {@link #KERAS_BASE_URL}, MD5s as in Keras's own
 * {@code get_file(..., file_hash=...)} calls).
 *
 * <p>"Top" is the classifier head (the fully connected layers and the 1000-way softmax). Files
 * without top are much smaller and are enough for activations, reconstructions and style transfer;
 * class visualisation and classification need the top.
 */
public enum ZooModel {
    VGG16("vgg16", "VGG16",
            new WeightsFile("vgg16_weights_tf_dim_ordering_tf_kernels.h5",
                    "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5",
                    "64373286793e3c8b2b4e3219cbf3544b", 553_467_096L),
            new WeightsFile("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
                    "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
                    "6d6bbae143d832006294945121d1f1fc", 58_889_256L)),
    VGG19("vgg19", "VGG19",
            new WeightsFile("vgg19_weights_tf_dim_ordering_tf_kernels.h5",
                    "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels.h5",
                    "cbe5617147190e668d6c5d5026f83318", 574_710_816L),
            new WeightsFile("vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
                    "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
                    "253f8cb515780f3b799900260a226db6", 80_134_624L)),
    RESNET50V2("resnet50v2", "ResNet50V2",
            new WeightsFile("resnet50v2_weights_tf_dim_ordering_tf_kernels.h5",
                    "resnet/resnet50v2_weights_tf_dim_ordering_tf_kernels.h5",
                    "3ef43a0b657b3be2300d5770ece849e0", 102_869_336L),
            new WeightsFile("resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
                    "resnet/resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
                    "fac2f116257151a9d068a22e544a4917", 94_668_760L));

    /** Where Keras Applications downloads its ImageNet weights from. */
    public static final String KERAS_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/";

    private final String id;
    private final String displayName;
    private final WeightsFile withTop;
    private final WeightsFile noTop;

    ZooModel(String id, String displayName, WeightsFile withTop, WeightsFile noTop) {
        this.id = id;
        this.displayName = displayName;
        this.withTop = withTop;
        this.noTop = noTop;
    }

    /** The name used on the command line: {@code vgg16}, {@code vgg19}, {@code resnet50v2}. */
    public String id() {
        return id;
    }

    /** The name as Keras writes it: {@code VGG16}, {@code VGG19}, {@code ResNet50V2}. */
    public String displayName() {
        return displayName;
    }

    /** The weight file with or without the classifier head. */
    public WeightsFile weights(boolean includeTop) {
        return includeTop ? withTop : noTop;
    }

    /** The download URL of the weight file at Keras's own location. */
    public String url(boolean includeTop) {
        return weights(includeTop).url(KERAS_BASE_URL);
    }

    /** The ids of all models, in declaration order. */
    public static List<String> ids() {
        List<String> out = new ArrayList<>();
        for (ZooModel m : values()) {
            out.add(m.id);
        }
        return out;
    }

    /**
     * The model called {@code name}, ignoring case, '-' and '_' ("ResNet50_V2" is resnet50v2).
     *
     * @throws ConvscopeException naming the known models and the nearest one
     */
    public static ZooModel byName(String name) {
        String n = normalize(name);
        for (ZooModel m : values()) {
            if (normalize(m.id).equals(n)) {
                return m;
            }
        }
        throw new ConvscopeException("unknown model '" + name + "'" + Names.didYouMean(n, ids())
                + " (known: " + String.join(", ", ids()) + ")");
    }

    private static String normalize(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "").trim();
    }

    @Override
    public String toString() {
        return id;
    }
}
