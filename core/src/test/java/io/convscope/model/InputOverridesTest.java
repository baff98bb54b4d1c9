package io.convscope.model;

import io.convscope.ConvscopeException;
import io.convscope.embedded.EmbeddedModel;
import io.convscope.network.Network;
import io.convscope.network.Preprocessing;
import io.convscope.network.TensorShape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class InputOverridesTest {
    private static final TensorShape RGB = TensorShape.chw(3, 8, 8);

    @Test
    void explicitTorchValuesEqualTheTorchMode() {
        var o = new InputOverrides(null, InputOverrides.parseNumbers("0.485,0.456,0.406", "--mean"),
                InputOverrides.parseNumbers("0.229 0.224 0.225", "--std"), InputOverrides.parseNumber("1/255", "--scale"),
                "rgb", null);
        Preprocessing p = o.preprocessing(Preprocessing.CAFFE, RGB);
        for (int c = 0; c < 3; c++) {
            for (float v : new float[] {0, 17, 128, 255}) {
                assertEquals(Preprocessing.TORCH.apply(c, v), p.apply(c, v), 1e-6f);
            }
        }
        assertFalse(p.bgr());
        // (200/255 - 0.456) / 0.224 by hand: 0.784314 - 0.456 = 0.328314; / 0.224 = 1.465687
        assertEquals(1.465687f, p.apply(1, 200), 1e-5f);
    }

    @Test
    void explicitValuesRefineTheNamedModeNotTheModelsOwn() {
        var o = new InputOverrides("unit", null, null, null, "bgr", null);
        Preprocessing p = o.preprocessing(Preprocessing.CAFFE, RGB);
        assertTrue(p.bgr());
        assertEquals(1f / 255f, p.scale());
        assertEquals(100f / 255f, p.apply(0, 100), 1e-7f);
        // no explicit value: the named mode itself
        assertEquals(Preprocessing.TF, new InputOverrides("tf", null, null, null, null, null).preprocessing(Preprocessing.CAFFE, RGB));
        // nothing named: the model's own, refined
        Preprocessing own = new InputOverrides(null, null, null, 2f, null, null).preprocessing(Preprocessing.CAFFE, RGB);
        assertTrue(own.bgr());
        assertEquals((10 * 2f - 103.939f), own.apply(0, 10), 1e-4f);
    }

    @Test
    void oneValueServesEveryChannelAndAWrongCountIsRefused() {
        var one = new InputOverrides(null, new float[] {0.5f}, new float[] {0.25f}, 1f / 255f, null, null);
        Preprocessing p = one.preprocessing(Preprocessing.RAW, RGB);
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f}, p.mean());
        assertEquals((255f / 255f - 0.5f) / 0.25f, p.apply(2, 255), 1e-6f);
        var two = new InputOverrides(null, new float[] {1, 2}, null, null, null, null);
        var e = assertThrows(ConvscopeException.class, () -> two.preprocessing(Preprocessing.RAW, RGB));
        assertTrue(io.convscope.Flagged.flags(e).contains("--mean has 2 values but the model's input has 3 channels"), io.convscope.Flagged.flags(e));
    }

    @Test
    void badValuesAreOneLineErrors() {
        assertTrue(assertThrows(ConvscopeException.class, () -> new InputOverrides("imagenet", null, null, null, null, null))
                .getMessage().contains("caffe, tf, torch, unit, raw"));
        assertTrue(assertThrows(ConvscopeException.class, () -> InputOverrides.parseNumbers("0.4,abc", "--mean"))
                .getMessage().contains("'abc' is not a number"));
        assertTrue(assertThrows(ConvscopeException.class, () -> new InputOverrides(null, null, new float[] {0f}, null, null, null))
                .getMessage().contains("positive"));
        assertTrue(assertThrows(ConvscopeException.class, () -> new InputOverrides(null, null, null, null, "rbg", null))
                .getMessage().contains("rgb or bgr"));
        assertTrue(assertThrows(ConvscopeException.class, () -> InputOverrides.parseNumber("1/0", "--scale"))
                .getMessage().contains("not a number"));
    }

    @Test
    void labelsFilesReadPlainAndSynsetLinesAndMustMatchTheClasses(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("labels.txt");
        Files.writeString(f, "n01440764 tench, Tinca tinca\n\nn02124075 Egyptian cat\nplain name, with comma\n");
        assertEquals(List.of("tench", "Egyptian cat", "plain name, with comma"), InputOverrides.readLabels(f, 3));
        var e = assertThrows(ConvscopeException.class, () -> InputOverrides.readLabels(f, 10));
        assertTrue(e.getMessage().contains("has 3 names but the model has 10 classes"), e.getMessage());
        assertTrue(assertThrows(ConvscopeException.class, () -> InputOverrides.readLabels(dir.resolve("nope.txt"), 3))
                .getMessage().contains("no such file"));
    }

    @Test
    void applyChangesOnlyWhatWasGiven(@TempDir Path dir) throws Exception {
        Network net = EmbeddedModel.load();
        assertSame(net, InputOverrides.NONE.apply(net));
        Path f = dir.resolve("l.txt");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            b.append("thing ").append(i).append('\n');
        }
        Files.writeString(f, b);
        Network relabelled = new InputOverrides(null, null, null, null, null, f).apply(net);
        assertEquals("thing 7", relabelled.label(7));
        assertEquals(net.preprocessing(), relabelled.preprocessing());
        Network raw = new InputOverrides("raw", null, null, null, null, null).apply(net);
        assertEquals(Preprocessing.RAW, raw.preprocessing());
        assertEquals(net.label(7), raw.label(7));
    }
}
