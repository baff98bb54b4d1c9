package io.convscope.activations;

import io.convscope.engine.Engine;
import io.convscope.image.ImageLoader;
import io.convscope.image.ImageTensor;
import io.convscope.image.Resize;
import io.convscope.keras.Fixtures;
import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import io.convscope.render.Colormap;
import io.convscope.render.Normalization;
import io.convscope.util.Progress;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The bytes of two activations runs, file by file, against SHA-256 sums recorded on main at ea05953
 * ({@code golden-activations.sha256} beside this class, in {@code sha256sum} format): the README's
 * first command ({@code convscope activations samples/fashion-mnist/7_sneaker.png}) and
 * {@code convscope activations --model vgg16 --weights none ../shared/fixtures/images/chelsea.png}, both
 * with default options, and two runs of the embedded model on two images that draw every view, the
 * channel GIF, the layer-wide scale, magma and the rank by maximum, all through the library calls the
 * {@code activations} command makes. A refactor
 * of the views, the renderers, the encoders or the statistics that changes one byte or one file name
 * fails here. The image names are given as the command was given them (from the repository root), since
 * they appear in {@code index.html} and the statistics; the recorded sums agree with those of the
 * command line's own files for the same runs.
 *
 * <p>The actual sums of each run are also written to {@code target/golden/NAME.sha256}, to compare
 * with {@code diff} after a deliberate change.
 */
class GoldenOutputTest {
    @TempDir
    Path dir;

    @Test
    void readmeFirstCommandIsByteIdentical() throws IOException {
        Path image = Path.of("..", "samples", "fashion-mnist", "7_sneaker.png");
        assumeTrue(Files.isRegularFile(image), "skipped: " + image + " not found from " + Path.of("").toAbsolutePath());
        check("readme", ModelLoader.Request.of(null), List.of(image), List.of("samples/fashion-mnist/7_sneaker.png"),
                List.of(), ActivationViews.Options.defaults());
    }

    /**
     * Every view on two images: {@code convscope activations --views grid,channels,topk,gif,compare
     * --gif-channels block2_pool -l block1_pool,block2_pool samples/fashion-mnist/7_sneaker.png
     * samples/fashion-mnist/0_t-shirt.png}.
     */
    @Test
    @Tag("slow")
    void everyViewIsByteIdentical() throws IOException {
        ActivationViews.Options opt = ActivationViews.Options.defaults()
                .withViews(EnumSet.allOf(ActivationViews.View.class)).withGifChannels("block2_pool");
        check("views", ModelLoader.Request.of(null), twoSamples(), List.of("samples/fashion-mnist/7_sneaker.png",
                "samples/fashion-mnist/0_t-shirt.png"), List.of("block1_pool", "block2_pool"), opt);
    }

    /**
     * The other normalization, colormap and rank: {@code convscope activations --views grid,topk,compare
     * --normalize layer --colormap magma --rank max --top 5 --cols 7} on the same two images.
     */
    @Test
    void layerScaleMagmaByMaxIsByteIdentical() throws IOException {
        ActivationViews.Options d = ActivationViews.Options.defaults();
        ActivationViews.Options opt = new ActivationViews.Options(EnumSet.of(ActivationViews.View.GRID, ActivationViews.View.TOPK,
                ActivationViews.View.COMPARE), 7, 5, LayerStats.Rank.MAX, Normalization.LAYER, Colormap.MAGMA, null,
                d.gifDelayMs(), d.threads());
        check("layer", ModelLoader.Request.of(null), twoSamples(), List.of("samples/fashion-mnist/7_sneaker.png",
                "samples/fashion-mnist/0_t-shirt.png"), List.of(), opt);
    }

    private static List<Path> twoSamples() {
        Path dir = Path.of("..", "samples", "fashion-mnist");
        List<Path> images = List.of(dir.resolve("7_sneaker.png"), dir.resolve("0_t-shirt.png"));
        for (Path p : images) {
            assumeTrue(Files.isRegularFile(p), "skipped: " + p + " not found from " + Path.of("").toAbsolutePath());
        }
        return images;
    }

    @Test
    @Tag("slow")
    void vgg16WithRandomWeightsIsByteIdentical() throws IOException {
        Path image = Fixtures.fixture("images/chelsea.png");
        assumeTrue(Files.isRegularFile(image), "skipped: fixture " + image + " not found (see ../shared/fixtures/README.md)");
        check("vgg16", new ModelLoader.Request("vgg16", "none", true, 224, 224), List.of(image),
                List.of("../shared/fixtures/images/chelsea.png"), List.of(), ActivationViews.Options.defaults());
    }

    /**
     * Runs the command's steps at the model's own size on {@code images} named {@code names} (as the
     * command was given them), the layers {@code layers} (none: the default selection) and the layer
     * of {@code opt}'s channel GIF, and compares every file's sum.
     */
    private void check(String run, ModelLoader.Request request, List<Path> images, List<String> names, List<String> layers,
                       ActivationViews.Options opt) throws IOException {
        Network net = ModelLoader.load(request, Progress.NONE);
        List<BufferedImage> pictures = new ArrayList<>();
        for (Path p : images) {
            pictures.add(ImageLoader.load(p));
        }
        // the command chooses on the whole network and keeps the chosen layers' ancestors
        List<String> chosen = new LayerSelection(layers, false, false, false).resolve(net);
        if (opt.gifChannels() != null && !chosen.contains(opt.gifChannels())) {
            List<String> more = new ArrayList<>(chosen);
            more.add(opt.gifChannels());
            chosen = LayerSelection.of(more.toArray(String[]::new)).resolve(net);
        }
        int h = net.inputShape().height();
        int w = net.inputShape().width();
        Network probe = net.cut(chosen, h, w).orNeedsModelSize(w, h);
        ImageTensor x = ImageTensor.of(pictures, names, probe.inputShape(), probe.preprocessing(), Resize.CROP);
        Activations acts;
        try (Engine engine = Engine.create(probe)) {
            acts = Activations.compute(engine, x, chosen, FilePlan.Numbering.of(net), Progress.NONE);
        }
        Path out = dir.resolve(run);
        ActivationViews.render(acts, opt, out, Progress.NONE);

        List<String> actual = sums(out, run);
        Path record = Path.of("target", "golden", run + ".sha256");
        Files.createDirectories(record.getParent());
        Files.write(record, actual, StandardCharsets.UTF_8);
        List<String> expected = expected(run);
        assertEquals(String.join("\n", expected), String.join("\n", actual),
                run + ": output files or bytes differ from main@ea05953 (actual sums in " + record.toAbsolutePath() + ")");
    }

    /** {@code sha256sum} lines ({@code HASH  run/relative/path}) of every file under {@code root}, sorted by path. */
    static List<String> sums(Path root, String run) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        List<String> lines = new ArrayList<>();
        for (Path f : files) {
            String rel = root.relativize(f).toString().replace('\\', '/');
            lines.add(sha256(Files.readAllBytes(f)) + "  " + run + "/" + rel);
        }
        lines.sort((a, b) -> a.substring(66).compareTo(b.substring(66)));
        return lines;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The recorded lines of one run. */
    private static List<String> expected(String run) throws IOException {
        try (InputStream in = GoldenOutputTest.class.getResourceAsStream("golden-activations.sha256")) {
            assertNotNull(in, "golden-activations.sha256 is missing from the test resources");
            List<String> lines = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                if (line.substring(66).startsWith(run + "/")) {
                    lines.add(line);
                }
            }
            return lines;
        }
    }
}
