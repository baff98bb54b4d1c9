package io.convscope.example;

// README: library snippet (README.md, "As a library", must stay equal to this file from here on)
import io.convscope.activations.ActivationViews;
import io.convscope.activations.Activations;
import io.convscope.activations.LayerSelection;
import io.convscope.engine.Devices;
import io.convscope.image.Resize;
import io.convscope.memory.MemoryLimits;
import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import io.convscope.probe.ActivationsPlan;
import io.convscope.probe.ActivationsRequest;
import io.convscope.util.PlainProgress;
import io.convscope.util.Progress;

import java.nio.file.Path;
import java.util.List;

/** From zero to a picture: what the embedded model sees in one image (args: IMAGE OUT_DIR). */
public class Hello {
    public static void main(String[] args) {
        Network net = ModelLoader.load(ModelLoader.Request.of("embedded"), Progress.NONE); // or "vgg16", "model.onnx"
        System.out.println(net.name() + " takes " + net.inputShape());                     // (None, 28, 28, 1)
        ActivationsRequest request = new ActivationsRequest(List.of(args[0]), LayerSelection.defaults(),
                ActivationViews.Options.defaults(), 0, 0, false, Resize.CROP, Path.of(args[1]));
        ActivationsPlan plan = request.plan(net, MemoryLimits.current(null));
        Activations acts = plan.compute(Devices.choose("auto"), Progress.NONE);
        plan.render(acts, new PlainProgress(System.err));
        System.out.println("open " + plan.index());
    }
}
