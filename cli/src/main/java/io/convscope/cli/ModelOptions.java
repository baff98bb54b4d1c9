package io.convscope.cli;

import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options that pick a model, shared by the commands. */
public final class ModelOptions {
    @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
            description = "Zoo name (vgg16, vgg19, resnet50v2; ONNX Model Zoo: squeezenet1.1, mobilenetv2, resnet50v2-onnx), a Keras (.h5, .keras) or ONNX (.onnx) file, or nothing for the "
                    + "embedded Fashion-MNIST model.")
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

    /** Loads the model (with a progress bar for downloads) and applies the user's preprocessing and labels. */
    Network load() {
        return load(request());
    }

    /** Loads the model of {@code r} (a command with its own default model or input size) with the user's preprocessing and labels. */
    Network load(ModelLoader.Request r) {
        input.overrides(); // bad option values fail before any heavy work
        return input.apply(Loading.load(r));
    }

    ModelLoader.Request request() {
        return new ModelLoader.Request(model, weights, !noTop, noTop ? -1 : 224, noTop ? -1 : 224);
    }
}
