package io.convscope.cli;

import io.convscope.model.InputOverrides;
import io.convscope.network.Network;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * What the model file may not say: its preprocessing and its class names (an ONNX file records
 * neither). Shared by every command that loads a model.
 */
public final class InputOptions {
    /** The help text of every command's {@code --resize} (after its own first sentence). */
    static final String RESIZE_MODES = " crop: the shorter side fitted, the longer centre-cropped; stretch: both sides fitted, "
            + "the aspect ratio lost; pad: the longer side fitted, black bars; imagenet: the central 224/256 of crop, "
            + "the crop ImageNet accuracy is measured with (resize 256, centre 224).";

    @Option(names = "--preprocess", paramLabel = "caffe|tf|torch|unit|raw",
            description = "How pixels become the model's input: caffe (BGR, minus ImageNet means), tf (/127.5 - 1), "
                    + "torch (/255, ImageNet mean and std), unit (/255), raw (0-255). Default: the model's own "
                    + "(zoo and embedded models know theirs; an ONNX file: what its metadata declares, a zoo file's copy its model's, "
                    + "else raw, with a warning).")
    String preprocess;

    @Option(names = "--mean", paramLabel = "M[,M,M]",
            description = "Subtracted per channel after --scale (one value or one per channel), e.g. 0.485,0.456,0.406.")
    String mean;

    @Option(names = "--std", paramLabel = "S[,S,S]",
            description = "Divides per channel after the mean, e.g. 0.229,0.224,0.225.")
    String std;

    @Option(names = "--scale", paramLabel = "S", description = "Multiplies 0-255 pixel values first, e.g. 1/255.")
    String scale;

    @Option(names = "--channel-order", paramLabel = "rgb|bgr", description = "The channel order the model expects.")
    String channels;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Class names, one per line (ImageNet synset lines 'n01440764 tench, ...' keep the first name).")
    Path labels;

    /** The overrides these options give. */
    InputOverrides overrides() {
        return new InputOverrides(preprocess, InputOverrides.parseNumbers(mean, "--mean"),
                InputOverrides.parseNumbers(std, "--std"),
                scale == null ? null : InputOverrides.parseNumber(scale.strip(), "--scale"), channels, labels);
    }

    /** The network with the user's preprocessing and labels. */
    Network apply(Network net) {
        return overrides().apply(net);
    }
}
