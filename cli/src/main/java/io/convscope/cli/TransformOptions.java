package io.convscope.cli;

import picocli.CommandLine.Option;

/** {@code --no-transforms}: only for the commands that transform the image at each step (classviz, filters; reconstruct never does). */
public final class TransformOptions {
    @Option(names = "--no-transforms", description = "Do not jitter, scale and rotate the image at each step (by default: "
            + "Lucid's jitter 8, scale 0.9-1.1, jitter 4 at 224 px).")
    boolean noTransforms;
}
