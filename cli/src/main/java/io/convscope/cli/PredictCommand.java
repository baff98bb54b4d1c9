package io.convscope.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.convscope.ConvscopeException;
import io.convscope.engine.Devices;
import io.convscope.image.Resize;
import io.convscope.probe.PredictRequest;
import io.convscope.util.Phases;
import io.convscope.util.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code convscope predict}: what the model thinks each image is. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Classifies images: the top-k labels and probabilities for each.",
            "IMAGE may be a file (PNG, JPEG, BMP, GIF) or a folder of them; many at once are run in batches."},
        footer = {"", "Examples:", "  convscope predict samples/fashion-mnist/",
            "  convscope predict --model vgg16 --top 3 --json cat.jpg"})
public final class PredictCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files or folders.")
    List<String> images;

    @Option(names = {"-k", "--top"}, defaultValue = "5", paramLabel = "K", description = "How many classes per image (default ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--resize", defaultValue = "crop", paramLabel = "crop|stretch|pad|imagenet",
            description = "How an image is fitted to the model's input (default ${DEFAULT-VALUE})."
                    + InputOptions.RESIZE_MODES)
    Resize resize;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "N", description = "Images per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() {
        Phases.mark("start");
        if (top < 1) {
            throw new ConvscopeException("--top must be at least 1");
        }
        if (batch < 1) {
            throw new ConvscopeException("--batch must be at least 1");
        }
        io.convscope.model.ModelLoader.check(modelOptions.request());
        var device = Devices.choose(modelOptions.device);
        PredictRequest request = new PredictRequest(images, top, resize, batch);
        List<Path> files = request.inputs();
        // the images are decoded on worker threads while the model loads
        List<PredictRequest.Prediction> predictions = request.run(files, () -> modelOptions.load(), device,
                files.size() > batch ? ConsoleProgress.create() : Progress.NONE);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonArray all = new JsonArray();
            for (PredictRequest.Prediction pr : predictions) {
                JsonObject o = new JsonObject();
                o.addProperty("image", pr.image().toString());
                JsonArray preds = new JsonArray();
                for (PredictRequest.Scored c : pr.top()) {
                    JsonObject p = new JsonObject();
                    p.addProperty("index", c.index());
                    p.addProperty("label", c.label());
                    p.addProperty("probability", c.probability());
                    preds.add(p);
                }
                o.add("predictions", preds);
                all.add(o);
            }
            out.println(new GsonBuilder().setPrettyPrinting().create().toJson(all));
        } else {
            for (PredictRequest.Prediction pr : predictions) {
                out.println(pr.image());
                int rank = 1;
                for (PredictRequest.Scored c : pr.top()) {
                    out.printf(Locale.ROOT, "  %d. %-28s %6.2f%%%n", rank++, c.label(), 100 * c.probability());
                }
            }
        }
        out.flush();
        return 0;
    }

    static int[] topK(float[] p, int k) {
        return PredictRequest.topK(p, k);
    }
}
