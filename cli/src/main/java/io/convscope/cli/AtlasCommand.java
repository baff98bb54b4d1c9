package io.convscope.cli;

import io.convscope.ConvscopeException;
import io.convscope.activations.LayerSelection;
import io.convscope.atlas.Atlas;
import io.convscope.atlas.AtlasCluster;
import io.convscope.atlas.AtlasJob;
import io.convscope.atlas.AtlasSite;
import io.convscope.atlas.Dataset;
import io.convscope.atlas.Tally;
import io.convscope.engine.Devices;
import io.convscope.engine.Engine;
import io.convscope.image.Resize;
import io.convscope.network.Network;
import io.convscope.network.TensorShape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;

/** {@code convscope atlas}: what every unit of a network responds to across a whole data set. */
@Command(name = "atlas", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The top images of every unit across a data set (Zeiler & Fergus's top 9), as a static web site.",
            "DATASET is a folder tree of images (recursive; the first sub-folder is the class), a text file of image "
                + "paths (one a line), or fashion-mnist (Debian's data set: 60,000 training then 10,000 test images).",
            "For every channel of the chosen layers: the images where it is strongest (one position per image), the input "
                + "patch it sees there (its receptive field, from the network's graph), the full image with the patch "
                + "outlined, and its statistics over the data set (mean, max, fraction of zeros, dead, per-class means). "
                + "Writes --out/index.html, a page per layer and per unit (LAYER/UNIT/index.html), atlas.json, units.csv "
                + "and top.csv. A checkpoint beside --out lets --resume continue an interrupted run."},
        footer = {"", "Examples:", "  convscope atlas fashion-mnist",
            "  convscope atlas --model squeezenet1.1.onnx --preprocess torch photos/ --layers 'fire*/concat'",
            "  convscope atlas fashion-mnist --resume", "  convscope atlas fashion-mnist --spark spark://host:7077"})
public final class AtlasCommand implements Callable<Integer> {
    /** Where the site goes when --out is not given. */
    public static final String DEFAULT_OUT = "convscope-out/atlas";

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Parameters(index = "0", paramLabel = "DATASET", description = "A folder of images, a text file of image paths, or fashion-mnist.")
    String dataset;

    @Option(names = {"-l", "--layers"}, split = ",", paramLabel = "NAME|GLOB",
            description = "Layers by name or glob, comma-separated. Default: one layer per block (as activations --blocks).")
    List<String> layers = new ArrayList<>();

    @Option(names = "--all", description = "Every layer with feature maps.")
    boolean all;

