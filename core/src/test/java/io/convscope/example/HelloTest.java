package io.convscope.example;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's library snippet compiles (it is {@link Hello}), runs, and is the README's text. */
class HelloTest {
    @Test
    void theSnippetDrawsAPicture(@TempDir Path dir) {
        Path image = Path.of("..", "samples", "fashion-mnist", "7_sneaker.png");
        Hello.main(new String[] {image.toString(), dir.toString()});
        assertTrue(Files.isRegularFile(dir.resolve("index.html")));
        assertTrue(Files.isRegularFile(dir.resolve("7_sneaker").resolve("01_block1_conv1.png")), "the first layer's grid");
    }

    @Test
    void theReadmeShowsThisFile() throws IOException {
        String source = Files.readString(Path.of("src/test/java/io/convscope/example/Hello.java"), StandardCharsets.UTF_8);
        String fromHere = source.substring(source.indexOf('\n', source.indexOf("// README: library snippet")) + 1);
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int start = readme.indexOf("```java\nimport io.convscope.activations.ActivationViews;");
        assertTrue(start >= 0, "the README's snippet starts with Hello's imports");
        int from = start + "```java\n".length();
        String block = readme.substring(from, readme.indexOf("```", from));
        assertEquals(fromHere.strip(), block.strip(), "README.md's library snippet and Hello.java differ");
    }

    @Test
    void shapesPrintInOneForm() {
        assertEquals("(None, 28, 28, 1)", io.convscope.network.TensorShape.chw(1, 28, 28).toString());
        assertEquals(List.of(), List.of());
    }
}
