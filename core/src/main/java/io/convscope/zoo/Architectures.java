package io.convscope.zoo;

import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Padding;
import io.convscope.network.Preprocessing;
import io.convscope.network.TensorShape;

/**
 * The Keras applications architectures, layer for layer and with Keras's layer names, built
 * without weights (use {@link Network#withRandomParams} or load weights into them).
 *
 * <p>With the top, the input is 224×224×3. Without it, {@code height}/{@code width} may be any
 * size (-1 for "any"), as in Keras.
 */
public final class Architectures {
    /** Keras 3's name for the input of the applications. */
    public static final String INPUT = "input_layer";
    private static final float BN_EPS = 1.001e-5f;

    private Architectures() {
    }

    public static Network vgg16(boolean includeTop, int height, int width) {
        return vgg("vgg16", new int[] {2, 2, 3, 3, 3}, includeTop, height, width);
    }

    public static Network vgg19(boolean includeTop, int height, int width) {
        return vgg("vgg19", new int[] {2, 2, 4, 4, 4}, includeTop, height, width);
    }

    private static Network vgg(String name, int[] convs, boolean includeTop, int height, int width) {
        int[] filters = {64, 128, 256, 512, 512};
        Network.Builder b = new Network.Builder(name).preprocessing(Preprocessing.CAFFE);
        String prev = INPUT;
        b.input(INPUT, input(includeTop, height, width));
        for (int block = 1; block <= 5; block++) {
            for (int c = 1; c <= convs[block - 1]; c++) {
                String n = "block" + block + "_conv" + c;
                b.add(n, conv(filters[block - 1], 3, 1, Padding.SAME, true, Activation.RELU), prev);
                prev = n;
            }
            String pool = "block" + block + "_pool";
            b.add(pool, new Layer.Pool2D(true, 2, 2, 2, 2, Padding.VALID, false, false), prev);
            prev = pool;
        }
        if (includeTop) {
            b.add("flatten", new Layer.Flatten(false), prev);
            b.add("fc1", new Layer.Dense(4096, true, Activation.RELU), "flatten");
            b.add("fc2", new Layer.Dense(4096, true, Activation.RELU), "fc1");
            b.add("predictions", new Layer.Dense(1000, true, Activation.SOFTMAX), "fc2");
        }
        return b.buildWithoutParams();
    }

    /** ResNet50V2 (He et al. 2016, "Identity Mappings"), pre-activation, as keras.applications builds it. */
    public static Network resnet50v2(boolean includeTop, int height, int width) {
        Network.Builder b = new Network.Builder("resnet50v2").preprocessing(Preprocessing.TF);
        b.input(INPUT, input(includeTop, height, width));
        b.add("conv1_pad", new Layer.ZeroPadding2D(3, 3, 3, 3), INPUT);
        b.add("conv1_conv", conv(64, 7, 2, Padding.VALID, true, Activation.LINEAR), "conv1_pad");
        b.add("pool1_pad", new Layer.ZeroPadding2D(1, 1, 1, 1), "conv1_conv");
        b.add("pool1_pool", new Layer.Pool2D(true, 3, 3, 2, 2, Padding.VALID, false, false), "pool1_pad");
        int[] pools = {0};
        String x = "pool1_pool";
        x = stack2(b, x, 64, 3, 2, "conv2", pools);
        x = stack2(b, x, 128, 4, 2, "conv3", pools);
        x = stack2(b, x, 256, 6, 2, "conv4", pools);
        x = stack2(b, x, 512, 3, 1, "conv5", pools);
        b.add("post_bn", new Layer.BatchNorm(BN_EPS, true, true), x);
        b.add("post_relu", new Layer.Act("Activation", Activation.RELU), "post_bn");
        if (includeTop) {
            b.add("avg_pool", new Layer.GlobalPool(false, false), "post_relu");
            b.add("predictions", new Layer.Dense(1000, true, Activation.SOFTMAX), "avg_pool");
        }
        return b.buildWithoutParams();
    }

    private static String stack2(Network.Builder b, String x, int filters, int blocks, int stride1, String name, int[] pools) {
        x = block2(b, x, filters, 1, true, name + "_block1", pools);
        for (int i = 2; i < blocks; i++) {
            x = block2(b, x, filters, 1, false, name + "_block" + i, pools);
        }
        return block2(b, x, filters, stride1, false, name + "_block" + blocks, pools);
    }

    private static String block2(Network.Builder b, String x, int filters, int stride, boolean convShortcut, String name,
                                 int[] pools) {
        b.add(name + "_preact_bn", new Layer.BatchNorm(BN_EPS, true, true), x);
        b.add(name + "_preact_relu", new Layer.Act("Activation", Activation.RELU), name + "_preact_bn");
        String preact = name + "_preact_relu";
        String shortcut;
        if (convShortcut) {
            shortcut = name + "_0_conv";
            b.add(shortcut, conv(4 * filters, 1, stride, Padding.VALID, true, Activation.LINEAR), preact);
        } else if (stride > 1) {
            // an unnamed MaxPooling2D(1, strides=stride) in Keras: auto-named in creation order
            shortcut = pools[0] == 0 ? "max_pooling2d" : "max_pooling2d_" + pools[0];
            pools[0]++;
            b.add(shortcut, new Layer.Pool2D(true, 1, 1, stride, stride, Padding.VALID, false, false), x);
        } else {
            shortcut = x;
        }
        b.add(name + "_1_conv", conv(filters, 1, 1, Padding.VALID, false, Activation.LINEAR), preact);
        b.add(name + "_1_bn", new Layer.BatchNorm(BN_EPS, true, true), name + "_1_conv");
        b.add(name + "_1_relu", new Layer.Act("Activation", Activation.RELU), name + "_1_bn");
        b.add(name + "_2_pad", new Layer.ZeroPadding2D(1, 1, 1, 1), name + "_1_relu");
        b.add(name + "_2_conv", conv(filters, 3, stride, Padding.VALID, false, Activation.LINEAR), name + "_2_pad");
        b.add(name + "_2_bn", new Layer.BatchNorm(BN_EPS, true, true), name + "_2_conv");
        b.add(name + "_2_relu", new Layer.Act("Activation", Activation.RELU), name + "_2_bn");
        b.add(name + "_3_conv", conv(4 * filters, 1, 1, Padding.VALID, true, Activation.LINEAR), name + "_2_relu");
        b.add(name + "_out", new Layer.Merge(Layer.Merge.Op.ADD), shortcut, name + "_3_conv");
        return name + "_out";
    }

    private static TensorShape input(boolean includeTop, int height, int width) {
        if (includeTop && (height != 224 || width != 224)) {
            throw new io.convscope.ConvscopeException("with the classification top the input must be 224×224 (got "
                    + height + "×" + width + "); use the model without top (e.g. vgg16-notop) for other sizes");
        }
        return TensorShape.chw(3, height, width);
    }

    private static Layer.Conv2D conv(int filters, int k, int stride, Padding padding, boolean bias, Activation act) {
        return new Layer.Conv2D(filters, k, k, stride, stride, 1, 1, padding, 1, bias, act);
    }
}
