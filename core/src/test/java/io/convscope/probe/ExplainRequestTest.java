package io.convscope.probe;

import io.convscope.ConvscopeException;
import io.convscope.TooLargeException;
import io.convscope.embedded.EmbeddedModel;
import io.convscope.explain.ExplainRun;
import io.convscope.explain.Methods;
import io.convscope.explain.Score;
import io.convscope.explain.Targets;
import io.convscope.image.Resize;
import io.convscope.memory.MemoryLimits;
import io.convscope.network.Network;
import io.convscope.render.Colormap;
import io.convscope.util.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The explain run through the core API: memory refusal before work, files streamed into a folder swapped in when complete. */
class ExplainRequestTest {
    @TempDir
    Path tmp;

    ExplainRequest request(List<String> images, List<String> methods, int batch, Path out) {
        return new ExplainRequest(images, methods, Targets.predicted(), Methods.Settings.defaults().withSteps(8).withMasks(16),
                Score.LOGIT, batch, Colormap.INFERNO, 0.6f, List.of(), 10, Resize.STRETCH, 0.05, out);
    }

    Path samples(int n) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("in"));
        for (int c = 0; c < n; c++) {
            try (InputStream in = EmbeddedModel.openSample(c)) {
                Files.copy(in, dir.resolve(EmbeddedModel.sampleFileName(c)));
            }
        }
        return dir;
    }

    @Test
    void refusesARunThatDoesNotFitAndNamesABatchThatDoes() throws IOException {
        Network net = EmbeddedModel.load();
        ExplainRequest q = request(List.of(samples(2).toString()), List.of("gradcam", "integrated-gradients"), 64, tmp.resolve("out"));
        long need = q.estimate(net, List.of("gradcam", "integrated-gradients"), 64).heapBytes();
        long one = q.estimate(net, List.of("gradcam", "integrated-gradients"), 1).heapBytes();
        assertTrue(one < need, "the need grows with the batch");
        var e = assertThrows(TooLargeException.class, () -> q.plan(net, new MemoryLimits(need - 1, Long.MAX_VALUE, Long.MAX_VALUE)));
        assertTrue(e.getMessage().contains("batch 32 fits"), e.getMessage());
        assertTrue(!Files.exists(tmp.resolve("out")), "nothing written");
        // with enough memory it runs
        ExplainRun.Result r = q.plan(net, new MemoryLimits(need, Long.MAX_VALUE, Long.MAX_VALUE)).run(null, Progress.NONE, w -> { });
        assertEquals(4, r.rows().size());
        assertTrue(Files.isRegularFile(tmp.resolve("out/explain.csv")));
    }

    @Test
    void aFailedRunLeavesTheOutputFolderAsItWas() throws IOException {
        Network net = EmbeddedModel.load();
        Path in = samples(3);
        Path out = tmp.resolve("out");
        request(List.of(in.toString()), List.of("saliency"), 1, out).plan(net, MemoryLimits.current(null)).run(null, Progress.NONE, w -> { });
        List<String> before = listing(out);
        assertTrue(before.contains("explain.csv") && before.contains(".convscope-run"), before.toString());
        // the third image is broken: the first two are written (into the hidden folder) before the run fails
        Files.writeString(in.resolve(EmbeddedModel.sampleFileName(2)), "not a picture");
        ExplainRequest bad = request(List.of(in.toString()), List.of("saliency", "gradcam"), 1, out);
        assertThrows(ConvscopeException.class, () -> bad.plan(net, MemoryLimits.current(null)).run(null, Progress.NONE, w -> { }));
        assertEquals(before, listing(out), "the output folder is the earlier run's");
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of("in", "out"), s.map(p -> p.getFileName().toString()).sorted().toList(), "no hidden folder left");
        }
    }

    @Test
    void refusesAFolderThatIsNotAConvscopeOutput() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(out.resolve("notes.txt"), "keep");
        var e = assertThrows(ConvscopeException.class, () -> request(List.of(samples(1).toString()), List.of("saliency"), 1, out).inputs());
        assertTrue(e.getMessage().contains("not a convscope output"), e.getMessage());
    }

    static List<String> listing(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile).forEach(p -> out.add(dir.relativize(p).toString()));
        }
        out.sort(null);
        return out;
    }
}
