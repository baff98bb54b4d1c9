package io.convscope.cli;

import io.convscope.ConvscopeException;
import io.convscope.data.FashionMnist;
import io.convscope.network.Network;
import io.convscope.network.TensorShape;
import io.convscope.train.Evaluation;
import io.convscope.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code convscope evaluate fashion-mnist}: test accuracy of a Fashion-MNIST model. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Measures a model's test accuracy on a data set, overall and per class.",
            "DATASET: fashion-mnist (the 10,000 test images of Debian's dataset-fashion-mnist, or $CONVSCOPE_FASHION_MNIST).",
            "The model must take 28×28 grayscale images and give 10 classes: the embedded model (default) or a Keras file."},
        footer = {"", "Examples:", "  convscope evaluate fashion-mnist",
            "  convscope evaluate --model my_fmnist_cnn.h5 fashion-mnist"})
public final class EvaluateCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    InputOptions input = new InputOptions();

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL", description = "The embedded model (default) or a Keras file.")
    String model;

    @Parameters(index = "0", paramLabel = "DATASET", description = "fashion-mnist")
    String dataset;

    @Option(names = "--batch", defaultValue = "500", paramLabel = "N", description = "Images per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--limit", paramLabel = "N", description = "Only the first N test images.")
    Integer limit;

    @Override
    public Integer call() {
        if (!dataset.equalsIgnoreCase("fashion-mnist") && !dataset.equalsIgnoreCase("fmnist")) {
            throw new ConvscopeException("unknown data set '" + dataset + "': convscope evaluates on fashion-mnist");
        }
        if (batch < 1) {
            throw new ConvscopeException("--batch must be at least 1");
        }
        var request = new io.convscope.model.ModelLoader.Request(model, "none", true, 224, 224);
        if (request.zooName() != null) {
            throw new ConvscopeException(request.zooName() + " is an ImageNet model; fashion-mnist needs a model of "
                    + "28×28 grayscale images with 10 classes");
        }
        input.overrides();
        Network net = input.apply(Loading.load(request));
        TensorShape in = net.inputShape();
        if (in.rank() != 3 || in.channels() != 1 || (in.height() >= 0 && in.height() != 28) || (in.width() >= 0 && in.width() != 28)
                || net.outputShape().dim(0) != 10) {
            throw new ConvscopeException(net.name() + " takes " + in.toKerasString() + " and gives " + net.outputShape().toKerasString()
                    + "; fashion-mnist needs (None, 28, 28, 1) in and 10 classes out");
        }
        FashionMnist.Split test = FashionMnist.test();
        if (limit != null) {
            int n = Math.max(1, Math.min(limit, test.count()));
            test = new FashionMnist.Split(java.util.Arrays.copyOf(test.pixels(), n * 784), java.util.Arrays.copyOf(test.labels(), n), n);
        }
        long t0 = System.nanoTime();
        Evaluation e = Trainer.accuracy(net, test, batch);
        double seconds = (System.nanoTime() - t0) / 1e9;
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s on Fashion-MNIST test (%d images, %.1f s):%n", net.name(), test.count(), seconds);
        out.print(e.format(FashionMnist.CLASSES));
        out.flush();
        return 0;
    }
}
