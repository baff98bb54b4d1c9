package io.convscope.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.convscope.data.FashionMnist;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The commands on the embedded model and the zoo architectures, end to end through picocli. */
class CliCommandsTest {
    static final Path SAMPLES = Path.of("..", "samples", "fashion-mnist");

    @Test
    void thePyTorchLibraryPreloadsForComputingCommandsOnly() {
        var commands = Main.commandLine().getSubcommands().keySet();
        for (String c : Main.COMPUTING) {
            org.junit.jupiter.api.Assertions.assertTrue(commands.contains(c), c + " is no command");
        }
        org.junit.jupiter.api.Assertions.assertTrue(Main.computes(new String[] {"predict", "--top", "3", "cat.png"}));
        org.junit.jupiter.api.Assertions.assertTrue(Main.computes(new String[] {"activations", "--model", "vgg16", "x.png"}));
        org.junit.jupiter.api.Assertions.assertFalse(Main.computes(new String[] {"predict", "--help"}));
        org.junit.jupiter.api.Assertions.assertFalse(Main.computes(new String[] {"--version"}));
        org.junit.jupiter.api.Assertions.assertFalse(Main.computes(new String[] {"help", "predict"}));
        org.junit.jupiter.api.Assertions.assertFalse(Main.computes(new String[] {"summary", "vgg16"}));
        org.junit.jupiter.api.Assertions.assertFalse(Main.computes(new String[] {}));
    }

    @Test
    void predictClassifiesTheSampleOfEveryClass() {
        assumeTrue(Files.isDirectory(SAMPLES), "skipped: samples folder not found from " + Path.of("").toAbsolutePath());
        CliErrorsTest.Run r = CliErrorsTest.run("predict", "--json", "--top", "3", SAMPLES.toString());
        assertEquals(0, r.code(), r.err());
        JsonArray all = JsonParser.parseString(r.out()).getAsJsonArray();
        assertEquals(10, all.size());
        int right = 0;
        for (int i = 0; i < 10; i++) {
            JsonObject o = all.get(i).getAsJsonObject();
            String file = Path.of(o.get("image").getAsString()).getFileName().toString();
            int expected = Integer.parseInt(file.substring(0, file.indexOf('_')));
            JsonArray preds = o.getAsJsonArray("predictions");
            assertEquals(3, preds.size());
            double p0 = preds.get(0).getAsJsonObject().get("probability").getAsDouble();
            double p1 = preds.get(1).getAsJsonObject().get("probability").getAsDouble();
            assertTrue(p0 >= p1 && p0 <= 1.0, "sorted probabilities");
            JsonObject top = preds.get(0).getAsJsonObject();
            if (top.get("index").getAsInt() == expected) {
                right++;
                assertEquals(FashionMnist.CLASSES.get(expected), top.get("label").getAsString());
            }
        }
        assertTrue(right >= 9, "the embedded model gets " + right + "/10 samples right");
    }

    @Test
    void summaryPrintsKerasTotalsWithoutWeights() {
        CliErrorsTest.Run r = CliErrorsTest.run("summary", "vgg16");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Total params: 138,357,544"), r.out());
        assertTrue(r.out().contains("block5_conv3 (Conv2D)"), r.out());
        assertTrue(r.out().contains("(None, 7, 7, 512)"), r.out());
        CliErrorsTest.Run res = CliErrorsTest.run("summary", "resnet50v2");
        assertTrue(res.out().contains("Total params: 25,613,800"), res.out());
        assertTrue(res.out().contains("Non-trainable params: 45,440"), res.out());
        // a branching model shows what each layer is connected to
        Matcher m = Pattern.compile("conv2_block1_out \\(Add\\).*conv2_block1_0_conv, conv2_block1_3_conv").matcher(res.out());
        assertTrue(m.find(), "Connected to column");
        // the longest "name (Type)" keeps a space before the shape column
        assertTrue(res.out().contains("conv2_block1_preact_bn (BatchNormalization) (None, 56, 56, 64)"), res.out());
        assertTrue(!res.out().contains(")(None"), res.out());
        assertTrue(CliErrorsTest.run("summary", "vgg19").out().contains("Total params: 143,667,240"));
    }

    @Test
    @Tag("slow")
    void evaluateTheEmbeddedModel() {
        assumeTrue(FashionMnist.available(), "skipped: Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        CliErrorsTest.Run r = CliErrorsTest.run("evaluate", "--limit", "1000", "fashion-mnist");
        assertEquals(0, r.code(), r.err());
        Matcher m = Pattern.compile("accuracy (0\\.\\d+) \\(\\d+/1000\\)").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Double.parseDouble(m.group(1)) > 0.9, r.out());
        assertTrue(r.out().contains("Ankle boot"), r.out());
    }

    @Test
    void modelsListsZooAndEmbedded() {
        CliErrorsTest.Run r = CliErrorsTest.run("models");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("fashion-mnist-vgg"), r.out());
        assertTrue(r.out().contains("resnet50v2") && r.out().contains("25,613,800"), r.out());
        // the network's own name is explained, not printed bare beside the model's name
        assertTrue(r.out().contains("(named fashion-mnist-vgg in summaries)"), r.out());
        // the ONNX Model Zoo entries, with their preprocessing
        for (String m : new String[] {"squeezenet1.1", "resnet50v2-onnx", "mobilenetv2"}) {
            assertTrue(Pattern.compile("\\n  " + Pattern.quote(m) + " +.* MB, preprocessing torch, ").matcher(r.out()).find(),
                    m + ":\n" + r.out());
        }
    }

    @Test
    void helpTeaches() {
        CliErrorsTest.Run r = CliErrorsTest.run("--help");
        assertEquals(0, r.code());
        for (String c : new String[] {"predict", "summary", "models", "evaluate", "train", "Examples"}) {
            assertTrue(r.out().contains(c), c + " in --help");
        }
        CliErrorsTest.Run p = CliErrorsTest.run("predict", "--help");
        assertTrue(p.out().contains("--resize") && p.out().contains("--weights") && p.out().contains("--json"), p.out());
    }
}
