package io.convscope.train;

import io.convscope.ConvscopeException;
import io.convscope.data.FashionMnist;
import io.convscope.embedded.EmbeddedModel;
import io.convscope.cvs.NetworkFile;
import io.convscope.network.Network;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Trains convscope's embedded Fashion-MNIST model ({@link EmbeddedModel#architecture()}) from a
 * seed, and writes the sample images. The shipped model is {@code train(EPOCHS, SEED, …)} = 10 epochs
 * from seed 1 with one PyTorch thread: test accuracy 0.9288 after 1,050 s of training on two shared
 * cores (about 90 s per epoch); see {@link EmbeddedModel} for the details.
 *
 * <pre>
 *   java -Dai.djl.offline=true -cp … io.convscope.train.TrainEmbedded [--epochs N] [--seed S] [--out FILE] [--samples DIR]
 * </pre>
 *
 * <p>Results are reproducible on the same machine with the same number of PyTorch threads; this
 * {@code main} uses one ({@code -Dai.djl.pytorch.num_threads}) unless told otherwise, which on two
 * shared cores is also the fastest.
 */
public final class TrainEmbedded {
    public static final long SEED = 1;
    public static final int EPOCHS = 10;
    public static final int BATCH = 64;
    public static final float LEARNING_RATE = 1e-3f;
    /** The learning rate is multiplied by this after every epoch. */
    public static final float LR_DECAY = 0.8f;

    private TrainEmbedded() {
    }

    /** The training options of the shipped model, for {@code epochs} and {@code seed}. */
    public static Trainer.Options options(int epochs, long seed) {
        return new Trainer.Options(epochs, BATCH, LEARNING_RATE, LR_DECAY, seed, true, 0);
    }

    /**
     * Trains the embedded architecture from Glorot-initialized weights (seeded) on the 60,000
     * training images; {@code validate} evaluates the test set after every epoch (reported to the
     * listener, not used for training).
     */
    public static Trainer.Result train(int epochs, long seed, boolean validate, Trainer.Listener listener) {
        Network net = EmbeddedModel.architecture().withRandomParams(seed);
        LabeledImages test = validate ? LabeledImages.of(FashionMnist.test()) : null;
        return Trainer.train(net, LabeledImages.of(FashionMnist.train()), test, options(epochs, seed), listener);
    }

    /**
     * Writes the first image of each class in the Fashion-MNIST test set to {@code dir} as 28×28
     * grayscale PNGs named by {@link EmbeddedModel#sampleFileName}.
     */
    public static void writeSamples(Path dir) {
        FashionMnist.Split test = FashionMnist.test();
        try {
            Files.createDirectories(dir);
            for (int c = 0; c < FashionMnist.CLASSES.size(); c++) {
                int i = 0;
                while (test.label(i) != c) {
                    i++;
                }
                BufferedImage img = new BufferedImage(FashionMnist.SIDE, FashionMnist.SIDE, BufferedImage.TYPE_BYTE_GRAY);
                float[] px = test.image(i);
                for (int p = 0; p < px.length; p++) {
                    img.getRaster().setSample(p % FashionMnist.SIDE, p / FashionMnist.SIDE, 0, (int) px[p]);
                }
                ImageIO.write(img, "png", dir.resolve(EmbeddedModel.sampleFileName(c)).toFile());
            }
        } catch (IOException e) {
            throw new ConvscopeException("cannot write the sample images to " + dir + ": " + e.getMessage());
        }
    }

    public static void main(String[] args) {
        int epochs = EPOCHS;
        long seed = SEED;
        Path out = Path.of(EmbeddedModel.NAME + NetworkFile.EXTENSION);
        Path samples = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--epochs" -> epochs = Integer.parseInt(need(args[i], value));
                case "--seed" -> seed = Long.parseLong(need(args[i], value));
                case "--out" -> out = Path.of(need(args[i], value));
                case "--samples" -> samples = Path.of(need(args[i], value));
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --epochs N, --seed S, --out FILE, --samples DIR");
            }
            i++;
        }
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
        }
        if (samples != null) {
            writeSamples(samples);
        }
        System.out.printf(Locale.ROOT, "training %s: %d epochs, seed %d, %s PyTorch thread(s)%n", EmbeddedModel.NAME,
                epochs, seed, System.getProperty("ai.djl.pytorch.num_threads"));
        Trainer.Result r = train(epochs, seed, true, new Trainer.Listener() {
            @Override
            public void onStep(Trainer.Progress p) {
                if (p.step() % 100 == 0 || p.step() == p.stepsPerEpoch()) {
                    System.out.printf(Locale.ROOT, "  epoch %d/%d step %d/%d  loss %.4f  accuracy %.4f%n", p.epoch(), p.epochs(),
                            p.step(), p.stepsPerEpoch(), p.loss(), p.accuracy());
                }
            }

            @Override
            public void onEpoch(Trainer.EpochSummary s) {
                System.out.printf(Locale.ROOT, "epoch %d: loss %.4f, accuracy %.4f, lr %.6f, %.1f s; test accuracy %.4f, loss %.4f%n",
                        s.epoch(), s.loss(), s.accuracy(), s.learningRate(), s.seconds(), s.validation().accuracy(),
                        s.validation().loss());
            }
        });
        NetworkFile.save(r.network(), out);
        System.out.printf(Locale.ROOT, "trained in %.1f s, wrote %s%n", r.seconds(), out);
        System.out.print(Trainer.accuracy(r.network(), FashionMnist.test(), 500).format(FashionMnist.CLASSES));
    }

    private static String need(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }
}
