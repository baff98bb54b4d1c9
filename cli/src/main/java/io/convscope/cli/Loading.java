package io.convscope.cli;

import io.convscope.model.ModelLoader;
import io.convscope.network.Network;


/** Loads models for the commands, with a progress bar for downloads. */
final class Loading {
    private Loading() {
    }

    static Network load(ModelLoader.Request r) {
        return ModelLoader.load(r, ConsoleProgress.create());
    }
}
