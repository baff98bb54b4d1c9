package io.convscope.probe;

import io.convscope.activations.ActivationViews;
import io.convscope.activations.Activations;
import io.convscope.activations.FilePlan;
import io.convscope.activations.MemoryEstimate;
import io.convscope.engine.Engine;
import io.convscope.image.ImageTensor;
import io.convscope.network.Network;
import io.convscope.util.Phases;
import io.convscope.util.Progress;
import io.convscope.util.RunFolder;

import ai.djl.Device;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * An activations run, planned: the network cut to the layers at the size, the layers in network
 * order, the memory estimate (already checked) and the names of the files.
 *
 * @param request  what was asked
 * @param network  the model cut to the ancestors of {@code layers} at {@code width}×{@code height}
 * @param files    the image files
 * @param pictures the images, loaded (released by {@link #compute})
 * @param names    the images' names as given
 * @param layers   the layers, in network order
 * @param width    the input width
 * @param height   the input height
 * @param estimate the memory estimate
 * @param notDrawn with {@code all}: the model's layers without feature maps
 * @param filePlan the names of the files the drawing writes
 * @param numbering the layers' places in the whole model, which number the files
 * @param channelNames the class names of the channels of class maps ({@link io.convscope.activations.LayerSelection#classMaps})
 * @param classifier the whole model when it ends in a classifier with labels and works at this size (its
 *                 classes are computed in the same forward pass as the maps and shown on the page), else null
 */
public record ActivationsPlan(ActivationsRequest request, Network network, List<Path> files, List<BufferedImage> pictures,
                              List<String> names, List<String> layers, int width, int height, MemoryEstimate estimate,
                              List<String> notDrawn, FilePlan filePlan, FilePlan.Numbering numbering,
                              java.util.Map<String, List<String>> channelNames, Network classifier) {

    /** The files that mark a folder as an activations run's output from before {@link RunFolder#MARKER}. */
    public static final List<String> SIGNATURE = List.of(FilePlan.INDEX, FilePlan.STATS_JSON);

    /** The page that shows everything. */
    public Path index() {
        return request.out().resolve(FilePlan.INDEX);
    }

    /** Runs the images through the network on {@code device}, one at a time, keeping the layers' maps and statistics. */
    public Activations compute(Device device, Progress progress) {
        ImageTensor x = ImageTensor.of(pictures, names, network.inputShape(), network.preprocessing(), request.resize());
        pictures.clear();
        Phases.mark("images");
        try (Engine engine = Engine.create(classifier != null ? classifier : network, device)) {
            Phases.mark("engine");
            return Activations.compute(engine, x, layers, numbering, classifier != null, Progress.orNone(progress))
                    .withChannelNames(channelNames);
        }
    }

    /**
     * Draws the views and writes every file into a new folder that then replaces the output folder as
     * a whole ({@link RunFolder}: the folder holds this run only; a failed run changes nothing); returns
     * the files' paths relative to the output folder.
     */
    public List<String> render(Activations acts, Progress progress) {
        return RunFolder.replace(request.out(), SIGNATURE,
                dir -> ActivationViews.render(acts, request.options(), dir, Progress.orNone(progress)));
    }
}
