package io.convscope.cli;

import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options that pick a model, shared by the commands. */
public final class ModelOptions {
    @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
            description = "Zoo name (vgg16, vgg19, resnet50v2; ONNX Model Zoo: squeezenet1.1, mobilenetv2, resnet50v2-onnx), "
                    + "a Keras (.h5, .keras), ONNX (.onnx) or convscope (.cvs) file, or nothing for the command's default: "
                    + "the embedded Fashion-MNIST model (style: vgg19).")
    String model;

    @Option(names = "--weights", paramLabel = "imagenet|none|FILE", defaultValue = "imagenet",
            description = "Zoo models only: ImageNet weights (default; fetched once and cached), none (random, "
                    + "seeded: explore an architecture offline), or a Keras weights file.")
    String weights;

    @Option(names = "--no-top", description = "Zoo models only: without the classifier (any input size).")
    boolean noTop;

    @Option(names = "--device", paramLabel = "auto|cpu|gpu", defaultValue = "auto",
            description = "Where to compute (default: ${DEFAULT-VALUE}: a GPU when the PyTorch library can use one).")
    String device;

    @Mixin
    InputOptions input = new InputOptions();

    /** The command this mixin belongs to: its error stream takes the preprocessing warning. */
    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec command;

    /** Loads the model (with a progress bar for downloads) and applies the user's preprocessing and labels. */
    Network load() {
        return load(request());
    }

    /** Loads the model of {@code r} (a command with its own default model or input size) with the user's preprocessing and labels. */
    Network load(ModelLoader.Request r) {
        input.overrides(); // bad option values fail before any heavy work
        Network net = input.apply(Loading.load(r));
        String warning = undeclaredPreprocessing(net);
        if (warning != null && command != null) {
            command.commandLine().getErr().println(warning);
        }
        return net;
    }

    /**
     * The one line said when nobody declared how pixels become the model's input (an ONNX file
     * without preprocessing metadata, and no {@code --preprocess}): its answers on raw 0–255 pixels
     * may be wrong without a word. Null when the preprocessing is known.
     */
    static String undeclaredPreprocessing(Network net) {
        if (net.preprocessing().declared()) {
            return null;
        }
        return "convscope: warning: " + net.name() + " declares no preprocessing, so it gets raw 0-255 pixels; "
                + "most ImageNet models need --preprocess torch (others: caffe, tf, unit; raw confirms raw pixels)";
    }

    ModelLoader.Request request() {
        return new ModelLoader.Request(model, weights, !noTop, noTop ? -1 : 224, noTop ? -1 : 224);
    }
}
