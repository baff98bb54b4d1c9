package io.convscope.cli;

import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import io.convscope.embedded.EmbeddedModel;
import io.convscope.zoo.CachedWeights;
import io.convscope.zoo.OnnxZooModel;
import io.convscope.zoo.WeightsStore;
import io.convscope.zoo.ZooModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code convscope models}: what can be used, and what is cached. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"Lists the models: the embedded model, the zoo (Keras and ONNX Model Zoo), and the cached weight files.",
            "Weight files are looked for in Keras's cache (~/.keras/models) and in convscope's "
                + "($CONVSCOPE_HOME/weights, default ~/.cache/convscope/weights)."})
public final class ModelsCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--verify", description = "Also check the MD5 of cached files not checked yet.")
    boolean verify;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("Embedded (the default when no --model is given; works offline):");
        Network e = EmbeddedModel.load();
        out.printf(Locale.ROOT, "  %-16s a small VGG-style network (named %s in summaries), input %s, %,d parameters, "
                + "%d classes, trained by convscope on Fashion-MNIST%n", "fashion-mnist", e.name(),
                e.inputShape().toKerasString(), e.paramCount(), e.labels().size());
        out.println();
        out.println("Zoo (Keras applications; ImageNet weights fetched on first use, or --weights none|FILE):");
        for (ZooModel m : ZooModel.values()) {
            Network top = ModelLoader.zooArchitecture(m.id(), true, 224, 224);
            Network notop = ModelLoader.zooArchitecture(m.id(), false, -1, -1);
            out.printf(Locale.ROOT, "  %-16s %-15s %,12d parameters (%,d without top), preprocessing %s%n", m.id(),
                    m.displayName(), top.paramCount(), notop.paramCount(), top.preprocessing());
        }
        out.println();
        WeightsStore store = WeightsStore.defaultStore();
        out.println("ONNX Model Zoo (ImageNet, the .onnx file fetched on first use and SHA-256 checked; preprocessing "
                + "and labels built in):");
        for (OnnxZooModel m : OnnxZooModel.values()) {
            out.printf(Locale.ROOT, "  %-16s %-15s %6.1f MB, preprocessing %s, %s%n", m.id(), m.displayName(),
                    m.file().approxBytes() / 1e6, m.preprocessing(),
                    java.nio.file.Files.isRegularFile(store.cacheDir().resolve(m.file().fileName())) ? "cached" : "not downloaded");
        }
        out.println();
        List<CachedWeights> cached = store.listCached(verify, verify ? ConsoleProgress.create() : null);
        out.println("Cached weight files (" + store.kerasModelsDir() + ", " + store.cacheDir() + "):");
        if (cached.isEmpty()) {
            out.println("  none yet");
        }
        for (CachedWeights c : cached) {
            out.printf(Locale.ROOT, "  %-12s %-7s %8.1f MB  %-9s %s%n", c.model().id(), c.includeTop() ? "top" : "no top",
                    c.size() / 1e6, c.check().name().toLowerCase(Locale.ROOT), c.path());
        }
        out.flush();
        return 0;
    }
}
