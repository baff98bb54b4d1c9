package io.convscope.cli;

import io.convscope.ConvscopeException;
import io.convscope.data.FashionMnist;
import io.convscope.embedded.EmbeddedModel;
import io.convscope.cvs.NetworkFile;
import io.convscope.train.TrainEmbedded;
import io.convscope.train.Trainer;
import io.convscope.util.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code convscope train fashion-mnist}: reproduces the embedded model. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Retrains the embedded model on Fashion-MNIST from a seed, as the shipped one was made.",
            "The result is a convscope model file (.cvs), usable with --model anywhere."},
        footer = {"", "Example:", "  convscope train fashion-mnist --out my-fmnist.cvs && convscope evaluate --model my-fmnist.cvs fashion-mnist"})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DATASET", description = "fashion-mnist")
    String dataset;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs (default: as the shipped model, ${DEFAULT-VALUE}).")
    int epochs = TrainEmbedded.EPOCHS;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed (default: as the shipped model, ${DEFAULT-VALUE}).")
    long seed = TrainEmbedded.SEED;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Where to write the model (default: ${DEFAULT-VALUE}).")
    Path out = Path.of(EmbeddedModel.NAME + NetworkFile.EXTENSION);

    @Option(names = "--force", description = "Overwrite FILE if it exists.")
    boolean force;

    @Override
    public Integer call() {
        if (!dataset.equalsIgnoreCase("fashion-mnist") && !dataset.equalsIgnoreCase("fmnist")) {
            throw new ConvscopeException("unknown data set '" + dataset + "': convscope trains on fashion-mnist");
        }
        if (epochs < 1) {
            throw new ConvscopeException("--epochs must be at least 1");
        }
        if (Files.exists(out) && !force) {
            throw new ConvscopeException(out + " exists; pass --force to overwrite it or --out another file");
        }
        if (!FashionMnist.available()) {
            FashionMnist.test(); // throws the one-line message naming the package
        }
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            // the shipped model was trained with one PyTorch thread; results depend on the thread count
            System.setProperty("ai.djl.pytorch.num_threads", "1");
        }
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "training %s on Fashion-MNIST: %d epochs, seed %d%n", EmbeddedModel.NAME, epochs, seed);
        o.flush();
        Progress bar = ConsoleProgress.create();
        Trainer.Result r = TrainEmbedded.train(epochs, seed, true, new Trainer.Listener() {
            int epochShown = -1;

            @Override
            public void onStep(Trainer.Progress p) {
                if (p.epoch() != epochShown) {
                    epochShown = p.epoch();
                    bar.start(String.format(Locale.ROOT, "epoch %d/%d", p.epoch(), p.epochs()), p.stepsPerEpoch(), Progress.Unit.STEPS);
                }
                bar.advance(p.step());
            }

            @Override
            public void onEpoch(Trainer.EpochSummary s) {
                bar.finish();
                o.printf(Locale.ROOT, "epoch %d: loss %.4f, train accuracy %.4f, test accuracy %.4f (%.0f s)%n", s.epoch(), s.loss(),
                        s.accuracy(), s.validation() == null ? Double.NaN : s.validation().accuracy(), s.seconds());
                o.flush();
            }
        });
        NetworkFile.save(r.network(), out);
        o.printf(Locale.ROOT, "trained in %.0f s; wrote %s%n", r.seconds(), out);
        o.print(Trainer.accuracy(r.network(), FashionMnist.test(), 500).format(FashionMnist.CLASSES));
        o.flush();
        return 0;
    }
}
