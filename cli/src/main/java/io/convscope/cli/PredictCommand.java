package io.convscope.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.convscope.ConvscopeException;
import io.convscope.engine.Devices;
import io.convscope.engine.Engine;
import io.convscope.image.ImageTensor;
import io.convscope.image.Inputs;
import io.convscope.image.Resize;
import io.convscope.network.Network;
import io.convscope.util.ConsoleProgress;
import io.convscope.util.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
    String resize;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "N", description = "Images per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() {
        if (top < 1) {
            throw new ConvscopeException("--top must be at least 1");
        }
        if (batch < 1) {
            throw new ConvscopeException("--batch must be at least 1");
        }
        Resize mode = Resize.byName(resize);
        if (mode == null) {
            throw new ConvscopeException("unknown --resize '" + resize + "': use " + Resize.names());
        }
        var request = modelOptions.request();
        io.convscope.model.ModelLoader.check(request);
        var device = Devices.choose(modelOptions.device);
        List<Path> files = Inputs.expand(images);
        Network net = modelOptions.load();
        if (net.inputShape().height() < 0 || net.inputShape().width() < 0) {
            throw new ConvscopeException("predict needs a model with a fixed input size and a classifier; "
                    + net.name() + " takes any size (was --no-top given?)");
        }
        List<float[]> probs = new ArrayList<>();
        Progress bar = files.size() > batch ? new ConsoleProgress() : Progress.NONE;
        bar.start("classifying " + files.size() + " images", files.size(), Progress.Unit.STEPS);
        try (Engine engine = Engine.create(net, device)) {
            for (int start = 0; start < files.size(); start += batch) {
                List<Path> chunk = files.subList(start, Math.min(files.size(), start + batch));
                ImageTensor t = ImageTensor.load(chunk, net.inputShape(), net.preprocessing(), mode);
                try (NDManager scope = engine.manager().newSubManager()) {
                    NDArray x = engine.input(scope, t.data(), t.n(), t.c(), t.h(), t.w());
                    probs.addAll(Arrays.asList(engine.predict(x)));
                }
                bar.advance(probs.size());
            }
        } finally {
            bar.finish();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonArray all = new JsonArray();
            for (int i = 0; i < files.size(); i++) {
                JsonObject o = new JsonObject();
                o.addProperty("image", files.get(i).toString());
                JsonArray preds = new JsonArray();
                for (int c : topK(probs.get(i), top)) {
                    JsonObject p = new JsonObject();
                    p.addProperty("index", c);
                    p.addProperty("label", net.label(c));
                    p.addProperty("probability", probs.get(i)[c]);
                    preds.add(p);
                }
                o.add("predictions", preds);
                all.add(o);
            }
            out.println(new GsonBuilder().setPrettyPrinting().create().toJson(all));
        } else {
            for (int i = 0; i < files.size(); i++) {
                out.println(files.get(i));
                int rank = 1;
                for (int c : topK(probs.get(i), top)) {
                    out.printf(Locale.ROOT, "  %d. %-28s %6.2f%%%n", rank++, net.label(c), 100 * probs.get(i)[c]);
                }
            }
        }
        out.flush();
        return 0;
    }

    static int[] topK(float[] p, int k) {
        Integer[] idx = new Integer[p.length];
        for (int i = 0; i < p.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> -p[i]).thenComparingInt(i -> i));
        int n = Math.min(k, p.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = idx[i];
        }
        return out;
    }
}