    @Option(names = {"-k", "--top"}, defaultValue = "9", paramLabel = "N", description = "Images per unit (default ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--batch", defaultValue = "32", paramLabel = "N",
            description = "Images per forward pass (default ${DEFAULT-VALUE}); results are the same bits at the same batch size.")
    int batch;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "Only the first N images (default: all).")
    int limit;

    @Option(names = "--size", paramLabel = "WxH", description = "Input size for models that take any size (default 224x224).")
    String size;

    @Option(names = "--resize", defaultValue = "crop", paramLabel = "crop|stretch|pad|imagenet",
            description = "How an image is fitted to the input size (default ${DEFAULT-VALUE})." + InputOptions.RESIZE_MODES)
    String resize;

    @Option(names = "--threads", paramLabel = "N", description = "Threads that decode images (default: cores − 1).")
    Integer threads;

    @Option(names = "--filters", paramLabel = "DIR",
            description = "Output of 'convscope filters' (DIR/LAYER/cNNN.png): each unit's feature visualization is shown beside its images.")
    Path filters;

    @Option(names = "--no-projections", description = "Leave out the projections of the top activations into their patches.")
    boolean noProjections;

    @Option(names = "--projection", defaultValue = "deconvnet", paramLabel = "KIND",
            description = "How each top activation is projected into its patch: deconvnet (Zeiler & Fergus: unpooling by the "
                    + "forward switches, ReLU on the backward signal, transposed filters; default) or gradient (its input gradient).")
    io.convscope.atlas.Projections.Kind projection;

    @Option(names = {"-o", "--out"}, defaultValue = DEFAULT_OUT, paramLabel = "DIR",
            description = "The site's folder (default ${DEFAULT-VALUE}); it is replaced when the new site is complete.")
    Path out;

    @Option(names = "--resume", description = "Continue an interrupted run from its checkpoint (DIR.checkpoint beside --out).")
    boolean resume;

    @Option(names = "--spark", paramLabel = "MASTER_URL",
            description = "Compute on an Apache Spark cluster (spark://host:7077, local[N]); needs the convscope-spark jar "
                    + "on the class path (see the README).")
    String spark;

    @Override
    public Integer call() {
        if (top < 1) {
            throw new ConvscopeException("--top must be at least 1");
        }
        if (batch < 1) {
            throw new ConvscopeException("--batch must be at least 1");
        }
        if (limit < 0) {
            throw new ConvscopeException("--limit must not be negative");
        }
        if (threads != null && threads < 1) {
            throw new ConvscopeException("--threads must be at least 1");
        }
        Resize mode = Resize.byName(resize);
        if (mode == null) {
            throw new ConvscopeException("unknown --resize '" + resize + "': use " + Resize.names());
        }
        AtlasCluster cluster = spark == null ? null : cluster();
        var request = modelOptions.request();
        io.convscope.model.ModelLoader.check(request);
        var device = Devices.choose(modelOptions.device);
        Dataset data = Dataset.open(dataset);
        Network net = modelOptions.load();
        TensorShape in = net.inputShape();
        if (!in.isSpatial()) {
            throw new ConvscopeException(net.name() + " does not take images (input " + in.toKerasString() + ")");
        }
        int h = in.height();
        int w = in.width();
        if (size != null) {
            int[] wh = ActivationsCommand.parseSize(size);
            TensorShape s = io.convscope.image.ImageTensor.withSize(in, wh[1], wh[0]);
            h = s.height();
            w = s.width();
        } else if (h < 0 || w < 0) {
            h = h < 0 ? 224 : h;
            w = w < 0 ? 224 : w;
        }
        Network probe = in.height() == h && in.width() == w ? net : net.fittingPrefix(h, w);
        LayerSelection sel = new LayerSelection(layers, false, layers.isEmpty() && !all, all);
        List<String> chosen = sel.resolve(probe);
        AtlasJob job = new AtlasJob(data.spec(), chosen, top, batch, h, w, mode, limit);
        Network prepared = Atlas.prepare(probe, job);
        int images = job.images(data.size());
        int nThreads = threads != null ? threads : Atlas.Options.defaults().threads();
        Path checkpoint = out.toAbsolutePath().normalize().resolveSibling(out.toAbsolutePath().normalize().getFileName() + ".checkpoint");
        PrintWriter o = spec.commandLine().getOut();
        o.println("atlas of " + net.name() + ": " + images + " images of " + data.spec() + ", " + chosen.size()
                + (chosen.size() == 1 ? " layer (" : " layers (") + String.join(", ", chosen) + "), top " + top + ", batch " + batch);
        o.flush();
        Tally tally;
        try (Engine engine = Engine.create(prepared, device)) {
            if (cluster != null) {
                tally = cluster.run(spark, prepared, job, ConsoleProgress.create());
            } else {
                tally = Atlas.run(engine, data, job, new Atlas.Options(nThreads, checkpoint, resume), ConsoleProgress.create());
            }
            report(o, tally, images);
            String modelName = modelOptions.model == null ? "the embedded model (" + net.name() + ")" : net.name();
            int files = AtlasSite.write(prepared, job, data, tally,
                    new AtlasSite.Options(modelName, filters, nThreads, noProjections ? null : engine, projection), out, ConsoleProgress.create());
            o.println("Wrote " + files + " files to " + out + "; open " + out.resolve("index.html"));
            o.flush();
        }
        return 0;
    }

    private void report(PrintWriter o, Tally tally, int images) {
        if (tally.failed() > 0) {
            o.println(tally.failed() + " of " + images + " images could not be read and were skipped:");
            List<String> f = tally.failures();
            for (int i = 0; i < Math.min(10, f.size()); i++) {
                o.println("  " + f.get(i));
            }
            if (tally.failed() > 10) {
                o.println("  … (all listed in " + out.resolve("index.html") + ")");
            }
        }
        for (int l = 0; l < tally.layers().size(); l++) {
            int dead = 0;
            for (int c = 0; c < tally.channels(l); c++) {
                dead += tally.dead(l, c) ? 1 : 0;
            }
            o.println(String.format("  %-24s %4d units  %3d dead", tally.layers().get(l), tally.channels(l), dead));
        }
        o.flush();
    }

    private static AtlasCluster cluster() {
        return ServiceLoader.load(AtlasCluster.class).findFirst().orElseThrow(() -> new ConvscopeException(
                "--spark needs the convscope-spark module on the class path (build it with 'mvn -pl spark -am package'; see the README, \"Atlas on Spark\")"));
    }
}
