package io.convscope.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** --preprocess, --mean/--std/--scale, --channel-order and --labels reach the model. */
class InputOptionsTest {
    private static final Path SNEAKER = Path.of("../samples/fashion-mnist/7_sneaker.png");

    private static JsonObject top(CliErrorsTest.Run r) {
        assertEquals(0, r.code(), r.err());
        return JsonParser.parseString(r.out()).getAsJsonArray().get(0).getAsJsonObject()
                .getAsJsonArray("predictions").get(0).getAsJsonObject();
    }

    @Test
    void labelsFileNamesTheClasses(@TempDir Path dir) throws Exception {
        assumeTrue(Files.exists(SNEAKER), "skipped: samples not found");
        Path labels = dir.resolve("labels.txt");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            b.append("custom class ").append(i).append('\n');
        }
        Files.writeString(labels, b);
        JsonObject t = top(CliErrorsTest.run("predict", "--json", "--labels", labels.toString(), SNEAKER.toString()));
        assertEquals(7, t.get("index").getAsInt());
        assertEquals("custom class 7", t.get("label").getAsString());
    }

    @Test
    void preprocessingOptionsChangeWhatTheModelSees() {
        assumeTrue(Files.exists(SNEAKER), "skipped: samples not found");
        var own = CliErrorsTest.run("predict", "--json", "--top", "10", SNEAKER.toString());
        assertEquals(0, own.code(), own.err());
        // the embedded model takes x/255; the same thing spelled out gives the same numbers
        var spelled = CliErrorsTest.run("predict", "--json", "--top", "10", "--scale", "1/255", "--mean", "0", "--std", "1",
                SNEAKER.toString());
        assertEquals(own.out(), spelled.out());
        // raw 0-255 values are a different input: different numbers
        var raw = CliErrorsTest.run("predict", "--json", "--top", "10", "--preprocess", "raw", SNEAKER.toString());
        assertEquals(0, raw.code(), raw.err());
        assertNotEquals(own.out(), raw.out());
    }

    @Test
    void badValuesAreOneLineErrors(@TempDir Path dir) throws Exception {
        assumeTrue(Files.exists(SNEAKER), "skipped: samples not found");
        var r = CliErrorsTest.run("predict", "--preprocess", "imagenet", SNEAKER.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("convscope: error: unknown --preprocess 'imagenet'"), r.err());
        r = CliErrorsTest.run("predict", "--mean", "1,2,3", SNEAKER.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--mean has 3 values but the model's input has 1 channel"), r.err());
        Path five = dir.resolve("five.txt");
        Files.writeString(five, "a\nb\nc\nd\ne\n");
        r = CliErrorsTest.run("summary", "--labels", five.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("has 5 names but the model has 10 classes"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
