package io.convscope.probe;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.convscope.ConvscopeException;
import io.convscope.embedded.EmbeddedModel;
import io.convscope.engine.Engine;
import io.convscope.image.ImageTensor;
import io.convscope.image.Resize;
import io.convscope.keras.Fixtures;
import io.convscope.model.InputOverrides;
import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import io.convscope.util.Progress;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PredictRequest#run} decodes on worker threads ahead of the engine; its answers must be
 * exactly those of the plain loop it replaced (load a batch, forward it, take the top k), written
 * out here as the reference, for every batch size and number of threads.
 */
class PredictPipelineTest {
    private static final Path SAMPLES = Path.of("..", "samples", "fashion-mnist");

    private static List<Path> images() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(SAMPLES)) {
            s.filter(p -> p.toString().endsWith(".png")).sorted().forEach(files::add);
        }
        assertTrue(files.size() >= 10, "samples: " + files);
        return files;
    }

    /** The loop before the pipeline: a batch loaded, forwarded, its top k taken; nothing overlaps. */
    private static List<PredictRequest.Prediction> reference(List<Path> files, Network net, int batch, int top, Resize resize) {
        List<PredictRequest.Prediction> out = new ArrayList<>();
        try (Engine engine = Engine.create(net, Device.cpu())) {
            for (int start = 0; start < files.size(); start += batch) {
                List<Path> chunk = files.subList(start, Math.min(files.size(), start + batch));
                ImageTensor t = ImageTensor.load(chunk, net.inputShape(), net.preprocessing(), resize);
                float[][] p;
                try (NDManager scope = engine.manager().newSubManager()) {
                    p = engine.predict(engine.input(scope, t.data(), t.n(), t.c(), t.h(), t.w()));
                }
                for (int i = 0; i < chunk.size(); i++) {
                    List<PredictRequest.Scored> s = new ArrayList<>();
                    for (int c : Engine.topK(p[i], top)) {
                        s.add(new PredictRequest.Scored(c, net.label(c), p[i][c]));
                    }
                    out.add(new PredictRequest.Prediction(chunk.get(i), s));
                }
            }
        }
        return out;
    }

    @Test
    void pipelinedAnswersAreThoseOfThePlainLoopForEveryBatchSizeAndThreadCount() throws IOException {
        Network net = EmbeddedModel.load();
        List<Path> files = new ArrayList<>(images());
        files.addAll(images()); // 20: several batches, the last one short
        for (int batch : new int[] {1, 3, 16}) {
            List<Path> some = batch == 1 ? files.subList(0, 6) : files; // batches of one: fewer, a forward pass each
            List<PredictRequest.Prediction> want = reference(some, net, batch, 3, Resize.CROP);
            PredictRequest request = new PredictRequest(List.of(), 3, Resize.CROP, batch);
            for (int threads : new int[] {0, 3}) {
                List<PredictRequest.Prediction> got = request.run(some, () -> net, Device.cpu(), Progress.NONE, threads);
                assertEquals(want, got, "batch " + batch + ", " + threads + " decoding threads");
            }
            assertEquals(want, request.run(some, net, Device.cpu(), Progress.NONE), "the default run, batch " + batch);
        }
    }

    /**
     * The same on real photos (resized and cropped, colour) through SqueezeNet 1.1 with the
     * preprocessing of {@code predict --preprocess torch}: identical answers for batches of 3 and 16, and
     * rocket.jpg still a missile under the ImageNet crop.
     */
    @Test
    @Tag("slow")
    void pipelinedAnswersOnPhotosThroughSqueezeNet() {
        Path model = Fixtures.fixture("models/squeezenet1.1/model.onnx");
        Assumptions.assumeTrue(Files.isRegularFile(model), "fixture absent: " + model);
        Network net = new InputOverrides("torch", null, null, null, null, model.resolveSibling("labels.txt"))
                .apply(ModelLoader.load(ModelLoader.Request.of(model.toString()), Progress.NONE));
        List<Path> files = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            for (String f : List.of("chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg")) {
                files.add(Fixtures.fixture("images/" + f));
            }
        }
        for (int batch : new int[] {3, 16}) {
            for (Resize resize : new Resize[] {Resize.CROP, Resize.IMAGENET}) {
                List<PredictRequest.Prediction> want = reference(files, net, batch, 5, resize);
                PredictRequest request = new PredictRequest(List.of(), 5, resize, batch);
                for (int threads : new int[] {0, 2}) {
                    assertEquals(want, request.run(files, () -> net, Device.cpu(), Progress.NONE, threads),
                            "batch " + batch + ", " + resize + ", " + threads + " threads");
                }
                if (resize == Resize.IMAGENET) {
                    assertEquals("missile", want.get(3).top().get(0).label());
                }
            }
        }
    }

    /** The progress counts images, batch by batch, as before. */
    @Test
    void progressCountsImagesPerBatch() throws IOException {
        Network net = EmbeddedModel.load();
        List<Path> files = images().subList(0, 10);
        List<Long> advances = new ArrayList<>();
        Progress p = new Progress() {
            @Override
            public void start(String label, long total, Unit unit) {
                assertEquals(10, total);
            }

            @Override
            public void advance(long done) {
                advances.add(done);
            }

            @Override
            public void finish() {
            }
        };
        new PredictRequest(List.of(), 1, Resize.CROP, 4).run(files, () -> net, Device.cpu(), p, 2);
        assertEquals(List.of(4L, 8L, 10L), advances);
    }

    /** The first unreadable image in order fails the run with ImageLoader's line, though a later one fails too. */
    @Test
    void theFirstBadImageInOrderFailsTheRun(@TempDir Path dir) throws IOException {
        Network net = EmbeddedModel.load();
        List<Path> files = new ArrayList<>(images().subList(0, 8));
        Path bad1 = Files.writeString(dir.resolve("broken.png"), "not a picture");
        Path bad2 = dir.resolve("missing.png");
        files.add(5, bad1);
        files.add(1, bad2);
        for (int threads : new int[] {0, 2}) {
            ConvscopeException e = assertThrows(ConvscopeException.class,
                    () -> new PredictRequest(List.of(), 1, Resize.CROP, 3).run(files, () -> net, Device.cpu(), Progress.NONE, threads));
            assertEquals(bad2 + ": no such file", e.getMessage(), "threads " + threads);
        }
    }

    /** The model's own error comes first, as when it was loaded before any image. */
    @Test
    void theModelsErrorComesBeforeTheImages(@TempDir Path dir) throws IOException {
        List<Path> files = List.of(dir.resolve("missing.png"), SAMPLES.resolve("7_sneaker.png"));
        ConvscopeException boom = new ConvscopeException("model.onnx: no such file");
        AtomicInteger calls = new AtomicInteger();
        ConvscopeException e = assertThrows(ConvscopeException.class,
                () -> new PredictRequest(List.of(), 1, Resize.CROP, 1).run(files, () -> {
                    calls.incrementAndGet();
                    throw boom;
                }, Device.cpu(), Progress.NONE));
        assertSame(boom, e);
        assertEquals(1, calls.get());
    }
}
