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
