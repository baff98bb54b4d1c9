package io.convscope.embedded;

import io.convscope.ConvscopeException;
import io.convscope.data.FashionMnist;
import io.convscope.model.NetworkFile;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Padding;
import io.convscope.network.Preprocessing;
import io.convscope.network.TensorShape;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/** The small VGG-style Fashion-MNIST classifier that ships with convscope. */
public final class EmbeddedModel {
    public static final String NAME = "fashion-mnist-vgg";
    /** Class-path location of the trained model. */
    public static final String RESOURCE = "/io/convscope/embedded/" + NAME + NetworkFile.EXTENSION;
    /** Class-path folder of the sample images, one per class (see {@link #sampleFileName}). */
    public static final String SAMPLES = "/io/convscope/embedded/samples/";

    private static volatile Network loaded;

    private EmbeddedModel() {
    }

    /** The trained model shipped in the jar (read once, then shared: Networks are immutable). */
    public static Network load() {
        Network n = loaded;
        if (n == null) {
            try (InputStream in = EmbeddedModel.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new ConvscopeException("this build of convscope lacks its embedded model (" + RESOURCE + ")");
                }
                n = NetworkFile.load(in);
            } catch (IOException e) {
                throw new ConvscopeException("cannot read the embedded model: " + e.getMessage());
            }
            loaded = n;
        }
        return n;
    }

    /**
     * The file name of the sample image of a class: its index and its label in lower case, with
     * what follows a slash dropped and spaces as dashes ({@code 0_t-shirt.png}, {@code 9_ankle-boot.png}).
     */
    public static String sampleFileName(int classIndex) {
        String label = FashionMnist.CLASSES.get(classIndex);
        int slash = label.indexOf('/');
        String base = (slash < 0 ? label : label.substring(0, slash)).toLowerCase(Locale.ROOT).replace(' ', '-');
        return classIndex + "_" + base + ".png";
    }

    /** The sample image of a class (the first image of that class in the Fashion-MNIST test set) as PNG bytes. */
    public static InputStream openSample(int classIndex) {
        InputStream in = EmbeddedModel.class.getResourceAsStream(SAMPLES + sampleFileName(classIndex));
        if (in == null) {
            throw new ConvscopeException("this build of convscope lacks the sample image " + sampleFileName(classIndex));
        }
        return in;
    }

    /** The architecture, without weights. */
    public static Network architecture() {
        return architecture(32, 64, 128);
    }

    static Network architecture(int c1, int c2, int fc) {
        return new Network.Builder(NAME)
                .preprocessing(Preprocessing.UNIT)
                .labels(FashionMnist.CLASSES)
                .input("input", TensorShape.chw(1, FashionMnist.SIDE, FashionMnist.SIDE))
                .add("block1_conv1", conv(c1), "input")
                .add("block1_conv2", conv(c1), "block1_conv1")
                .add("block1_pool", pool(), "block1_conv2")
                .add("block2_conv1", conv(c2), "block1_pool")
                .add("block2_conv2", conv(c2), "block2_conv1")
                .add("block2_pool", pool(), "block2_conv2")
                .add("flatten", new Layer.Flatten(true), "block2_pool")
                .add("fc1", new Layer.Dense(fc, true, Activation.RELU), "flatten")
                .add("dropout", new Layer.Identity("Dropout", 0.5f), "fc1")
                .add("logits", new Layer.Dense(FashionMnist.CLASSES.size(), true, Activation.LINEAR), "dropout")
                .add("predictions", new Layer.Act("Activation", Activation.SOFTMAX), "logits")
                .buildWithoutParams();
    }

    private static Layer conv(int filters) {
        return new Layer.Conv2D(filters, 3, 3, 1, 1, 1, 1, Padding.SAME, 1, true, Activation.RELU);
    }

    private static Layer pool() {
        return new Layer.Pool2D(true, 2, 2, 2, 2, Padding.VALID, false, false);
    }
}
