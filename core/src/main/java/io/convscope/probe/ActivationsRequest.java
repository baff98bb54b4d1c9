package io.convscope.probe;

import io.convscope.ConvscopeException;
import io.convscope.Setting;
import io.convscope.activations.ActivationViews;

import io.convscope.activations.FilePlan;
import io.convscope.activations.LayerSelection;
import io.convscope.activations.MemoryEstimate;
import io.convscope.image.ImageLoader;
import io.convscope.image.Inputs;
import io.convscope.image.Resize;
import io.convscope.memory.MemoryLimits;
import io.convscope.network.Network;
import io.convscope.network.TensorShape;
import io.convscope.util.Names;
import io.convscope.util.RunFolder;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The forward probe ({@code activations}): the feature maps of chosen layers for some images, drawn.
 *
 * @param images    image files or folders, as given
 * @param selection which layers (names, globs, conv, blocks, all)
 * @param options   what to draw and how ({@link ActivationViews.Options}; its {@code gifChannels} layer is added to the layers)
 * @param width     the input width, or 0 for the model's (or the first image's for a model of any size)
 * @param height    the input height, or 0 likewise
 * @param keepSize  run at the first image's own size (excludes a width and height)
 * @param resize    how an image is fitted to the size
 * @param out       the output folder
 */
public record ActivationsRequest(List<String> images, LayerSelection selection, ActivationViews.Options options, int width,
                                 int height, boolean keepSize, Resize resize, Path out) {

    /** The image files (folders expanded), refusing any that lies where this run writes. Cheap: call it before loading a model. */
    public List<Path> inputs() {
        if (width > 0 && keepSize) {
            throw new ConvscopeException(Setting.SIZE + " and " + Setting.KEEP_SIZE + " exclude each other");
        }
        List<Path> files = Inputs.expand(images);
        Outputs.requireFolder(out);
        RunFolder.requireReplaceable(out, ActivationsPlan.SIGNATURE);
        return files;
    }

    /** {@link #plan(List, Network, MemoryLimits)} for {@link #inputs()}. */
    public ActivationsPlan plan(Network net, MemoryLimits limits) {
        return plan(inputs(), net, limits);
    }

    /**
     * Loads the images, resolves the size and the layers (on the part of the model that works at that
     * size), estimates the memory and refuses a run that would not fit {@code limits}.
     */
    public ActivationsPlan plan(List<Path> files, Network net, MemoryLimits limits) {
        TensorShape in = net.inputShape();
        if (!in.isSpatial()) {
            throw new ConvscopeException(net.name() + " does not take images (input " + in.toKerasString() + ")");
        }
        // the input size: asked, the first image's (keepSize, or a model that takes any size), or the model's
        List<BufferedImage> pictures = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path p : files) {
            pictures.add(ImageLoader.load(p));
            names.add(p.toString());
        }
        int h = in.height();
        int w = in.width();
        if (width > 0) {
            w = width;
            h = height;
        } else if (keepSize || h < 0 || w < 0) {
            h = h < 0 || keepSize ? pictures.get(0).getHeight() : h;
            w = w < 0 || keepSize ? pictures.get(0).getWidth() : w;
        }
        // layers are chosen on the part of the model that works at that size
        Network probe = in.height() == h && in.width() == w ? net : net.fittingPrefix(h, w);
        for (String p : selection.patterns()) {
            if (net.has(p.strip()) && !probe.has(p.strip())) {
                net.cut(List.of(p.strip()), h, w).orNeedsModelSize(w, h); // says which layer needs the model's own size
            }
        }
        List<String> chosen = selection.resolve(probe);
        String gifChannels = options.gifChannels();
        if (gifChannels != null && !chosen.contains(gifChannels)) {
            if (!probe.has(gifChannels) || !LayerSelection.drawable(probe, probe.node(gifChannels))) {
                throw new ConvscopeException(Setting.GIF_CHANNELS + ": no layer with feature maps named '" + gifChannels + "'"
                        + Names.didYouMean(gifChannels, LayerSelection.drawableNames(probe)));
            }
            List<String> more = new ArrayList<>(chosen);
            more.add(gifChannels);
            chosen = LayerSelection.of(more.toArray(String[]::new)).resolve(probe);
        }
        probe = probe.cut(chosen, h, w).orNeedsModelSize(w, h);
        // files are numbered by the layers' places in the whole model, whatever the selection
        FilePlan.Numbering numbering = FilePlan.Numbering.of(net);
        checkNotAnInput(files, names, FilePlan.layers(net, chosen), numbering.count());

        MemoryEstimate estimate = MemoryEstimate.of(probe, chosen, files.size(), options.threads(),
                options.views().contains(ActivationViews.View.GIF) ? chosen.size() * files.size() : 0, ActivationViews.GIF_SIDE);
        estimate.check(limits.heapBytes(), limits.physicalBytes(), files.size() + (files.size() == 1 ? " image" : " images") + " × "
                + chosen.size() + (chosen.size() == 1 ? " layer" : " layers") + " at " + w + "×" + h);
        List<String> notDrawn = new ArrayList<>();
        if (selection.all()) {
            for (var n : net.nodes()) {
                if (!n.outputShape().isSpatial()) {
                    notDrawn.add(n.name());
                }
            }
        }
        return new ActivationsPlan(this, probe, files, pictures, names, chosen, w, h, estimate, notDrawn,
                new FilePlan(names, numbering.count()), numbering, LayerSelection.classMaps(net, chosen));
    }

    /**
     * Never write over an input: no image may lie in the output folder, which the run replaces as a
     * whole ({@link RunFolder}); the message names one of the files this run writes when the image is
     * one (from the views' own names, {@link ActivationViews#files}; compared without case, as some
     * file systems do).
     */
    private void checkNotAnInput(List<Path> files, List<String> names, List<FilePlan.Layer> layers, int layerCount) {
        Path dir = out.toAbsolutePath().normalize();
        java.util.Set<String> writes = new java.util.HashSet<>();
        for (String f : ActivationViews.files(names, layers, layerCount, options)) {
            writes.add(f.toLowerCase(java.util.Locale.ROOT));
        }
        for (Path f : files) {
            Path abs = f.toAbsolutePath().normalize();
            if (abs.startsWith(dir)) {
                boolean written = writes.contains(dir.relativize(abs).toString().replace('\\', '/').toLowerCase(java.util.Locale.ROOT));
                throw new ConvscopeException(f + " is inside the output folder " + out + (written ? " where convscope would write over it"
                        : ", which the run replaces as a whole") + "; choose another " + Setting.OUT);
            }
        }
    }
}
