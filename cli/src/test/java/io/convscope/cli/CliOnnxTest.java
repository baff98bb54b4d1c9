package io.convscope.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** ONNX files as MODEL, end to end through picocli. */
class CliOnnxTest {
    static Path fixture(String relative) {
        String shared = System.getProperty("convscope.shared", Path.of("..", "..", "shared").toString());
        Path p = Path.of(shared).resolve("fixtures").resolve(relative);
        assumeTrue(Files.exists(p), "fixture absent: " + p);
        return p;
    }

    @Test
    void summaryOfAnOnnxModel() {
        Path model = fixture("models/squeezenet1.1/model.onnx");
        CliErrorsTest.Run r = CliErrorsTest.run("summary", model.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Total params: 1,235,496"), r.out());
        assertTrue(r.out().contains("squeezenet0_conv0 (Conv2D)"), r.out());
        assertTrue(r.out().contains("squeezenet0_pool0 (MaxPooling2D)"), r.out());
        assertTrue(r.out().contains("(None, 224, 224, 3)"), r.out());
    }

    @Test
    void predictWithAnOnnxModelNumbersTheClasses() {
        Path model = fixture("models/squeezenet1.1/model.onnx");
        Path image = fixture("images/coffee.png");
        CliErrorsTest.Run r = CliErrorsTest.run("predict", "--json", "--top", "2", "--model", model.toString(), image.toString());
        assertEquals(0, r.code(), r.err());
        JsonArray all = JsonParser.parseString(r.out()).getAsJsonArray();
        JsonObject top = all.get(0).getAsJsonObject().getAsJsonArray("predictions").get(0).getAsJsonObject();
        assertEquals("class " + top.get("index").getAsInt(), top.get("label").getAsString());
        // the file declares no preprocessing: said once on stderr, with the flag that sets it; stdout stays JSON
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].startsWith("convscope: warning: squeezenet1.1 declares no preprocessing")
                && lines[0].contains("--preprocess torch"), lines[0]);
        // a --preprocess silences it
        CliErrorsTest.Run said = CliErrorsTest.run("predict", "--json", "--preprocess", "raw", "--model", model.toString(), image.toString());
        assertEquals(0, said.code(), said.err());
        assertEquals("", said.err());
    }

    @Test
    void squeezenetWithTorchPreprocessingAndItsLabelsSeesAnEgyptianCat() {
        Path dir = fixture("models/squeezenet1.1");
        Path image = fixture("images/chelsea.png");
        CliErrorsTest.Run r = CliErrorsTest.run("predict", "--json", "--top", "3", "--model", dir.resolve("model.onnx").toString(),
                "--preprocess", "torch", "--labels", dir.resolve("labels.txt").toString(), image.toString());
        assertEquals(0, r.code(), r.err());
        JsonArray preds = JsonParser.parseString(r.out()).getAsJsonArray().get(0).getAsJsonObject().getAsJsonArray("predictions");
        assertEquals("Egyptian cat", preds.get(0).getAsJsonObject().get("label").getAsString(), r.out());
        assertEquals(285, preds.get(0).getAsJsonObject().get("index").getAsInt());
        // the fixture's published top 3 (tabby and tiger cat close behind)
        java.util.Set<String> next = java.util.Set.of(preds.get(1).getAsJsonObject().get("label").getAsString(),
                preds.get(2).getAsJsonObject().get("label").getAsString());
        assertEquals(java.util.Set.of("tabby", "tiger cat"), next, r.out());
        // without the preprocessing the model sees raw 0-255 pixels, about 60 times the values it was
        // trained on: other scores (it still says cat, but saturated near certainty instead of ~0.5)
        CliErrorsTest.Run raw = CliErrorsTest.run("predict", "--json", "--top", "1", "--model", dir.resolve("model.onnx").toString(),
                "--labels", dir.resolve("labels.txt").toString(), image.toString());
        assertEquals(0, raw.code(), raw.err());
        double p = preds.get(0).getAsJsonObject().get("probability").getAsDouble();
        double pRaw = JsonParser.parseString(raw.out()).getAsJsonArray().get(0).getAsJsonObject().getAsJsonArray("predictions")
                .get(0).getAsJsonObject().get("probability").getAsDouble();
        assertTrue(p > 0.3 && p < 0.7, r.out());
        assertTrue(Math.abs(pRaw - p) > 0.2, "raw " + pRaw + " vs torch " + p);
    }

    @Test
    void mnist8WithUnitPreprocessingReadsADrawnDigit(@TempDir Path tmp) throws IOException {
        Path dir = fixture("models/mnist-8");
        // a white 3 on black, drawn here: two bows joined on the right
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(28, 28, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        java.awt.Graphics2D g = img.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.setStroke(new java.awt.BasicStroke(3f));
        g.drawArc(8, 4, 12, 10, -90, 270);
        g.drawArc(8, 13, 12, 10, -180, 270);
        g.dispose();
        Path png = tmp.resolve("three.png");
        javax.imageio.ImageIO.write(img, "png", png.toFile());
        CliErrorsTest.Run r = CliErrorsTest.run("predict", "--json", "--top", "1", "--model", dir.resolve("model.onnx").toString(),
                "--preprocess", "unit", "--labels", dir.resolve("labels.txt").toString(), png.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"Three\""), r.out());
    }

    @Test
    void corruptOnnxFileIsOneErrorLine(@TempDir Path tmp) throws IOException {
        Path model = fixture("models/mnist-8/model.onnx");
        byte[] bytes = Files.readAllBytes(model);
        Path cut = tmp.resolve("cut.onnx");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 3));
        CliErrorsTest.Run r = CliErrorsTest.run("summary", cut.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("convscope: error: ") && r.err().contains("truncated or corrupt"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }
}
