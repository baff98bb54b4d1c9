package io.convscope.embedded;

import io.convscope.ConvscopeException;
import io.convscope.data.FashionMnist;
import io.convscope.cvs.NetworkFile;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Padding;
import io.convscope.network.Preprocessing;
import io.convscope.network.TensorShape;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * The small VGG-style Fashion-MNIST classifier that ships with convscope, with Keras-style layer
 * names so that its feature maps are easy to address:
 *
 * <pre>
 *   input         28×28×1    (pixels / 255)
 *   block1_conv1  28×28×32   Conv2D 3×3 same, relu          320
 *   block1_conv2  28×28×32   Conv2D 3×3 same, relu        9,248
 *   block1_pool   14×14×32   MaxPooling2D 2×2
 *   block2_conv1  14×14×64   Conv2D 3×3 same, relu       18,496
 *   block2_conv2  14×14×64   Conv2D 3×3 same, relu       36,928
 *   block2_pool    7×7×64    MaxPooling2D 2×2
 *   flatten        3136      (Keras H, W, C order)
 *   fc1            128       Dense, relu                401,536
 *   dropout        128       Dropout 0.5
 *   logits         10        Dense, linear                1,290
 *   predictions    10        Activation softmax (its own node: the logits stay addressable)
 *                                              total    467,818 parameters
 * </pre>
 *
 * <p>The shipped weights ({@link #RESOURCE}, 1.7 MB) were trained by
 * {@link io.convscope.train.TrainEmbedded} with seed 1 for 10 epochs on the 60,000 training images:
 * Adam (lr 0.001, ×0.8 after each epoch; β1 0.9, β2 0.999, ε 1e-7), batches of 64, softmax
 * cross-entropy, random horizontal flips, Glorot-uniform initialization from the same seed, one
 * PyTorch thread. Training took 1,050 s (17.5 min; about 90 s per epoch plus a 4 s test evaluation)
 * on two shared AMD EPYC cores. Test accuracy on the 10,000 test images: <b>0.9288</b> (loss 0.203);
 * per class: T-shirt/top 0.888, Trouser 0.987, Pullover 0.903, Dress 0.941, Coat 0.890, Sandal 0.985,
 * Shirt 0.766, Sneaker 0.979, Bag 0.989, Ankle boot 0.960.
 */
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
